// Under test/ rather than beside src/ehdsi: these tests use the loopback stub gateway of test/helpers, and src never imports test/.
import { startStubGateway, type StubGateway } from '../helpers/stub-gateway.js';
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import { SoapClient } from '../../src/ehdsi/soap/client.js';
import { buildEnvelope, parseSoapEnvelope } from '../../src/ehdsi/soap/envelope.js';
import { NS } from '../../src/ehdsi/soap/namespaces.js';
import { attr, children, parseXml, text } from '../../src/ehdsi/soap/xml.js';
import { findPatientSummaries } from '../../src/ehdsi/xca-query/find.js';
import { buildFindDocumentsQuery, FIND_DOCUMENTS_QUERY_ID } from '../../src/ehdsi/xca-query/query.js';
import { RegistryResponseError } from '../../src/ehdsi/xca-query/registry.js';
import { parseAdhocQueryResponse } from '../../src/ehdsi/xca-query/response.js';

const PT_HCID = '2.16.17.710.850.1000.990.1';
const patientId = { root: '2.16.17.710.850.1000.990.1.1', extension: 'PT-0001' };
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';

function extrinsic(id: string, uniqueId: string, format: string, mime: string): string {
  return `<rim:ExtrinsicObject id="${id}" mimeType="${mime}" home="urn:oid:${PT_HCID}" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">
    <rim:Slot name="creationTime"><rim:ValueList><rim:Value>20260115093000</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="languageCode"><rim:ValueList><rim:Value>pt-PT</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="repositoryUniqueId"><rim:ValueList><rim:Value>2.16.17.710.850.1000.990.1.9</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="size"><rim:ValueList><rim:Value>2048</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="hash"><rim:ValueList><rim:Value>da39a3ee5e6b4b0d3255bfef95601890afd80709</rim:Value></rim:ValueList></rim:Slot>
    <rim:Name><rim:LocalizedString value="Patient Summary"/></rim:Name>
    <rim:Classification classificationScheme="urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a" classifiedObject="${id}" nodeRepresentation="60591-5" id="c1${id.slice(-4)}"/>
    <rim:Classification classificationScheme="urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d" classifiedObject="${id}" nodeRepresentation="${format}" id="c2${id.slice(-4)}"/>
    <rim:ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="PT-0001^^^&amp;2.16.17.710.850.1000.990.1.1&amp;ISO" registryObject="${id}" id="e1${id.slice(-4)}"/>
    <rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="${uniqueId}" registryObject="${id}" id="e2${id.slice(-4)}"/>
  </rim:ExtrinsicObject>`;
}

function queryResponse(status: string, objects = '', errors = ''): string {
  return `<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="${status}">
    ${errors ? `<rs:RegistryErrorList highestSeverity="x">${errors}</rs:RegistryErrorList>` : ''}
    <rim:RegistryObjectList>${objects}</rim:RegistryObjectList></query:AdhocQueryResponse>`;
}

const regError = (code: string, severity: 'Error' | 'Warning') =>
  `<rs:RegistryError errorCode="${code}" codeContext="context ${code}" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${severity}" location="PT NCP"/>`;

const twoDocuments =
  extrinsic('urn:uuid:00000000-0000-0000-0000-0000000000a3', '2.16.17.710.850.1000.990.1.9^PS-L3', 'urn:epSOS:ps:ps:2010', 'text/xml') +
  extrinsic('urn:uuid:00000000-0000-0000-0000-0000000000a1', '2.16.17.710.850.1000.990.1.9^PS-L1', 'urn:ihe:iti:xds-sd:pdf:2008', 'text/xml') +
  '<rim:Association associationType="urn:ihe:iti:2007:AssociationType:XFRM" sourceObject="urn:uuid:00000000-0000-0000-0000-0000000000a1" targetObject="urn:uuid:00000000-0000-0000-0000-0000000000a3" id="urn:uuid:00000000-0000-0000-0000-0000000000f1"/>';

describe('buildFindDocumentsQuery', () => {
  it('is the FindDocuments stored query with the three slots of XCA (docs/references.md)', () => {
    const root = parseXml(buildFindDocumentsQuery({ root: '1.2.3', extension: "O'Neil-1" })).documentElement!;
    expect([root.namespaceURI, root.localName]).toEqual([NS.query, 'AdhocQueryRequest']);
    const [option, query] = children(root);
    expect([attr(option, 'returnType'), attr(option, 'returnComposedObjects')]).toEqual(['LeafClass', 'true']);
    expect([query.namespaceURI, attr(query, 'id')]).toEqual([NS.rim, FIND_DOCUMENTS_QUERY_ID]);
    const slots = Object.fromEntries(children(query, 'Slot').map((s) => [attr(s, 'name'), text(s)]));
    expect(slots).toEqual({
      $XDSDocumentEntryPatientId: "'O''Neil-1^^^&1.2.3&ISO'",
      $XDSDocumentEntryStatus: "('urn:oasis:names:tc:ebxml-regrep:StatusType:Approved')",
      $XDSDocumentEntryClassCode: "('60591-5^^2.16.840.1.113883.6.1')",
    });
  });
});

describe('parseAdhocQueryResponse', () => {
  it('reads each document entry and the XFRM link between L3 and L1', () => {
    const result = parseAdhocQueryResponse(queryResponse(SUCCESS, twoDocuments));
    expect(result.status).toBe('Success');
    expect(result.errors).toEqual([]);
    expect(result.entries).toHaveLength(2);
    const [l3, l1] = result.entries;
    expect(l3).toEqual({
      entryUuid: 'urn:uuid:00000000-0000-0000-0000-0000000000a3',
      uniqueId: '2.16.17.710.850.1000.990.1.9^PS-L3',
      repositoryUniqueId: '2.16.17.710.850.1000.990.1.9',
      homeCommunityId: PT_HCID,
      patientId,
      formatCode: 'urn:epSOS:ps:ps:2010',
      level: 'L3',
      mimeType: 'text/xml',
      creationTime: '20260115093000',
      languageCode: 'pt-PT',
      size: 2048,
      hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709',
      title: 'Patient Summary',
      classCode: '60591-5',
      xfrm: ['urn:uuid:00000000-0000-0000-0000-0000000000a1'],
    });
    expect(l1.level).toBe('L1');
    expect(l1.xfrm).toEqual([l3.entryUuid]);
  });

  it('reads the registry errors with their severity, and refuses an unknown status', () => {
    const r = parseAdhocQueryResponse(buildEnvelope({ action: 'a', relatesTo: 'b', bodyXml: queryResponse(FAILURE, '', regError('4701', 'Error')) }));
    expect(r).toEqual({ status: 'Failure', entries: [], errors: [{ errorCode: '4701', codeContext: 'context 4701', severity: 'error', location: 'PT NCP' }] });
    expect(() => parseAdhocQueryResponse(queryResponse('Weird'))).toThrow(RegistryResponseError);
  });

  it('reads the envelope the SOAP client parsed as it reads the same text', () => {
    const envelope = buildEnvelope({ action: 'a', relatesTo: 'b', bodyXml: queryResponse(SUCCESS, twoDocuments) });
    expect(parseAdhocQueryResponse(parseSoapEnvelope(envelope))).toEqual(parseAdhocQueryResponse(envelope));
  });
});

describe('findPatientSummaries', () => {
  let stub: StubGateway;
  let reply = '';
  let endpoint = '';
  const client = new SoapClient({ timeoutMs: 2000 });
  beforeAll(async () => {
    stub = await startStubGateway((_body, res) => {
      res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(buildEnvelope({ action: 'urn:ihe:iti:2007:CrossGatewayQueryResponse', bodyXml: reply }));
    });
    endpoint = `${stub.url}/xca`;
  });
  afterAll(async () => {
    client.close();
    await stub.close();
  });
  const assertions = { hcp: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_h"/>', trc: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_t"/>' };
  const find = () => findPatientSummaries(client, { country: 'PT', endpoint, homeCommunityId: PT_HCID }, patientId, assertions);

  it('sends the ITI-38 action with the HCP then the TRC assertion and returns the entries', async () => {
    reply = queryResponse(SUCCESS, twoDocuments);
    const result = await find();
    expect(result.entries.map((e) => e.level)).toEqual(['L3', 'L1']);
    const sent = parseSoapEnvelope(stub.lastBody);
    expect(sent.action).toBe('urn:ihe:iti:2007:CrossGatewayQuery');
    expect(children(sent.security, 'Assertion').map((a) => attr(a, 'ID'))).toEqual(['_h', '_t']);
  });

  it('treats 1102 (no patient summary) as an empty result, not an error', async () => {
    reply = queryResponse(SUCCESS, '', regError('1102', 'Warning'));
    expect(await find()).toEqual({ entries: [], warnings: [expect.objectContaining({ errorCode: '1102' })] });
    reply = queryResponse(FAILURE, '', regError('1102', 'Error'));
    expect((await find()).entries).toEqual([]);
  });

  it('throws the eHDSI error of a failure', async () => {
    reply = queryResponse(FAILURE, '', regError('4701', 'Error'));
    await expect(find()).rejects.toEqual(expect.objectContaining({ name: 'EhdsiError', code: '4701', country: 'PT', transaction: 'xca-query' }));
    reply = queryResponse(FAILURE);
    await expect(find()).rejects.toBeInstanceOf(EhdsiError);
  });

  it('keeps a partial success with its warnings', async () => {
    reply = queryResponse('urn:ihe:iti:2007:ResponseStatusType:PartialSuccess', twoDocuments.split('<rim:ExtrinsicObject id="urn:uuid:00000000-0000-0000-0000-0000000000a1"')[0], regError('4201', 'Error'));
    const r = await find();
    expect(r.entries).toHaveLength(1);
    expect(r.warnings.map((w) => w.errorCode)).toEqual(['4201']);
  });
});
