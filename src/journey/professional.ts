import type { AuditAgent } from '../audit/index.js';
import type { ProfessionalContext } from '../auth/professional-context.js';
import { requireProfessional } from '../auth/professional.js';
import type { FhirContext } from '../fhir/registry.js';

/** Who is calling: the professional context of the authenticated principal. Throws 401 when there is none. */
export type ProfessionalResolver = (ctx: FhirContext) => ProfessionalContext;

/** Default resolver: the professional the PSC authenticator found eligible (401 without one). */
export const professionalFromPrincipal: ProfessionalResolver = (ctx) => requireProfessional(ctx).context;

/** The professional as the audit trail records them (codes and names, no patient data). */
export function auditAgentOf(pro: ProfessionalContext): AuditAgent {
  const siteId = pro.practice.siteIds[0]?.value;
  return {
    nationalId: pro.nationalId,
    name: pro.displayName,
    profession: { code: pro.profession.code, ...(pro.profession.display ? { display: pro.profession.display } : {}) },
    practiceSituation: { organisationName: pro.practice.organisationName, mode: pro.practice.mode.code, ...(siteId ? { siteId } : {}) },
  };
}
