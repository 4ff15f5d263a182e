import { createHash } from 'node:crypto';
import { validateResource } from '../../src/fhir/validation.js';
import { cdaHeaderFacts, documentReferencesFor, pdfOfLevel1 } from '../../src/mapping/index.js';

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
