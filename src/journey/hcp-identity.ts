import type { ProfessionalContext } from '../auth/professional-context.js';
import type { HcpIdentity, PurposeOfUse } from '../ehdsi/saml/types.js';

const NATIONAL_STRUCTURE_ID = 'urn:oid:1.2.250.1.71.4.2.2';
const NATIONAL_PRACTITIONER_ID = 'urn:oid:1.2.250.1.71.4.2.1';

/**
 * The HCP identity assertion's subject from the session's professional
 * context: national id, profession (ISCO role derived by the SAML layer),
 * place of practice (national structure id when known, else the
 * professional's own id for a practice without one), facility type, city.
 */
export function hcpIdentityOf(pro: ProfessionalContext, homeCommunityId: string, purposeOfUse: PurposeOfUse): HcpIdentity {
  const organisationId = pro.practice.nationalStructureId
    ? `${NATIONAL_STRUCTURE_ID}|${pro.practice.nationalStructureId}`
    : `${NATIONAL_PRACTITIONER_ID}|${pro.nationalId}`;
  return {
    subjectId: pro.nationalId,
    displayName: pro.displayName,
    profession: {
      code: pro.profession.code,
      ...(pro.category ? { category: pro.category.code } : {}),
      ...(pro.specialty ? { specialty: pro.specialty.code } : {}),
      ...(pro.role ? { role: pro.role } : {}),
    },
    organisation: { name: pro.practice.organisationName, id: organisationId },
    facilityType: pro.practice.facilityType,
    homeCommunityId,
    ...(pro.practice.address.city ? { locality: pro.practice.address.city } : {}),
    purposeOfUse,
  };
}
