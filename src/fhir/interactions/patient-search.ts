import { auditMatches, discover, IMPLEMENTED, queryFromSearch, type Journey } from '../../journey/index.js';
import { searchPage } from '../paging.js';
import { outcomeEntry, pagedSearchset } from '../searchset.js';
import type { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/Patient?identifier=urn:oid:<domain>|<value>&address-country=… (PDQm ITI-78) → XCPD ITI-55. */
export function registerPatientSearch(registry: HandlerRegistry, journey: Journey, published: ConformanceResources): void {
  registry.register({
    resourceType: 'Patient',
    interaction: 'search-type',
    searchParams: published.searchParams('Patient', 'identifier', 'address-country', 'family', 'given', 'birthdate', 'gender'),
    supportedProfiles: [IMPLEMENTED.pdqmPatient],
    instantiates: [IMPLEMENTED.pdqmSupplier],
    documentation: 'Patient discovery in the country of residence (XCPD). Traits are checked against the country\'s mask first (400 naming the trait). Returned ids are bound to the professional.',
    audit: 'search-patient',
    handler: async (ctx, audit, pro) => {
      const page = searchPage(ctx, 'Patient', pro.nationalId);
      const query = queryFromSearch(journey.deps.countries, page.params, (code) => { audit.country = code; });
      const matches = await discover(journey.deps, pro, query, audit);
      auditMatches(matches, audit, (handle) => journey.audit.also(ctx, 'search-patient', { patientHandle: handle, country: query.country.code, ehdsiTransaction: 'ITI-55' }));
      const entries = matches.length
        ? matches.map((m) => ({ resource: m.patient, score: m.score }))
        : [outcomeEntry('information', 'not-found', `Aucun patient ne correspond aux traits d'identité saisis (${query.country.nameFr})`)];
      return { resource: pagedSearchset(page, entries, journey.now()) };
    },
  });
}
