import { auditablePatient, referencedId, type Journey } from '../../journey/index.js';
import { searchPage } from '../paging.js';
import { pagedSearchset } from '../searchset.js';
import { FhirError } from '../../kernel/errors.js';
import type { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/Consent?patient=Patient/{id}: your own consents, newest first. */
export function registerConsentSearch(registry: HandlerRegistry, journey: Journey, published: ConformanceResources): void {
  registry.register({
    resourceType: 'Consent',
    interaction: 'search-type',
    searchParams: published.searchParams('Consent', 'patient'),
    documentation: 'Your own consents, newest first (expired ones inactive).',
    audit: 'consent-search',
    handler: async (ctx, audit, pro) => {
      const page = searchPage(ctx, 'Consent', pro.nationalId);
      const values = page.params.getAll('patient').flatMap((v) => v.split(','));
      if (values.length > 1) throw FhirError.badRequest('Consent search takes one patient', ['patient'], 'not-supported');
      let patientHandle: string | undefined;
      if (values[0] !== undefined) {
        patientHandle = referencedId(values[0].includes('/') ? values[0] : `Patient/${values[0]}`, 'Patient', ctx.baseUrl);
        if (!patientHandle) throw FhirError.badRequest(`patient must be Patient/<id>, got "${values[0]}"`, ['patient'], 'value');
        audit.patientHandle = auditablePatient(patientHandle);
      }
      const consents = await journey.deps.store.listConsents(pro.nationalId, { patientHandle, now: journey.now() });
      return { resource: pagedSearchset(page, consents.map((c) => ({ resource: c.consent })), journey.now()) };
    },
  });
}
