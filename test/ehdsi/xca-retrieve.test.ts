// Under test/ rather than beside src/ehdsi: these tests use the loopback stub gateway of test/helpers, and src never imports test/.
import { startStubGateway, type StubGateway } from '../helpers/stub-gateway.js';
import http from 'node:http';
import { SoapClient } from '../../src/ehdsi/soap/client.js';
import { buildEnvelope, parseSoapEnvelope } from '../../src/ehdsi/soap/envelope.js';
import { buildMtom } from '../../src/ehdsi/soap/mtom.js';
import { NS } from '../../src/ehdsi/soap/namespaces.js';
import { children, parseXml, text } from '../../src/ehdsi/soap/xml.js';
import { RegistryResponseError } from '../../src/ehdsi/xca-query/registry.js';
import { buildRetrieveRequest, parseRetrieveResponse, retrieveDocument } from '../../src/ehdsi/xca-retrieve/retrieve.js';

const PT_HCID = '2.16.17.710.850.1000.990.1';
const REPO = '2.16.17.710.850.1000.990.1.9';
const DOC = `${REPO}^PS-L3`;
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';
const cda = Buffer.from('<ClinicalDocument xmlns="urn:hl7-org:v3"><title>Résumé</title></ClinicalDocument>', 'utf8');

function retrieveResponse(status: string, documentContent?: string, errors = ''): string {
  const doc = documentContent === undefined ? '' : `<xdsb:DocumentResponse><xdsb:HomeCommunityId>urn:oid:${PT_HCID}</xdsb:HomeCommunityId><xdsb:RepositoryUniqueId>${REPO}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${DOC}</xdsb:DocumentUniqueId><xdsb:mimeType>text/xml</xdsb:mimeType><xdsb:Document>${documentContent}</xdsb:Document></xdsb:DocumentResponse>`;
  return `<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="urn:ihe:iti:xds-b:2007" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"><rs:RegistryResponse status="${status}">${errors ? `<rs:RegistryErrorList>${errors}</rs:RegistryErrorList>` : ''}</rs:RegistryResponse>${doc}</xdsb:RetrieveDocumentSetResponse>`;
}
const include = '<xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:doc-1%40pt.example"/>';

describe('buildRetrieveRequest', () => {
  it('writes one DocumentRequest with HomeCommunityId (urn:oid:), RepositoryUniqueId and DocumentUniqueId', () => {
    const root = parseXml(buildRetrieveRequest([{ homeCommunityId: PT_HCID, repositoryUniqueId: REPO, documentUniqueId: DOC }])).documentElement!;
    expect([root.namespaceURI, root.localName]).toEqual([NS.xdsb, 'RetrieveDocumentSetRequest']);
    const [req] = children(root, 'DocumentRequest');
    expect(children(req).map((c) => [c.localName, text(c)])).toEqual([
      ['HomeCommunityId', `urn:oid:${PT_HCID}`], ['RepositoryUniqueId', REPO], ['DocumentUniqueId', DOC],
    ]);
  });
});

describe('parseRetrieveResponse', () => {
  it('resolves an xop:Include against the MTOM parts', () => {
    const r = parseRetrieveResponse(retrieveResponse(SUCCESS, include), new Map([['doc-1@pt.example', { contentType: 'text/xml', data: cda }]]));
    expect(r.status).toBe('Success');
    expect(r.documents).toEqual([{ uniqueId: DOC, repositoryUniqueId: REPO, homeCommunityId: PT_HCID, mimeType: 'text/xml', data: cda }]);
  });
  it('accepts inline base64 and refuses a reference to a missing part', () => {
    expect(parseRetrieveResponse(retrieveResponse(SUCCESS, cda.toString('base64'))).documents[0].data.equals(cda)).toBe(true);
    expect(() => parseRetrieveResponse(retrieveResponse(SUCCESS, include))).toThrow(RegistryResponseError);
  });
  it('reads the envelope the SOAP client parsed as it reads the same text', () => {
    const envelope = buildEnvelope({ action: 'a', bodyXml: retrieveResponse(SUCCESS, cda.toString('base64')) });
    expect(parseRetrieveResponse(parseSoapEnvelope(envelope))).toEqual(parseRetrieveResponse(envelope));
  });
});

describe('retrieveDocument', () => {
  let stub: StubGateway;
  let respond: (res: http.ServerResponse) => void;
  let endpoint = '';
  const client = new SoapClient({ timeoutMs: 2000 });
  beforeAll(async () => {
    stub = await startStubGateway((_body, res) => respond(res));
    endpoint = `${stub.url}/xca`;
  });
  afterAll(async () => {
    client.close();
    await stub.close();
  });
  const assertions = { hcp: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_h"/>', trc: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_t"/>' };
  const retrieve = () => retrieveDocument(client, { country: 'PT', endpoint, homeCommunityId: PT_HCID }, { homeCommunityId: PT_HCID, repositoryUniqueId: REPO, documentUniqueId: DOC }, assertions);
  const envelope = (body: string) => buildEnvelope({ action: 'urn:ihe:iti:2007:CrossGatewayRetrieveResponse', bodyXml: body });

  it('returns the bytes and mime type carried by MTOM', async () => {
    respond = (res) => {
      const m = buildMtom(envelope(retrieveResponse(SUCCESS, include)), [{ cid: 'doc-1@pt.example', contentType: 'text/xml', data: cda }]);
      res.writeHead(200, { 'Content-Type': m.contentType }).end(m.body);
    };
    const doc = await retrieve();
    expect(doc.data.equals(cda)).toBe(true);
    expect(doc.mimeType).toBe('text/xml');
    const sent = parseSoapEnvelope(stub.lastBody);
    expect(sent.action).toBe('urn:ihe:iti:2007:CrossGatewayRetrieve');
    expect(children(sent.security, 'Assertion')).toHaveLength(2);
  });

  it('throws XDSMissingDocument or the RegistryError code when the document is not returned', async () => {
    respond = (res) => res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(envelope(retrieveResponse(SUCCESS)));
    await expect(retrieve()).rejects.toMatchObject({ name: 'EhdsiError', code: 'XDSMissingDocument', transaction: 'xca-retrieve' });
    respond = (res) => res.writeHead(200, { 'Content-Type': 'application/soap+xml' }).end(envelope(retrieveResponse(FAILURE, undefined, '<rs:RegistryError errorCode="4703" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"/>')));
    await expect(retrieve()).rejects.toMatchObject({ code: '4703', country: 'PT' });
  });

  it('reports a multipart missing the referenced part as malformed', async () => {
    respond = (res) => {
      const m = buildMtom(envelope(retrieveResponse(SUCCESS, include)), []);
      res.writeHead(200, { 'Content-Type': m.contentType }).end(m.body);
    };
    await expect(retrieve()).rejects.toMatchObject({ name: 'GatewayError', kind: 'malformed', country: 'PT' });
  });
});
