import {
  auditAlso, auditMatches, discover, IMPLEMENTED, JOURNEY_CANONICALS, outcomeEntry, queryFromSearch, searchset, type Journey,
} from '../../journey/index.js';
import type { HandlerRegistry } from '../registry.js';

const sp = JOURNEY_CANONICALS.searchParameter;

/** GET /fhir/Patient?identifier=urn:oid:<domain>|<value>&address-country=… (PDQm ITI-78) → XCPD ITI-55. */
export function registerPatientSearch(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Patient',
    interaction: 'search-type',
    searchParams: [
      { name: 'identifier', type: 'token', definition: sp('Patient-identifier'), documentation: 'One per identity trait of the country\'s search mask: urn:oid:<assigning authority>|<value> (see Questionnaire?jurisdiction=)' },
      { name: 'address-country', type: 'string', definition: sp('Patient-address-country'), documentation: 'Country of residence, ISO 3166-1 alpha-2 (see ValueSet/countries/$expand)' },
      { name: 'family', type: 'string', definition: sp('Patient-family'), documentation: 'Optional: family name, sent to the country' },
      { name: 'given', type: 'string', definition: sp('Patient-given'), documentation: 'Optional: given name, sent to the country' },
      { name: 'birthdate', type: 'date', definition: sp('Patient-birthdate'), documentation: 'Optional: birth date (YYYY-MM-DD)' },
      { name: 'gender', type: 'token', definition: sp('Patient-gender'), documentation: 'Optional: male | female | other | unknown' },
    ],
    supportedProfiles: [IMPLEMENTED.pdqmPatient],
    instantiates: [IMPLEMENTED.pdqmSupplier],
    documentation: 'Patient discovery in the country of residence (XCPD). Traits are checked against the country\'s mask first (400 naming the trait). Returned ids are bound to the professional.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'search-patient', async (audit) => {
        const query = queryFromSearch(journey.deps.countries, ctx.params, (code) => { audit.country = code; });
        const matches = await discover(journey.deps, pro, query, audit);
        await auditMatches(matches, audit, (handle) => auditAlso(journey.audit, ctx, pro, 'search-patient', { patientHandle: handle, country: query.country.code, ehdsiTransaction: 'ITI-55' }));
        const entries = matches.length
          ? matches.map((m) => ({ resource: m.patient }))
          : [outcomeEntry('information', 'not-found', `Aucun patient ne correspond aux traits d'identité saisis (${query.country.nameFr})`)];
        return { resource: searchset(ctx.baseUrl, 'Patient', ctx.params, entries, journey.now()) };
      });
    },
  });
}
