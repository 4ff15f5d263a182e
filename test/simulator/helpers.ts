/**
 * Test bed for the simulator: signing keys (the facade's, and a stranger's),
 * assertions built with the real SAML builders, the real SOAP client, and a
 * folder of the tests' own synthetic patients for the edge cases.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCountryRegistry, type Country } from '../../src/ehdsi/countries/index.js';
import { buildHcpAssertion, buildTrcAssertion, loadOrCreateSigningKeys, type BuiltAssertion, type HcpIdentity, type PatientId, type SigningKeys } from '../../src/ehdsi/saml/index.js';
import { SoapClient } from '../../src/ehdsi/soap/client.js';
import type { GatewayTarget } from '../../src/ehdsi/soap/target.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator/index.js';

export const FRANCE_HCID = '2.999.250.1.1';

export const DOCTOR: HcpIdentity = {
  subjectId: '810001234567',
  displayName: 'Cyril Toubib',
  profession: { code: '10' },
  organisation: { name: 'Cabinet du Dr Toubib', id: 'urn:oid:1.2.250.1.71.4.2.2|12345678900011' },
  facilityType: 'Resident Physician',
  homeCommunityId: FRANCE_HCID,
  purposeOfUse: 'TREATMENT',
};

const tempDirs: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * A fresh RSA key and self-signed certificate (as the facade generates in development).
 * Retried: the certificate writer of src/ehdsi/saml/x509.ts sometimes emits a serial
 * number with a superfluous leading zero byte (about 1 in 128) that node refuses.
 */
export function newKeys(): SigningKeys {
  for (let attempt = 1; ; attempt++) {
    try {
      return loadOrCreateSigningKeys({ dataDir: tempDir('sim-keys-') });
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}

export function countries(): Country[] {
  return loadCountryRegistry().list();
}

export function country(code: string): Country {
  return loadCountryRegistry().require(code);
}

export function hcpAssertion(keys: SigningKeys, opts: { now?: Date; lifetimeMinutes?: number } = {}): BuiltAssertion {
  return buildHcpAssertion(DOCTOR, keys, opts);
}

export function trcAssertion(keys: SigningKeys, hcp: BuiltAssertion, patientId: PatientId, opts: { now?: Date } = {}): BuiltAssertion {
  return buildTrcAssertion({ patientId, purposeOfUse: 'TREATMENT', hcp: { id: hcp.id, subjectId: DOCTOR.subjectId }, now: opts.now }, keys);
}

export interface TestBed {
  sim: RunningSimulator;
  client: SoapClient;
  keys: SigningKeys;
  xcpd(code: string, timeoutMs?: number): GatewayTarget;
  xca(code: string, timeoutMs?: number): GatewayTarget;
  close(): Promise<void>;
}

export async function startTestBed(opts: Partial<SimulatorOptions> & { keys?: SigningKeys } = {}): Promise<TestBed> {
  const keys = opts.keys ?? newKeys();
  const all = countries();
  const sim = await startSimulator({ countries: all, trustedCertificatesPem: [keys.certificatePem], ...opts });
  const client = new SoapClient({ timeoutMs: 3000 });
  const hcid = (code: string): string => all.find((c) => c.code === code)?.homeCommunityId ?? '';
  return {
    sim,
    client,
    keys,
    xcpd: (code, timeoutMs) => ({ country: code, endpoint: sim.endpoints(code).xcpd, homeCommunityId: hcid(code), timeoutMs }),
    xca: (code, timeoutMs) => ({ country: code, endpoint: sim.endpoints(code).xca, homeCommunityId: hcid(code), timeoutMs }),
    close: async () => {
      client.close();
      await sim.close();
    },
  };
}

export interface TestPatient {
  slug: string;
  country: string;
  identifiers: PatientId[];
  given: string;
  family: string;
  gender: 'male' | 'female';
  birthDate: string;
  city?: string;
  /** Which documents the country holds. */
  documents: Array<'L3' | 'L1'>;
}

/** A small but real CDA header (what the simulator reads: effectiveTime, languageCode, title). */
export function cda(level: 'L3' | 'L1', p: TestPatient): string {
  const body =
    level === 'L3'
      ? '<component><structuredBody><component><section><code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><title>Allergies</title><text>No known allergies</text></section></component></structuredBody></component>'
      : `<component><nonXMLBody><text mediaType="application/pdf" representation="B64">${Buffer.from(`%PDF-1.4 test ${p.slug}\n%%EOF`).toString('base64')}</text></nonXMLBody></component>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.1.${level === 'L3' ? '3' : '7'}"/>
  <id root="1.2.3.4.${p.slug.length}" extension="${p.slug}-${level}"/>
  <code code="60591-5" codeSystem="2.16.840.1.113883.6.1" displayName="Patient summary Document"/>
  <title>Patient Summary ${level}</title>
  <effectiveTime value="20260115093000+0100"/>
  <languageCode code="hr-HR"/>
  <recordTarget><patientRole><id root="${p.identifiers[0].root}" extension="${p.identifiers[0].extension}"/></patientRole></recordTarget>
  ${body}
</ClinicalDocument>
`;
}

/** Writes patients in the fixtures layout (<slug>/patient.json, L3.xml, L1.xml). */
export function writePatients(patients: readonly TestPatient[]): string {
  const dir = tempDir('sim-patients-');
  for (const p of patients) {
    const folder = path.join(dir, p.slug);
    mkdirSync(folder);
    writeFileSync(
      path.join(folder, 'patient.json'),
      JSON.stringify({
        country: p.country,
        identifiers: p.identifiers,
        name: { given: [p.given], family: [p.family] },
        gender: p.gender,
        birthDate: p.birthDate,
        address: { lines: ['Ilica 1'], city: p.city ?? 'Zagreb', postalCode: '10000', country: p.country },
      }),
    );
    for (const level of p.documents) writeFileSync(path.join(folder, `${level}.xml`), cda(level, p));
  }
  return dir;
}
