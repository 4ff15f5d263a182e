/**
 * The simulator as `npm start` / `npm run simulator` start it from the
 * configuration: it trusts the facade's own signing certificate (the same
 * DATA_DIR development key the transport signs with), and nothing else.
 */
import { loadConfig } from '../../src/config/config.js';
import { createEhdsiTransport } from '../../src/ehdsi/soap/transport-config.js';
import { discoverPatients } from '../../src/ehdsi/xcpd/discover.js';
import { createLogger } from '../../src/logging/logger.js';
import { simulatorEnabled, startConfiguredSimulator } from '../../src/simulator/from-config.js';
import type { RunningSimulator } from '../../src/simulator/index.js';
import { country, hcpAssertion, newKeys, removeTempDirs, tempDir, writePatients } from './helpers.js';

const HR = country('HR');
const DOMAIN = HR.searchMask.traits[0].domainOid;
let sim: RunningSimulator;
let transport: ReturnType<typeof createEhdsiTransport>;

beforeAll(async () => {
  const patientsDir = writePatients([{ slug: 'ana', country: 'HR', identifiers: [{ root: DOMAIN, extension: '900000001' }], given: 'Ana', family: 'Kovač', gender: 'female', birthDate: '1971-03-04', documents: ['L3'] }]);
  const config = loadConfig({}, { dataDir: tempDir('sim-data-'), 'simulator.port': 0, 'simulator.patientsDir': patientsDir, logLevel: 'silent' });
  transport = createEhdsiTransport(config);
  sim = await startConfiguredSimulator(config, createLogger('silent'));
});

afterAll(async () => {
  transport.client.close();
  await sim.close();
  removeTempDirs();
});

const discover = (hcpXml: string) =>
  discoverPatients(transport.client, { country: 'HR', endpoint: sim.endpoints('HR').xcpd, homeCommunityId: HR.homeCommunityId }, [{ domainOid: DOMAIN, value: '900000001' }], undefined, hcpXml, { senderHomeCommunityId: transport.homeCommunityId });

it('is enabled by default and listens on loopback, simulating the registry countries', () => {
  expect(simulatorEnabled(loadConfig({}))).toBe(true);
  expect(simulatorEnabled(loadConfig({ SIMULATOR_ENABLED: 'false' }))).toBe(false);
  expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(sim.countries.map((c) => c.code)).toEqual(expect.arrayContaining(['HR', 'PT', 'MT', 'CZ', 'ES', 'EE', 'LU']));
});

it('accepts assertions signed with the facade key and refuses another key (1001)', async () => {
  await expect(discover(hcpAssertion(transport.keys).xml)).resolves.toMatchObject({ kind: 'matches' });
  await expect(discover(hcpAssertion(newKeys()).xml)).resolves.toMatchObject({ kind: 'error', ackDetails: [expect.objectContaining({ code: '1001' })] });
});
