// The simulated gateways read the public eHDSI request bodies as real countries
// send them (their prefixes, default namespaces, comments), through the real
// SOAP client, and give the answer a strict country would.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ACTIONS } from '../../src/ehdsi/soap/namespaces.js';
import { parseAdhocQueryResponse } from '../../src/ehdsi/xca-query/response.js';
import { parseRetrieveResponse } from '../../src/ehdsi/xca-retrieve/retrieve.js';
import { parseXcpdResponse } from '../../src/ehdsi/xcpd/response.js';
import { hcpAssertion, removeTempDirs, startTestBed, trcAssertion, type TestBed } from '../simulator/helpers.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run with npm run test:corpus -- <folder>');
const body = (file: string): string => readFileSync(path.join(samples, 'soap', file), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
/** The Body content of a full template envelope, placeholders aside. */
const templateBody = (file: string): string => /<env:Body>([\s\S]*)<\/env:Body>/.exec(readFileSync(path.join(samples, 'soap', file), 'utf8'))![1];

let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed();
});

afterAll(async () => {
  await bed.close();
  removeTempDirs();
});

const call = (endpoint: 'xcpd' | 'xca', action: string, bodyXml: string, assertions: string[]) =>
  bed.client.call({ country: 'HR', endpoint: bed.sim.endpoints('HR')[endpoint], action, bodyXml, assertions });

describe('XCPD bodies of the public samples', () => {
  it('an identifier the country does not know → NF + AnswerNotAvailable', async () => {
    for (const file of ['xcpd-body-PT_CLIENT_XCPD_0.xml', 'xcpd-body-PT_SERVER_XCPD_7.xml']) {
      const res = await call('xcpd', ACTIONS.xcpdRequest, body(file), [hcpAssertion(bed.keys).xml]);
      const outcome = parseXcpdResponse(res.body);
      expect({ file, kind: outcome.kind }).toEqual({ file, kind: 'no-match' });
    }
  });

  it('no livingSubjectId at all → DemographicsQueryNotAllowed', async () => {
    const res = await call('xcpd', ACTIONS.xcpdRequest, body('xcpd-body-PT_CLIENT_XCPD_7.xml'), [hcpAssertion(bed.keys).xml]);
    const outcome = parseXcpdResponse(res.body);
    expect(outcome.kind).toBe('error');
    if (outcome.kind === 'error') expect(outcome.issues.map((i) => i.code)).toEqual(['DemographicsQueryNotAllowed']);
  });

  it('the answer echoes the request message id and its queryByParameter', async () => {
    const res = await call('xcpd', ACTIONS.xcpdRequest, body('xcpd-body-PT_CLIENT_XCPD_0.xml'), [hcpAssertion(bed.keys).xml]);
    expect(res.envelopeXml).toContain('extension="4733101d-aaa4-49af-be0f-bf8e16c1a97d"');
    expect(res.envelopeXml).toMatch(/<queryByParameter[\s\S]*<queryId root="1.263507841149"\/>/);
  });
});

describe('XCA bodies of the public samples', () => {
  const assertionsFor = (patient: { root: string; extension: string }) => {
    const hcp = hcpAssertion(bed.keys);
    return [hcp.xml, trcAssertion(bed.keys, hcp, patient).xml];
  };

  it('a query for another class code (57833-6) → 4202', async () => {
    const res = await call('xca', ACTIONS.xcaQuery, body('xca-query-body-example.xml'), assertionsFor({ root: '2.16.17.710.811', extension: '041082-995W' }));
    const result = parseAdhocQueryResponse(res.body);
    expect(result.status).toBe('Failure');
    expect(result.errors.map((e) => e.errorCode)).toEqual(['4202']);
  });

  it('a patient summary query for a patient the country does not know → XDSUnknownPatientId', async () => {
    const res = await call('xca', ACTIONS.xcaQuery, templateBody('xca-query-ps-template.xml'), assertionsFor({ root: '1.2.208.176.1.2', extension: '0410009234' }));
    expect(parseAdhocQueryResponse(res.body).errors.map((e) => e.errorCode)).toEqual(['XDSUnknownPatientId']);
  });

  it('the same query with a TRC for another patient → 4206', async () => {
    const res = await call('xca', ACTIONS.xcaQuery, templateBody('xca-query-ps-template.xml'), assertionsFor({ root: '1.2.208.176.1.2', extension: '999' }));
    expect(parseAdhocQueryResponse(res.body).errors.map((e) => e.errorCode)).toEqual(['4206']);
  });

  it('retrieve requests for another community / repository → XDSUnknownCommunity / XDSUnknownRepositoryId, as MTOM', async () => {
    const assertions = assertionsFor({ root: '1.2.3', extension: '1' });
    const other = await call('xca', ACTIONS.xcaRetrieve, body('xca-retrieve-body-example.xml'), assertions);
    expect(parseRetrieveResponse(other.body, other.attachments).errors.map((e) => e.errorCode)).toEqual(['XDSUnknownCommunity']);
    const repo = await call('xca', ACTIONS.xcaRetrieve, templateBody('xca-retrieve-ps-template.xml'), assertions);
    expect(parseRetrieveResponse(repo.body, repo.attachments).errors.map((e) => e.errorCode)).toEqual(['XDSUnknownRepositoryId']);
  });
});
