/**
 * The journey against the services exactly as `npm start` composes them
 * (startServices: FHIR server, PSC stand-in, eHDSI simulator, SQLite store),
 * driven by a real FHIR client library (fhir-kit-client) with a bearer token
 * of the stand-in, as an EHR would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'fhir-kit-client';
import { startServices, type RunningServices } from '../../src/app-services.js';
import { loadConfig } from '../../src/config/config.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { consentBody } from '../journey/consent-body.js';

const DOCTOR = '899700209937'; // CYRIL TOUBIB

let services: RunningServices;
let dataDir: string;

async function tokenOf(nationalId: string): Promise<string> {
  const idp = services.auth.devIdp!;
  const pro = idp.directory.findByNationalId(nationalId);
  if (!pro) throw new Error(`no test professional ${nationalId}`);
  return mintAccessToken(idp.keys, idp.issuer, pro, DEV_EHR_CLIENT_ID, 600);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'npm-start-'));
  services = await startServices(loadConfig({}, {
    port: 0, logLevel: 'silent', dataDir, 'auth.devIdp.port': 0, 'simulator.port': 0,
  }));
}, 60_000);

afterAll(async () => {
  await services?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('MARIJA BOŽIČEVIĆ through npm start\'s services with fhir-kit-client', async () => {
  const client = new Client({ baseUrl: `${services.url}/fhir`, bearerToken: await tokenOf(DOCTOR) });

  const countries = await client.operation({ resourceType: 'ValueSet', id: 'countries', name: '$expand', method: 'GET' }) as unknown as fhir4.ValueSet;
  expect(countries.expansion!.contains!.find((c) => c.code === 'HR')!.display).toBe('Croatie');

  const masks = await client.search({ resourceType: 'Questionnaire', searchParams: { jurisdiction: 'HR' } }) as unknown as fhir4.Bundle;
  const mask = masks.entry![0].resource as fhir4.Questionnaire;
  const domain = mask.item![0].code![0].code!.replace(/^urn:oid:/, '');

  const found = await client.search({ resourceType: 'Patient', searchParams: { identifier: `urn:oid:${domain}|157601853`, 'address-country': 'HR' } }) as unknown as fhir4.Bundle;
  const marija = found.entry!.map((e) => e.resource!).find((r) => r.resourceType === 'Patient') as unknown as fhir4.Patient;
  expect(marija.name![0].family).toBe('BOŽIČEVIĆ');

  const consent = await client.create({ resourceType: 'Consent', body: consentBody(services.url, marija.id!, DOCTOR) as unknown as Parameters<Client['create']>[0]['body'] }) as unknown as fhir4.Consent;
  expect(consent.status).toBe('active');

  const summary = await client.operation({ resourceType: 'Patient', id: marija.id, name: '$summary', method: 'GET' }) as unknown as fhir4.Bundle;
  expect(summary.type).toBe('document');
  const composition = summary.entry![0].resource as fhir4.Composition;
  expect(composition.resourceType).toBe('Composition');
  expect(composition.section!.map((s) => s.title)).toEqual(expect.arrayContaining(['Allergies et intolérances', 'Problèmes actifs']));

  const docs = await client.search({ resourceType: 'DocumentReference', searchParams: { patient: `Patient/${marija.id}` } }) as unknown as fhir4.Bundle;
  const pdfRef = docs.entry!.map((e) => e.resource as fhir4.DocumentReference)
    .find((d) => d.content[0].attachment.contentType === 'application/pdf')!;
  const pdf = await fetch(pdfRef.content[0].attachment.url!, { headers: { Authorization: `Bearer ${await tokenOf(DOCTOR)}`, Accept: 'application/pdf' } });
  expect(pdf.headers.get('content-type')).toContain('application/pdf');
  expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

  const audit = await client.search({ resourceType: 'AuditEvent', searchParams: { patient: `Patient/${marija.id}` } }) as unknown as fhir4.Bundle;
  const subtypes = audit.entry!.flatMap((e) => (e.resource as fhir4.AuditEvent).subtype ?? []).map((c) => c.code);
  expect(subtypes).toEqual(expect.arrayContaining(['ITI-55', 'ITI-39']));

  // The audit trail is in the SQLite file under DATA_DIR, not in memory.
  expect(services.store.kind).toBe('sqlite');
}, 60_000);

test('an ineligible professional trying patient data is refused (403 naming the rule) and the refusal is audited under their name', async () => {
  const occupational = '899700302014'; // BERNARD TRAVAILLEUR, médecine du travail (SM25)
  const res = await fetch(`${services.url}/fhir/Patient?identifier=urn:oid:2.16.17.710.840.1000.990.1|157601853&address-country=HR`, {
    headers: { Authorization: `Bearer ${await tokenOf(occupational)}`, Accept: 'application/fhir+json' },
  });
  expect(res.status).toBe(403);
  const outcome = await res.json() as fhir4.OperationOutcome;
  expect(outcome.issue[0].details!.coding![0].code).toBe('OCCUPATIONAL_MEDICINE');
  const records = await services.store.listAudit(occupational, {});
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ subtype: 'search-patient', outcome: 'refused', outcomeDetail: 'OCCUPATIONAL_MEDICINE', owner: occupational });
  expect(records[0].patientHandle).toBeUndefined();
  // Refusals on what is no patient data (oneself) are not audit records.
  await fetch(`${services.url}/fhir/Practitioner/psc-${occupational}`, { headers: { Authorization: `Bearer ${await tokenOf(occupational)}` } });
  expect(await services.store.listAudit(occupational, {})).toHaveLength(1);
});
