import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectPath } from '../../src/util/project.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
  spawnSync(process.execPath, ['--import', 'tsx', projectPath('src', 'cli', 'convert.ts'), ...args], { encoding: 'utf8', cwd: projectPath() });

describe('npm run convert', () => {
  it('prints the IPS Bundle, and with --report the conversion report', () => {
    const out = run(path.join(here, 'cda', 'full-summary.xml'), '--report');
    expect(out.status).toBe(0);
    const parsed = JSON.parse(out.stdout) as { bundle: fhir4.Bundle; report: fhir4.OperationOutcome; summary: { entries: unknown } };
    expect(parsed.bundle.type).toBe('document');
    expect(parsed.report.resourceType).toBe('OperationOutcome');
    expect(parsed.summary.entries).toEqual({ seen: 12, mapped: 11, narrativeOnly: 1 });
  });

  it('explains a refused document and a wrong call with an exit code', () => {
    const refused = run(projectPath('package.json'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/not converted \(not-xml\)/);
    expect(run().status).toBe(2);
  });
});
