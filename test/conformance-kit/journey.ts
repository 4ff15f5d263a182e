/**
 * The professional's journey as a client drives it — PDQm (ITI-78, ITI-119),
 * a Consent in plain FHIR, the IPS $summary, MHD (ITI-67, ITI-68), the audit
 * trail — checking each answer against the IHE profiles' expectations, and
 * keeping every searchset met for the link checks.
 */
import { describe, type Answer, type KitHttp } from './http.js';
import { expect, type Report } from './report.js';

const MATCH_GRADE = 'http://hl7.org/fhir/StructureDefinition/match-grade';

export interface PatientToFind {
  country: string;
  /** system|value identifiers of the country's search mask. */
  identifiers: string[];
}

export interface JourneyFindings {
  searchsets: { what: string; bundle: fhir4.Bundle }[];
  patientId?: string;
  summary?: fhir4.Bundle;
  practitionerId?: string;
}

function bundleOf(a: Answer, what: string): fhir4.Bundle {
  expect(a.status === 200 && a.json?.resourceType === 'Bundle', `${what}: expected 200 Bundle, got ${describe(a)}`);
  return a.json as unknown as fhir4.Bundle;
}

function matches(bundle: fhir4.Bundle): fhir4.BundleEntry[] {
  return (bundle.entry ?? []).filter((e) => (e.search?.mode ?? 'match') === 'match');
}

export async function walkJourney(http: KitHttp, report: Report, who: PatientToFind): Promise<JourneyFindings> {
  const found: JourneyFindings = { searchsets: [] };
  const keep = (what: string, bundle: fhir4.Bundle) => found.searchsets.push({ what, bundle });

  await report.check('journey', 'the professional finds themselves (Practitioner search)', async () => {
    const bundle = bundleOf(await http.call('Practitioner'), 'Practitioner');
    keep('Practitioner', bundle);
    found.practitionerId = matches(bundle)[0]?.resource?.id;
    expect(found.practitionerId, 'no Practitioner returned');
    return `Practitioner/${found.practitionerId}`;
  });
  await report.check('journey', 'countries: ValueSet/countries/$expand by GET and by POST', async () => {
    for (const opts of [{}, { method: 'POST', body: { resourceType: 'Parameters' } }]) {
      const a = await http.call('ValueSet/countries/$expand', opts);
      expect(a.status === 200 && a.json?.resourceType === 'ValueSet', `${opts.method ?? 'GET'}: ${describe(a)}`);
      const codes = ((a.json as unknown as fhir4.ValueSet).expansion?.contains ?? []).map((c) => c.code);
      expect(codes.includes(who.country), `${who.country} is not among the reachable countries (${codes.join(', ')})`);
    }
  });
  await report.check('journey', `search mask of ${who.country} (Questionnaire?jurisdiction=)`, async () => {
    const bundle = bundleOf(await http.call(`Questionnaire?jurisdiction=${who.country}`), 'Questionnaire');
    keep('Questionnaire', bundle);
    expect(matches(bundle).length === 1, `${matches(bundle).length} Questionnaires`);
  });

  const query = [...who.identifiers.map((i) => `identifier=${encodeURIComponent(i)}`), `address-country=${who.country}`].join('&');
  await report.check('PDQm', 'ITI-78 Patient search by the mask\'s identifiers: one match, a PDQm Patient', async () => {
    const bundle = bundleOf(await http.call(`Patient?${query}`), 'Patient search');
    keep('Patient', bundle);
    const [first] = matches(bundle);
    expect(first?.resource?.resourceType === 'Patient', 'no Patient in the searchset');
    expect(bundle.total === matches(bundle).length || bundle.total === undefined, `total ${bundle.total} for ${matches(bundle).length} matches`);
    const patient = first.resource as fhir4.Patient;
    expect(patient.identifier?.length, 'the Patient has no identifier');
    found.patientId = patient.id;
    return `Patient/${patient.id}`;
  });
  await report.check('PDQm', 'ITI-78 with demographics: answered (matches, or 400 naming the traits the country requires)', async () => {
    const a = await http.call(`Patient?family=conformance&given=kit&birthdate=1970-01-01&gender=female&address-country=${who.country}`);
    expect(a.status === 200 || a.status === 400 || a.status === 404, describe(a));
    if (a.status === 400) {
      const text = JSON.stringify(a.json);
      expect(/identifier|urn:oid/.test(text), `the 400 does not name the required traits: ${describe(a)}`);
    }
    return `HTTP ${a.status}`;
  });
  await report.check('PDQm', 'ITI-119 $match: onlyCertainMatches and count honoured, score in [0, 1], match-grade', async () => {
    const patient: fhir4.Patient = {
      resourceType: 'Patient',
      identifier: who.identifiers.map((i) => ({ system: i.split('|')[0], value: i.split('|').slice(1).join('|') })),
      address: [{ country: who.country }],
    };
    const body = { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: patient }, { name: 'onlyCertainMatches', valueBoolean: true }, { name: 'count', valueInteger: 1 }] };
    const bundle = bundleOf(await http.call('Patient/$match', { body }), '$match');
    const hits = matches(bundle);
    expect(hits.length === 1, `${hits.length} matches for count=1`);
    const score = hits[0].search?.score;
    expect(typeof score === 'number' && score >= 0 && score <= 1, `search.score ${score}`);
    const grade = hits[0].search?.extension?.find((e) => e.url === MATCH_GRADE)?.valueCode;
    expect(grade === 'certain', `match-grade ${grade} with onlyCertainMatches`);
  });
  if (!found.patientId || !found.practitionerId) {
    for (const name of ['Consent', '$summary', 'MHD', 'audit']) report.skipped('journey', name, 'no patient or practitioner found');
    return found;
  }
  const patientId = found.patientId;

  await report.check('journey', 'without a Consent, $summary is refused (403) before any country call', async () => {
    const a = await http.call(`Patient/${patientId}/$summary`);
    expect(a.status === 403 && a.json?.resourceType === 'OperationOutcome', describe(a));
  });
  await report.check('journey', 'a Consent in plain FHIR R4 is accepted (201, Location, ETag)', async () => {
    const consent: fhir4.Consent = {
      resourceType: 'Consent',
      status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patientId}` },
      performer: [{ reference: `Practitioner/${found.practitionerId}` }],
      policy: [{ uri: `${http.base.replace(/\/fhir$/, '')}/pin/fr` }],
      provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
      verification: [{ verified: true, verifiedWith: { reference: `Patient/${patientId}` }, verificationDate: new Date().toISOString() }],
    };
    const a = await http.call('Consent', { body: consent });
    expect(a.status === 201, describe(a));
    expect(a.headers.get('location'), 'no Location header');
    const read = await http.call(a.headers.get('location')!);
    expect(read.status === 200 && read.json?.resourceType === 'Consent', `the Location does not read back: ${describe(read)}`);
    const search = bundleOf(await http.call(`Consent?patient=Patient/${patientId}`), 'Consent search');
    keep('Consent', search);
  });
  await report.check('IPS', '$summary: an IPS document Bundle (GET and POST)', async () => {
    const a = await http.call(`Patient/${patientId}/$summary`);
    expect(a.status === 200 && a.json?.resourceType === 'Bundle', describe(a));
    const bundle = a.json as unknown as fhir4.Bundle;
    expect(bundle.type === 'document', `Bundle.type ${bundle.type}`);
    expect(bundle.entry?.[0]?.resource?.resourceType === 'Composition', 'the first entry is not a Composition');
    found.summary = bundle;
    const post = await http.call(`Patient/${patientId}/$summary`, { body: { resourceType: 'Parameters' } });
    expect(post.status === 200 && post.json?.resourceType === 'Bundle', `POST: ${describe(post)}`);
    return `${bundle.entry!.length} entries`;
  });
  await report.check('MHD', 'ITI-67 DocumentReference search, ITI-68 Binary of each: type, size and hash as declared', async () => {
    const bundle = bundleOf(await http.call(`DocumentReference?patient=Patient/${patientId}`), 'DocumentReference search');
    keep('DocumentReference', bundle);
    const refs = matches(bundle).map((e) => e.resource as fhir4.DocumentReference);
    expect(refs.length, 'no DocumentReference');
    const wrong: string[] = [];
    for (const ref of refs) {
      expect(ref.status === 'current', `DocumentReference/${ref.id} status ${ref.status}`);
      for (const { attachment } of ref.content) {
        const a = await http.call(attachment.url!, { headers: { Accept: attachment.contentType ?? '*/*' } });
        const type = (a.headers.get('content-type') ?? '').split(';')[0];
        if (a.status !== 200) wrong.push(`${attachment.url}: ${describe(a)}`);
        else if (attachment.contentType && type !== attachment.contentType) wrong.push(`${attachment.url}: ${type}, declared ${attachment.contentType}`);
        else if (attachment.size !== undefined && attachment.size !== a.bytes.length) wrong.push(`${attachment.url}: ${a.bytes.length} bytes, declared ${attachment.size}`);
        else if (attachment.hash !== undefined) {
          const { createHash } = await import('node:crypto');
          if (createHash('sha1').update(a.bytes).digest('base64') !== attachment.hash) wrong.push(`${attachment.url}: SHA-1 differs from the declared hash`);
        }
      }
    }
    expect(!wrong.length, wrong.join('; '));
    return `${refs.length} documents`;
  });
  await report.check('MHD', 'an unknown document id is 404', async () => {
    for (const path of [`DocumentReference/${patientId}.unknown`, `Binary/${patientId}.unknown`]) {
      const a = await http.call(path);
      expect(a.status === 404, `${path}: ${describe(a)}`);
    }
  });
  await report.check('journey', 'the audit trail names the accesses (AuditEvent?patient=)', async () => {
    const bundle = bundleOf(await http.call(`AuditEvent?patient=Patient/${patientId}`), 'AuditEvent search');
    keep('AuditEvent', bundle);
    expect(matches(bundle).length > 0, 'no AuditEvent for the patient');
  });
  await report.check('journey', 'conditional read: ETag, then If-None-Match → 304', async () => {
    const a = await http.call(`Patient/${patientId}`);
    expect(a.status === 200, describe(a));
    const etag = a.headers.get('etag');
    expect(etag, 'no ETag on a read');
    const again = await http.call(`Patient/${patientId}`, { headers: { 'If-None-Match': etag } });
    expect(again.status === 304, `If-None-Match: ${describe(again)}`);
  });
  await report.check('journey', '_summary=true and _elements on a read and a search', async () => {
    const a = await http.call(`Patient/${patientId}?_summary=true`);
    expect(a.status === 200 && a.json?.resourceType === 'Patient', `read: ${describe(a)}`);
    const b = bundleOf(await http.call(`AuditEvent?patient=Patient/${patientId}&_elements=recorded`), 'AuditEvent _elements');
    const first = matches(b)[0]?.resource as Record<string, unknown> | undefined;
    expect(first && first.recorded && !('entity' in first), 'the entries keep elements _elements left out');
  });
  return found;
}
