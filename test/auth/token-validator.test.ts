import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PscConfigurationError, discoverPsc } from '../../src/auth/psc-client.js';
import { BearerTokenValidator, TokenRejected } from '../../src/auth/token-validator.js';
import { DEV_EHR_CLIENT_ID, STAND_IN_AUDIENCE } from '../../src/dev-idp/constants.js';
import { startDevIdp, type RunningDevIdp } from '../../src/dev-idp/server.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { memoryLogger } from '../helpers/test-app.js';
import { professional } from './fixtures.js';

let idp: RunningDevIdp;
let dataDir: string;
const client = { clientId: 'facade', clientSecret: 'secret-for-tests', authMethod: 'client_secret_basic' as const, redirectUris: ['http://127.0.0.1:1/cb'], postLogoutRedirectUris: [] };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'validator-test-'));
  idp = await startDevIdp({ host: '127.0.0.1', port: 0, dataDir, accessTokenTtlSeconds: 600, client, logger: memoryLogger().logger });
});
afterAll(async () => {
  await idp.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe.each(['introspection', 'jwks'] as const)('BearerTokenValidator (%s)', (mode) => {
  test('a result is served from the cache only until the token expires', async () => {
    const config = await discoverPsc({ issuer: idp.issuer, discoveryUrl: idp.discoveryUrl, clientId: client.clientId, clientSecret: client.clientSecret, clientAuthMethod: 'client_secret_basic' });
    let clock = Math.floor(Date.now() / 1000);
    const validator = new BearerTokenValidator(config, { mode, allowedClients: [DEV_EHR_CLIENT_ID], audiences: [STAND_IN_AUDIENCE], now: () => clock });
    const token = await mintAccessToken(idp.keys, idp.issuer, professional('midwife'), DEV_EHR_CLIENT_ID, 120);
    const first = await validator.validate(token);
    expect(first.userInfo.SubjectNameID).toBe('899700301164');
    expect(first.clientId).toBe(DEV_EHR_CLIENT_ID);
    expect(first.expiresAt - clock).toBeGreaterThan(100);
    expect(await validator.validate(token)).toBe(first);
    clock = first.expiresAt + 1;
    await expect(validator.validate(token)).rejects.toThrow(TokenRejected);
  });

  test('a token of another issuer is refused naming its issuer and the one accepted', async () => {
    const config = await discoverPsc({ issuer: idp.issuer, discoveryUrl: idp.discoveryUrl, clientId: client.clientId, clientSecret: client.clientSecret, clientAuthMethod: 'client_secret_basic' });
    const validator = new BearerTokenValidator(config, { mode, allowedClients: [DEV_EHR_CLIENT_ID], audiences: [STAND_IN_AUDIENCE], issuerHint: 'check the port' });
    const elsewhere = 'http://127.0.0.1:1/auth/realms/esante-wallet';
    const token = await mintAccessToken(idp.keys, elsewhere, professional('midwife'), DEV_EHR_CLIENT_ID, 120);
    await expect(validator.validate(token)).rejects.toThrow(`the token was issued by ${elsewhere}, this server accepts tokens of ${idp.issuer} only (check the port)`);
  });

  test('the discovery must announce the configured issuer', async () => {
    await expect(discoverPsc({ issuer: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet', discoveryUrl: idp.discoveryUrl, clientId: 'x', clientSecret: 'y', clientAuthMethod: 'client_secret_basic' }))
      .rejects.toThrow();
  });
});

test('introspection needs this server\'s client credentials', async () => {
  const token = await mintAccessToken(idp.keys, idp.issuer, professional('midwife'), DEV_EHR_CLIENT_ID, 60);
  const url = `${idp.issuer}/protocol/openid-connect/token/introspect`;
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const ask = (auth?: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...(auth ? { authorization: auth } : {}) }, body: new URLSearchParams({ token }) });
  expect((await ask()).status).toBe(401);
  expect((await ask(basic(client.clientId, 'wrong'))).status).toBe(401);
  const ok = await ask(basic(client.clientId, client.clientSecret));
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ active: true, iss: idp.issuer, acr: 'eidas1', azp: DEV_EHR_CLIENT_ID, SubjectNameID: '899700301164', aud: STAND_IN_AUDIENCE });
});

describe('configuration of the PSC client', () => {
  const base = () => ({ issuer: idp.issuer, discoveryUrl: idp.discoveryUrl, clientId: 'facade' });

  test('private_key_jwt needs a key file; a PKCS#8 PEM or a JWK file is accepted', async () => {
    await expect(discoverPsc({ ...base(), clientAuthMethod: 'private_key_jwt' })).rejects.toThrow(PscConfigurationError);
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const pem = path.join(dataDir, 'client-key.pem');
    const jwk = path.join(dataDir, 'client-key.json');
    writeFileSync(pem, await exportPKCS8(privateKey));
    writeFileSync(jwk, JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'RS256' }));
    for (const file of [pem, jwk]) {
      const config = await discoverPsc({ ...base(), clientAuthMethod: 'private_key_jwt', privateKeyFile: file });
      expect(config.serverMetadata().issuer).toBe(idp.issuer);
    }
  });

  test('client secret methods need a secret; plain http is refused for a non-loopback PSC', async () => {
    await expect(discoverPsc({ ...base(), clientAuthMethod: 'client_secret_post' })).rejects.toThrow(/clientSecret/);
    await expect(discoverPsc({ ...base(), discoveryUrl: 'http://psc.example.org/.well-known/wallet-openid-configuration', clientSecret: 's', clientAuthMethod: 'client_secret_basic' }))
      .rejects.toThrow(/https/);
  });
});

test('a busy stand-in port is reported with the setting to change', async () => {
  const port = Number(new URL(idp.issuer).port);
  await expect(startDevIdp({ host: '127.0.0.1', port, dataDir, accessTokenTtlSeconds: 60, client, logger: memoryLogger().logger }))
    .rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+ \(in use\); set DEV_IDP_PORT/);
});
