import {
  auditablePatient, IMPLEMENTED, summaryDocumentReferences, referencedId, requireConsentedPatient, type Journey,
} from '../../journey/index.js';
import { searchPage } from '../paging.js';
import { outcomeEntry, pagedSearchset, type SearchEntry } from '../searchset.js';
import { FhirError } from '../../kernel/errors.js';
import type { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET /fhir/DocumentReference?patient=Patient/{id} (MHD ITI-67) → XCA: the
 * originals of the patient summary (level 3 CDA, level 1 PDF) and the French
 * documents made from the level 3 one (PDF, translated CDA), each pointing at
 * its Binary. Same consent rule as $summary.
 */
export function registerDocumentReferenceSearch(registry: HandlerRegistry, journey: Journey, published: ConformanceResources): void {
  registry.register({
    resourceType: 'DocumentReference',
    interaction: 'search-type',
    searchParams: published.searchParams('DocumentReference', 'patient'),
    supportedProfiles: [IMPLEMENTED.mhdMinimalDocumentReference],
    instantiates: [IMPLEMENTED.mhdResponder],
    documentation: 'The patient summary as documents: the originals as sent by the country (level 3 CDA, level 1 PDF) and, made from the level 3 one, the French PDF and the CDA with French designations; needs an active Consent.',
    audit: 'document-search',
    handler: async (ctx, audit, pro) => {
      const page = searchPage(ctx, 'DocumentReference', pro.nationalId);
      const values = page.params.getAll('patient').flatMap((v) => v.split(','));
      if (values.length !== 1) throw FhirError.badRequest('DocumentReference search needs exactly one patient (patient=Patient/<id>)', ['patient'], values.length ? 'not-supported' : 'required');
      const handle = referencedId(values[0].includes('/') ? values[0] : `Patient/${values[0]}`, 'Patient', ctx.baseUrl);
      if (!handle) throw FhirError.badRequest(`patient must be Patient/<id>, got "${values[0]}"`, ['patient'], 'value');
      audit.patientHandle = auditablePatient(handle);
      const consented = await requireConsentedPatient(journey.deps, pro, handle, audit, journey.now());
      const { references: refs, warnings } = await summaryDocumentReferences(journey.documents, consented, audit, ctx.baseUrl);
      const entries: SearchEntry[] = warnings.map((w) => outcomeEntry('warning', 'not-found', w));
      if (!refs.length && !entries.length) entries.push(outcomeEntry('information', 'not-found', `Aucune synthèse médicale n'est disponible pour ce patient (${consented.country.nameFr})`));
      return { resource: pagedSearchset(page, [...refs.map((resource) => ({ resource })), ...entries], journey.now()) };
    },
  });
}
