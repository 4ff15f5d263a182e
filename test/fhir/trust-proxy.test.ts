/**
 * Behind a load balancer, the source address of the audit trail and of the
 * rate limits is the client's (X-Forwarded-For), but only from the proxies
 * TRUST_PROXY names; anyone else's X-Forwarded-For is ignored.
 */
import { loadConfig } from '../../src/config/config.js';
import { trustedProxies } from '../../src/config/trusted-proxies.js';
import { startTestServices } from '../auth/http-helpers.js';
import { ehrAccessToken } from '../auth/tokens.js';

async function auditedAddress(trustProxy: string | undefined): Promise<string | undefined> {
  const services = await startTestServices(trustProxy ? { trustProxy: [trustProxy] } : {});
  try {
    const { accessToken: token } = await ehrAccessToken(services.auth.issuer, '899700209937');
    const res = await fetch(`${services.url}/fhir/Patient?identifier=urn:oid:2.16.17.710.840.1000.990.1|157601853&address-country=HR`, {
      headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '198.51.100.23' },
    });
    expect(res.status).toBe(200);
    const [record] = await services.store.listAudit('899700209937');
    return record?.sourceAddress;
  } finally {
    await services.stop();
  }
}

test('from a trusted proxy (loopback here), the audit records the client of X-Forwarded-For', async () => {
  expect(await auditedAddress('loopback')).toBe('198.51.100.23');
});

test('without TRUST_PROXY, X-Forwarded-For is ignored: the socket\'s peer is recorded', async () => {
  expect(await auditedAddress(undefined)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
});

test('TRUST_PROXY accepts addresses, CIDR ranges and named ranges, and refuses anything else by name', () => {
  const config = (value: string) => loadConfig({ TRUST_PROXY: value });
  expect(trustedProxies(config('loopback, 10.0.0.0/8, fd00::/8, 203.0.113.7'))).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '203.0.113.7']);
  expect(() => trustedProxies(config('10.0.0.0/33'))).toThrow(/TRUST_PROXY.*10\.0\.0\.0\/33/);
  expect(() => trustedProxies(config('everyone'))).toThrow(/TRUST_PROXY.*everyone/);
});
