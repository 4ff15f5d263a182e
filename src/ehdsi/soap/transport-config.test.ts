import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../config/config.js';
import { createEhdsiTransport } from './transport-config.js';

describe('createEhdsiTransport', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'transport-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('works with the defaults: development keys generated in DATA_DIR, assertion settings from the configuration', () => {
    const t = createEhdsiTransport(loadConfig({}, { dataDir: dir, 'ehdsi.hcpAssertionMinutes': 30 }));
    t.client.close();
    expect(existsSync(path.join(dir, 'ehdsi-dev-signing-key.pem'))).toBe(true);
    expect(t.keys.certificatePem).toMatch(/BEGIN CERTIFICATE/);
    expect(t).toMatchObject({ homeCommunityId: '2.999.250.1.1', assertionIssuer: 'urn:idp:FR:countryB', hcpAssertionMinutes: 30, trcAssertionMinutes: 120 });
  });

  it('refuses a mutual-TLS certificate without its key, an unreadable file, and a lifetime beyond the maximum', () => {
    const cert = path.join(dir, 'client.pem');
    writeFileSync(cert, 'not really a certificate');
    expect(() => createEhdsiTransport(loadConfig({}, { dataDir: dir, 'ehdsi.tls.clientCertFile': cert }))).toThrow(ConfigError);
    expect(() => createEhdsiTransport(loadConfig({}, { dataDir: dir, 'ehdsi.tls.caFile': path.join(dir, 'missing.pem') }))).toThrow(/cannot read/);
    expect(() => loadConfig({}, { dataDir: dir, 'ehdsi.trcAssertionMinutes': 121 })).toThrow(ConfigError);
  });
});
