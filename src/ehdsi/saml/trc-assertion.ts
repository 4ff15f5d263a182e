/** The Treatment Relationship Confirmation assertion (docs/references.md#saml-assertions-hcp-identity-and-trc): ≤ 2 h, bound to the HCP assertion. */
import type { SigningKeys } from './keys.js';
import { buildSignedAssertion, purposeOfUseValue } from './assertion-xml.js';
import { patientIdToCx, SAML, type BuiltAssertion, type PatientId, type PurposeOfUse } from './types.js';

export interface TrcInit {
  patientId: PatientId;
  purposeOfUse: PurposeOfUse;
  /** The HCP assertion this confirmation is bound to (its ID and NameID). */
  hcp: { id: string; subjectId: string };
  issuer?: string;
  audience?: string;
  /** Default and maximum 120. */
  lifetimeMinutes?: number;
  now?: Date;
}

export const DEFAULT_TRC_ISSUER = 'urn:idp:FR:countryB';

export function buildTrcAssertion(init: TrcInit, keys: SigningKeys): BuiltAssertion {
  return buildSignedAssertion(
    {
      kind: 'trc',
      issuer: init.issuer ?? DEFAULT_TRC_ISSUER,
      nameId: init.hcp.subjectId,
      lifetimeMs: (init.lifetimeMinutes ?? 120) * 60_000,
      now: init.now,
      authnContextClassRef: SAML.previousSession,
      adviceAssertionId: init.hcp.id,
      audience: init.audience ?? SAML.xborderAudience,
      attributes: [
        { name: SAML.attr.subjectId, friendlyName: 'XSPA subject', values: [patientIdToCx(init.patientId)] },
        { name: SAML.attr.purposeOfUse, friendlyName: 'XSPA Purpose of Use', values: [purposeOfUseValue(init.purposeOfUse)] },
      ],
    },
    keys,
  );
}
