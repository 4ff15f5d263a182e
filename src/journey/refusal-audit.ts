import {
  OPERATOR_OWNER, UNIDENTIFIED_AGENT, auditableAddress, auditableClientId, outcomeOfStatus, type AuditAgent, type AuditSubtype, type AuditTrail,
} from '../audit/index.js';
import { AuthenticationFailedError, EligibilityRefusedError } from '../auth/authenticator.js';
import { isAuthenticatedProfessional } from '../auth/professional.js';
import { text, type PscUserInfo } from '../auth/psc-userinfo.js';
import type { AnswerObserver } from '../fhir/answer.js';
import type { Authenticator } from '../fhir/app.js';
import { sourceAddressOf } from '../fhir/throttle.js';
import type { PortalLoginAudit } from '../web/portal.js';
import { auditAgentOf } from './professional.js';

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

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** The patient a /fhir/Patient/{id}… URL names, when it is a valid FHIR id. */
function patientOfUrl(url: string): string | undefined {
  const [type, id] = url.split('?')[0].split('/').filter(Boolean).slice(1);
  return type === 'Patient' && id !== undefined && FHIR_ID.test(id) ? id : undefined;
}

/** Answers refused before any processing that are audited for an identified professional. */
const REJECTIONS = new Set([400, 406, 413, 415, 429]);

export interface RequestAuditorOptions {
  trail: AuditTrail;
  /**
   * To find out, for the audit only, who sent a request refused before its
   * token was looked at (a malformed body, an unacceptable Accept).
   */
  authenticate?: Authenticator;
}

/**
 * The audit of the /fhir answers no journey step recorded, with the outcome
 * of the HTTP answer:
 * - 401 (no token, refused token): a security event (DICOM 110114 User
 *   Authentication, outcome 4), owned by the operator (no professional sees
 *   it), naming the reason code, the client the token claims and the source
 *   address — never the token;
 * - 403 for an ineligible professional on patient data: refused, under their
 *   name, with the refusing rules;
 * - 400, 406, 413, 415 and 429 from an identified professional: under their
 *   name, as the patient-data interaction the request was (else
 *   rejected-request), with the HTTP status. A 429 is audited only when the
 *   professional was already identified (the per-professional limit): a
 *   request throttled by its address is not looked into.
 */
export function requestAuditor(opts: RequestAuditorOptions): AnswerObserver {
  return async (answer) => {
    if (answer.recorded) return;
    const { req, status, error } = answer;
    const requestId = String(req.res?.locals.requestId ?? 'unknown');
    const sourceAddress = auditableAddress(sourceAddressOf(req));
    if (status === 401) {
      const failed = error instanceof AuthenticationFailedError ? error : undefined;
      await opts.trail.record({
        owner: OPERATOR_OWNER,
        agent: UNIDENTIFIED_AGENT,
        subtype: 'authentication',
        outcome: 'refused',
        outcomeDetail: failed?.reason ?? 'http-401',
        requestId,
        clientId: auditableClientId(failed?.claimedClientId),
        sourceAddress,
      });
      return;
    }
    if (status === 403 && error instanceof EligibilityRefusedError) {
      const subtype = patientDataSubtype(req.method, req.originalUrl);
      if (!subtype) return;
      await opts.trail.record({
        owner: error.userInfo.SubjectNameID,
        agent: refusedAgent(error.userInfo),
        subtype,
        outcome: 'refused',
        outcomeDetail: error.refusals.map((r) => r.code).join('|'),
        requestId,
        patientHandle: patientOfUrl(req.originalUrl),
        sourceAddress,
      });
      return;
    }
    if (!REJECTIONS.has(status)) return;
    let principal = answer.principal;
    if (principal === undefined && answer.authentication === 'not-attempted' && status !== 429 && opts.authenticate && req.headers.authorization) {
      principal = await opts.authenticate(req).catch(() => undefined);
    }
    if (!isAuthenticatedProfessional(principal)) return;
    await opts.trail.record({
      owner: principal.context.nationalId,
      agent: auditAgentOf(principal.context),
      subtype: patientDataSubtype(req.method, req.originalUrl) ?? 'rejected-request',
      outcome: outcomeOfStatus(status),
      outcomeDetail: `http-${status}`,
      requestId,
      patientHandle: patientOfUrl(req.originalUrl),
      clientId: auditableClientId(principal.token.clientId),
      sourceAddress,
    });
  };
}

/**
 * The audit of the portal's logins (security events, DICOM 110114 / Login):
 * a login that did not complete belongs to the operator (nobody identified,
 * the reason and the source address); a professional's login, successful or
 * refused by eligibility (with the rules), is theirs.
 */
export function portalLoginAuditor(trail: AuditTrail): PortalLoginAudit {
  return async (event) => {
    const common = {
      subtype: 'authentication' as const,
      requestId: String(event.req.res?.locals.requestId ?? 'unknown'),
      clientId: auditableClientId(event.clientId),
      sourceAddress: auditableAddress(sourceAddressOf(event.req)),
    };
    if (event.outcome === 'success' && event.professional) {
      const pro = event.professional.context;
      await trail.record({ ...common, owner: pro.nationalId, agent: auditAgentOf(pro), outcome: 'success' });
    } else if (event.outcome === 'refused' && event.userInfo) {
      await trail.record({
        ...common, owner: event.userInfo.SubjectNameID, agent: refusedAgent(event.userInfo), outcome: 'refused',
        outcomeDetail: (event.refusals ?? []).map((r) => r.code).join('|') || undefined,
      });
    } else {
      const outcome = outcomeOfStatus(event.status);
      await trail.record({
        ...common, owner: OPERATOR_OWNER, agent: UNIDENTIFIED_AGENT, outcome: outcome === 'success' ? 'refused' : outcome, outcomeDetail: event.reason,
      });
    }
  };
}
