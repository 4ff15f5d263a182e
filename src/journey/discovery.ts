import { buildHcpAssertion } from '../ehdsi/saml/hcp-assertion.js';
import { validateTraits, type Country } from '../ehdsi/countries/index.js';
import type { ProfessionalContext } from '../auth/professional-context.js';
import { discoverPatients, xcpdOutcomeError } from '../ehdsi/xcpd/discover.js';
import type { Demographics } from '../ehdsi/xcpd/request.js';
import type { MatchedPatient } from '../ehdsi/xcpd/response.js';
import { FhirError } from '../kernel/errors.js';
import { EhdsiError } from '../ehdsi/errors/ehdsi-error.js';
import { IMPLEMENTED } from './canonical.js';
import type { JourneyDeps } from './deps.js';
import { hcpIdentityOf } from './hcp-identity.js';
import type { JourneyAuditContext } from './audit.js';

/** A patient search as the professional filled the country's mask. */
export interface DiscoveryQuery {
  country: Country;
  /** Identity trait values keyed by assigning-authority OID. */
  traits: Record<string, string>;
  /** The demographics sent to the country (those its mask takes). */
  demographics: Demographics;
  /** Every demographic the request gave, sent or not: what each match is compared with (default: demographics). */
  asked?: Demographics;
}

/** PDQm match grade (http://hl7.org/fhir/StructureDefinition/match-grade). */
export type MatchGrade = 'certain' | 'probable' | 'possible';

export interface DiscoveredMatch {
  handle: string;
  patient: fhir4.Patient;
  /** How well the patient fits the request, 0 to 1 (Bundle.entry.search.score); see assessMatch. */
  score: number;
  grade: MatchGrade;
}

/** Codes that mean "nobody matches", whatever way the country said it. */
const NO_MATCH_CODES = new Set(['AnswerNotAvailable', 'ERROR_PI_NO_MATCH']);

/**
 * Checks the traits against the country's mask (400 naming each failing
 * trait, before anything is sent), then asks the country (XCPD ITI-55).
 */
export function checkTraits(query: DiscoveryQuery, expressionOf: (domainOid: string | undefined) => string): void {
  const problems = validateTraits(query.country.searchMask, query.traits);
  if (problems.length) {
    throw new FhirError(400, problems.map((p) => ({
      code: p.code === 'required' || p.code === 'choice-required' ? 'required' as const : 'value' as const,
      diagnostics: `${p.message} (trait ${p.trait}${p.domainOid ? `, urn:oid:${p.domainOid}` : ''}, pays ${query.country.code})`,
      expression: [expressionOf(p.domainOid)],
    })));
  }
}

/** The Patient the facade shows for an XCPD match (without id). */
export function patientResource(m: MatchedPatient, country: Country): fhir4.Patient {
  const patient: fhir4.Patient = {
    resourceType: 'Patient',
    meta: { profile: [IMPLEMENTED.pdqmPatient] },
    identifier: [m.id, ...m.otherIds].map((i, n) => ({
      use: n === 0 ? 'official' as const : 'secondary' as const,
      system: `urn:oid:${i.root}`,
      value: i.extension,
      assigner: { display: `NCPeH ${country.nameFr}` },
    })),
  };
  const names = m.names.filter((n) => n.family.length || n.given.length);
  if (names.length) {
    patient.name = names.map((n) => ({
      ...(n.family.length ? { family: n.family.join(' ') } : {}),
      ...(n.given.length ? { given: n.given } : {}),
      ...(n.prefix.length ? { prefix: n.prefix } : {}),
      ...(n.use === 'L' ? { use: 'official' as const } : {}),
    }));
  }
  if (m.gender) patient.gender = m.gender;
  if (m.birthDate) patient.birthDate = m.birthDate;
  // The country of affiliation is always known (the NCPeH that answered), even when the address is not.
  const addresses = m.addresses.map((a) => ({
    ...(a.lines.length ? { line: a.lines } : {}),
    ...(a.city ? { city: a.city } : {}),
    ...(a.postalCode ? { postalCode: a.postalCode } : {}),
    ...(a.state ? { state: a.state } : {}),
    country: a.country ?? country.code,
  }));
  patient.address = addresses.length ? addresses : [{ country: country.code }];
  return patient;
}

/** Lower case, without accents (đ → d), in words: how names and places are compared. */
function words(value: string | undefined): string[] {
  return (value ?? '').normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase().split(/[\s,.'-]+/).filter(Boolean);
}

/** Whether the patient's values agree with what was asked: undefined when either side is unknown. */
function agrees(asked: string | undefined, have: (string | undefined)[]): boolean | undefined {
  const wanted = words(asked);
  const known = have.flatMap((h) => words(h));
  if (!wanted.length || !known.length) return undefined;
  return wanted.every((w) => known.includes(w));
}

/**
 * How well a patient the country returned fits the request. The countries
 * match on the identifiers of their mask; the demographics are compared here,
 * accents and case aside, the patient's unknown ones counting as neither.
 * - score: 1 when the patient carries every identifier asked, 0.5 when the
 *   country matched on demographics only; a quarter less for each demographic
 *   the patient contradicts (at least 0.05); at most 0.8 when the country
 *   returned several patients;
 * - grade: certain (every identifier, nothing contradicted, the only match),
 *   probable (every identifier), possible (matched on demographics only).
 */
export function assessMatch(query: DiscoveryQuery, patient: fhir4.Patient, several: boolean): { score: number; grade: MatchGrade } {
  const ids = Object.entries(query.traits).every(([oid, value]) => (patient.identifier ?? []).some((i) => i.system === `urn:oid:${oid}` && i.value?.trim() === value.trim()));
  const asked = query.asked ?? query.demographics;
  const names = patient.name ?? [];
  const addresses = patient.address ?? [];
  const birth = asked.birthDate && patient.birthDate
    ? patient.birthDate.startsWith(asked.birthDate) || asked.birthDate.startsWith(patient.birthDate)
    : undefined;
  const sexed = (g: string | undefined) => g === 'male' || g === 'female';
  const gender = sexed(asked.gender) && sexed(patient.gender) ? asked.gender === patient.gender : undefined;
  const checks = [
    agrees(asked.family, names.map((n) => n.family)),
    agrees(asked.given, names.flatMap((n) => n.given ?? [])),
    birth,
    gender,
    agrees(asked.street, addresses.flatMap((a) => a.line ?? [])),
    agrees(asked.postalCode, addresses.map((a) => a.postalCode)),
    agrees(asked.city, addresses.map((a) => a.city)),
  ];
  const contradicted = checks.filter((c) => c === false).length;
  let score = Math.max(0.05, (ids ? 1 : 0.5) * (1 - 0.25 * contradicted));
  if (several) score = Math.min(score, 0.8);
  const grade: MatchGrade = ids && !contradicted && !several ? 'certain' : ids ? 'probable' : 'possible';
  return { score: Math.round(score * 100) / 100, grade };
}

/**
 * XCPD for one professional: HCP assertion (purpose TREATMENT), one
 * livingSubjectId per trait; each match is stored under an opaque handle
 * bound to this professional, with its score and grade (assessMatch), the
 * best first. Empty list when nobody matches.
 */
export async function discover(deps: JourneyDeps, pro: ProfessionalContext, query: DiscoveryQuery, audit: JourneyAuditContext): Promise<DiscoveredMatch[]> {
  const { transport } = deps;
  const hcp = buildHcpAssertion(hcpIdentityOf(pro, transport.homeCommunityId, 'TREATMENT'), transport.keys, {
    issuer: transport.assertionIssuer,
    lifetimeMinutes: transport.hcpAssertionMinutes,
  });
  audit.ehdsiTransaction = 'ITI-55';
  const outcome = await discoverPatients(
    transport.client,
    { country: query.country.code, endpoint: query.country.endpoints.xcpd, homeCommunityId: query.country.homeCommunityId },
    Object.entries(query.traits).map(([domainOid, value]) => ({ domainOid, value: value.trim() })),
    query.demographics,
    hcp.xml,
    { senderHomeCommunityId: transport.homeCommunityId },
  );
  if (outcome.kind === 'no-match') return [];
  if (outcome.kind === 'error') {
    const error = xcpdOutcomeError(outcome, query.country.code);
    if (NO_MATCH_CODES.has(error.code)) return [];
    throw error;
  }
  // Several people under one identifier (a family's insurance card): the facade could not address them
  // separately in XCA and the TRC, so the professional must narrow the search (given name, birth date).
  const ids = new Set(outcome.patients.map((m) => `${m.id.root}|${m.id.extension}`));
  if (ids.size < outcome.patients.length) throw new EhdsiError(query.country.code, 'xcpd', 'ERROR_PI_MULTIPLE_MATCHES');
  const matches: DiscoveredMatch[] = [];
  const several = outcome.patients.length > 1;
  for (const m of outcome.patients) {
    const demographics = patientResource(m, query.country);
    const handle = await deps.store.savePatient({ owner: pro.nationalId, country: query.country.code, patientId: m.id, demographics });
    matches.push({ handle, patient: { ...demographics, id: handle }, ...assessMatch(query, demographics, several) });
  }
  return matches.sort((a, b) => b.score - a.score);
}

/** Audit facts of a discovery: the first patient in the call's own record; the others in records of their own. */
export function auditMatches(matches: DiscoveredMatch[], audit: JourneyAuditContext, others: (handle: string) => void): void {
  if (matches[0]) audit.patientHandle = matches[0].handle;
  for (const m of matches.slice(1)) others(m.handle);
}
