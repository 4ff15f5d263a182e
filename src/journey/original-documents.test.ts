import type { DocumentEntry } from '../ehdsi/xca-query/response.js';
import type { OriginalsOfKind } from './document-cache.js';
import { originalDocumentReferences, originalDocumentReferenceOf } from './original-documents.js';
import type { ConsentedPatient, PatientDocuments } from './patient-documents.js';
import { originalDocumentId, parseDocumentId, type OriginalDocumentRef } from './summary-documents.js';

const p = { patient: { handle: 'h1' }, country: { code: 'HR', nameFr: 'Croatie' } } as unknown as ConsentedPatient;
const entry = (uniqueId: string, formatCode: string | undefined, extra: Partial<DocumentEntry> = {}): DocumentEntry => ({
  entryUuid: `urn:uuid:${uniqueId}`, uniqueId, repositoryUniqueId: '1.2.3', homeCommunityId: '1.2', mimeType: 'text/xml', formatCode,
  size: 100, hash: 'da39a3ee5e6b4b0d3255bfef95601890afd80709', classCode: '11502-2', xfrm: [], ...extra,
});
/** The listings the country gives, kind by kind (the cache and the XCA query stand behind this in the service). */
function documents(lists: Partial<Record<string, OriginalsOfKind>>): PatientDocuments {
  return { originalsOfKind: async (_p: ConsentedPatient, kind: string) => lists[kind] ?? { entries: [] } } as unknown as PatientDocuments;
}

describe('the original clinical documents as MHD lists them', () => {
  const lists = {
    laboratory: {
      entries: [
        entry('1.2.3^lab-1', 'urn:eHDSI:orcd:pdf:2021'),
        entry('1.2.3^lab-2', 'urn:eHDSI:orcd:png:2021'),
        entry('1.2.3^lab-3', 'urn:eHDSI:orcd:pdf:2021', { hash: undefined }),
        entry('1.2.3^lab-1', 'urn:eHDSI:orcd:pdf:2021'),
        entry('1.2.3^lab-4', 'urn:ihe:iti:xds-sd:pdf:2008'),
      ],
    },
    image: { entries: [], notOffered: '4202' },
    discharge: { entries: [], notOffered: '4202' },
  };

  it('serves what can be checked, once; warns of each document it cannot serve; names the kinds the country does not offer', async () => {
    const listed = await originalDocumentReferences(documents(lists), p, ['laboratory', 'discharge', 'image'], {}, 'http://x/fhir');
    expect(listed.references.map((r) => r.id)).toEqual([originalDocumentId('h1', 'laboratory', '1.2.3^lab-1')]);
    expect(listed.notes).toEqual([
      { severity: 'warning', text: expect.stringMatching(/compte rendu d’examens biologiques.*Croatie.*au format urn:eHDSI:orcd:png:2021, qui n’est pas un format autorisé/) },
      { severity: 'warning', text: expect.stringMatching(/sans taille ni empreinte SHA-1/) },
      { severity: 'warning', text: expect.stringMatching(/au format urn:ihe:iti:xds-sd:pdf:2008/) },
      { severity: 'information', text: 'Le pays Croatie ne propose pas ces documents d’origine : compte rendu d’hospitalisation, image médicale (eHDSI 4202)' },
    ]);
  });

  it('reads back by id only what the listing serves: a document it refused is not found', async () => {
    const ref = (uniqueId: string) => parseDocumentId(originalDocumentId('h1', 'laboratory', uniqueId)) as OriginalDocumentRef;
    expect((await originalDocumentReferenceOf(documents(lists), p, ref('1.2.3^lab-1'), {}, 'http://x/fhir'))?.id).toBe(originalDocumentId('h1', 'laboratory', '1.2.3^lab-1'));
    expect(await originalDocumentReferenceOf(documents(lists), p, ref('1.2.3^lab-2'), {}, 'http://x/fhir')).toBeUndefined();
    expect(await originalDocumentReferenceOf(documents(lists), p, ref('1.2.3^other'), {}, 'http://x/fhir')).toBeUndefined();
  });

  it('gives each kind its id segment, and no id of one kind parses as another', () => {
    const id = originalDocumentId('h1', 'imaging-report', '1.2.3^x');
    expect(id).toMatch(/^h1\.imr-[0-9a-f]{12}$/);
    expect(parseDocumentId(id)).toEqual({ handle: 'h1', kind: 'orcd', orcd: 'imaging-report', key: id.slice(-12) });
    expect(parseDocumentId('h1.img-0123456789AB')).toBeUndefined();
    expect(parseDocumentId('h1.lab-0123')).toBeUndefined();
    expect(parseDocumentId('h1.L1-2')).toEqual({ handle: 'h1', kind: 'L1', rank: 2 });
  });
});
