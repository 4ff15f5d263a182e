import { validateResource } from '../../src/fhir/validation.js';
import { craftToken, ehrAccessToken, unsignedToken } from './tokens.js';
import { EXPECTED_OUTCOMES, professional } from './fixtures.js';
import { startTestServices } from './http-helpers.js';

type Services = Awaited<ReturnType<typeof startTestServices>>;

const CYRIL = professional('cyril-toubib-gp');
const CYRIL_ID = 'psc-899700209937';

async function get(services: Services, path: string, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${services.url}${path}`, { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) as Record<string, any> : undefined }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe.each(['introspection', 'jwks'] as const)('bearer tokens validated by %s', (mode) => {
  let services: Services;
  let issuer: string;
  beforeAll(async () => {
    services = await startTestServices({ 'auth.tokenValidation': mode });
    issuer = services.auth.issuer;
  });
  afterAll(async () => {
    await services.stop();
  });
  const keys = () => services.auth.devIdp!.keys;

  test('a token obtained by an EHR through the code flow is accepted without re-authentication', async () => {
    const { accessToken } = await ehrAccessToken(issuer, '899700209937');
    const res = await get(services, `/fhir/Practitioner/${CYRIL_ID}`, accessToken);
    expect(res.status).toBe(200);
    expect(res.body!.identifier[0]).toMatchObject({ system: 'urn:oid:1.2.250.1.71.4.2.1', value: '899700209937' });
    expect(validateResource(res.body as fhir4.Practitioner)).toEqual([]);
  });

  test('metadata and the SMART configuration stay public', async () => {
    expect((await get(services, '/fhir/metadata')).status).toBe(200);
    expect((await get(services, '/.well-known/smart-configuration')).status).toBe(200);
    expect((await get(services, '/fhir/.well-known/smart-configuration')).status).toBe(200);
  });

  test('no Authorization header: 401 with a Bearer challenge', async () => {
    const res = await get(services, `/fhir/Practitioner/${CYRIL_ID}`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="fhir"');
    expect(res.body!.resourceType).toBe('OperationOutcome');
    expect(res.body!.issue[0].code).toBe('login');
  });

  const refusals: Array<[string, () => Promise<string>]> = [
    ['expired', () => craftToken(keys(), issuer, CYRIL, { expiresIn: -60 })],
    ['forged (signed by another key under the same kid)', () => craftToken(keys(), issuer, CYRIL, { forge: true })],
    ['from another issuer', () => craftToken(keys(), issuer, CYRIL, { claims: { iss: 'https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet' } })],
    ['unsigned (alg: none)', async () => unsignedToken(issuer, CYRIL)],
    ['for another audience', () => craftToken(keys(), issuer, CYRIL, { claims: { aud: 'urn:another:api' } })],
    ['without acr', () => craftToken(keys(), issuer, CYRIL, { drop: ['acr'] })],
    ['with an acr below eidas1', () => craftToken(keys(), issuer, CYRIL, { claims: { acr: 'eidas0' } })],
    ['issued to a client this server does not accept', () => craftToken(keys(), issuer, CYRIL, { claims: { azp: 'some-other-app', client_id: 'some-other-app' } })],
    ['not a JWT at all', async () => 'not-a-token'],
  ];
  test.each(refusals)('a token %s is refused with 401 invalid_token', async (_what, make) => {
    const res = await get(services, `/fhir/Practitioner/${CYRIL_ID}`, await make());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="fhir", error="invalid_token", error_description="[^"]+"$/);
    expect(res.body!.issue[0].code).toBe('login');
  });

  test('a malformed Authorization header is a 401 invalid_request', async () => {
    const res = await get(services, `/fhir/Practitioner/${CYRIL_ID}`, undefined, { Authorization: 'Basic abc' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_request"');
  });

  test.each(Object.entries(EXPECTED_OUTCOMES))('eligibility over HTTP: %s → %s', async (slug, rule) => {
    const pro = professional(slug);
    const token = await craftToken(keys(), issuer, pro);
    const res = await get(services, '/fhir/Practitioner', token);
    if (rule === null) {
      expect(res.status).toBe(200);
      expect(res.body!.entry[0].resource.identifier[0].value).toBe(pro.userInfo.SubjectNameID);
    } else {
      expect(res.status).toBe(403);
      expect(res.body!.issue[0].code).toBe('forbidden');
      expect(res.body!.issue[0].details.coding[0]).toMatchObject({ system: 'urn:ehdsi-fhir-facade:eligibility-rule', code: rule });
      expect(res.body!.issue[0].diagnostics).toContain(rule);
    }
  });
});

describe('Practitioner and PractitionerRole of the logged-in professional', () => {
  let services: Services;
  let token: string;
  let other: string;
  beforeAll(async () => {
    services = await startTestServices();
    token = await craftToken(services.auth.devIdp!.keys, services.auth.issuer, CYRIL);
    other = await craftToken(services.auth.devIdp!.keys, services.auth.issuer, professional('nurse'));
  });
  afterAll(async () => {
    await services.stop();
  });

  test('read oneself; anyone else is 403', async () => {
    const me = await get(services, `/fhir/Practitioner/${CYRIL_ID}`, token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      resourceType: 'Practitioner', id: CYRIL_ID,
      name: [{ family: 'TOUBIB', given: ['CYRIL'], prefix: ['Dr'] }],
    });
    expect(me.body!.identifier).toEqual(expect.arrayContaining([expect.objectContaining({ system: 'https://rpps.esante.gouv.fr', value: '99700209937' })]));
    expect(me.body!.qualification[0].code.coding[0]).toMatchObject({ code: '10', system: 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante' });
    expect((await get(services, `/fhir/Practitioner/${CYRIL_ID}`, other)).status).toBe(403);
    expect((await get(services, '/fhir/Practitioner/psc-899700301131', token)).status).toBe(403);
  });

  test('search by identifier: oneself with or without system; anyone else 403', async () => {
    for (const q of ['urn:oid:1.2.250.1.71.4.2.1|899700209937', 'https://rpps.esante.gouv.fr|99700209937', '899700209937']) {
      const res = await get(services, `/fhir/Practitioner?identifier=${encodeURIComponent(q)}`, token);
      expect([q, res.status, res.body!.total]).toEqual([q, 200, 1]);
      expect(res.body!.entry[0].fullUrl).toBe(`${services.url}/fhir/Practitioner/${CYRIL_ID}`);
      expect(validateResource(res.body as fhir4.Bundle)).toEqual([]);
    }
    expect((await get(services, `/fhir/Practitioner?identifier=${encodeURIComponent('urn:oid:1.2.250.1.71.4.2.1|899700301131')}`, token)).status).toBe(403);
    expect((await get(services, `/fhir/Practitioner?identifier=${encodeURIComponent('https://rpps.esante.gouv.fr|899700209937')}`, token)).status).toBe(403);
  });

  test('PractitionerRole?practitioner= gives the practice situation with its site; anyone else 403', async () => {
    for (const ref of [`Practitioner/${CYRIL_ID}`, CYRIL_ID, `${services.url}/fhir/Practitioner/${CYRIL_ID}`]) {
      const res = await get(services, `/fhir/PractitionerRole?practitioner=${encodeURIComponent(ref)}`, token);
      expect([ref, res.status]).toEqual([ref, 200]);
      const role = res.body!.entry[0].resource as fhir4.PractitionerRole;
      expect(validateResource(role)).toEqual([]);
      expect(role.practitioner?.reference).toBe(`Practitioner/${CYRIL_ID}`);
      expect(role.code?.[0].coding?.[0].code).toBe('10');
      expect(role.specialty?.[0].coding?.[0].code).toBe('SM54');
      const org = role.contained?.find((r) => r.resourceType === 'Organization') as fhir4.Organization;
      expect(org.name).toBe('CABINET DU DR CYRIL');
      expect(org.address?.[0]).toMatchObject({ line: ['695 AVENUE DE LA REPUBLIQUE'], postalCode: '75011', city: 'PARIS', country: 'FR' });
      expect(org.identifier?.[0]).toMatchObject({ value: '99970020993700' });
    }
    const roleId = `${CYRIL_ID}-role`;
    expect((await get(services, `/fhir/PractitionerRole/${roleId}`, token)).status).toBe(200);
    expect((await get(services, `/fhir/PractitionerRole/${roleId}`, other)).status).toBe(403);
    expect((await get(services, '/fhir/PractitionerRole?practitioner=Practitioner/psc-899700301131', token)).status).toBe(403);
    expect((await get(services, '/fhir/PractitionerRole?practitioner=Patient/psc-899700209937', token)).status).toBe(403);
  });

  test('XML works too', async () => {
    const res = await fetch(`${services.url}/fhir/Practitioner/${CYRIL_ID}`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/fhir+xml' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<value value="899700209937"/>');
  });

  test('the CapabilityStatement declares the OAuth URIs of the configured PSC; smart-configuration matches', async () => {
    const cs = (await get(services, '/fhir/metadata')).body as fhir4.CapabilityStatement;
    expect(validateResource(cs)).toEqual([]);
    const security = cs.rest![0].security!;
    expect(security.service?.[0].coding?.map((c) => c.code)).toEqual(['SMART-on-FHIR', 'OAuth']);
    const uris = security.extension!.find((e) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris')!.extension!;
    const issuer = services.auth.issuer;
    expect(Object.fromEntries(uris.map((u) => [u.url, u.valueUri]))).toMatchObject({
      authorize: `${issuer}/protocol/openid-connect/auth`,
      token: `${issuer}/protocol/openid-connect/token`,
      introspect: `${issuer}/protocol/openid-connect/token/introspect`,
    });
    const types = cs.rest![0].resource!.map((r) => r.type);
    expect(types).toEqual(expect.arrayContaining(['Practitioner', 'PractitionerRole']));
    const smart = (await get(services, '/.well-known/smart-configuration')).body!;
    expect(smart).toMatchObject({
      issuer,
      authorization_endpoint: `${issuer}/protocol/openid-connect/auth`,
      token_endpoint: `${issuer}/protocol/openid-connect/token`,
      code_challenge_methods_supported: ['S256'],
    });
  });
});
