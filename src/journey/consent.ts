import type { ProfessionalContext } from '../auth/professional-context.js';
import { practitionerIdOf } from '../auth/professional.js';
import { FhirError, type IssueInit } from '../kernel/errors.js';
import type { ConsentPurpose, DiscoveredPatient, StoredConsent } from '../store/index.js';
import type { ConsentAssertions } from './assertions.js';
import { issueAssertions } from './assertions.js';
import { JOURNEY_CANONICALS, SYSTEMS } from './canonical.js';
import type { JourneyDeps } from './deps.js';
import { isPinUrl, pinUrl } from './pin.js';

const PURPOSES: Record<string, ConsentPurpose> = { TREAT: 'TREATMENT', ETREAT: 'EMERGENCY' };
const CONSENT_CATEGORY = '59284-0';
/** What a Consent's verification[] must attest, by the kind extension's code. */
export const VERIFICATION_KINDS = {
  'identity-checked': "L'identité du patient a été vérifiée (nom, sexe, date de naissance, adresse)",
  'consent-obtained': "Le patient a consenti après avoir reçu la notice d'information",
} as const;
type VerificationKind = keyof typeof VERIFICATION_KINDS;

const missing = (element: string, what: string): IssueInit => ({ code: 'required', diagnostics: `${element} est requis : ${what}`, expression: [element] });
const wrong = (element: string, what: string): IssueInit => ({ code: 'business-rule', diagnostics: `${element} : ${what}`, expression: [element] });

/** `Patient/<id>`, or an absolute URL ending so under this server's base → the id. */
export function referencedId(reference: string | undefined, type: string, baseUrl: string): string | undefined {
  if (!reference) return undefined;
  const base = baseUrl.replace(/\/+$/, '');
  const local = reference.startsWith(`${base}/`) ? reference.slice(base.length + 1) : reference;
  const m = new RegExp(`^${type}/([A-Za-z0-9.-]{1,64})$`).exec(local);
  return m?.[1];
}

function hasCoding(concepts: fhir4.CodeableConcept[] | undefined, system: string, code: string): boolean {
  return (concepts ?? []).some((c) => (c.coding ?? []).some((k) => k.system === system && k.code === code));
}

function isThisProfessional(ref: fhir4.Reference, pro: ProfessionalContext, baseUrl: string): boolean {
  const id = referencedId(ref.reference, 'Practitioner', baseUrl);
  if (id !== undefined) return id === practitionerIdOf(pro.nationalId);
  const ident = ref.identifier;
  if (ident?.value === undefined) return false;
  if (ident.system === SYSTEMS.nationalPractitionerId) return ident.value === pro.nationalId;
  if (ident.system === SYSTEMS.rpps) return ident.value === pro.rpps;
  return false;
}

function verificationKind(v: fhir4.ConsentVerification): string | undefined {
  return v.extension?.find((e) => e.url === JOURNEY_CANONICALS.verificationKind)?.valueCode;
}

export interface AcceptedConsent {
  patient: DiscoveredPatient;
  purpose: ConsentPurpose;
  consent: fhir4.Consent;
}

/**
 * Checks a Consent against what the eHDSI TRC needs. Missing elements are
 * 400, present but contradictory ones 422; every issue names its element.
 * The patient must be one this professional discovered (else 422, whatever
 * the reason: another professional's patient is not revealed).
 */
export async function checkConsent(deps: JourneyDeps, pro: ProfessionalContext, body: fhir4.Consent, baseUrl: string, now: Date): Promise<AcceptedConsent> {
  const missingIssues: IssueInit[] = [];
  const wrongIssues: IssueInit[] = [];

  if (!body.status) missingIssues.push(missing('Consent.status', 'active'));
  else if (body.status !== 'active') wrongIssues.push(wrong('Consent.status', `doit être « active » pour un consentement recueilli maintenant (reçu « ${body.status} »)`));

  if (!body.scope) missingIssues.push(missing('Consent.scope', `${SYSTEMS.consentScope}|patient-privacy`));
  else if (!hasCoding([body.scope], SYSTEMS.consentScope, 'patient-privacy')) wrongIssues.push(wrong('Consent.scope', `doit être ${SYSTEMS.consentScope}|patient-privacy`));

  if (!body.category?.length) missingIssues.push(missing('Consent.category', `${SYSTEMS.loinc}|${CONSENT_CATEGORY}`));
  else if (!hasCoding(body.category, SYSTEMS.loinc, CONSENT_CATEGORY)) wrongIssues.push(wrong('Consent.category', `doit contenir ${SYSTEMS.loinc}|${CONSENT_CATEGORY} (Patient consent)`));

  if (!body.performer?.length) missingIssues.push(missing('Consent.performer', 'le professionnel qui recueille le consentement'));
  else if (!body.performer.every((p) => isThisProfessional(p, pro, baseUrl))) {
    wrongIssues.push(wrong('Consent.performer', `doit désigner le professionnel connecté (Practitioner/${practitionerIdOf(pro.nationalId)} ou identifiant ${SYSTEMS.nationalPractitionerId}|${pro.nationalId})`));
  }

  const policies = body.policy ?? [];
  if (!policies.length) missingIssues.push(missing('Consent.policy', `l'URL de la notice d'information du patient (${pinUrl(baseUrl)})`));
  else if (!policies.some((p) => p.uri && isPinUrl(p.uri, baseUrl))) {
    wrongIssues.push(wrong('Consent.policy.uri', `doit être l'URL de la notice d'information du patient servie par ce service (${pinUrl(baseUrl)})`));
  }

  if (body.provision?.type === 'deny') wrongIssues.push(wrong('Consent.provision.type', 'un refus ne permet pas de consulter la synthèse médicale'));
  const purposes = (body.provision?.purpose ?? []).filter((c) => c.system === SYSTEMS.actReason);
  let purpose: ConsentPurpose | undefined;
  if (!body.provision?.purpose?.length) missingIssues.push(missing('Consent.provision.purpose', `${SYSTEMS.actReason}|TREAT ou ETREAT`));
  else {
    const known = [...new Set(purposes.map((c) => PURPOSES[c.code ?? '']).filter((p): p is ConsentPurpose => p !== undefined))];
    if (known.length === 0) wrongIssues.push(wrong('Consent.provision.purpose', `doit être ${SYSTEMS.actReason}|TREAT (soins) ou ETREAT (urgence)`));
    else if (known.length > 1) wrongIssues.push(wrong('Consent.provision.purpose', 'TREAT et ETREAT à la fois : choisir soins ou urgence'));
    else purpose = known[0];
  }

  const patientId = referencedId(body.patient?.reference, 'Patient', baseUrl);
  if (!body.patient) missingIssues.push(missing('Consent.patient', 'le patient retrouvé (Patient/<id>)'));
  else if (!patientId) wrongIssues.push(wrong('Consent.patient', 'doit être une référence Patient/<id> à un patient retrouvé par ce service'));

  const verifications = body.verification ?? [];
  if (!verifications.length) {
    missingIssues.push(missing('Consent.verification', `deux vérifications (extension ${JOURNEY_CANONICALS.verificationKind} : identity-checked et consent-obtained)`));
  } else {
    const attested = new Set<string>();
    verifications.forEach((v, i) => {
      const kind = verificationKind(v);
      if (kind === undefined || !(kind in VERIFICATION_KINDS)) {
        wrongIssues.push(wrong(`Consent.verification[${i}]`, `l'extension ${JOURNEY_CANONICALS.verificationKind} doit valoir identity-checked ou consent-obtained`));
        return;
      }
      if (v.verified !== true) wrongIssues.push(wrong(`Consent.verification[${i}].verified`, `doit être true : ${VERIFICATION_KINDS[kind as VerificationKind]}`));
      const withId = referencedId(v.verifiedWith?.reference, 'Patient', baseUrl);
      if (v.verifiedWith?.reference && !v.verifiedWith.reference.includes('RelatedPerson/') && withId !== patientId) {
        wrongIssues.push(wrong(`Consent.verification[${i}].verifiedWith`, 'doit désigner le patient du consentement'));
      }
      attested.add(kind);
    });
    for (const kind of Object.keys(VERIFICATION_KINDS)) {
      if (!attested.has(kind)) missingIssues.push(missing('Consent.verification', `${kind} : ${VERIFICATION_KINDS[kind as VerificationKind]}`));
    }
  }

  if (missingIssues.length) throw new FhirError(400, [...missingIssues, ...wrongIssues]);
  if (wrongIssues.length) throw new FhirError(422, wrongIssues);

  const patient = await deps.store.getPatient(pro.nationalId, patientId!);
  if (!patient) {
    throw FhirError.unprocessable(`Consent.patient : Patient/${patientId} n'est pas un patient que vous avez retrouvé (faites d'abord la recherche)`, ['Consent.patient']);
  }
  const { id: _id, meta: _meta, ...rest } = body;
  // The consent runs from now until the TRC expires (the store writes provision.period.end).
  const consent: fhir4.Consent = { ...rest, dateTime: body.dateTime ?? now.toISOString(), provision: { ...body.provision, period: { start: now.toISOString() } } };
  return { patient, purpose: purpose!, consent };
}

/** Issues the TRC assertion for an accepted consent and stores both (the TRC's expiry ends the consent). */
export async function recordConsent(deps: JourneyDeps, assertions: ConsentAssertions, pro: ProfessionalContext, accepted: AcceptedConsent, now: Date): Promise<StoredConsent> {
  const set = issueAssertions(deps, pro, accepted.patient.patientId, accepted.purpose, deps.transport.trcAssertionMinutes);
  const stored = await deps.store.saveConsent({
    owner: pro.nationalId,
    patientHandle: accepted.patient.handle,
    consent: accepted.consent,
    purpose: accepted.purpose,
    trc: { assertionId: set.trc.id, expiresAt: set.trc.notOnOrAfter, assertion: set.trc.xml },
  }, now);
  assertions.remember(stored.id, set);
  return stored;
}
