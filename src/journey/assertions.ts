import type { ProfessionalContext } from '../auth/professional-context.js';
import { buildHcpAssertion } from '../ehdsi/saml/hcp-assertion.js';
import { buildTrcAssertion } from '../ehdsi/saml/trc-assertion.js';
import type { BuiltAssertion, PatientId, PurposeOfUse } from '../ehdsi/saml/types.js';
import type { AssertionPair } from '../ehdsi/xca-query/find.js';
import type { StoredConsent } from '../store/index.js';
import type { JourneyDeps } from './deps.js';
import { hcpIdentityOf } from './hcp-identity.js';

/** An HCP assertion and the TRC bound to it (Advice/AssertionIDRef = the HCP's ID). */
export interface AssertionSet {
  hcp: BuiltAssertion;
  trc: BuiltAssertion;
}

/** Assertions are renewed this long before they expire, so none dies in flight. */
const RENEW_MARGIN_MS = 30_000;
const MAX_KEPT = 1000;

export function issueAssertions(deps: JourneyDeps, pro: ProfessionalContext, patientId: PatientId, purpose: PurposeOfUse, trcLifetimeMinutes: number): AssertionSet {
  const { transport } = deps;
  const hcp = buildHcpAssertion(hcpIdentityOf(pro, transport.homeCommunityId, purpose), transport.keys, {
    issuer: transport.assertionIssuer,
    // The HCP assertion must outlive the TRC bound to it (4 h at most).
    lifetimeMinutes: Math.min(240, Math.max(transport.hcpAssertionMinutes, trcLifetimeMinutes)),
  });
  const trc = buildTrcAssertion({
    patientId,
    purposeOfUse: purpose,
    hcp: { id: hcp.id, subjectId: pro.nationalId },
    issuer: transport.assertionIssuer,
    lifetimeMinutes: trcLifetimeMinutes,
  }, transport.keys);
  return { hcp, trc };
}

/**
 * The assertions of each consent, kept in memory only (they are bearer
 * credentials for XCA). The TRC issued when the consent was recorded is used
 * while the HCP assertion it is bound to is at hand; after a restart, on
 * another instance, or when that HCP assertion nears its end, a new TRC bound
 * to a fresh HCP assertion is issued from the recorded consent, never
 * outliving it.
 */
export class ConsentAssertions {
  private readonly byConsent = new Map<string, AssertionSet>();

  constructor(private readonly deps: JourneyDeps) {}

  remember(consentId: string, set: AssertionSet): void {
    this.byConsent.delete(consentId);
    this.byConsent.set(consentId, set);
    while (this.byConsent.size > MAX_KEPT) this.byConsent.delete(this.byConsent.keys().next().value as string);
  }

  /** The HCP + TRC pair for an XCA call under this (active) consent. */
  for(consent: StoredConsent, pro: ProfessionalContext, patientId: PatientId): AssertionPair {
    const now = Date.now();
    const fresh = (a: BuiltAssertion) => a.notOnOrAfter.getTime() - RENEW_MARGIN_MS > now;
    let set = this.byConsent.get(consent.id);
    if (!set || !fresh(set.hcp) || !fresh(set.trc)) {
      const remainingMinutes = (consent.trc.expiresAt.getTime() - now) / 60_000;
      const lifetime = Math.min(this.deps.transport.trcAssertionMinutes, Math.max(remainingMinutes, 1 / 60));
      set = issueAssertions(this.deps, pro, patientId, consent.purpose, lifetime);
      this.remember(consent.id, set);
    }
    return { hcp: set.hcp.xml, trc: set.trc.xml };
  }
}
