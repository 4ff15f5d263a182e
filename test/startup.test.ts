/**
 * Start-up checks of the terminology catalogues (mapping.terminologyPath):
 * loaded before the server is ready, a wrong path or an unreadable file stops
 * the start naming the setting and the file, the log says what was loaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServices } from '../src/app-services.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { projectPath } from '../src/util/project.js';
import { memoryLogger } from './helpers/test-app.js';

const SNOMED_RF2 = projectPath('test', 'terminology', 'fixtures', 'snomed-rf2');
let dataDir: string;

beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'startup-'));
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const config = (terminologyPath: string) => loadConfig({}, {
  port: 0, logLevel: 'silent', dataDir, 'auth.devIdp.port': 0, 'simulator.enabled': false, 'mapping.terminologyPath': terminologyPath,
});

test('npm start with a MAPPING_TERMINOLOGY_PATH that does not exist: exit code 2, the setting and the path named, never "ready"', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', projectPath('src', 'main.ts')], {
    cwd: projectPath(),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, MAPPING_TERMINOLOGY_PATH: '/no/such/catalogue', PORT: '0', DEV_IDP_PORT: '0', SIMULATOR_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' },
  });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('Invalid configuration: mapping.terminologyPath (MAPPING_TERMINOLOGY_PATH): terminology catalogue not found: /no/such/catalogue\n');
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).not.toContain('FHIR server ready');
}, 60_000);

test('a catalogue file that cannot be read as its format stops the start, naming the setting and the file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'startup-catalogue-'));
  try {
    writeFileSync(path.join(dir, 'broken.json'), '{');
    const started = startServices(config(dir), memoryLogger().logger);
    await expect(started).rejects.toThrow(ConfigError);
    await expect(started).rejects.toThrow(/mapping\.terminologyPath \(MAPPING_TERMINOLOGY_PATH\): cannot load the terminology catalogue: .*broken\.json/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the catalogues are loaded at start-up and the log names each source, its version and its designations', async () => {
  const { logger, lines } = memoryLogger();
  const services = await startServices(config(SNOMED_RF2), logger);
  try {
    const loaded = lines().find((l) => l.msg === 'terminology catalogues loaded');
    expect(loaded).toBeDefined();
    const terminology = loaded!.terminology as { language: string; terminologyPath: string; sources: Array<Record<string, unknown>> };
    expect(terminology.language).toBe('fr-FR');
    expect(terminology.terminologyPath).toBe(SNOMED_RF2);
    expect(terminology.sources).toEqual([
      expect.objectContaining({ name: 'Catalogue du projet', official: false, designations: expect.any(Number) }),
      { name: 'SNOMED CT (fr, FR9999999)', version: '20990131', official: true, designations: 3 },
    ]);
    expect(terminology.sources[0].designations).toBeGreaterThan(100);
    // Loaded first, before the other services start (and long before the server is ready).
    const order = lines().map((l) => l.msg);
    expect(order.indexOf('terminology catalogues loaded')).toBeLessThan(order.indexOf('embedded Pro Santé Connect stand-in ready'));
  } finally {
    await services.close();
  }
});
