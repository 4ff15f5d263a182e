import type { AuditAgent } from '../audit/index.js';
import type { ProfessionalContext } from '../auth/professional-context.js';
import { requireProfessional } from '../auth/professional.js';
import type { RequestContext } from '../kernel/request.js';
import { text, type PscUserInfo } from '../auth/psc-userinfo.js';

/** Who is calling: the professional context of the authenticated principal. Throws 401 when there is none. */
export type ProfessionalResolver = (ctx: RequestContext) => ProfessionalContext;

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

/** A professional refused by eligibility, as the audit names them: their first practice, if they have one. */
export function refusedAgentOf(who: PscUserInfo): AuditAgent {
  const exercice = who.SubjectRefPro?.exercices?.[0];
  const activity = exercice?.activities?.[0];
  const name = [text(exercice?.prenomDexercice) ?? text(who.given_name), text(exercice?.nomDexercice) ?? text(who.family_name)].filter(Boolean).join(' ');
  return {
    nationalId: who.SubjectNameID,
    name: name || who.SubjectNameID,
    profession: { code: text(exercice?.codeProfession) ?? 'unknown' },
    practiceSituation: {
      organisationName: text(activity?.raisonSocialeSite) ?? text(activity?.enseigneCommercialeSite) ?? "(aucune situation d'exercice)",
      mode: text(activity?.codeModeExercice) ?? '',
    },
  };
}
