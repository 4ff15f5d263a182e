/** The HCP identity assertion of a French professional (docs/references.md#saml-assertions-hcp-identity-and-trc). */
import { ISCO_CODE_SYSTEM, iscoRoleFor } from './isco.js';
import type { SigningKeys } from './keys.js';
import { buildSignedAssertion, purposeOfUseValue } from './assertion-xml.js';
import { SAML, type BuiltAssertion, type HcpIdentity } from './types.js';

export interface HcpAssertionOptions {
  /** Issuer value (the French NCP's identity provider). */
  issuer?: string;
  /** Default 60 minutes; at most 4 hours. */
  lifetimeMinutes?: number;
  /** How the professional authenticated (CPS card, e-CPS app). */
  authnContextClassRef?: string;
  now?: Date;
}

export const DEFAULT_HCP_ISSUER = 'urn:idp:FR:countryB';

const PERMISSION_PREFIX = 'urn:oasis:names:tc:xspa:1.0:subject:hl7:permission:';

/**
 * Permissions to read a patient summary (PRD-003 review existing orders,
 * PRD-004 review medical history, PRD-005 review existing results, PRD-006
 * review problems, PRD-010 review medications, PRD-016 review allergies,
 * PRD-046 read patient summary), as the eHDSI test tool sends them.
 */
export const PATIENT_SUMMARY_PERMISSIONS = ['PRD-003', 'PRD-004', 'PRD-005', 'PRD-006', 'PRD-010', 'PRD-016', 'PRD-046'];

function permissionUrn(p: string): string {
  return p.startsWith('urn:') ? p : `${PERMISSION_PREFIX}${p}`;
}

export function buildHcpAssertion(identity: HcpIdentity, keys: SigningKeys, opts: HcpAssertionOptions = {}): BuiltAssertion {
  const role = iscoRoleFor(identity.profession);
  return buildSignedAssertion(
    {
      kind: 'hcp',
      issuer: opts.issuer ?? DEFAULT_HCP_ISSUER,
      nameId: identity.subjectId,
      lifetimeMs: (opts.lifetimeMinutes ?? 60) * 60_000,
      now: opts.now,
      authnContextClassRef: opts.authnContextClassRef ?? 'urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract',
      attributes: [
        { name: SAML.attr.homeCommunityId, friendlyName: 'HCI Identifier', values: [identity.homeCommunityId] },
        { name: SAML.attr.subjectId, friendlyName: 'XSPA Subject', values: [identity.displayName] },
        { name: SAML.attr.role, friendlyName: 'XSPA Role', values: [{ hl7Element: 'Role', code: role.code, codeSystem: ISCO_CODE_SYSTEM, codeSystemName: 'ISCO', displayName: role.displayName }] },
        { name: SAML.attr.organization, friendlyName: 'XSPA Organization', values: [identity.organisation.name] },
        { name: SAML.attr.organizationId, friendlyName: 'XSPA Organization ID', values: [identity.organisation.id] },
        { name: SAML.attr.purposeOfUse, friendlyName: 'XSPA Purpose of Use', values: [purposeOfUseValue(identity.purposeOfUse)] },
        { name: SAML.attr.facilityType, friendlyName: 'XSPA Healthcare Facility', values: [identity.facilityType] },
        { name: SAML.attr.locality, friendlyName: 'XSPA Locality', values: identity.locality ? [identity.locality] : [] },
        { name: SAML.attr.permission, friendlyName: 'Hl7 Permissions', values: (identity.permissions ?? PATIENT_SUMMARY_PERMISSIONS).map(permissionUrn) },
      ],
    },
    keys,
  );
}
