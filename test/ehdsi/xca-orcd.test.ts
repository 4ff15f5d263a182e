// Original clinical documents (OrCD) over XCA: the query of one kind, the metadata of its entries,
// the integrity check of what is retrieved and the unwrapping of the CDA wrapper.
// Under test/ rather than beside src/ehdsi: these tests use the loopback stub gateway of test/helpers.
import { createHash } from 'node:crypto';
import { startStubGateway, type StubGateway } from '../helpers/stub-gateway.js';
import { writeJpeg, writePng } from '../../scripts/fixtures/images.js';
import { writePdf } from '../../scripts/fixtures/pdf.js';
import { EhdsiError } from '../../src/ehdsi/errors/ehdsi-error.js';
import { SoapClient } from '../../src/ehdsi/soap/client.js';
import { buildEnvelope, parseSoapEnvelope } from '../../src/ehdsi/soap/envelope.js';
import { GatewayError } from '../../src/ehdsi/soap/gateway-error.js';
import { buildMtom } from '../../src/ehdsi/soap/mtom.js';
import { attr, children, parseXml, text } from '../../src/ehdsi/soap/xml.js';
import { findOriginalClinicalDocuments } from '../../src/ehdsi/xca-query/find.js';
import { ORCD_KINDS, orcdKindOfClassCode, orcdMediaType } from '../../src/ehdsi/xca-query/orcd.js';
import { buildFindDocumentsQuery } from '../../src/ehdsi/xca-query/query.js';
import { parseAdhocQueryResponse, type DocumentEntry } from '../../src/ehdsi/xca-query/response.js';
import { checkRetrievedDocument } from '../../src/ehdsi/xca-retrieve/integrity.js';
import { hasSignatureOf, retrieveOriginalDocument, unwrapOriginalDocument } from '../../src/ehdsi/xca-retrieve/orcd.js';

const HR_HCID = '2.16.17.710.191.1000.990.1';
const REPO = `${HR_HCID}.2`;
const patientId = { root: '2.16.17.710.840.1000.990.1', extension: '157601853' };
const SUCCESS = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success';
const FAILURE = 'urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure';
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');

const PDF = writePdf([{ text: 'Laboratory report', bold: true }, { text: 'Haemoglobin 132 g/L' }], { title: 'Lab', creationDate: "D:20250902093000+02'00'" });
const image = { width: 16, height: 8, pixel: (x: number, y: number) => 40 + x * 8 + y * 4 };
const PNG = writePng(image);
const JPEG = writeJpeg(image);

/** An OrCD wrapper, with what is inside nonXMLBody given verbatim (to break it at will). */
function wrapper(body: string, root = '<ClinicalDocument xmlns="urn:hl7-org:v3">'): Buffer {
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
${root}
  <templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.1.8"/>
  <id root="${REPO}" extension="hr-marija-bozicevic.OrCD-1"/>
  <code code="11502-2" codeSystem="2.16.840.1.113883.6.1" displayName="Laboratory report"/>
  ${body}
</ClinicalDocument>
`, 'utf8');
}
const wrap = (mediaType: string, data: Buffer, representation = 'B64') =>
  wrapper(`<component><nonXMLBody><text mediaType="${mediaType}" representation="${representation}">\n${data.toString('base64').replace(/(.{76})/g, '$1\n')}\n</text></nonXMLBody></component>`);

function orcdExtrinsic(id: string, uniqueId: string, classCode: string, formatCode: string, cda: Buffer): string {
  return `<rim:ExtrinsicObject id="${id}" mimeType="text/xml" home="urn:oid:${HR_HCID}" status="urn:oasis:names:tc:ebxml-regrep:StatusType:Approved" objectType="urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1">
    <rim:Slot name="creationTime"><rim:ValueList><rim:Value>20250902073000</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="languageCode"><rim:ValueList><rim:Value>hr-HR</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="repositoryUniqueId"><rim:ValueList><rim:Value>${REPO}</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="size"><rim:ValueList><rim:Value>${cda.length}</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="hash"><rim:ValueList><rim:Value>${sha1(cda).toUpperCase()}</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="serviceStartTime"><rim:ValueList><rim:Value>20250902054500</rim:Value></rim:ValueList></rim:Slot>
    <rim:Slot name="serviceStopTime"><rim:ValueList><rim:Value>20250902070000</rim:Value></rim:ValueList></rim:Slot>
    <rim:Name><rim:LocalizedString value="Nalaz laboratorijskih pretraga"/></rim:Name>
    <rim:Classification classificationScheme="urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a" classifiedObject="${id}" nodeRepresentation="${classCode}" id="c1"/>
    <rim:Classification classificationScheme="urn:uuid:f0306f51-975f-434e-a61c-c59651d33983" classifiedObject="${id}" nodeRepresentation="${classCode}" id="c2"/>
    <rim:Classification classificationScheme="urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d" classifiedObject="${id}" nodeRepresentation="${formatCode}" id="c3"/>
    <rim:Classification classificationScheme="urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d" classifiedObject="${id}" nodeRepresentation="" id="c4">
      <rim:Slot name="authorPerson"><rim:ValueList><rim:Value>^Babić^Ivana</rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="authorInstitution"><rim:ValueList><rim:Value>KBC Zagreb</rim:Value></rim:ValueList></rim:Slot>
      <rim:Slot name="authorSpecialty"><rim:ValueList><rim:Value>Medical biochemistry</rim:Value><rim:Value> </rim:Value></rim:ValueList></rim:Slot>
    </rim:Classification>
    <rim:ExternalIdentifier identificationScheme="urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427" value="157601853^^^&amp;2.16.17.710.840.1000.990.1&amp;ISO" registryObject="${id}" id="e1"/>
    <rim:ExternalIdentifier identificationScheme="urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab" value="${uniqueId}" registryObject="${id}" id="e2"/>
  </rim:ExtrinsicObject>`;
}

function queryResponse(status: string, objects = '', errors = ''): string {
  return `<query:AdhocQueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0" xmlns:rim="urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0" status="${status}">
    ${errors ? `<rs:RegistryErrorList>${errors}</rs:RegistryErrorList>` : ''}<rim:RegistryObjectList>${objects}</rim:RegistryObjectList></query:AdhocQueryResponse>`;
}
const regError = (code: string, severity: 'Error' | 'Warning') =>
  `<rs:RegistryError errorCode="${code}" codeContext="context ${code}" severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:${severity}" location="HR NCP"/>`;

const LAB_CDA = wrap('application/pdf', PDF);
const LAB_ENTRY = orcdExtrinsic('urn:uuid:00000000-0000-0000-0000-00000000000a', `${REPO}^hr-marija-bozicevic.OrCD-1`, '11502-2', 'urn:eHDSI:orcd:pdf:2021', LAB_CDA);

describe('the OrCD kinds and formats (docs/references.md#original-clinical-documents-orcd)', () => {
  it('are the four class codes of the eHDSI value sets, in LOINC, and the three eHDSI format codes', () => {
    expect(ORCD_KINDS.map((k) => k.classCode)).toEqual(['11502-2', '34105-7', '18748-4', 'x-clinical-image']);
    expect(orcdKindOfClassCode('34105-7^^2.16.840.1.113883.6.1')?.kind).toBe('discharge');
    expect(orcdKindOfClassCode('60591-5')).toBeUndefined();
    expect(['urn:eHDSI:orcd:pdf:2021', 'urn:eHDSI:orcd:png:2021', 'urn:eHDSI:orcd:jpeg:2021', 'urn:ihe:iti:xds-sd:pdf:2008', 'toString'].map(orcdMediaType))
      .toEqual(['application/pdf', 'image/png', 'image/jpeg', undefined, undefined]);
  });
});

describe('the query of one kind', () => {
  it('is FindDocuments with that class code in LOINC', () => {
    const root = parseXml(buildFindDocumentsQuery(patientId, { classCodes: [{ code: 'x-clinical-image', codeSystem: '2.16.840.1.113883.6.1' }] })).documentElement!;
    const query = children(root, 'AdhocQuery')[0];
    const slots = Object.fromEntries(children(query, 'Slot').map((s) => [attr(s, 'name'), text(s)]));
    expect(slots.$XDSDocumentEntryClassCode).toBe("('x-clinical-image^^2.16.840.1.113883.6.1')");
  });
});

describe('the metadata of an OrCD entry', () => {
  it('reads class, type and format codes, creation and service times, language, size, hash and authors', () => {
    const [entry] = parseAdhocQueryResponse(queryResponse(SUCCESS, LAB_ENTRY)).entries;
    expect(entry).toMatchObject({
      uniqueId: `${REPO}^hr-marija-bozicevic.OrCD-1`,
      repositoryUniqueId: REPO,
      homeCommunityId: HR_HCID,
      mimeType: 'text/xml',
      classCode: '11502-2',
      typeCode: '11502-2',
      formatCode: 'urn:eHDSI:orcd:pdf:2021',
      creationTime: '20250902073000',
      serviceStartTime: '20250902054500',
      serviceStopTime: '20250902070000',
      languageCode: 'hr-HR',
      size: LAB_CDA.length,
      hash: sha1(LAB_CDA).toUpperCase(),
      title: 'Nalaz laboratorijskih pretraga',
      authors: [{ person: '^Babić^Ivana', institutions: ['KBC Zagreb'], roles: [], specialties: ['Medical biochemistry'] }],
    });
    expect(entry.level).toBeUndefined();
  });
});

describe('integrity of a retrieved document against its entry', () => {
  const data = Buffer.from('the document');
  it('accepts the bytes the registry described (hash in either case)', () => {
    expect(() => checkRetrievedDocument('HR', { size: data.length, hash: sha1(data).toUpperCase(), required: true }, data)).not.toThrow();
  });
  it.each([
    ['another size', { size: data.length + 1, hash: sha1(data) }, /announced 13/],
    ['another SHA-1', { size: data.length, hash: sha1(Buffer.from('other')) }, /SHA-1 differs/],
    ['a malformed hash', { size: data.length, hash: 'abc' }, /malformed SHA-1/],
    ['no hash when one is required', { size: data.length, required: true }, /no size or SHA-1/],
  ])('refuses %s, naming the country', (_what, expected, message) => {
    let error: unknown;
    try {
      checkRetrievedDocument('HR', expected, data);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ country: 'HR', kind: 'integrity', message: expect.stringMatching(message) });
  });
});

describe('unwrapping the CDA wrapper', () => {
  it.each([
    ['a PDF', 'application/pdf', PDF],
    ['a PNG', 'image/png', PNG],
    ['a JPEG', 'image/jpeg', JPEG],
  ] as const)('gives back %s byte for byte', (_what, mediaType, data) => {
    const out = unwrapOriginalDocument('HR', wrap(mediaType, data), mediaType);
    expect(out.mediaType).toBe(mediaType);
    expect(out.data.equals(data)).toBe(true);
    expect(hasSignatureOf(mediaType, out.data)).toBe(true);
  });

  const failure = (cda: Buffer, expected: 'application/pdf' | 'image/png' = 'application/pdf'): GatewayError => {
    try {
      unwrapOriginalDocument('HR', cda, expected);
    } catch (e) {
      if (e instanceof GatewayError) return e;
      throw e;
    }
    throw new Error('expected a GatewayError');
  };

  it.each([
    ['bad base64', wrapper('<component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBERi0x*NCg==</text></nonXMLBody></component>'), 'malformed', /not valid base64/],
    ['base64 of the wrong length', wrapper(`<component><nonXMLBody><text mediaType="application/pdf" representation="B64">${PDF.toString('base64').slice(0, -1)}</text></nonXMLBody></component>`), 'malformed', /not valid base64/],
    ['a missing nonXMLBody', wrapper('<component><structuredBody/></component>'), 'malformed', /no component\/nonXMLBody/],
    ['an empty text', wrapper('<component><nonXMLBody><text mediaType="application/pdf" representation="B64"> </text></nonXMLBody></component>'), 'malformed', /empty/],
    ['text not in base64', wrap('application/pdf', PDF, 'TXT'), 'malformed', /not base64/],
    ['another media type than announced', wrap('image/png', PNG), 'integrity', /wraps image\/png, the registry announced application\/pdf/],
    ['a PDF media type over PNG bytes', wrap('application/pdf', PNG), 'integrity', /signature/],
    ['not a CDA document', wrapper('<component/>', '<ClinicalDocument xmlns="urn:example">'), 'malformed', /ClinicalDocument/],
    ['not XML at all', Buffer.from('%PDF-1.4 not a wrapper'), 'malformed', /not readable XML/],
    ['a DOCTYPE', Buffer.from('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]><ClinicalDocument xmlns="urn:hl7-org:v3"/>'), 'malformed', /not readable XML/],
  ] as const)('refuses %s, naming the country', (_what, cda, kind, message) => {
    const e = failure(cda);
    expect(e).toMatchObject({ country: 'HR', kind });
    expect(e.message).toMatch(message);
  });

  it('refuses a wrapper larger than the bound it is read under', () => {
    expect(() => unwrapOriginalDocument('HR', wrap('application/pdf', PDF), 'application/pdf', 1000)).toThrow(/larger than 1000 characters/);
  });
});

describe('findOriginalClinicalDocuments and retrieveOriginalDocument against a gateway', () => {
  let stub: StubGateway;
  let answer: (body: string) => { contentType: string; body: Buffer | string } = () => ({ contentType: 'text/plain', body: '' });
  let endpoint = '';
  const client = new SoapClient({ timeoutMs: 2000 });
  beforeAll(async () => {
    stub = await startStubGateway((body, res) => {
      const a = answer(body);
      res.writeHead(200, { 'Content-Type': a.contentType }).end(a.body);
    });
    endpoint = `${stub.url}/xca`;
  });
  afterAll(async () => {
    client.close();
    await stub.close();
  });
  const assertions = { hcp: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_h"/>', trc: '<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_t"/>' };
  const target = () => ({ country: 'HR', endpoint, homeCommunityId: HR_HCID });
  const soap = (action: string, bodyXml: string) => ({ contentType: 'application/soap+xml', body: buildEnvelope({ action, bodyXml }) });
  const queryAnswer = (xml: string) => () => soap('urn:ihe:iti:2007:CrossGatewayQueryResponse', xml);

  it('asks one kind and returns its entries', async () => {
    answer = queryAnswer(queryResponse(SUCCESS, LAB_ENTRY));
    const found = await findOriginalClinicalDocuments(client, target(), patientId, 'laboratory', assertions);
    expect(found.entries.map((e) => e.formatCode)).toEqual(['urn:eHDSI:orcd:pdf:2021']);
    const sent = parseSoapEnvelope(stub.lastBody);
    expect(sent.action).toBe('urn:ihe:iti:2007:CrossGatewayQuery');
    expect(stub.lastBody).toContain("('11502-2^^2.16.840.1.113883.6.1')");
  });

  it('treats 1104 (no original of this kind) as an empty list, whatever its severity', async () => {
    answer = queryAnswer(queryResponse(SUCCESS, '', regError('1104', 'Warning')));
    expect(await findOriginalClinicalDocuments(client, target(), patientId, 'image', assertions)).toEqual({ entries: [], warnings: [expect.objectContaining({ errorCode: '1104' })] });
    answer = queryAnswer(queryResponse(FAILURE, '', regError('1104', 'Error')));
    expect((await findOriginalClinicalDocuments(client, target(), patientId, 'image', assertions)).entries).toEqual([]);
  });

  it('answers 4202 (the country does not offer the kind) with an empty list saying so; another refusal is thrown', async () => {
    answer = queryAnswer(queryResponse(FAILURE, '', regError('4202', 'Error')));
    expect(await findOriginalClinicalDocuments(client, target(), patientId, 'discharge', assertions)).toEqual({ entries: [], notOffered: '4202', warnings: [expect.objectContaining({ errorCode: '4202' })] });
    answer = queryAnswer(queryResponse(FAILURE, '', regError('4202', 'Error') + regError('4701', 'Error')));
    const e = await findOriginalClinicalDocuments(client, target(), patientId, 'discharge', assertions).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EhdsiError);
    expect(e).toMatchObject({ code: '4202', country: 'HR', transaction: 'xca-query' });
    answer = queryAnswer(queryResponse(FAILURE, '', regError('4701', 'Error')));
    await expect(findOriginalClinicalDocuments(client, target(), patientId, 'discharge', assertions)).rejects.toMatchObject({ code: '4701' });
  });

  const entry = (): DocumentEntry => parseAdhocQueryResponse(queryResponse(SUCCESS, LAB_ENTRY)).entries[0];
  const retrieveAnswer = (data: Buffer) => () => {
    const body = `<xdsb:RetrieveDocumentSetResponse xmlns:xdsb="urn:ihe:iti:xds-b:2007" xmlns:rs="urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"><rs:RegistryResponse status="${SUCCESS}"/><xdsb:DocumentResponse><xdsb:HomeCommunityId>urn:oid:${HR_HCID}</xdsb:HomeCommunityId><xdsb:RepositoryUniqueId>${REPO}</xdsb:RepositoryUniqueId><xdsb:DocumentUniqueId>${REPO}^hr-marija-bozicevic.OrCD-1</xdsb:DocumentUniqueId><xdsb:mimeType>text/xml</xdsb:mimeType><xdsb:Document><xop:Include xmlns:xop="http://www.w3.org/2004/08/xop/include" href="cid:orcd-1%40hr.example"/></xdsb:Document></xdsb:DocumentResponse></xdsb:RetrieveDocumentSetResponse>`;
    const m = buildMtom(buildEnvelope({ action: 'urn:ihe:iti:2007:CrossGatewayRetrieveResponse', bodyXml: body }), [{ cid: 'orcd-1@hr.example', contentType: 'text/xml', data }]);
    return { contentType: m.contentType, body: m.body };
  };

  it('retrieves the wrapper the registry described and unwraps the PDF', async () => {
    answer = retrieveAnswer(LAB_CDA);
    const doc = await retrieveOriginalDocument(client, target(), entry(), assertions);
    expect(doc.cda.equals(LAB_CDA)).toBe(true);
    expect(doc.mediaType).toBe('application/pdf');
    expect(doc.data.equals(PDF)).toBe(true);
    expect(stub.lastBody).toContain(`${REPO}^hr-marija-bozicevic.OrCD-1`);
  });

  it('refuses bytes of another SHA-1 or size than the registry announced, before unwrapping them', async () => {
    const altered = Buffer.from(LAB_CDA);
    altered[200] ^= 1;
    answer = retrieveAnswer(altered);
    await expect(retrieveOriginalDocument(client, target(), entry(), assertions)).rejects.toMatchObject({ name: 'GatewayError', kind: 'integrity', country: 'HR', message: expect.stringMatching(/SHA-1/) });
    answer = retrieveAnswer(Buffer.concat([LAB_CDA, Buffer.from(' ')]));
    await expect(retrieveOriginalDocument(client, target(), entry(), assertions)).rejects.toMatchObject({ kind: 'integrity', message: expect.stringMatching(/bytes/) });
  });

  it('refuses an entry whose format is not an OrCD one without asking the country', async () => {
    const before = stub.lastBody;
    await expect(retrieveOriginalDocument(client, target(), { ...entry(), formatCode: 'urn:ihe:iti:xds-sd:pdf:2008' }, assertions)).rejects.toMatchObject({ kind: 'integrity' });
    expect(stub.lastBody).toBe(before);
  });
});
