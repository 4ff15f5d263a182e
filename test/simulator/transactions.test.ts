/**
 * The real eHDSI client (src/ehdsi) against the running simulator over HTTP:
 * XCPD, XCA query and MTOM retrieve, their business outcomes (NF, several
 * subjects, 1102, 4201, 4202, XDSMissingDocument) and the refusals of a
 * strict country (4701, 4206, 1002, wrong action).
 */
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import { GatewayError } from '../../src/ehdsi/soap/gateway-error.js';
import { ACTIONS } from '../../src/ehdsi/soap/namespaces.js';
import { findPatientSummaries } from '../../src/ehdsi/xca-query/find.js';
import { buildFindDocumentsQuery } from '../../src/ehdsi/xca-query/query.js';
import { parseAdhocQueryResponse } from '../../src/ehdsi/xca-query/response.js';
import { retrieveDocument } from '../../src/ehdsi/xca-retrieve/retrieve.js';
import { discoverPatients } from '../../src/ehdsi/xcpd/discover.js';
import { parseXcpdResponse } from '../../src/ehdsi/xcpd/response.js';
import { loadPatients, repositoryIdFor } from '../../src/simulator/patients.js';
import { cda, country, FRANCE_HCID, hcpAssertion, removeTempDirs, startTestBed, trcAssertion, writePatients, type TestBed, type TestPatient } from './helpers.js';

const HR = country('HR');
const DOMAIN = HR.searchMask.traits[0].domainOid;
const id = (extension: string) => ({ root: DOMAIN, extension });

const PATIENTS: TestPatient[] = [
  { slug: 'ana-kovac', country: 'HR', identifiers: [id('900000001')], given: 'Ana', family: 'Kovač', gender: 'female', birthDate: '1971-03-04', documents: ['L3', 'L1'] },
  // Same name and birth date, different numbers: ambiguous demographics.
  { slug: 'ivan-horvat-zagreb', country: 'HR', identifiers: [id('900000002')], given: 'Ivan', family: 'Horvat', gender: 'male', birthDate: '1980-01-01', documents: ['L3', 'L1'] },
  { slug: 'ivan-horvat-split', country: 'HR', identifiers: [id('900000003')], given: 'Ivan', family: 'Horvat', gender: 'male', birthDate: '1980-01-01', city: 'Split', documents: ['L3'] },
  // One insurance number on a family card, two people.
  { slug: 'luka-babic', country: 'HR', identifiers: [id('900000010')], given: 'Luka', family: 'Babić', gender: 'male', birthDate: '2010-06-01', documents: ['L3'] },
  { slug: 'mia-babic', country: 'HR', identifiers: [id('900000010')], given: 'Mia', family: 'Babić', gender: 'female', birthDate: '2012-09-09', documents: ['L3'] },
  // Known to the country, but no patient summary.
  { slug: 'no-summary', country: 'HR', identifiers: [id('900000004')], given: 'Petra', family: 'Novak', gender: 'female', birthDate: '1990-12-24', documents: [] },
  // A summary, but no PDF.
  { slug: 'no-pdf', country: 'HR', identifiers: [id('900000005')], given: 'Marko', family: 'Jurić', gender: 'male', birthDate: '1965-07-14', documents: ['L3'] },
];
const ANA = PATIENTS[0];

let bed: TestBed;
let patientsDir: string;

beforeAll(async () => {
  patientsDir = writePatients(PATIENTS);
  bed = await startTestBed({ patientsDir });
});

afterAll(async () => {
  await bed.close();
  removeTempDirs();
});

beforeEach(() => bed.sim.faults.reset());

const discover = (ids: string[], demographics?: Parameters<typeof discoverPatients>[3], hcp = hcpAssertion(bed.keys)) =>
  discoverPatients(bed.client, bed.xcpd('HR'), ids.map((value) => ({ domainOid: DOMAIN, value })), demographics, hcp.xml, { senderHomeCommunityId: FRANCE_HCID });

function assertionsFor(patient: TestPatient) {
  const hcp = hcpAssertion(bed.keys);
  return { hcp: hcp.xml, trc: trcAssertion(bed.keys, hcp, patient.identifiers[0]).xml, hcpBuilt: hcp };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('XCPD (ITI-55)', () => {
  it('finds a patient by identifier, with name, gender, birth date and address', async () => {
    const outcome = await discover(['900000001']);
    expect(outcome.kind).toBe('matches');
    if (outcome.kind !== 'matches') return;
    expect(outcome.patients).toHaveLength(1);
    const [p] = outcome.patients;
    expect(p.id).toEqual(ANA.identifiers[0]);
    expect(p.names[0]).toMatchObject({ given: ['Ana'], family: ['Kovač'] });
    expect(p.gender).toBe('female');
    expect(p.birthDate).toBe('1971-03-04');
    expect(p.addresses[0]).toMatchObject({ lines: ['Ilica 1'], city: 'Zagreb', postalCode: '10000', country: 'HR' });
    expect(bed.sim.faults.requests()).toEqual([expect.objectContaining({ country: 'HR', transaction: 'xcpd', action: ACTIONS.xcpdRequest, status: 200 })]);
  });

  it('answers NF + AnswerNotAvailable + ERROR_PI_NO_MATCH for an unknown identifier', async () => {
    const outcome = await discover(['123456789']);
    expect(outcome.kind).toBe('no-match');
    if (outcome.kind !== 'no-match') return;
    expect(outcome.issues.map((i) => i.code)).toEqual(['AnswerNotAvailable']);
    expect(outcome.ackDetails.map((d) => d.code)).toEqual(['ERROR_PI_NO_MATCH']);
  });

  it('answers NF when the identifier exists but the demographics given disagree', async () => {
    const outcome = await discover(['900000001'], { family: 'Kovač', birthDate: '1971-03-05' });
    expect(outcome.kind).toBe('no-match');
  });

  it('accepts demographics that agree, accents and case aside', async () => {
    const outcome = await discover(['900000001'], { family: 'KOVAC', given: 'ana', birthDate: '1971-03-04', gender: 'female' });
    expect(outcome.kind).toBe('matches');
  });

  it('returns several subjects when an identifier is shared (family card)', async () => {
    const outcome = await discover(['900000010']);
    expect(outcome.kind).toBe('matches');
    if (outcome.kind !== 'matches') return;
    expect(outcome.patients.map((p) => p.names[0].given[0]).sort()).toEqual(['Luka', 'Mia']);
  });

  it('returns several subjects when no identifier matches but name and birth date designate several patients', async () => {
    const outcome = await discover(['999999999'], { family: 'Horvat', given: 'Ivan', birthDate: '1980-01-01' });
    expect(outcome.kind).toBe('matches');
    if (outcome.kind !== 'matches') return;
    expect(outcome.patients.map((p) => p.id.extension).sort()).toEqual(['900000002', '900000003']);
  });

  it('does not disclose a single demographic match for a wrong identifier', async () => {
    const outcome = await discover(['999999999'], { family: 'Kovač', birthDate: '1971-03-04' });
    expect(outcome.kind).toBe('no-match');
  });

  it('refuses a query without identifier (DemographicsQueryNotAllowed)', async () => {
    const hcp = hcpAssertion(bed.keys);
    const body = `<PRPA_IN201305UV02 xmlns="urn:hl7-org:v3" ITSVersion="XML_1.0"><id root="1.2.3" extension="x"/><controlActProcess classCode="CACT" moodCode="EVN"><queryByParameter><queryId root="1.2.3.4"/><parameterList><livingSubjectName><value><family>Kovač</family></value></livingSubjectName></parameterList></queryByParameter></controlActProcess></PRPA_IN201305UV02>`;
    const res = await bed.client.call({ country: 'HR', endpoint: bed.sim.endpoints('HR').xcpd, action: ACTIONS.xcpdRequest, bodyXml: body, assertions: [hcp.xml] });
    const outcome = parseXcpdResponse(res.body);
    expect(outcome).toMatchObject({ kind: 'error', ackTypeCode: 'AE', queryResponseCode: 'AE' });
    if (outcome.kind === 'error') expect(outcome.issues[0].code).toBe('DemographicsQueryNotAllowed');
  });

  it('refuses an XCA action on the XCPD endpoint with wsa:ActionNotSupported', async () => {
    const hcp = hcpAssertion(bed.keys);
    const e = await rejection(bed.client.call({ country: 'HR', endpoint: bed.sim.endpoints('HR').xcpd, action: ACTIONS.xcaQuery, bodyXml: buildFindDocumentsQuery(ANA.identifiers[0]), assertions: [hcp.xml] }));
    expect(e).toBeInstanceOf(GatewayError);
    expect(e).toMatchObject({ kind: 'fault', httpStatus: 400, faultCode: 'Sender' });
    expect(e.message).toContain('wsa:ActionNotSupported');
  });
});

describe('XCA query (ITI-38)', () => {
  it('lists the L3 and L1 documents of the patient, linked by XFRM, with size, hash and home community', async () => {
    const list = await findPatientSummaries(bed.client, bed.xca('HR'), ANA.identifiers[0], assertionsFor(ANA));
    expect(list.warnings).toEqual([]);
    const l3 = list.entries.find((e) => e.level === 'L3');
    const l1 = list.entries.find((e) => e.level === 'L1');
    expect(l3).toBeDefined();
    expect(l1).toBeDefined();
    if (!l3 || !l1) return;
    const bytes = Buffer.from(cda('L3', ANA));
    expect(l3).toMatchObject({
      homeCommunityId: HR.homeCommunityId,
      repositoryUniqueId: repositoryIdFor(HR.homeCommunityId),
      patientId: ANA.identifiers[0],
      formatCode: 'urn:epSOS:ps:ps:2010',
      mimeType: 'text/xml',
      // effectiveTime 20260115093000+0100, in UTC as XDS wants it.
      creationTime: '20260115083000',
      languageCode: 'hr-HR',
      size: bytes.length,
      classCode: '60591-5',
    });
    expect(l3.hash).toMatch(/^[0-9a-f]{40}$/);
    expect(l1.formatCode).toBe('urn:ihe:iti:xds-sd:pdf:2008');
    expect(l3.xfrm).toEqual([l1.entryUuid]);
    expect(l1.xfrm).toEqual([l3.entryUuid]);
  });

  it('answers Success with the 1102 warning when the patient has no summary', async () => {
    const patient = PATIENTS.find((p) => p.slug === 'no-summary') as TestPatient;
    const list = await findPatientSummaries(bed.client, bed.xca('HR'), patient.identifiers[0], assertionsFor(patient));
    expect(list.entries).toEqual([]);
    expect(list.warnings).toEqual([expect.objectContaining({ errorCode: '1102', severity: 'warning' })]);
  });

  it('answers 4202 for a class code other than the patient summary', async () => {
    const a = assertionsFor(ANA);
    const res = await bed.client.call({
      country: 'HR',
      endpoint: bed.sim.endpoints('HR').xca,
      action: ACTIONS.xcaQuery,
      bodyXml: buildFindDocumentsQuery(ANA.identifiers[0], { classCodes: [{ code: '57833-6', codeSystem: '2.16.840.1.113883.6.1' }] }),
      assertions: [a.hcp, a.trc],
    });
    const result = parseAdhocQueryResponse(res.body);
    expect(result.status).toBe('Failure');
    expect(result.errors).toEqual([expect.objectContaining({ errorCode: '4202', severity: 'error' })]);
  });

  it('refuses a query without TRC assertion (4701)', async () => {
    const hcp = hcpAssertion(bed.keys);
    const res = await bed.client.call({ country: 'HR', endpoint: bed.sim.endpoints('HR').xca, action: ACTIONS.xcaQuery, bodyXml: buildFindDocumentsQuery(ANA.identifiers[0]), assertions: [hcp.xml] });
    const result = parseAdhocQueryResponse(res.body);
    expect(result.status).toBe('Failure');
    expect(result.errors.map((e) => e.errorCode)).toEqual(['4701']);
    expect(result.entries).toEqual([]);
  });

  it('refuses a TRC for another patient (4206)', async () => {
    const hcp = hcpAssertion(bed.keys);
    const trc = trcAssertion(bed.keys, hcp, PATIENTS[1].identifiers[0]);
    const e = await rejection(findPatientSummaries(bed.client, bed.xca('HR'), ANA.identifiers[0], { hcp: hcp.xml, trc: trc.xml }));
    expect(e).toBeInstanceOf(EhdsiError);
    expect(e).toMatchObject({ code: '4206', transaction: 'xca-query', country: 'HR' });
  });

  it('refuses a TRC not bound to the HCP assertion (1002)', async () => {
    const hcp = hcpAssertion(bed.keys);
    const otherHcp = hcpAssertion(bed.keys);
    const trc = trcAssertion(bed.keys, otherHcp, ANA.identifiers[0]);
    const e = await rejection(findPatientSummaries(bed.client, bed.xca('HR'), ANA.identifiers[0], { hcp: hcp.xml, trc: trc.xml }));
    expect(e).toMatchObject({ name: 'EhdsiError', code: '1002' });
  });
});

describe('XCA retrieve (ITI-39, MTOM)', () => {
  const storeDoc = (slug: string, level: 'L3' | 'L1') => {
    const p = loadPatients(patientsDir, [{ code: 'HR', homeCommunityId: HR.homeCommunityId, repositoryUniqueId: repositoryIdFor(HR.homeCommunityId) }])
      .ofCountry('HR')
      .find((x) => x.slug === slug);
    return p?.documents[level].uniqueId as string;
  };
  const request = (documentUniqueId: string) => ({ homeCommunityId: HR.homeCommunityId, repositoryUniqueId: repositoryIdFor(HR.homeCommunityId), documentUniqueId });

  it('returns the exact bytes of each document listed by the query', async () => {
    const a = assertionsFor(ANA);
    const list = await findPatientSummaries(bed.client, bed.xca('HR'), ANA.identifiers[0], a);
    for (const entry of list.entries) {
      const doc = await retrieveDocument(bed.client, bed.xca('HR'), { homeCommunityId: entry.homeCommunityId, repositoryUniqueId: entry.repositoryUniqueId, documentUniqueId: entry.uniqueId }, a);
      expect(doc.data.toString('utf8')).toBe(cda(entry.level as 'L3' | 'L1', ANA));
      expect(doc.data.length).toBe(entry.size);
      expect(doc.mimeType).toBe('text/xml');
    }
    expect(bed.sim.faults.requests().map((r) => r.transaction)).toEqual(['xca-query', 'xca-retrieve', 'xca-retrieve']);
  });

  it('answers 4201 when the country does not hold the PDF', async () => {
    const patient = PATIENTS.find((p) => p.slug === 'no-pdf') as TestPatient;
    const e = await rejection(retrieveDocument(bed.client, bed.xca('HR'), request(storeDoc('no-pdf', 'L1')), assertionsFor(patient)));
    expect(e).toMatchObject({ name: 'EhdsiError', code: '4201', transaction: 'xca-retrieve' });
  });

  it('answers XDSMissingDocument for an unknown document', async () => {
    const e = await rejection(retrieveDocument(bed.client, bed.xca('HR'), request(`${repositoryIdFor(HR.homeCommunityId)}.42.3`), assertionsFor(ANA)));
    expect(e).toMatchObject({ name: 'EhdsiError', code: 'XDSMissingDocument' });
  });

  it('refuses the document of another patient than the TRC one (4206)', async () => {
    const e = await rejection(retrieveDocument(bed.client, bed.xca('HR'), request(storeDoc('ana-kovac', 'L3')), assertionsFor(PATIENTS[1])));
    expect(e).toMatchObject({ name: 'EhdsiError', code: '4206' });
  });

  it('refuses a retrieve without TRC (4701)', async () => {
    const hcp = hcpAssertion(bed.keys);
    const e = await rejection(retrieveDocument(bed.client, bed.xca('HR'), request(storeDoc('ana-kovac', 'L3')), { hcp: hcp.xml, trc: '' }));
    expect(e).toMatchObject({ name: 'EhdsiError', code: '4701' });
  });
});

describe('routing', () => {
  it('answers 404 for a country it does not simulate', async () => {
    const e = await rejection(discoverPatients(bed.client, { country: 'ZZ', endpoint: `${bed.sim.url}/ZZ/xcpd`, homeCommunityId: '1.2.3' }, [{ domainOid: DOMAIN, value: '900000001' }], undefined, hcpAssertion(bed.keys).xml, { senderHomeCommunityId: FRANCE_HCID }));
    expect(e).toMatchObject({ name: 'GatewayError', kind: 'http', httpStatus: 404 });
  });
});
