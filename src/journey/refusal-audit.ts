import type { Request } from 'express';
import type { AuditAgent, AuditSubtype, AuditTrail } from '../audit/index.js';
import { EligibilityRefusedError } from '../auth/authenticator.js';
import { text, type PscUserInfo } from '../auth/psc-userinfo.js';
import type { Authenticator } from '../fhir/app.js';

/**
 * Which journey interaction a request is, from its method and path; undefined
 * when it touches no patient data (metadata, countries, masks, oneself).
 */
export function patientDataSubtype(method: string, url: string): AuditSubtype | undefined {
  const segments = url.split('?')[0].split('/').filter(Boolean);
  if (segments[0] !== 'fhir') return undefined;
  const [type, id, third] = segments.slice(1);
  const get = method === 'GET';
  switch (type) {
    case 'Patient':
      if (!id) return get ? 'search-patient' : undefined;
      if (id === '$match') return 'match-patient';
      if (id === '_search') return 'search-patient';
      if (third === '$summary') return 'summary-read';
      return get ? 'patient-read' : undefined;
    case 'Consent':
      if (!id) return method === 'POST' ? 'consent-create' : 'consent-search';
      return 'consent-read';
    case 'DocumentReference':
      return id ? 'document-reference-read' : 'document-search';
    case 'Binary':
      return 'document-read';
    case 'AuditEvent':
      return 'audit-read';
    default:
      return undefined;
  }
}

/** The refused professional as the audit names them: their first practice, if they have one. */
function refusedAgent(who: PscUserInfo): AuditAgent {
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

/**
 * Wraps the authenticator so that an identified but ineligible professional's
 * attempt on patient data is audited (refused, with the refusing rules) before
 * the 403 goes out. Anonymous or invalid tokens cannot be attributed to anyone:
 * they are left to the request log.
 */
export function auditingEligibilityRefusals(authenticate: Authenticator, trail: AuditTrail): Authenticator {
  return async (req: Request) => {
    try {
      return await authenticate(req);
    } catch (e) {
      if (e instanceof EligibilityRefusedError) {
        const subtype = patientDataSubtype(req.method, req.originalUrl);
        if (subtype) {
          await trail.record({
            owner: e.userInfo.SubjectNameID,
            agent: refusedAgent(e.userInfo),
            subtype,
            outcome: 'refused',
            outcomeDetail: e.refusals.map((r) => r.code).join(','),
            requestId: String(req.res?.locals.requestId ?? 'unknown'),
          });
        }
      }
      throw e;
    }
  };
}
