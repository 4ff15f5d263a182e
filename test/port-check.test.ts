/**
 * `npm start` with a port already taken fails before the build (prestart:
 * scripts/check-ports.ts) and before anything starts (src/main.ts), naming the
 * setting to change, with exit code 3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.js';
import { checkPorts, describeListenError, listenSettings, PORT_UNAVAILABLE_EXIT_CODE } from '../src/port-check.js';
import { projectPath } from '../src/util/project.js';

let taken: Server;
let takenPort: number;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'port-check-'));
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
  takenPort = (taken.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

/** A port free right now (listened on, then released). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const config = (overrides: Record<string, unknown>) => loadConfig({}, { port: 0, 'auth.devIdp.port': 0, 'simulator.port': 0, dataDir, ...overrides });

test('all ports free (or 0, any free port): nothing to say', async () => {
  expect(await checkPorts(config({}))).toEqual([]);
  expect(await checkPorts(config({ port: await freePort(), 'auth.devIdp.port': await freePort() }))).toEqual([]);
});

test.each([
  ['port', 'PORT', 'the FHIR server'],
  ['auth.devIdp.port', 'DEV_IDP_PORT', 'the embedded Pro Santé Connect stand-in'],
  ['simulator.port', 'SIMULATOR_PORT', 'the embedded eHDSI network simulator'],
])('%s taken: the message names %s and what listens there', async (key, env, what) => {
  const problems = await checkPorts(config({ [key]: takenPort }));
  expect(problems).toEqual([
    `${env}=${takenPort}: ${what} cannot listen on 127.0.0.1:${takenPort}: the port is already in use; stop what uses it or set ${env} to another port (0 = any free port)`,
  ]);
});

test('the ports of services that do not start are not checked (a real PSC, the simulator disabled)', async () => {
  const c = config({ 'auth.devIdp.port': takenPort, 'simulator.port': takenPort, 'auth.issuer': 'https://psc.example/auth/realms/esante-wallet', 'simulator.enabled': false });
  expect(listenSettings(c).map((s) => s.portEnv)).toEqual(['PORT']);
  expect(await checkPorts(c)).toEqual([]);
});

test('one free port given to two of the servers: both settings are named', async () => {
  const port = await freePort();
  const problems = await checkPorts(config({ port, 'simulator.port': port }));
  expect(problems).toEqual([
    `SIMULATOR_PORT=${port}: the embedded eHDSI network simulator would listen on the port of the FHIR server (PORT=${port}); give each a port of its own`,
  ]);
});

test('a listen error raised while starting is told with its setting', () => {
  const err = Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${takenPort}`), { code: 'EADDRINUSE', syscall: 'listen', port: takenPort });
  expect(describeListenError(config({ port: takenPort }), err)).toMatch(new RegExp(`^PORT=${takenPort}: the FHIR server cannot listen on .*set PORT to another port`));
  expect(describeListenError(config({}), new Error('other'))).toBeUndefined();
});

const env = (extra: Record<string, string>) => ({ ...process.env, PORT: '0', DEV_IDP_PORT: '0', SIMULATOR_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', ...extra });

test('prestart checks the ports before the build: exit code 3, the setting named, nothing built', () => {
  const scripts = (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  expect(scripts.prestart).toBe('tsx scripts/check-ports.ts && npm run build');
  const run = spawnSync(process.execPath, [projectPath('node_modules/tsx/dist/cli.mjs'), projectPath('scripts/check-ports.ts')], {
    cwd: projectPath(), encoding: 'utf8', timeout: 60_000, env: env({ DEV_IDP_PORT: String(takenPort) }),
  });
  expect(run.status).toBe(PORT_UNAVAILABLE_EXIT_CODE);
  expect(run.stderr).toBe(`Cannot start: DEV_IDP_PORT=${takenPort}: the embedded Pro Santé Connect stand-in cannot listen on 127.0.0.1:${takenPort}: the port is already in use; stop what uses it or set DEV_IDP_PORT to another port (0 = any free port)\n`);
  // A wrong setting is still told as such (exit code 2), before the build too.
  const bad = spawnSync(process.execPath, [projectPath('node_modules/tsx/dist/cli.mjs'), projectPath('scripts/check-ports.ts')], {
    cwd: projectPath(), encoding: 'utf8', timeout: 60_000, env: env({ PORT: 'eighty' }),
  });
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('Invalid configuration: port (environment variable PORT): expected a whole number, got "eighty"');
}, 60_000);

test('the server itself checks too: PORT taken stops it before anything starts, exit code 3', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', projectPath('src', 'main.ts')], {
    cwd: projectPath(), encoding: 'utf8', timeout: 60_000, env: env({ PORT: String(takenPort) }),
  });
  expect(run.status).toBe(PORT_UNAVAILABLE_EXIT_CODE);
  expect(run.stderr).toContain(`Cannot start: PORT=${takenPort}: the FHIR server cannot listen on 127.0.0.1:${takenPort}: the port is already in use`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).not.toContain('FHIR server ready');
  expect(run.stdout).not.toContain('terminology catalogues loaded');
}, 60_000);
