/**
 * A Consent written in plain FHIR R4 — verification[] verified with the
 * Patient, provision.purpose TREAT, status active, policy.uri the Patient
 * Information Notice — is accepted whatever Host the client used and in any
 * EU language; the stored Consent names the notice's canonical URL; what is
 * missing or wrong is named by its element, in French and English.
 */
import http from 'node:http';
import { DOCTOR, MARIJA_MBO, findCroatian, type FhirTestClient, type JourneyServer, withJourneyServer } from './harness.js';

const CANONICAL_PIN = 'https://ehdsi-fhir-facade.org/fhir/pin';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

let server: JourneyServer;
let doctor: FhirTestClient;
let marijaId: string;
let token: string;

withJourneyServer(async (started, client) => {
  server = started;
  token = await server.token(DOCTOR);
  doctor = client;
  marijaId = (await findCroatian(doctor, MARIJA_MBO)).id!;
});

/** A Consent as a FHIR R4 client writes it, with nothing of this project's own. */
function plainConsent(patientId: string, policyUri: string): fhir4.Consent {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${patientId}` },
    performer: [{ reference: `Practitioner/psc-${DOCTOR}` }],
    policy: [{ uri: policyUri }],
    provision: { purpose: [{ system: ACT_REASON, code: 'TREAT' }] },
    verification: [{ verified: true, verifiedWith: { reference: `Patient/${patientId}` }, verificationDate: new Date().toISOString() }],
  };
}

/** POST /fhir/Consent with a chosen Host header (fetch does not let one set it). */
function postWithHost(host: string, body: unknown): Promise<{ status: number; body: fhir4.Consent }> {
  const url = new URL(`${server.fhir}/Consent`);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST',
      headers: { Host: host, Authorization: `Bearer ${token}`, Accept: 'application/fhir+json', 'Content-Type': 'application/fhir+json', 'Content-Length': Buffer.byteLength(data) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

const diagnostics = (outcome: fhir4.OperationOutcome) => outcome.issue.map((i) => i.diagnostics ?? '').join(' | ');
const expressions = (outcome: fhir4.OperationOutcome) => outcome.issue.map((i) => i.expression?.[0]);

test('a plain FHIR R4 Consent is accepted (201), names the canonical notice, and its TRC is issued: $summary answers', async () => {
  const res = await doctor.post('/Consent', plainConsent(marijaId, `${server.url}/pin/fr`));
  expect(res.status).toBe(201);
  const consent = res.body as fhir4.Consent;
  expect(consent.policy).toEqual([{ uri: `${CANONICAL_PIN}/fr` }]);
  expect(consent.verification![0]).toMatchObject({ verified: true, verifiedWith: { reference: `Patient/${marijaId}` } });
  expect(Date.parse(consent.provision!.period!.end!)).toBeGreaterThan(Date.now());
  const stored = await server.store.getConsent(DOCTOR, consent.id!);
  expect(stored!.purpose).toBe('TREATMENT');
  expect(stored!.trc.assertion).toContain('NameQualifier="urn:ehdsi:assertions:trc"');
  expect(stored!.trc.assertion).toContain(`${MARIJA_MBO}^^^&amp;`);
  expect((await doctor.get(`/Consent/${consent.id}`)).body.policy).toEqual([{ uri: `${CANONICAL_PIN}/fr` }]);
  const summary = await doctor.get(`/Patient/${marijaId}/$summary`);
  expect(summary.status).toBe(200);
  expect(summary.body.type).toBe('document');
});

test('the notice on localhost or 127.0.0.1, whichever Host the client used, is accepted', async () => {
  const port = new URL(server.url).port;
  for (const [host, notice] of [[`localhost:${port}`, `http://127.0.0.1:${port}/pin/fr`], [`127.0.0.1:${port}`, `http://localhost:${port}/pin/fr`], [`localhost:${port}`, `http://localhost:${port}/pin/fr`]]) {
    const res = await postWithHost(host, plainConsent(marijaId, notice));
    expect([host, notice, res.status]).toEqual([host, notice, 201]);
    expect(res.body.policy).toEqual([{ uri: `${CANONICAL_PIN}/fr` }]);
  }
});

test('the canonical notice in German, and the notice in any EU language on another host, are accepted; a language outside the EU is not', async () => {
  const de = await doctor.post('/Consent', plainConsent(marijaId, `${CANONICAL_PIN}/de`));
  expect(de.status).toBe(201);
  expect(de.body.policy).toEqual([{ uri: `${CANONICAL_PIN}/de` }]);
  const sv = await doctor.post('/Consent', plainConsent(marijaId, 'https://facade.hopital.example/pin/sv'));
  expect(sv.status).toBe(201);
  expect(sv.body.policy).toEqual([{ uri: `${CANONICAL_PIN}/sv` }]);
  const xx = await doctor.post('/Consent', plainConsent(marijaId, `${CANONICAL_PIN}/xx`));
  expect(xx.status).toBe(422);
  expect(expressions(xx.body)).toEqual(['Consent.policy.uri']);
  expect(xx.body.issue[0].code).toBe('value');
});

test('no verification: 400 naming Consent.verification, in French and English', async () => {
  const res = await doctor.post('/Consent', { ...plainConsent(marijaId, `${CANONICAL_PIN}/fr`), verification: undefined });
  expect(res.status).toBe(400);
  expect(expressions(res.body)).toEqual(['Consent.verification']);
  expect(res.body.issue[0].code).toBe('required');
  expect(diagnostics(res.body)).toMatch(/^Consent\.verification est requis : .*verifiedWith = Patient\/.* \(Consent\.verification is required: a verification with the patient .*Patient Information Notice\)$/);
});

test('a verification that names nobody: 400 naming Consent.verification[0].verifiedWith', async () => {
  const body = plainConsent(marijaId, `${CANONICAL_PIN}/fr`);
  body.verification = [{ verified: true }];
  const res = await doctor.post('/Consent', body);
  expect(res.status).toBe(400);
  expect(expressions(res.body)).toEqual(['Consent.verification[0].verifiedWith']);
  expect(diagnostics(res.body)).toContain('is required');
});

test('a representative (RelatedPerson) attests the consent, not the identity check: 400 until a verification attests it', async () => {
  const body = plainConsent(marijaId, `${CANONICAL_PIN}/fr`);
  body.verification = [{ verified: true, verifiedWith: { reference: 'RelatedPerson/mother' } }];
  const res = await doctor.post('/Consent', body);
  expect(res.status).toBe(400);
  expect(expressions(res.body)).toEqual(['Consent.verification']);
  expect(diagnostics(res.body)).toContain("the patient's identity was checked");
  body.verification.push({
    extension: [{ url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/consent-verification-kind', valueCode: 'identity-checked' }],
    verified: true,
  });
  expect((await doctor.post('/Consent', body)).status).toBe(201);
});

test('a wrong purpose: 422 naming Consent.provision.purpose, in French and English', async () => {
  const body = plainConsent(marijaId, `${CANONICAL_PIN}/fr`);
  body.provision = { purpose: [{ system: ACT_REASON, code: 'HRESCH' }] };
  const res = await doctor.post('/Consent', body);
  expect(res.status).toBe(422);
  expect(expressions(res.body)).toEqual(['Consent.provision.purpose']);
  expect(diagnostics(res.body)).toContain('doit être http://terminology.hl7.org/CodeSystem/v3-ActReason|TREAT (soins) ou ETREAT (urgence)');
  expect(diagnostics(res.body)).toContain('(Consent.provision.purpose: must be http://terminology.hl7.org/CodeSystem/v3-ActReason|TREAT (treatment) or ETREAT (emergency treatment), got http://terminology.hl7.org/CodeSystem/v3-ActReason|HRESCH)');
});

test('contradictions of a plain Consent: not verified, verified with someone else, an opt-out rule, an empty scan: 422 each naming its element', async () => {
  const good = plainConsent(marijaId, `${CANONICAL_PIN}/fr`);
  const cases: Array<[Partial<fhir4.Consent>, string]> = [
    [{ verification: [{ verified: false, verifiedWith: { reference: `Patient/${marijaId}` } }] }, 'Consent.verification[0].verified'],
    [{ verification: [{ verified: true, verifiedWith: { reference: 'Patient/someone-else' } }] }, 'Consent.verification[0].verifiedWith'],
    [{ policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] } }, 'Consent.policyRule'],
    [{ sourceAttachment: { contentType: 'application/pdf' } }, 'Consent.sourceAttachment'],
  ];
  for (const [change, element] of cases) {
    const res = await doctor.post('/Consent', { ...good, ...change });
    expect([element, res.status, expressions(res.body)]).toEqual([element, 422, [element]]);
  }
});

test('the patient as performer (the grantor), an opt-in rule and the scan of the signed consent are accepted and kept', async () => {
  const body: fhir4.Consent = {
    ...plainConsent(marijaId, `${CANONICAL_PIN}/fr`),
    performer: [{ reference: `Patient/${marijaId}` }, { reference: `Practitioner/psc-${DOCTOR}` }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    sourceAttachment: { contentType: 'application/pdf', data: Buffer.from('%PDF-1.4 signed consent').toString('base64'), title: 'Consentement signé' },
  };
  const res = await doctor.post('/Consent', body);
  expect(res.status).toBe(201);
  expect(res.body.sourceAttachment).toEqual(body.sourceAttachment);
  expect(res.body.policyRule).toEqual(body.policyRule);
});
