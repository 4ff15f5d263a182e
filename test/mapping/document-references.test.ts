import { createHash } from 'node:crypto';
import { validateResource } from '../../src/fhir/validation.js';
import { cdaHeaderFacts, documentReferencesFor, originalDocumentReference, pdfOfLevel1, xdsDateTime, type OriginalDocumentFacts } from '../../src/mapping/index.js';

const pdf = Buffer.from('%PDF-1.4\n% test\n');
const l1 = `<ClinicalDocument xmlns="urn:hl7-org:v3"><id root="2.999.1" extension="DOC-1"/><effectiveTime value="20240101120000+0100"/><languageCode code="hr-HR"/>
  <component><nonXMLBody><text mediaType="application/pdf" representation="B64">${pdf.toString('base64')}</text></nonXMLBody></component></ClinicalDocument>`;

describe('DocumentReferences for the originals', () => {
  it('extracts the PDF of a level 1 document and its header facts', () => {
    expect(pdfOfLevel1(l1)).toEqual(pdf);
    expect(cdaHeaderFacts(l1)).toEqual({ language: 'hr-HR', created: '2024-01-01T12:00:00+01:00', uniqueId: '2.999.1^DOC-1' });
  });

  it('describes the L3 CDA and the L1 PDF as MHD DocumentReferences', () => {
    const cda = Buffer.from('<ClinicalDocument/>');
    const [l3, l1ref] = documentReferencesFor({
      patient: { reference: 'Patient/p1' },
      originals: [
        { level: 'L3', bytes: cda, url: 'Binary/cda-1', language: 'hr-HR', created: '2024-01-01T12:00:00+01:00', uniqueId: '2.999.1^DOC-1' },
        { level: 'L1', bytes: pdf, url: 'Binary/pdf-1', language: 'hr-HR', created: '2024-01-01' },
      ],
    });
    for (const dr of [l3, l1ref]) {
      expect(validateResource(dr, 'DocumentReference')).toEqual([]);
      expect(dr.type!.coding![0].code).toBe('60591-5');
      expect(dr.subject).toEqual({ reference: 'Patient/p1' });
      expect(dr.status).toBe('current');
    }
    expect(l3.content[0].format!.code).toBe('urn:epSOS:ps:ps:2010');
    expect(l3.content[0].attachment).toMatchObject({ contentType: 'text/xml', url: 'Binary/cda-1', size: cda.byteLength, language: 'hr-HR', creation: '2024-01-01T12:00:00+01:00' });
    expect(l3.content[0].attachment.hash).toBe(createHash('sha1').update(cda).digest('base64'));
    expect(l3.masterIdentifier).toEqual({ system: 'urn:oid:2.999.1', value: 'DOC-1' });
    expect(l1ref.content[0].format!.code).toBe('urn:ihe:iti:xds-sd:pdf:2008');
    expect(l1ref.content[0].attachment.contentType).toBe('application/pdf');
  });
});

describe('the DocumentReference of an original clinical document', () => {
  const facts: OriginalDocumentFacts = {
    id: 'p1.img-0123456789ab',
    url: 'http://x/fhir/Binary/p1.img-0123456789ab',
    subject: { reference: 'Patient/p1' },
    classCode: 'x-clinical-image',
    classDisplay: 'Medical Images',
    typeCode: 'x-clinical-image',
    formatCode: 'urn:eHDSI:orcd:png:2021',
    mediaType: 'image/png',
    wrapper: { size: 5904, sha1: 'DA39A3EE5E6B4B0D3255BFEF95601890AFD80709' },
    creationTime: '20230415081500',
    serviceStartTime: '20230415',
    language: 'hr-HR',
    title: 'RTG pluća PA',
    authors: [{ person: '^Marić^Goran', institutions: ['Klinička bolnica Dubrava^^^^^^^^^1.2.3'] }, { institutions: [] }],
    uniqueId: '2.999.1^hr-OrCD-7',
    entryUuid: 'urn:uuid:11111111-2222-5333-8444-555555555555',
  };

  it('is a valid MHD DocumentReference: the French kind, the file and its CDA wrapper (the registry\'s size and SHA-1), period and authors', () => {
    const dr = originalDocumentReference(facts);
    expect(validateResource(dr, 'DocumentReference')).toEqual([]);
    expect(dr).toMatchObject({
      id: 'p1.img-0123456789ab',
      status: 'current',
      type: { coding: [{ system: 'http://loinc.org', code: 'x-clinical-image', display: 'Medical Images' }], text: 'Image médicale' },
      category: [{ coding: [{ system: 'http://loinc.org', code: 'x-clinical-image' }], text: 'Image médicale' }],
      masterIdentifier: { system: 'urn:oid:2.999.1', value: 'hr-OrCD-7' },
      identifier: [{ value: 'urn:uuid:11111111-2222-5333-8444-555555555555' }],
      date: '2023-04-15T08:15:00Z',
      description: 'RTG pluća PA',
      author: [{ display: 'Goran Marić, Klinička bolnica Dubrava' }],
      context: { period: { start: '2023-04-15' } },
    });
    const [file, wrapper] = dr.content;
    expect(file.attachment).toEqual({ contentType: 'image/png', url: facts.url, language: 'hr-HR', creation: '2023-04-15T08:15:00Z', title: 'RTG pluća PA' });
    expect(wrapper.attachment).toMatchObject({ contentType: 'text/xml', url: facts.url, size: 5904, hash: Buffer.from('da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hex').toString('base64') });
    expect(file.format).toEqual({ system: 'urn:oid:1.3.6.1.4.1.19376.1.2.3', code: 'urn:eHDSI:orcd:png:2021' });
  });

  it('reads XDS times at their precision, and leaves out what it cannot read', () => {
    expect(['2023', '202304', '20230415', '2023041508', '202304150815', '20230415081530', '2023-04-15', '20231345000000', '202313'].map(xdsDateTime))
      .toEqual(['2023', '2023-04', '2023-04-15', '2023-04-15T08:00:00Z', '2023-04-15T08:15:00Z', '2023-04-15T08:15:30Z', undefined, undefined, undefined]);
    const dr = originalDocumentReference({ ...facts, creationTime: 'yesterday', serviceStartTime: undefined, authors: undefined, wrapper: { size: 10, sha1: 'not-a-hash' } });
    expect(validateResource(dr, 'DocumentReference')).toEqual([]);
    expect([dr.date, dr.context, dr.author, dr.content[1].attachment.hash]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
