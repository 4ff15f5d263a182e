/**
 * A Consent (FHIR R4) → the facts the eHDSI TRC assertion needs, read from
 * standard elements:
 *
 * - the patient's identity was checked, and the patient consented after the
 *   Patient Information Notice: Consent.verification[]. A plain verification
 *   (verified = true, verifiedWith = the Consent's Patient) attests both: the
 *   consent was verified with the patient in person, who was identified to be
 *   so, and what was verified is this Consent, whose policy is the notice.
 *   verifiedWith a RelatedPerson (the patient's representative) attests the
 *   consent only. The project's extension consent-verification-kind
 *   (identity-checked | consent-obtained) on a verification narrows it to
 *   that one fact, as before;
 * - consultation necessary for care: Consent.provision.purpose v3-ActReason
 *   TREAT (care) or ETREAT (emergency); Consent.status active, not a deny;
 * - the notice: Consent.policy[].uri, its canonical URL
 *   (https://ehdsi-fhir-facade.org/fhir/pin/<lang>) or this server's
 *   /pin/<lang> on any host, in any of the 24 EU languages; the stored
 *   Consent names the canonical. Consent.policyRule is optional (an opt-out
 *   rule contradicts the consent); Consent.sourceAttachment (a scan of the
 *   signed consent) is optional and kept.
 *
 * Missing elements are 400, present but contradictory ones 422; every issue
 * names its element (FHIRPath) and says what is expected in French and English.
 */
import type { ProfessionalContext } from '../auth/professional-context.js';
import { practitionerIdOf } from '../auth/professional.js';
import { FhirError, type IssueCode, type IssueInit } from '../kernel/errors.js';
import type { ConsentPurpose, DiscoveredPatient, StoredConsent } from '../store/index.js';
import type { ConsentAssertions } from './assertions.js';
import { issueAssertions } from './assertions.js';
import { JOURNEY_CANONICALS, SYSTEMS } from './canonical.js';
import type { JourneyDeps } from './deps.js';
import { pinCanonical, pinLanguage, pinUrl } from './pin.js';

const PURPOSES: Record<string, ConsentPurpose> = { TREAT: 'TREATMENT', ETREAT: 'EMERGENCY' };
const CONSENT_CATEGORY = '59284-0';
const ACT_CODE = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** v3-ActCode consent directives that refuse the access. */
const OPT_OUT = new Set(['OPTOUT', 'OPTOUTE']);

/** What a Consent's verification[] must attest, by the kind extension's code. */
export const VERIFICATION_KINDS = {
  'identity-checked': "L'identité du patient a été vérifiée (nom, sexe, date de naissance, adresse)",
  'consent-obtained': "Le patient a consenti après avoir reçu la notice d'information",
} as const;
type VerificationKind = keyof typeof VERIFICATION_KINDS;
const VERIFICATION_KINDS_EN: Record<VerificationKind, string> = {
  'identity-checked': "the patient's identity was checked (name, sex, date of birth, address)",
  'consent-obtained': 'the patient consented after receiving the Patient Information Notice',
};
const KINDS = Object.keys(VERIFICATION_KINDS) as VerificationKind[];

const missing = (element: string, fr: string, en: string): IssueInit => ({
  code: 'required', diagnostics: `${element} est requis : ${fr} (${element} is required: ${en})`, expression: [element],
});
const wrong = (element: string, fr: string, en: string, code: IssueCode = 'business-rule'): IssueInit => ({
  code, diagnostics: `${element} : ${fr} (${element}: ${en})`, expression: [element],
});

/** `Patient/<id>`, or an absolute URL ending so under this server's base → the id. */
export function referencedId(reference: string | undefined, type: string, baseUrl: string): string | undefined {
  if (!reference) return undefined;
  const base = baseUrl.replace(/\/+$/, '');
  const local = reference.startsWith(`${base}/`) ? reference.slice(base.length + 1) : reference;
  const m = new RegExp(`^${type}/([A-Za-z0-9.-]{1,64})$`).exec(local);
  return m?.[1];
}

const isRelatedPerson = (ref: fhir4.Reference | undefined): boolean => /(^|\/)RelatedPerson\/[A-Za-z0-9.-]{1,64}$/.test(ref?.reference ?? '');

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

/** What Consent.verification[] attests, and what is wrong or missing in it. */
interface Verifications {
  /** Facts some verification speaks of (attested, or contradicted by verified = false). */
  addressed: Set<VerificationKind>;
  wrong: IssueInit[];
  /** Index of the first plain verification that names nobody (verifiedWith absent). */
  withoutWhom?: number;
}

function readVerifications(verifications: fhir4.ConsentVerification[], patientId: string | undefined, baseUrl: string): Verifications {
  const out: Verifications = { addressed: new Set(), wrong: [] };
  const patientRef = `Patient/${patientId ?? '<id>'}`;
  verifications.forEach((v, i) => {
    const at = `Consent.verification[${i}]`;
    const withPatient = referencedId(v.verifiedWith?.reference, 'Patient', baseUrl);
    const related = isRelatedPerson(v.verifiedWith);
    const kind = verificationKind(v);
    let facts: VerificationKind[];
    if (kind !== undefined) {
      if (!(kind in VERIFICATION_KINDS)) {
        out.wrong.push(wrong(`${at}.extension('${JOURNEY_CANONICALS.verificationKind}')`,
          'doit valoir identity-checked ou consent-obtained', 'must be identity-checked or consent-obtained', 'value'));
        return;
      }
      facts = [kind as VerificationKind];
    } else if (!v.verifiedWith) {
      out.withoutWhom ??= i;
      facts = [];
    } else {
      // Verified with the patient in person: identified, and consenting; with a representative: consenting.
      facts = related ? ['consent-obtained'] : [...KINDS];
    }
    if (v.verified !== true) {
      const fr = facts.map((f) => VERIFICATION_KINDS[f]).join(' ; ') || 'le consentement a été vérifié auprès du patient';
      const en = facts.map((f) => VERIFICATION_KINDS_EN[f]).join('; ') || 'the consent was verified with the patient';
      out.wrong.push(wrong(`${at}.verified`, `doit être true : ${fr}`, `must be true: ${en}`));
    }
    if (v.verifiedWith && !related && (withPatient === undefined || withPatient !== patientId)) {
      out.wrong.push(wrong(`${at}.verifiedWith`, `doit désigner le patient du consentement (${patientRef}) ou son représentant (RelatedPerson)`,
        `must reference the Consent's patient (${patientRef}) or their representative (RelatedPerson)`));
    }
    for (const f of facts) out.addressed.add(f);
  });
  return out;
}

function verificationIssues(body: fhir4.Consent, patientId: string | undefined, baseUrl: string): { missing: IssueInit[]; wrong: IssueInit[] } {
  const patientRef = `Patient/${patientId ?? '<id>'}`;
  const verifications = body.verification ?? [];
  if (!verifications.length) {
    return {
      missing: [missing('Consent.verification',
        `une vérification auprès du patient (verified = true, verifiedWith = ${patientRef}) attestant que son identité a été vérifiée et qu'il a consenti après la notice d'information`,
        `a verification with the patient (verified = true, verifiedWith = ${patientRef}) attesting that their identity was checked and that they consented after the Patient Information Notice`)],
      wrong: [],
    };
  }
  const read = readVerifications(verifications, patientId, baseUrl);
  const unattested = KINDS.filter((k) => !read.addressed.has(k));
  if (!unattested.length) return { missing: [], wrong: read.wrong };
  if (read.withoutWhom !== undefined) {
    return {
      missing: [missing(`Consent.verification[${read.withoutWhom}].verifiedWith`,
        `le patient avec qui le consentement a été vérifié (${patientRef}), ou son représentant (RelatedPerson)`,
        `the patient the consent was verified with (${patientRef}), or their representative (RelatedPerson)`)],
      wrong: read.wrong,
    };
  }
  return {
    missing: unattested.map((k) => missing('Consent.verification',
      `${VERIFICATION_KINDS[k]} : une vérification avec verifiedWith = ${patientRef} (ou l'extension ${JOURNEY_CANONICALS.verificationKind} = ${k})`,
      `${VERIFICATION_KINDS_EN[k]}: a verification with verifiedWith = ${patientRef} (or the extension ${JOURNEY_CANONICALS.verificationKind} = ${k})`)),
    wrong: read.wrong,
  };
}

function policyIssues(body: fhir4.Consent, baseUrl: string): { missing: IssueInit[]; wrong: IssueInit[] } {
  const notice = `${pinCanonical('fr')}, ${pinUrl(baseUrl)}`;
  const out = { missing: [] as IssueInit[], wrong: [] as IssueInit[] };
  const uris = (body.policy ?? []).map((p) => p.uri).filter((u): u is string => !!u);
  if (!uris.length) {
    out.missing.push(missing(body.policy?.length ? 'Consent.policy.uri' : 'Consent.policy',
      `l'URL de la notice d'information du patient remise au patient (${notice} ; /pin/<langue> dans l'une des 24 langues de l'UE)`,
      `the URL of the Patient Information Notice given to the patient (${notice}; /pin/<language> in any of the 24 EU languages)`));
  } else if (!uris.some((u) => pinLanguage(u, baseUrl) !== undefined)) {
    out.wrong.push(wrong('Consent.policy.uri',
      `doit être l'URL de la notice d'information du patient (${notice} ; /pin/<langue> dans l'une des 24 langues de l'UE), reçu ${uris.join(', ')}`,
      `must be the URL of the Patient Information Notice (${notice}; /pin/<language> in any of the 24 EU languages), got ${uris.join(', ')}`, 'value'));
  }
  if ((body.policyRule?.coding ?? []).some((c) => c.system === ACT_CODE && OPT_OUT.has(c.code ?? ''))) {
    out.wrong.push(wrong('Consent.policyRule', 'une règle de refus (OPTOUT) contredit le consentement', 'an opt-out rule (OPTOUT) contradicts the consent', 'value'));
  }
  return out;
}

/** The accepted Consent's policy, every notice URL replaced by its canonical (independent of the Host the client used). */
function canonicalPolicies(policies: fhir4.ConsentPolicy[], baseUrl: string): fhir4.ConsentPolicy[] {
  return policies.map((p) => {
    const lang = p.uri ? pinLanguage(p.uri, baseUrl) : undefined;
    return lang ? { ...p, uri: pinCanonical(lang) } : p;
  });
}

export interface AcceptedConsent {
  patient: DiscoveredPatient;
  purpose: ConsentPurpose;
  consent: fhir4.Consent;
}

/**
 * Checks a Consent against what the eHDSI TRC needs (see the top of this
 * file). The patient must be one this professional discovered (else 422,
 * whatever the reason: another professional's patient is not revealed).
 */
export async function checkConsent(deps: JourneyDeps, pro: ProfessionalContext, body: fhir4.Consent, baseUrl: string, now: Date): Promise<AcceptedConsent> {
  const missingIssues: IssueInit[] = [];
  const wrongIssues: IssueInit[] = [];
  const patientId = referencedId(body.patient?.reference, 'Patient', baseUrl);
  const you = `Practitioner/${practitionerIdOf(pro.nationalId)}`;

  if (!body.status) missingIssues.push(missing('Consent.status', 'active', 'active'));
  else if (body.status !== 'active') {
    wrongIssues.push(wrong('Consent.status', `doit être « active » pour un consentement recueilli maintenant (reçu « ${body.status} »)`, `must be "active" for a consent obtained now (got "${body.status}")`));
  }

  if (!body.scope) missingIssues.push(missing('Consent.scope', `${SYSTEMS.consentScope}|patient-privacy`, `${SYSTEMS.consentScope}|patient-privacy`));
  else if (!hasCoding([body.scope], SYSTEMS.consentScope, 'patient-privacy')) {
    wrongIssues.push(wrong('Consent.scope', `doit être ${SYSTEMS.consentScope}|patient-privacy`, `must be ${SYSTEMS.consentScope}|patient-privacy`, 'value'));
  }

  if (!body.category?.length) missingIssues.push(missing('Consent.category', `${SYSTEMS.loinc}|${CONSENT_CATEGORY}`, `${SYSTEMS.loinc}|${CONSENT_CATEGORY}`));
  else if (!hasCoding(body.category, SYSTEMS.loinc, CONSENT_CATEGORY)) {
    wrongIssues.push(wrong('Consent.category', `doit contenir ${SYSTEMS.loinc}|${CONSENT_CATEGORY} (Patient consent)`, `must contain ${SYSTEMS.loinc}|${CONSENT_CATEGORY} (Patient consent)`, 'value'));
  }

  // R4 performer: the grantee (this professional) or the grantor (the patient, or their representative).
  if (!body.performer?.length) {
    missingIssues.push(missing('Consent.performer', `le professionnel qui recueille le consentement (${you})`, `the professional obtaining the consent (${you})`));
  } else if (!body.performer.every((p) => isThisProfessional(p, pro, baseUrl) || isRelatedPerson(p) || (patientId !== undefined && referencedId(p.reference, 'Patient', baseUrl) === patientId))) {
    wrongIssues.push(wrong('Consent.performer',
      `doit désigner le professionnel connecté (${you} ou identifiant ${SYSTEMS.nationalPractitionerId}|${pro.nationalId}) ou le patient qui consent`,
      `must reference the logged-in professional (${you} or identifier ${SYSTEMS.nationalPractitionerId}|${pro.nationalId}) or the consenting patient`));
  }

  const policy = policyIssues(body, baseUrl);
  missingIssues.push(...policy.missing);
  wrongIssues.push(...policy.wrong);

  if (body.provision?.type === 'deny') wrongIssues.push(wrong('Consent.provision.type', 'un refus ne permet pas de consulter la synthèse médicale', 'a deny does not allow reading the patient summary'));
  const purposes = (body.provision?.purpose ?? []).filter((c) => c.system === SYSTEMS.actReason);
  let purpose: ConsentPurpose | undefined;
  if (!body.provision?.purpose?.length) {
    missingIssues.push(missing('Consent.provision.purpose', `${SYSTEMS.actReason}|TREAT (soins) ou ETREAT (urgence)`, `${SYSTEMS.actReason}|TREAT (treatment) or ETREAT (emergency treatment)`));
  } else {
    const known = [...new Set(purposes.map((c) => PURPOSES[c.code ?? '']).filter((p): p is ConsentPurpose => p !== undefined))];
    if (known.length === 0) {
      const got = body.provision.purpose.map((c) => `${c.system ?? ''}|${c.code ?? ''}`).join(', ');
      wrongIssues.push(wrong('Consent.provision.purpose', `doit être ${SYSTEMS.actReason}|TREAT (soins) ou ETREAT (urgence), reçu ${got}`,
        `must be ${SYSTEMS.actReason}|TREAT (treatment) or ETREAT (emergency treatment), got ${got}`, 'value'));
    } else if (known.length > 1) {
      wrongIssues.push(wrong('Consent.provision.purpose', 'TREAT et ETREAT à la fois : choisir soins ou urgence', 'both TREAT and ETREAT: choose treatment or emergency'));
    } else purpose = known[0];
  }

  if (!body.patient) missingIssues.push(missing('Consent.patient', 'le patient retrouvé (Patient/<id>)', 'the patient found by the search (Patient/<id>)'));
  else if (!patientId) {
    wrongIssues.push(wrong('Consent.patient', 'doit être une référence Patient/<id> à un patient retrouvé par ce service', 'must be a Patient/<id> reference to a patient this service found'));
  }

  const verification = verificationIssues(body, patientId, baseUrl);
  missingIssues.push(...verification.missing);
  wrongIssues.push(...verification.wrong);

  const scan = body.sourceAttachment;
  if (scan && scan.data === undefined && scan.url === undefined) {
    wrongIssues.push(wrong('Consent.sourceAttachment', 'le scan du consentement signé doit être donné (data) ou désigné (url)', 'the scan of the signed consent must be given (data) or referenced (url)', 'value'));
  }

  if (missingIssues.length) throw new FhirError(400, [...missingIssues, ...wrongIssues]);
  if (wrongIssues.length) throw new FhirError(422, wrongIssues);

  const patient = await deps.store.getPatient(pro.nationalId, patientId!);
  if (!patient) {
    throw FhirError.unprocessable(`Consent.patient : Patient/${patientId} n'est pas un patient que vous avez retrouvé (faites d'abord la recherche) `
      + `(Consent.patient: Patient/${patientId} is not a patient you found: search for the patient first)`, ['Consent.patient']);
  }
  const { id: _id, meta: _meta, ...rest } = body;
  // The consent runs from now until the TRC expires (the store writes provision.period.end).
  const consent: fhir4.Consent = {
    ...rest,
    policy: canonicalPolicies(body.policy ?? [], baseUrl),
    dateTime: body.dateTime ?? now.toISOString(),
    provision: { ...body.provision, period: { start: now.toISOString() } },
  };
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
