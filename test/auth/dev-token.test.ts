import { loadConfig } from '../../src/config/config.js';
import { devTokenCommand, type ListedProfessional } from '../../src/dev-idp/dev-token-command.js';
import { EXPECTED_OUTCOMES, professionals } from './fixtures.js';
import { startTestServices } from './http-helpers.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out: () => out.join(''), err: () => err.join('') };
}

describe('npm run dev-token', () => {
  let services: Services;
  let standInPort: number;
  beforeAll(async () => {
    services = await startTestServices();
    standInPort = Number(new URL(services.auth.issuer).port);
  });
  afterAll(async () => {
    await services.stop();
  });
  const config = (extra: Record<string, unknown> = {}) => loadConfig({}, { dataDir: services.dataDir, 'auth.devIdp.port': standInPort, ...extra });

  test('--list --json gives every test professional with the rule it illustrates', async () => {
    const c = capture();
    expect(await devTokenCommand(['--list', '--json'], config(), c.io)).toBe(0);
    const listed = JSON.parse(c.out()) as ListedProfessional[];
    const bySlug = Object.fromEntries(professionals.map((p) => [p.userInfo.SubjectNameID, p.slug]));
    expect(listed).toHaveLength(professionals.length);
    for (const l of listed) {
      expect(Object.keys(l).sort()).toEqual(['eligible', 'name', 'nationalId', 'rule']);
      expect([l.nationalId, l.rule]).toEqual([l.nationalId, EXPECTED_OUTCOMES[bySlug[l.nationalId]]]);
      expect(l.eligible).toBe(l.rule === null);
    }
    expect(listed).toContainEqual({ nationalId: '899700209937', name: 'CYRIL TOUBIB', eligible: true, rule: null });
  });

  test('--list prints a readable table', async () => {
    const c = capture();
    expect(await devTokenCommand(['--list'], config(), c.io)).toBe(0);
    expect(c.out()).toMatch(/^899700302014 {2}BERNARD TRAVAILLEUR +refused: OCCUPATIONAL_MEDICINE$/m);
  });

  test('a printed token is accepted by the running server, without any login', async () => {
    const c = capture();
    expect(await devTokenCommand(['899700209937'], config(), c.io)).toBe(0);
    const token = c.out().trim();
    expect(token.split('.')).toHaveLength(3);
    const res = await fetch(`${services.url}/fhir/Practitioner/psc-899700209937`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });

  test('a token minted for another DEV_IDP_PORT is refused naming both issuers and what to check', async () => {
    const c = capture();
    const otherPort = standInPort === 65535 ? 65534 : standInPort + 1;
    expect(await devTokenCommand(['899700209937'], config({ 'auth.devIdp.port': otherPort }), c.io)).toBe(0);
    const res = await fetch(`${services.url}/fhir/Practitioner/psc-899700209937`, { headers: { Authorization: `Bearer ${c.out().trim()}` } });
    expect(res.status).toBe(401);
    const diagnostics = ((await res.json()) as fhir4.OperationOutcome).issue[0].diagnostics!;
    expect(diagnostics).toContain(`the token was issued by http://127.0.0.1:${otherPort}/auth/realms/esante-wallet`);
    expect(diagnostics).toContain(`this server accepts tokens of ${services.auth.issuer} only`);
    expect(diagnostics).toContain('DEV_IDP_PORT');
    expect(res.headers.get('www-authenticate')).toContain('DEV_IDP_PORT');
  });

  test('an unknown national id, bad arguments, or a real PSC configured are refused with a message', async () => {
    let c = capture();
    expect(await devTokenCommand(['123'], config(), c.io)).toBe(1);
    expect(c.err()).toContain('No test professional has the national id "123"');
    c = capture();
    expect(await devTokenCommand([], config(), c.io)).toBe(2);
    expect(c.err()).toContain('Usage:');
    c = capture();
    expect(await devTokenCommand(['899700209937'], config({ 'auth.issuer': 'https://auth.bas.psc.esante.gouv.fr/auth/realms/esante-wallet' }), c.io)).toBe(2);
    expect(c.err()).toContain('embedded Pro Santé Connect stand-in only');
    expect(c.out()).toBe('');
  });
});

describe('validation results are cached for the token\'s life only; PSC unreachable is a 502', () => {
  test('after the stand-in stops, a validated token still works, a new one gets 502', async () => {
    const services = await startTestServices();
    try {
      const standInPort = Number(new URL(services.auth.issuer).port);
      const cfg = loadConfig({}, { dataDir: services.dataDir, 'auth.devIdp.port': standInPort });
      const mint = async (id: string) => {
        const c = capture();
        await devTokenCommand([id], cfg, c.io);
        return c.out().trim();
      };
      const first = await mint('899700209937');
      const second = await mint('899700301131');
      const call = (t: string, id: string) => fetch(`${services.url}/fhir/Practitioner/${id}`, { headers: { Authorization: `Bearer ${t}` } });
      expect((await call(first, 'psc-899700209937')).status).toBe(200);
      await services.auth.devIdp!.close();
      expect((await call(first, 'psc-899700209937')).status).toBe(200);
      const res = await call(second, 'psc-899700301131');
      expect(res.status).toBe(502);
      const body = await res.json() as fhir4.OperationOutcome;
      expect(body.issue[0].diagnostics).toContain('Pro Santé Connect could not be reached');
    } finally {
      await services.stop();
    }
  });
});
