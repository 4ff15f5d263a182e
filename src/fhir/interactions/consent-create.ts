import { auditablePatient, checkConsent, recordConsent, referencedId, type Journey } from '../../journey/index.js';
import type { HandlerRegistry } from '../registry.js';
import { consentResult } from './consent-read.js';

/**
 * POST /fhir/Consent: the professional records that the patient's identity
 * was checked and that the patient consented after the Patient Information
 * Notice, in plain FHIR R4 (journey/consent.ts reads the facts); the server
 * issues the TRC assertion and stores the Consent, whose provision.period.end
 * is the TRC's expiry.
 */
export function registerConsentCreate(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Consent',
    interaction: 'create',
    documentation: 'Consent (plain FHIR R4) for a discovered patient: status active, scope patient-privacy, category LOINC 59284-0, patient, performer = you (or the patient), '
      + 'policy.uri = the Patient Information Notice (https://ehdsi-fhir-facade.org/fhir/pin/<lang>, or this server\'s /pin/<lang> on any host; stored as the canonical), '
      + 'provision.purpose v3-ActReason TREAT or ETREAT, verification[] verified = true with verifiedWith = the Patient (identity checked and consent obtained; '
      + 'the extension consent-verification-kind still narrows one verification to identity-checked or consent-obtained), optional sourceAttachment (the signed consent). '
      + '400 names what is missing, 422 what contradicts (issue.expression, French and English). 201 with Location; valid until provision.period.end (TRC expiry, at most 2 h).',
    audit: 'consent-create',
    handler: async (ctx, audit, pro) => {
      const now = journey.now();
      audit.patientHandle = auditablePatient(referencedId((ctx.body as fhir4.Consent).patient?.reference, 'Patient', ctx.baseUrl));
      const accepted = await checkConsent(journey.deps, pro, ctx.body as fhir4.Consent, ctx.baseUrl, now);
      audit.patientHandle = accepted.patient.handle;
      audit.country = accepted.patient.country;
      const stored = await recordConsent(journey.deps, journey.assertions, pro, accepted, now);
      const answer = consentResult(stored.consent, stored.recordedAt);
      // The Location names the version (FHIR create); consents are never updated.
      return { ...answer, status: 201, headers: { ...answer.headers, Location: `${ctx.baseUrl}/Consent/${stored.id}/_history/${stored.consent.meta?.versionId ?? '1'}` } };
    },
  });
}
