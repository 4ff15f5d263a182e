import { EhdsiError } from '../../ehdsi/errors/ehdsi-error.js';
import {
  auditablePatient, entriesOfLevel, IMPLEMENTED, JOURNEY_CANONICALS, originalId, outcomeEntry, referencedId, requireConsentedPatient, searchset,
  type DocumentLevel, type Journey, type SearchEntry,
} from '../../journey/index.js';
import { cdaHeaderFacts, documentReferencesFor, pdfOfLevel1, type OriginalDocument } from '../../mapping/index.js';
import { FhirError } from '../errors.js';
import type { HandlerRegistry } from '../registry.js';

/** The country has no such original: shown as a warning, not a failure of the search. */
const ABSENT_ORIGINAL = new Set(['4201', 'XDSMissingDocument']);

/**
 * GET /fhir/DocumentReference?patient=Patient/{id} (MHD ITI-67) → XCA: the
 * level 3 (structured CDA) and level 1 (PDF) originals of the patient
 * summary, each pointing at its Binary. Same consent rule as $summary.
 */
export function registerDocumentReferenceSearch(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'DocumentReference',
    interaction: 'search-type',
    searchParams: [{ name: 'patient', type: 'reference', definition: JOURNEY_CANONICALS.searchParameter('DocumentReference-patient'), documentation: 'Patient/<id> of a discovered patient with an active Consent (required)' }],
    supportedProfiles: [IMPLEMENTED.mhdMinimalDocumentReference],
    instantiates: [IMPLEMENTED.mhdResponder],
    documentation: 'The originals of the patient summary (level 3 CDA, level 1 PDF) as sent by the country; needs an active Consent.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'document-search', async (audit) => {
        const values = ctx.params.getAll('patient').flatMap((v) => v.split(','));
        if (values.length !== 1) throw FhirError.badRequest('DocumentReference search needs exactly one patient (patient=Patient/<id>)', ['patient'], values.length ? 'not-supported' : 'required');
        const handle = referencedId(values[0].includes('/') ? values[0] : `Patient/${values[0]}`, 'Patient', ctx.baseUrl);
        if (!handle) throw FhirError.badRequest(`patient must be Patient/<id>, got "${values[0]}"`, ['patient'], 'value');
        audit.patientHandle = auditablePatient(handle);
        const consented = await requireConsentedPatient(journey.deps, pro, handle, audit, journey.now());
        const docs = await journey.documents.list(consented, audit);
        const entries: SearchEntry[] = [];
        const originals: Array<OriginalDocument & { id: string; entryUuid: string }> = [];
        for (const level of ['L3', 'L1'] as DocumentLevel[]) {
          for (const [rank, entry] of entriesOfLevel(docs, level).entries()) {
            let cda: Buffer;
            try {
              cda = (await journey.documents.original(consented, docs, entry, audit)).cda;
            } catch (e) {
              if (e instanceof EhdsiError && ABSENT_ORIGINAL.has(e.code)) {
                entries.push(outcomeEntry('warning', 'not-found', `Le pays ne fournit pas le document ${level === 'L1' ? 'PDF' : 'structuré'} (eHDSI ${e.code})`));
                continue;
              }
              throw e;
            }
            const bytes = level === 'L1' ? pdfOfLevel1(cda) : cda;
            if (!bytes) {
              entries.push(outcomeEntry('warning', 'not-found', 'Le document de niveau 1 envoyé par le pays ne contient pas de PDF'));
              continue;
            }
            const id = originalId(handle, level, rank);
            const facts = cdaHeaderFacts(cda);
            originals.push({
              id,
              entryUuid: entry.entryUuid,
              level,
              bytes,
              url: `${ctx.baseUrl}/Binary/${id}`,
              contentType: level === 'L1' ? 'application/pdf' : 'application/xml',
              language: facts.language ?? entry.languageCode,
              created: facts.created,
              uniqueId: entry.uniqueId,
              title: entry.title,
            });
          }
        }
        const refs = documentReferencesFor({
          patient: { reference: `Patient/${handle}` },
          originals,
        });
        refs.forEach((r, i) => {
          r.id = originals[i].id;
          // MHD: the XDS entryUUID of the document in the country's registry.
          if (originals[i].entryUuid) r.identifier = [{ use: 'official', system: 'urn:ietf:rfc:3986', value: originals[i].entryUuid }];
        });
        if (!refs.length && !entries.length) entries.push(outcomeEntry('information', 'not-found', `Aucune synthèse médicale n'est disponible pour ce patient (${consented.country.nameFr})`));
        return { resource: searchset(ctx.baseUrl, 'DocumentReference', ctx.params, [...refs.map((resource) => ({ resource })), ...entries], journey.now()) };
      });
    },
  });
}
