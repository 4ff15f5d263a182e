/**
 * What a strict country checks in wsse:Security before answering: a signed
 * HCP assertion from a trusted signer, still valid (XCPD and XCA), and for
 * XCA a TRC bound to that HCP assertion. Verification itself is the ehdsi
 * layer's verifier; this module picks the assertions and maps refusals to
 * eHDSI codes (1001, 4704, 4701, 1002; 4206 is checked by each responder
 * against the patient it is asked about).
 */
import { VerifiedAssertions } from '../ehdsi/saml/verified-assertions.js';
import { AssertionError, verifyTrcBinding, verifyTrcPatient, type VerifiedAssertion } from '../ehdsi/saml/verify.js';
import { SAML, type PatientId } from '../ehdsi/saml/types.js';
import { assertionsIn, type ParsedEnvelope } from '../ehdsi/soap/envelope.js';
import { attr, child, type Element } from '../ehdsi/soap/xml.js';

export class SecurityRefusal extends Error {
  constructor(
    readonly ehdsiCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'SecurityRefusal';
  }
}

export interface SecurityContext {
  hcp: VerifiedAssertion;
  /** Present for XCA. */
  trc?: VerifiedAssertion;
}

function kindOf(assertion: Element): 'hcp' | 'trc' | undefined {
  const qualifier = attr(child(assertion, 'Issuer'), 'NameQualifier');
  if (qualifier === SAML.issuerQualifier.hcp) return 'hcp';
  if (qualifier === SAML.issuerQualifier.trc) return 'trc';
  return undefined;
}

/** The same assertions come with every call of a consultation: each signature is checked once (the trusted list is part of the key). */
const verified = new VerifiedAssertions();

function verify(assertion: Element, kind: 'hcp' | 'trc', trusted: readonly string[], now: Date): VerifiedAssertion {
  try {
    return verified.verify(assertion, { trusted, kind, now });
  } catch (e) {
    if (e instanceof AssertionError) throw new SecurityRefusal(e.ehdsiCode, `${kind.toUpperCase()} assertion refused: ${e.message}`);
    // Whatever else stops verification (a signature the library cannot even load) is an invalid assertion too.
    throw new SecurityRefusal('1001', `${kind.toUpperCase()} assertion refused: unverifiable (${(e as Error).message})`);
  }
}

/**
 * Verifies the assertions of a request. `needsTrc` for XCA (query and
 * retrieve). Throws SecurityRefusal with the eHDSI code of the first failure.
 */
export function checkAssertions(parsed: ParsedEnvelope, needsTrc: boolean, trusted: readonly string[], now = new Date()): SecurityContext {
  const assertions = assertionsIn(parsed);
  const hcps = assertions.filter((a) => kindOf(a) === 'hcp');
  const trcs = assertions.filter((a) => kindOf(a) === 'trc');
  if (hcps.length === 0) throw new SecurityRefusal('1001', 'no HCP identity assertion in wsse:Security');
  if (hcps.length > 1 || trcs.length > 1) throw new SecurityRefusal('1001', 'more than one assertion of the same kind in wsse:Security');
  const hcp = verify(hcps[0], 'hcp', trusted, now);
  if (!needsTrc) return { hcp };
  if (trcs.length === 0) throw new SecurityRefusal('4701', 'no Treatment Relationship Confirmation assertion: no consent recorded');
  const trc = verify(trcs[0], 'trc', trusted, now);
  try {
    verifyTrcBinding(trc, hcp);
  } catch (e) {
    if (e instanceof AssertionError) throw new SecurityRefusal(e.ehdsiCode, e.message);
    throw e;
  }
  return { hcp, trc };
}

/** 4206 unless the TRC confirms this patient. */
export function checkTrcPatient(context: SecurityContext, patientId: PatientId): void {
  if (!context.trc) throw new SecurityRefusal('4701', 'no Treatment Relationship Confirmation assertion');
  try {
    verifyTrcPatient(context.trc, patientId);
  } catch (e) {
    if (e instanceof AssertionError) throw new SecurityRefusal(e.ehdsiCode, e.message);
    throw e;
  }
}
