/** Shapes shared by the SAML builders and the verifier. */

export type PurposeOfUse = 'TREATMENT' | 'EMERGENCY';

/** The professional an HCP identity assertion speaks for (built from the PSC identity). */
export interface HcpIdentity {
  /** PSC national id (SubjectNameID: type digit + RPPS/ADELI). */
  subjectId: string;
  displayName: string;
  profession: {
    /** TRE_G15 code, e.g. '10' médecin, '60' infirmier, '21' pharmacien. */
    code: string;
    category?: string;
    specialty?: string;
    /** TRE_R85 role, when it says more than the profession (pharmacy preparers). */
    role?: string;
  };
  organisation: {
    name: string;
    /** e.g. urn:oid:1.2.250.1.71.4.2.2|<FINESS/SIRET>. */
    id: string;
  };
  /** eHDSI facility type: Hospital | Resident Physician | Pharmacy | Other. */
  facilityType: string;
  homeCommunityId: string;
  locality?: string;
  purposeOfUse: PurposeOfUse;
  /** XSPA HL7 permissions (full URNs or bare PRD-xxx codes); defaults by role. */
  permissions?: string[];
}

export interface PatientId {
  root: string;
  extension: string;
}

export interface BuiltAssertion {
  xml: string;
  id: string;
  notBefore: Date;
  notOnOrAfter: Date;
}

export const ASSERTION_KINDS = ['hcp', 'trc'] as const;
export type AssertionKind = (typeof ASSERTION_KINDS)[number];

/** Facts of this specification (docs/references.md#saml-assertions-hcp-identity-and-trc). */
export const SAML = {
  issuerQualifier: { hcp: 'urn:ehdsi:assertions:hcp', trc: 'urn:ehdsi:assertions:trc' } as Record<AssertionKind, string>,
  maxLifetimeMs: { hcp: 4 * 3600_000, trc: 2 * 3600_000 } as Record<AssertionKind, number>,
  nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
  senderVouches: 'urn:oasis:names:tc:SAML:2.0:cm:sender-vouches',
  attrNameFormat: 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
  xborderAudience: 'urn:ehdsi:assertions.audience:x-border',
  previousSession: 'urn:oasis:names:tc:SAML:2.0:ac:classes:PreviousSession',
  purposeOfUseSystem: '2.16.840.1.113883.3.18.7.1',
  attr: {
    homeCommunityId: 'urn:ihe:iti:xca:2010:homeCommunityId',
    subjectId: 'urn:oasis:names:tc:xspa:1.0:subject:subject-id',
    role: 'urn:oasis:names:tc:xacml:2.0:subject:role',
    organization: 'urn:oasis:names:tc:xspa:1.0:subject:organization',
    organizationId: 'urn:oasis:names:tc:xspa:1.0:subject:organization-id',
    purposeOfUse: 'urn:oasis:names:tc:xspa:1.0:subject:purposeofuse',
    facilityType: 'urn:ehdsi:names:subject:healthcare-facility-type',
    locality: 'urn:oasis:names:tc:xspa:1.0:environment:locality',
    permission: 'urn:oasis:names:tc:xspa:1.0:subject:hl7:permission',
  },
} as const;

/** HL7 CX form of a patient identifier used by XCA and the TRC: ext^^^&root&ISO. */
export function patientIdToCx(id: PatientId): string {
  return `${id.extension}^^^&${id.root}&ISO`;
}

/** Parses ext^^^&root&ISO back; undefined when it is not that shape. */
export function patientIdFromCx(cx: string): PatientId | undefined {
  const m = /^(.+)\^\^\^&([0-9.]+)&ISO$/.exec(cx.trim().replace(/^'|'$/g, ''));
  return m ? { extension: m[1], root: m[2] } : undefined;
}
