/**
 * The audit of the /fhir answers no audited interaction recorded: refused
 * tokens, ineligible professionals, requests refused before their handler.
 * The interaction a request was is the one it was routed to (its
 * registration's `audit`).
 */
import {
  OPERATOR_OWNER, UNIDENTIFIED_AGENT, auditableAddress, auditableClientId, outcomeOfStatus, type AuditTrail,
} from '../audit/index.js';
import { AuthenticationFailedError, EligibilityRefusedError } from '../auth/authenticator.js';
import { isAuthenticatedProfessional } from '../auth/professional.js';
import type { Authenticator } from '../kernel/request.js';
import { auditAgentOf, refusedAgentOf } from '../journey/index.js';
import type { AnswerObserver } from './answer.js';
import { sourceAddressOf } from '../util/source-address.js';

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
      const subtype = answer.subtype;
      if (!subtype) return;
      await opts.trail.record({
        owner: error.userInfo.SubjectNameID,
        agent: refusedAgentOf(error.userInfo),
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
      subtype: answer.subtype ?? 'rejected-request',
      outcome: outcomeOfStatus(status),
      outcomeDetail: `http-${status}`,
      requestId,
      patientHandle: patientOfUrl(req.originalUrl),
      clientId: auditableClientId(principal.token.clientId),
      sourceAddress,
    });
  };
}
