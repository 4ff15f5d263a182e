import type { Journey } from '../../journey/index.js';
import { FhirError } from '../errors.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/Consent/{id}: one of your own consents (an expired one reads back inactive). */
export function registerConsentRead(registry: HandlerRegistry, journey: Journey): void {
  const read = registry.register({
    resourceType: 'Consent',
    interaction: 'read',
    documentation: 'One of your own consents; status inactive once its TRC has expired.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'consent-read', async (audit) => {
        const stored = await journey.deps.store.getConsent(pro.nationalId, ctx.id!, journey.now());
        if (!stored) throw FhirError.notFound(`Consent/${ctx.id} n'est pas un de vos consentements (unknown consent)`);
        audit.patientHandle = stored.patientHandle;
        const patient = await journey.deps.store.getPatient(pro.nationalId, stored.patientHandle);
        if (patient) audit.country = patient.country;
        const version = stored.consent.meta?.versionId ?? '1';
        return { resource: stored.consent, headers: { ETag: `W/"${version}"`, 'Last-Modified': stored.recordedAt.toUTCString() } };
      });
    },
  });
  // The Location of a created Consent names its version (FHIR create): consents are never
  // updated, so version 1 is the consent itself.
  const readHandler = read.find('Consent', 'read')!.handler;
  registry.register({
    resourceType: 'Consent',
    interaction: 'vread',
    documentation: 'A version of one of your own consents (consents are never updated: version 1).',
    handler: async (ctx) => {
      const result = await readHandler(ctx);
      const version = (result.resource as fhir4.Consent | undefined)?.meta?.versionId ?? '1';
      if (version !== ctx.versionId) throw FhirError.notFound(`Consent/${ctx.id}/_history/${ctx.versionId} does not exist`);
      return result;
    },
  });
}
