import type { Journey } from '../../journey/index.js';
import { FhirError } from '../../kernel/errors.js';
import type { StoredConsent } from '../../store/index.js';
import type { AuditContext } from '../../audit/index.js';
import type { ProfessionalContext } from '../../kernel/professional.js';
import type { FhirResult, HandlerRegistry } from '../registry.js';

/** A consent as answered: its version as ETag, when that version began as Last-Modified. */
export function consentResult(consent: fhir4.Consent, recordedAt: Date): FhirResult & { headers: Record<string, string> } {
  const version = consent.meta?.versionId ?? '1';
  const since = consent.meta?.lastUpdated ? new Date(consent.meta.lastUpdated) : recordedAt;
  return { resource: consent, headers: { ETag: `W/"${version}"`, 'Last-Modified': since.toUTCString() } };
}

/**
 * A version of a stored consent: 1 as recorded (active), 2 once its TRC has
 * expired (inactive); undefined for a version it does not have.
 */
function consentVersion(stored: StoredConsent, version: string): fhir4.Consent | undefined {
  const current = stored.consent.meta?.versionId ?? '1';
  if (version === current) return stored.consent;
  if (version !== '1') return undefined;
  return { ...stored.consent, status: 'active', meta: { ...stored.consent.meta, versionId: '1', lastUpdated: stored.recordedAt.toISOString() } };
}

/** GET /fhir/Consent/{id} and its versions: one of your own consents (an expired one reads back inactive, as version 2). */
export function registerConsentRead(registry: HandlerRegistry, journey: Journey): void {
  /** The stored consent, told to the audit record; 404 when it is not one of yours. */
  async function ownConsent(id: string, audit: AuditContext, pro: ProfessionalContext): Promise<StoredConsent> {
    const stored = await journey.deps.store.getConsent(pro.nationalId, id, journey.now());
    if (!stored) throw FhirError.notFound(`Consent/${id} n'est pas un de vos consentements (unknown consent)`);
    audit.patientHandle = stored.patientHandle;
    const patient = await journey.deps.store.getPatient(pro.nationalId, stored.patientHandle);
    if (patient) audit.country = patient.country;
    return stored;
  }
  registry.register({
    resourceType: 'Consent',
    interaction: 'read',
    documentation: 'One of your own consents; status inactive once its TRC has expired (its version 2).',
    audit: 'consent-read',
    handler: async (ctx, audit, pro) => {
      const stored = await ownConsent(ctx.id!, audit, pro);
      return consentResult(stored.consent, stored.recordedAt);
    },
  });
  // The Location of a created Consent names its version (FHIR create). Consents are never updated;
  // the expiry of the TRC is the one change: version 2, inactive.
  registry.register({
    resourceType: 'Consent',
    interaction: 'vread',
    documentation: 'A version of one of your own consents: 1 as recorded, 2 once its TRC has expired.',
    audit: 'consent-read',
    handler: async (ctx, audit, pro) => {
      const stored = await ownConsent(ctx.id!, audit, pro);
      const consent = consentVersion(stored, ctx.versionId!);
      if (!consent) throw FhirError.notFound(`Consent/${ctx.id}/_history/${ctx.versionId} does not exist`);
      return consentResult(consent, stored.recordedAt);
    },
  });
}
