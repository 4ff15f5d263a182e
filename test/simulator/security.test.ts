/**
 * The simulator refuses what a strict country refuses, with the eHDSI code:
 * a tampered assertion, an expired (or not yet valid) one and one signed by
 * an unknown key are 1001, an unsigned one 4704 — for the HCP assertion on
 * XCPD and XCA, and for the TRC on XCA.
 */
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import type { BuiltAssertion } from '../../src/ehdsi/saml/types.js';
import { findPatientSummaries } from '../../src/ehdsi/xca-query/find.js';
import { retrieveDocument } from '../../src/ehdsi/xca-retrieve/retrieve.js';
import { discoverPatients, xcpdOutcomeError } from '../../src/ehdsi/xcpd/discover.js';
import { repositoryIdFor } from '../../src/simulator/patients.js';
import { country, FRANCE_HCID, hcpAssertion, newKeys, removeTempDirs, startTestBed, trcAssertion, writePatients, type TestBed, type TestPatient } from './helpers.js';

const HR = country('HR');
const DOMAIN = HR.searchMask.traits[0].domainOid;
const PATIENT: TestPatient = { slug: 'ana-kovac', country: 'HR', identifiers: [{ root: DOMAIN, extension: '900000001' }], given: 'Ana', family: 'Kovač', gender: 'female', birthDate: '1971-03-04', documents: ['L3', 'L1'] };
const OTHER_ID = { root: DOMAIN, extension: '900000002' };
const HOUR = 3600_000;

let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed({ patientsDir: writePatients([PATIENT, { ...PATIENT, slug: 'ivan-horvat', identifiers: [OTHER_ID], given: 'Ivan', family: 'Horvat' }]) });
});

afterAll(async () => {
  await bed.close();
  removeTempDirs();
});

beforeEach(() => bed.sim.faults.reset());

/** Changes signed content after signing (the signature no longer matches). */
const tamper = (a: BuiltAssertion, from: string, to: string): string => {
  if (!a.xml.includes(from)) throw new Error(`"${from}" is not in the assertion`);
  return a.xml.replace(from, to);
};
const unsign = (a: BuiltAssertion): string => a.xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, '');

async function xcpdRefusal(hcpXml: string): Promise<string> {
  const outcome = await discoverPatients(bed.client, bed.xcpd('HR'), [{ domainOid: DOMAIN, value: '900000001' }], undefined, hcpXml, { senderHomeCommunityId: FRANCE_HCID });
  if (outcome.kind !== 'error') throw new Error(`expected a refusal, got ${outcome.kind}`);
  expect(outcome.ackTypeCode).toBe('AE');
  expect(outcome.ackDetails[0].code).toBe(outcome.issues[0].code);
  const error = xcpdOutcomeError(outcome, 'HR');
  return `${error.code}: ${error.context}`;
}

async function xcaRefusal(hcpXml: string, trcXml: string): Promise<string> {
  try {
    await findPatientSummaries(bed.client, bed.xca('HR'), PATIENT.identifiers[0], { hcp: hcpXml, trc: trcXml });
  } catch (e) {
    if (e instanceof EhdsiError) return `${e.code}: ${e.context}`;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('HCP identity assertion on XCPD', () => {
  it('is accepted when valid (control case)', async () => {
    const outcome = await discoverPatients(bed.client, bed.xcpd('HR'), [{ domainOid: DOMAIN, value: '900000001' }], undefined, hcpAssertion(bed.keys).xml, { senderHomeCommunityId: FRANCE_HCID });
    expect(outcome.kind).toBe('matches');
  });

  it('tampered (attribute changed after signing) → 1001', async () => {
    expect(await xcpdRefusal(tamper(hcpAssertion(bed.keys), 'Cyril Toubib', 'Mallory Intrus'))).toMatch(/^1001: HCP .*does not verify/);
  });

  it('expired → 1001', async () => {
    expect(await xcpdRefusal(hcpAssertion(bed.keys, { now: new Date(Date.now() - 3 * HOUR), lifetimeMinutes: 60 }).xml)).toMatch(/^1001: HCP .*expired/);
  });

  it('not yet valid → 1001', async () => {
    expect(await xcpdRefusal(hcpAssertion(bed.keys, { now: new Date(Date.now() + 2 * HOUR) }).xml)).toMatch(/^1001: HCP .*not yet valid/);
  });

  it('signed by a key the country does not trust → 1001', async () => {
    expect(await xcpdRefusal(hcpAssertion(newKeys()).xml)).toMatch(/^1001: HCP .*untrusted/);
  });

  it('unsigned → 4704', async () => {
    expect(await xcpdRefusal(unsign(hcpAssertion(bed.keys)))).toMatch(/^4704: HCP .*not signed/);
  });

  it('the refusal is in the request log with its code', async () => {
    await xcpdRefusal(hcpAssertion(newKeys()).xml);
    expect(bed.sim.faults.requests()).toEqual([expect.objectContaining({ transaction: 'xcpd', status: 200, ehdsiCode: '1001' })]);
  });
});

describe('HCP and TRC assertions on XCA', () => {
  const pair = (opts: { hcpKeys?: ReturnType<typeof newKeys>; trcKeys?: ReturnType<typeof newKeys>; hcpNow?: Date; trcNow?: Date } = {}) => {
    const hcp = hcpAssertion(opts.hcpKeys ?? bed.keys, { now: opts.hcpNow });
    const trc = trcAssertion(opts.trcKeys ?? bed.keys, hcp, PATIENT.identifiers[0], { now: opts.trcNow });
    return { hcp, trc };
  };

  it('are accepted when valid (control case)', async () => {
    const { hcp, trc } = pair();
    const list = await findPatientSummaries(bed.client, bed.xca('HR'), PATIENT.identifiers[0], { hcp: hcp.xml, trc: trc.xml });
    expect(list.entries).toHaveLength(2);
  });

  it('tampered HCP → 1001', async () => {
    const { hcp, trc } = pair();
    expect(await xcaRefusal(tamper(hcp, 'Cyril Toubib', 'Mallory Intrus'), trc.xml)).toMatch(/^1001: HCP .*does not verify/);
  });

  it('TRC whose patient was changed after signing → 1001 (not a 4206: the signature breaks first)', async () => {
    const { hcp, trc } = pair();
    expect(await xcaRefusal(hcp.xml, tamper(trc, '900000001^^^', '900000002^^^'))).toMatch(/^1001: TRC .*does not verify/);
  });

  it('expired TRC → 1001', async () => {
    const { hcp, trc } = pair({ trcNow: new Date(Date.now() - 3 * HOUR) });
    expect(await xcaRefusal(hcp.xml, trc.xml)).toMatch(/^1001: TRC .*expired/);
  });

  it('expired HCP → 1001', async () => {
    const { hcp, trc } = pair({ hcpNow: new Date(Date.now() - 5 * HOUR) });
    expect(await xcaRefusal(hcp.xml, trc.xml)).toMatch(/^1001: HCP .*expired/);
  });

  it('TRC signed by an unknown key → 1001', async () => {
    const { hcp, trc } = pair({ trcKeys: newKeys() });
    expect(await xcaRefusal(hcp.xml, trc.xml)).toMatch(/^1001: TRC .*untrusted/);
  });

  it('HCP signed by an unknown key → 1001', async () => {
    const { hcp, trc } = pair({ hcpKeys: newKeys() });
    expect(await xcaRefusal(hcp.xml, trc.xml)).toMatch(/^1001: HCP .*untrusted/);
  });

  it('unsigned TRC → 4704', async () => {
    const { hcp, trc } = pair();
    expect(await xcaRefusal(hcp.xml, unsign(trc))).toMatch(/^4704: TRC .*not signed/);
  });

  it('retrieve with an HCP signed by an unknown key → 1001', async () => {
    const { hcp, trc } = pair({ hcpKeys: newKeys() });
    const request = { homeCommunityId: HR.homeCommunityId, repositoryUniqueId: repositoryIdFor(HR.homeCommunityId), documentUniqueId: `${repositoryIdFor(HR.homeCommunityId)}^ana-kovac.L3` };
    await expect(retrieveDocument(bed.client, bed.xca('HR'), request, { hcp: hcp.xml, trc: trc.xml })).rejects.toMatchObject({ name: 'EhdsiError', code: '1001', transaction: 'xca-retrieve' });
    const { hcp: goodHcp, trc: goodTrc } = pair();
    const doc = await retrieveDocument(bed.client, bed.xca('HR'), request, { hcp: goodHcp.xml, trc: goodTrc.xml });
    expect(doc.data.toString('utf8')).toContain('<ClinicalDocument');
  });
});
