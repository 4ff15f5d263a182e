import type { Journey } from '../../journey/index.js';
import { FhirError } from '../../kernel/errors.js';
import type { StoredConsent } from '../../store/index.js';
import type { FhirResult, HandlerRegistry } from '../registry.js';

/** A stored consent as answered: its version as ETag, when it was recorded as Last-Modified. */
export function consentResult(stored: StoredConsent): FhirResult & { headers: Record<string, string> } {
  const version = stored.consent.meta?.versionId ?? '1';
  return { resource: stored.consent, headers: { ETag: `W/"${version}"`, 'Last-Modified': stored.recordedAt.toUTCString() } };
}

/** GET /fhir/Consent/{id}: one of your own consents (an expired one reads back inactive). */
export function registerConsentRead(registry: HandlerRegistry, journey: Journey): void {
  const read = registry.register({
    resourceType: 'Consent',
    interaction: 'read',
    documentation: 'One of your own consents; status inactive once its TRC has expired.',
    audit: 'consent-read',
    handler: async (ctx, audit, pro) => {
      const stored = await journey.deps.store.getConsent(pro.nationalId, ctx.id!, journey.now());
      if (!stored) throw FhirError.notFound(`Consent/${ctx.id} n'est pas un de vos consentements (unknown consent)`);
      audit.patientHandle = stored.patientHandle;
      const patient = await journey.deps.store.getPatient(pro.nationalId, stored.patientHandle);
      if (patient) audit.country = patient.country;
      return consentResult(stored);
    },
  });
  // The Location of a created Consent names its version (FHIR create): consents are never
  // updated, so version 1 is the consent itself.
  const readHandler = read.find('Consent', 'read')!.handler;
  registry.register({
    resourceType: 'Consent',
    interaction: 'vread',
    documentation: 'A version of one of your own consents (consents are never updated: version 1).',
    audit: 'consent-read',
    handler: async (ctx, audit, pro) => {
      const result = await readHandler(ctx, audit, pro);
      const version = (result.resource as fhir4.Consent | undefined)?.meta?.versionId ?? '1';
      if (version !== ctx.versionId) throw FhirError.notFound(`Consent/${ctx.id}/_history/${ctx.versionId} does not exist`);
      return result;
    },
  });
}
