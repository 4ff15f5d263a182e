/**
 * The conformance kit itself: against the services as `npm start` composes them it passes every
 * check; against a deployment that breaks a promise (CORS off) it fails that check and says why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServices, type RunningServices } from '../../src/app-services.js';
import { loadConfig } from '../../src/config/config.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { runKit } from './kit.js';

const DOCTOR = '899700209937';

async function kitAgainst(env: Record<string, string>): Promise<{ failed: string[]; passed: number; lines: string[] }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kit-'));
  let services: RunningServices | undefined;
  try {
    services = await startServices(loadConfig(env, { port: 0, logLevel: 'silent', dataDir, 'auth.devIdp.port': 0, 'simulator.port': 0 }));
    const idp = services.auth.devIdp!;
    const token = await mintAccessToken(idp.keys, idp.issuer, idp.directory.findByNationalId(DOCTOR)!, DEV_EHR_CLIENT_ID, 600);
    const lines: string[] = [];
    const { report } = await runKit({ base: `${services.url}/fhir`, token }, (line) => lines.push(line));
    return { failed: report.failures.map((f) => `${f.area}: ${f.name} — ${f.detail}`), passed: report.results.filter((r) => r.ok).length, lines };
  } finally {
    await services?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

test('npm start\'s services pass every check of the kit', async () => {
  const { failed, passed } = await kitAgainst({});
  expect(failed).toEqual([]);
  expect(passed).toBeGreaterThan(40);
}, 120_000);

test('with CORS off, the kit fails the CORS and capability checks, saying why', async () => {
  const { failed } = await kitAgainst({ FHIR_CORS_ORIGINS: 'none' });
  expect(failed).toEqual([
    expect.stringMatching(/^capability: rest\.security: .* — rest\.security\.cors is not true$/),
    expect.stringMatching(/^CORS: .* — preflight: HTTP 405/),
  ]);
}, 120_000);
