/** The common skeleton of the eHDSI HCP and TRC assertions (docs/references.md#saml-assertions-hcp-identity-and-trc), signed. */
import { randomUUID } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { NS } from '../soap/namespaces.js';
import type { SigningKeys } from './keys.js';
import { signAssertion } from './sign.js';
import { SAML, type AssertionKind, type BuiltAssertion } from './types.js';

/** An attribute value: plain text, or an HL7 v3 coded element (Role, PurposeOfUse). */
export type AttributeValue = string | { hl7Element: string; code: string; codeSystem: string; codeSystemName: string; displayName: string };

export interface AttributeInit {
  name: string;
  friendlyName: string;
  values: AttributeValue[];
}

export interface AssertionInit {
  kind: AssertionKind;
  issuer: string;
  nameId: string;
  lifetimeMs: number;
  now?: Date;
  authnContextClassRef: string;
  adviceAssertionId?: string;
  audience?: string;
  attributes: AttributeInit[];
}

export class AssertionBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AssertionBuildError';
  }
}

/** SAML dateTime without milliseconds, in UTC. */
export function samlInstant(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function addValue(attr: XMLBuilder, value: AttributeValue): void {
  const v = attr.ele(NS.saml, 'saml:AttributeValue');
  if (typeof value === 'string') v.txt(value);
  else v.ele(NS.hl7, value.hl7Element, { code: value.code, codeSystem: value.codeSystem, codeSystemName: value.codeSystemName, displayName: value.displayName });
}

export function buildSignedAssertion(init: AssertionInit, keys: SigningKeys): BuiltAssertion {
  if (!(init.lifetimeMs > 0) || init.lifetimeMs > SAML.maxLifetimeMs[init.kind]) {
    throw new AssertionBuildError(`${init.kind} assertion lifetime must be between 0 and ${SAML.maxLifetimeMs[init.kind] / 60_000} minutes`);
  }
  const now = init.now ?? new Date();
  // Whole seconds, so what is written is exactly what the caller is told.
  const issued = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notOnOrAfter = new Date(issued.getTime() + init.lifetimeMs);
  const id = `_${randomUUID()}`;

  const doc = create({ version: '1.0', encoding: 'UTF-8' });
  const a = doc.ele(NS.saml, 'saml:Assertion', { ID: id, IssueInstant: samlInstant(issued), Version: '2.0' });
  a.ele(NS.saml, 'saml:Issuer', { NameQualifier: SAML.issuerQualifier[init.kind] }).txt(init.issuer);
  const subject = a.ele(NS.saml, 'saml:Subject');
  subject.ele(NS.saml, 'saml:NameID', { Format: SAML.nameIdFormat }).txt(init.nameId);
  subject.ele(NS.saml, 'saml:SubjectConfirmation', { Method: SAML.senderVouches });
  const conditions = a.ele(NS.saml, 'saml:Conditions', { NotBefore: samlInstant(issued), NotOnOrAfter: samlInstant(notOnOrAfter) });
  if (init.audience) conditions.ele(NS.saml, 'saml:AudienceRestriction').ele(NS.saml, 'saml:Audience').txt(init.audience);
  if (init.adviceAssertionId) a.ele(NS.saml, 'saml:Advice').ele(NS.saml, 'saml:AssertionIDRef').txt(init.adviceAssertionId);
  a.ele(NS.saml, 'saml:AuthnStatement', { AuthnInstant: samlInstant(issued) })
    .ele(NS.saml, 'saml:AuthnContext')
    .ele(NS.saml, 'saml:AuthnContextClassRef')
    .txt(init.authnContextClassRef);
  const statement = a.ele(NS.saml, 'saml:AttributeStatement');
  for (const attribute of init.attributes) {
    if (attribute.values.length === 0) continue;
    const el = statement.ele(NS.saml, 'saml:Attribute', { FriendlyName: attribute.friendlyName, Name: attribute.name, NameFormat: SAML.attrNameFormat });
    for (const value of attribute.values) addValue(el, value);
  }
  const xml = signAssertion(doc.end({ headless: true }), keys);
  return { xml, id, notBefore: issued, notOnOrAfter };
}

/** The PurposeOfUse attribute value (nhin-purpose). */
export function purposeOfUseValue(purpose: string): AttributeValue {
  return {
    hl7Element: 'PurposeOfUse',
    code: purpose,
    codeSystem: SAML.purposeOfUseSystem,
    codeSystemName: 'nhin-purpose',
    displayName: purpose === 'EMERGENCY' ? 'Emergency' : 'Treatment',
  };
}
