import {
  auditablePatient, IMPLEMENTED, patientDocumentReferences, referencedId, requireConsentedPatient, type Journey,
} from '../../journey/index.js';
import { documentScope, documentSearch, matchesDocument } from '../document-search.js';
import { searchPage } from '../paging.js';
import { outcomeEntry, pagedSearchset, type SearchEntry } from '../searchset.js';
import { FhirError } from '../../kernel/errors.js';
import type { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET /fhir/DocumentReference?patient=Patient/{id} (MHD ITI-67) → XCA: the
 * originals of the patient summary (level 3 CDA, level 1 PDF), the French
 * documents made from the level 3 one (PDF, translated CDA) and the original
 * clinical documents (laboratory, discharge and imaging reports, medical
 * images), each pointing at its Binary; narrowed by type, category, creation,
 * period and status, which also choose what the country is asked. Same
 * consent rule as $summary.
 */
export function registerDocumentReferenceSearch(registry: HandlerRegistry, journey: Journey, published: ConformanceResources): void {
  registry.register({
    resourceType: 'DocumentReference',
    interaction: 'search-type',
    searchParams: published.searchParams('DocumentReference', 'patient', 'type', 'category', 'creation', 'period', 'status'),
    supportedProfiles: [IMPLEMENTED.mhdMinimalDocumentReference],
    instantiates: [IMPLEMENTED.mhdResponder],
    documentation: 'The patient\'s documents: the patient summary as the country sent it (level 3 CDA, level 1 PDF) and, made from the level 3 one, the French PDF and the CDA with French designations; the original clinical documents (laboratory reports, hospital discharge reports, imaging reports as PDF, medical images as PNG or JPEG). Search by type or category (LOINC 60591-5, 11502-2, 34105-7, 18748-4, x-clinical-image), creation, period (of care) and status; needs an active Consent.',
    audit: 'document-search',
    handler: async (ctx, audit, pro) => {
      const page = searchPage(ctx, 'DocumentReference', pro.nationalId);
      const values = page.params.getAll('patient').flatMap((v) => v.split(','));
      if (values.length !== 1) throw FhirError.badRequest('DocumentReference search needs exactly one patient (patient=Patient/<id>)', ['patient'], values.length ? 'not-supported' : 'required');
      const handle = referencedId(values[0].includes('/') ? values[0] : `Patient/${values[0]}`, 'Patient', ctx.baseUrl);
      if (!handle) throw FhirError.badRequest(`patient must be Patient/<id>, got "${values[0]}"`, ['patient'], 'value');
      const search = documentSearch(page.params);
      audit.patientHandle = auditablePatient(handle);
      const consented = await requireConsentedPatient(journey.deps, pro, handle, audit, journey.now());
      const scope = documentScope(search);
      const { references, notes } = await patientDocumentReferences(journey.documents, consented, scope, audit, ctx.baseUrl);
      const refs = references.filter((r) => matchesDocument(r, search));
      const entries: SearchEntry[] = notes.map((n) => outcomeEntry(n.severity, n.severity === 'warning' ? 'not-found' : 'informational', n.text));
      if (!refs.length && !entries.length) {
        const filtered = [...page.params.keys()].some((k) => k !== 'patient');
        const what = filtered ? 'Aucun document ne correspond à cette recherche' : 'Aucun document (synthèse médicale ou document d’origine) n’est disponible';
        entries.push(outcomeEntry('information', 'not-found', `${what} pour ce patient (${consented.country.nameFr})`));
      }
      return { resource: pagedSearchset(page, [...refs.map((resource) => ({ resource })), ...entries], journey.now()) };
    },
  });
}
