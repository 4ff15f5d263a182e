/**
 * Verifier of eHDSI assertions, used by the simulated gateways and by tests:
 * enveloped signature against trusted certificates only, lifetimes, issuer,
 * audience, and the TRC↔HCP binding. Everything is read from the signed
 * reference itself (what the signature covers), never from the raw input, so
 * a wrapped or injected element cannot be mistaken for a signed one.
 */
import { X509Certificate } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { NS } from '../soap/namespaces.js';
import { attr, child, children, parseXml, path, text, type Element } from '../soap/xml.js';
import { DSIG } from './sign.js';
import { patientIdFromCx, SAML, type AssertionKind, type PatientId, type PurposeOfUse } from './types.js';

export type AssertionFailure =
  | 'malformed'
  | 'no-signature'
  | 'signature-invalid'
  | 'untrusted-signer'
  | 'weak-algorithm'
  | 'expired'
  | 'not-yet-valid'
  | 'lifetime-too-long'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'trc-binding'
  | 'trc-patient';

/** eHDSI code of each failure: 4704 no signature, 1002 TRC not matching the HCP, 4206 TRC for another patient, otherwise 1001 invalid assertion. */
const EHDSI_CODE: Record<AssertionFailure, string> = {
  malformed: '1001',
  'no-signature': '4704',
  'signature-invalid': '1001',
  'untrusted-signer': '1001',
  'weak-algorithm': '1001',
  expired: '1001',
  'not-yet-valid': '1001',
  'lifetime-too-long': '1001',
  'wrong-issuer': '1001',
  'wrong-audience': '1001',
  'trc-binding': '1002',
  'trc-patient': '4206',
};

export class AssertionError extends Error {
  readonly ehdsiCode: string;
  constructor(readonly reason: AssertionFailure, message: string) {
    super(message);
    this.name = 'AssertionError';
    this.ehdsiCode = EHDSI_CODE[reason];
  }
}

export interface VerifyOptions {
  /** PEM certificates whose keys may sign assertions. */
  trusted: readonly string[];
  kind: AssertionKind;
  now?: Date;
  /** Required audience (TRC: defaults to the x-border audience). */
  audience?: string;
  /** Accepted Issuer values; any when absent. */
  issuers?: readonly string[];
  /** Tolerated clock difference, seconds (default 60). */
  clockSkewSeconds?: number;
}

export interface VerifiedAssertion {
  kind: AssertionKind;
  id: string;
  issuer: string;
  /** Subject NameID: the professional's national id (both kinds). */
  nameId: string;
  issueInstant: Date;
  notBefore: Date;
  notOnOrAfter: Date;
  authnContextClassRef?: string;
  audiences: string[];
  adviceAssertionIds: string[];
  /** Attribute values by attribute Name; coded values (Role, PurposeOfUse) give their code. */
  attributes: Record<string, string[]>;
  purposeOfUse?: PurposeOfUse;
  /** HCP: ISCO role code. */
  role?: string;
  homeCommunityId?: string;
  /** TRC: the patient it confirms. */
  patientId?: PatientId;
  signerCertificatePem: string;
}

const ACCEPTED_SIGNATURE_ALGORITHMS = new Set([DSIG.rsaSha256, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512']);

function fail(reason: AssertionFailure, message: string): never {
  throw new AssertionError(reason, message);
}

function toPem(base64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\s+/g, '').match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function certificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function attributeValues(statement: Element | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const a of children(statement, 'Attribute')) {
    const name = attr(a, 'Name');
    if (!name) continue;
    out[name] = children(a, 'AttributeValue')
      .map((v) => {
        const coded = children(v)[0];
        return coded ? attr(coded, 'code') : text(v);
      })
      .filter((v): v is string => v !== undefined);
  }
  return out;
}

function date(value: string | undefined, what: string): Date {
  const d = value ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) fail('malformed', `assertion without a valid ${what}`);
  return d;
}

/** Checks the signature and returns the canonical XML of what it signs. */
function checkSignature(xml: string, root: Element, trusted: readonly string[]): { signedXml: string; signerPem: string } {
  const signatures = root.getElementsByTagNameNS(NS.ds, 'Signature');
  if (signatures.length === 0) fail('no-signature', 'assertion is not signed');
  const signature = signatures.item(0) as Element;
  if (signatures.length > 1 || signature.parentNode !== root) fail('malformed', 'assertion must carry exactly one enveloped signature');
  const algorithm = attr(path(signature, 'SignedInfo', 'SignatureMethod'), 'Algorithm');
  if (!algorithm || !ACCEPTED_SIGNATURE_ALGORITHMS.has(algorithm)) fail('weak-algorithm', `signature algorithm ${algorithm ?? '(none)'} is not accepted`);
  const references = children(child(signature, 'SignedInfo'), 'Reference');
  const id = attr(root, 'ID');
  if (references.length !== 1 || !id || attr(references[0], 'URI') !== `#${id}`) fail('malformed', 'the signature must reference the assertion itself');

  const trustedCerts = trusted.map((pem) => ({ pem, cert: certificate(pem) })).filter((t) => t.cert);
  const embedded = text(path(signature, 'KeyInfo', 'X509Data', 'X509Certificate'));
  let candidates = trustedCerts;
  if (embedded) {
    const cert = certificate(toPem(embedded));
    if (!cert) fail('malformed', 'unreadable certificate in KeyInfo');
    candidates = trustedCerts.filter((t) => t.cert?.fingerprint256 === cert.fingerprint256);
    if (candidates.length === 0) fail('untrusted-signer', 'assertion signed by an untrusted certificate');
  }
  const signatureXml = new XMLSerializer().serializeToString(signature);
  for (const candidate of candidates) {
    const verifier = new SignedXml({ publicCert: candidate.pem, getCertFromKeyInfo: () => null });
    verifier.loadSignature(signatureXml);
    let valid = false;
    try {
      valid = verifier.checkSignature(xml);
    } catch {
      valid = false;
    }
    const signed = verifier.getSignedReferences();
    if (valid && signed.length === 1) return { signedXml: signed[0], signerPem: candidate.pem };
  }
  return fail(embedded ? 'signature-invalid' : 'untrusted-signer', embedded ? 'assertion signature does not verify (altered content)' : 'no trusted certificate verifies the assertion');
}

/** The assertion's lifetime: not longer than its kind allows, and `now` inside it (give or take the clock skew). */
export function checkValidityWindow(a: Pick<VerifiedAssertion, 'kind' | 'notBefore' | 'notOnOrAfter'>, opts: Pick<VerifyOptions, 'now' | 'clockSkewSeconds'>): void {
  const now = (opts.now ?? new Date()).getTime();
  const skew = (opts.clockSkewSeconds ?? 60) * 1000;
  if (a.notOnOrAfter.getTime() - a.notBefore.getTime() > SAML.maxLifetimeMs[a.kind]) fail('lifetime-too-long', `${a.kind.toUpperCase()} assertion valid longer than allowed`);
  if (now + skew < a.notBefore.getTime()) fail('not-yet-valid', 'assertion not yet valid');
  if (now - skew >= a.notOnOrAfter.getTime()) fail('expired', 'assertion expired');
}

export function verifyAssertion(input: string | Element, opts: VerifyOptions): VerifiedAssertion {
  const xml = typeof input === 'string' ? input : new XMLSerializer().serializeToString(input);
  let root: Element;
  try {
    root = parseXml(xml).documentElement as Element;
  } catch (e) {
    return fail('malformed', `assertion is not well-formed XML: ${(e as Error).message}`);
  }
  if (root.localName !== 'Assertion' || root.namespaceURI !== NS.saml) fail('malformed', 'not a SAML 2.0 assertion');

  const { signedXml, signerPem } = checkSignature(xml, root, opts.trusted);
  const signed = parseXml(signedXml).documentElement as Element;
  if (signed.localName !== 'Assertion' || attr(signed, 'ID') !== attr(root, 'ID')) fail('malformed', 'signed content is not the assertion');
  if (attr(signed, 'Version') !== '2.0') fail('malformed', 'assertion is not SAML 2.0');

  const issuerEl = child(signed, 'Issuer');
  const issuer = text(issuerEl) ?? '';
  if (attr(issuerEl, 'NameQualifier') !== SAML.issuerQualifier[opts.kind]) fail('wrong-issuer', `issuer is not an eHDSI ${opts.kind.toUpperCase()} issuer`);
  if (opts.issuers && !opts.issuers.includes(issuer)) fail('wrong-issuer', 'issuer not accepted');

  const conditions = child(signed, 'Conditions');
  const notBefore = date(attr(conditions, 'NotBefore'), 'NotBefore');
  const notOnOrAfter = date(attr(conditions, 'NotOnOrAfter'), 'NotOnOrAfter');
  checkValidityWindow({ kind: opts.kind, notBefore, notOnOrAfter }, opts);

  const audiences = children(conditions, 'AudienceRestriction').flatMap((r) => children(r, 'Audience').map((a) => text(a) ?? ''));
  const requiredAudience = opts.audience ?? (opts.kind === 'trc' ? SAML.xborderAudience : undefined);
  if (requiredAudience && !audiences.includes(requiredAudience) && (opts.kind === 'trc' || audiences.length > 0)) {
    fail('wrong-audience', 'assertion not addressed to this audience');
  }

  const nameId = text(path(signed, 'Subject', 'NameID'));
  if (!nameId) fail('malformed', 'assertion without subject NameID');
  const attributes = attributeValues(child(signed, 'AttributeStatement'));
  const purpose = attributes[SAML.attr.purposeOfUse]?.[0];
  if (purpose !== 'TREATMENT' && purpose !== 'EMERGENCY') fail('malformed', 'purpose of use missing or not TREATMENT/EMERGENCY');

  const result: VerifiedAssertion = {
    kind: opts.kind,
    id: attr(signed, 'ID') as string,
    issuer,
    nameId,
    issueInstant: date(attr(signed, 'IssueInstant'), 'IssueInstant'),
    notBefore,
    notOnOrAfter,
    authnContextClassRef: text(path(signed, 'AuthnStatement', 'AuthnContext', 'AuthnContextClassRef')),
    audiences,
    adviceAssertionIds: children(child(signed, 'Advice'), 'AssertionIDRef').map((r) => text(r) ?? ''),
    attributes,
    purposeOfUse: purpose,
    signerCertificatePem: signerPem,
  };
  if (opts.kind === 'hcp') {
    result.role = attributes[SAML.attr.role]?.[0];
    result.homeCommunityId = attributes[SAML.attr.homeCommunityId]?.[0];
    for (const required of [SAML.attr.homeCommunityId, SAML.attr.subjectId, SAML.attr.role, SAML.attr.organization, SAML.attr.organizationId, SAML.attr.facilityType]) {
      if (!attributes[required]?.length) fail('malformed', `HCP assertion without attribute ${required}`);
    }
  } else {
    if (result.adviceAssertionIds.length === 0) fail('malformed', 'TRC assertion without Advice/AssertionIDRef');
    const patientId = patientIdFromCx(attributes[SAML.attr.subjectId]?.[0] ?? '');
    if (!patientId) fail('malformed', 'TRC assertion without a patient identifier ext^^^&root&ISO');
    result.patientId = patientId;
  }
  return result;
}

/** The TRC must name the HCP assertion it was issued with, for the same professional (1002 otherwise). */
export function verifyTrcBinding(trc: VerifiedAssertion, hcp: VerifiedAssertion): void {
  if (trc.kind !== 'trc' || hcp.kind !== 'hcp') fail('trc-binding', 'expected a TRC and an HCP assertion');
  if (!trc.adviceAssertionIds.includes(hcp.id)) fail('trc-binding', 'TRC assertion does not refer to the HCP assertion');
  if (trc.nameId !== hcp.nameId) fail('trc-binding', 'TRC assertion issued for another professional');
}

/** The patient a query is about must be the TRC's patient (4206 otherwise). */
export function verifyTrcPatient(trc: VerifiedAssertion, patientId: PatientId): void {
  if (trc.patientId?.root !== patientId.root || trc.patientId?.extension !== patientId.extension) {
    fail('trc-patient', 'the queried patient is not the one of the TRC assertion');
  }
}
