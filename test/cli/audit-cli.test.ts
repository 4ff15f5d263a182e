import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OPERATOR_OWNER, UNIDENTIFIED_AGENT, type AuditRecord } from '../../src/audit/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { projectPath } from '../../src/util/project.js';

const DOCTOR = '899700209937';
let dataDir: string;

const auditCli = (...args: string[]) => spawnSync(process.execPath, [projectPath('node_modules/tsx/dist/cli.mjs'), projectPath('src/cli/audit.ts'), ...args], {
  cwd: projectPath(), encoding: 'utf8', timeout: 60_000,
  env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', CONFIG_FILE: '', LOG_LEVEL: 'silent' },
});

const base = { requestId: 'req-12345678', action: 'E' as const };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'audit-cli-'));
  const store = await SqliteStore.open(path.join(dataDir, 'facade.sqlite'));
  const records: AuditRecord[] = [
    { ...base, id: 'old', recorded: new Date('2026-02-27T10:00:00Z'), owner: OPERATOR_OWNER, agent: UNIDENTIFIED_AGENT, subtype: 'authentication', outcome: 'refused', outcomeDetail: 'no-token' },
    { ...base, id: 'a1', recorded: new Date('2026-03-01T08:00:00Z'), owner: OPERATOR_OWNER, agent: UNIDENTIFIED_AGENT, subtype: 'authentication', outcome: 'refused', outcomeDetail: 'token-expired', clientId: 'some-ehr', sourceAddress: '192.0.2.7' },
    {
      ...base, id: 's1', recorded: new Date('2026-03-01T09:00:00Z'), owner: DOCTOR, subtype: 'search-patient', outcome: 'success', patientHandle: 'h4nd1e', country: 'HR', ehdsiTransaction: 'ITI-55',
      agent: { nationalId: DOCTOR, name: 'CYRIL TOUBIB', profession: { code: '10' }, practiceSituation: { organisationName: 'CABINET', mode: 'L' } },
    },
  ];
  for (const r of records) await store.appendAudit(r);
  await store.close();
});

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('npm run audit -- --since … --type authentication --format json lists the failed authentications of everyone since the date', () => {
  const run = auditCli('--since', '2026-03-01', '--type', 'authentication', '--format', 'json');
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([{
    recorded: '2026-03-01T08:00:00.000Z', type: 'authentication', interaction: 'authentication', outcome: '4', result: 'refused', detail: 'token-expired',
    owner: 'operator', agent: 'unidentified', clientId: 'some-ehr', sourceAddress: '192.0.2.7', requestId: 'req-12345678',
  }]);
  expect(run.stderr).toContain('1 audit record(s)');
}, 90_000);

test('--type all (the default) as a table: every owner, oldest first, handles and codes only', () => {
  const run = auditCli('--since', '2026-03-01T00:00:00Z');
  expect(run.status).toBe(0);
  const lines = run.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^recorded\s+type\s+interaction\s+outcome\s+detail\s+owner\s+agent\s+client\s+address\s+patient\s+country\s+request$/);
  expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
    ['2026-03-01T08:00:00.000Z', 'authentication', 'authentication'],
    ['2026-03-01T09:00:00.000Z', 'rest', 'search-patient'],
  ]);
  expect(lines[2]).toContain('Patient/h4nd1e');
  expect(run.stdout).not.toContain('CYRIL');
}, 90_000);

test('a missing or wrong --since is a usage error (exit 2)', () => {
  expect(auditCli().status).toBe(2);
  const bad = auditCli('--since', 'yesterday');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toMatch(/--since "yesterday" is not a date[\s\S]*usage: npm run audit/);
  expect(auditCli('--since', '2026-03-01', '--type', 'everything').status).toBe(2);
}, 90_000);
