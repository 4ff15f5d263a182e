import type { Request } from 'express';
import { decodeJwt } from 'jose';
import type { Authenticator } from '../kernel/request.js';
import { FhirError, type IssueInit } from '../kernel/errors.js';
import type { Logger } from '../logging/logger.js';
import { ELIGIBILITY_SYSTEM, evaluateEligibility, type Refusal } from './eligibility/index.js';
import { practitionerIdOf, type AuthenticatedProfessional } from './professional.js';
import { toProfessionalContext } from './professional-context.js';
import type { PscUserInfo } from './psc-userinfo.js';
import { PscUnavailable, TokenRejected, type BearerTokenValidator } from './token-validator.js';

const REALM = 'Bearer realm="fhir"';

function quoted(s: string): string {
  return s.replace(/["\\]/g, '');
}

/**
 * A 401: no token, or a token refused. It carries, for the security audit,
 * the reason as a code and the client id the token claims (read without
 * verifying it, when the token is a JWT) — never the token.
 */
export class AuthenticationFailedError extends FhirError {
  constructor(diagnostics: string, readonly reason: string, error?: string, readonly claimedClientId?: string) {
    const challenge = error ? `${REALM}, error="${error}", error_description="${quoted(diagnostics)}"` : REALM;
    super(401, { code: 'login', diagnostics }, { 'WWW-Authenticate': challenge });
    this.name = 'AuthenticationFailedError';
  }
}

/** The azp (else client_id) a JWT claims, unverified: only to name the client in the audit of a refusal. */
function claimedClientId(token: string): string | undefined {
  try {
    const claims = decodeJwt(token);
    const id = typeof claims.azp === 'string' ? claims.azp : claims.client_id;
    return typeof id === 'string' && id.length <= 128 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** One OperationOutcome issue per refusing rule, its stable code in details.coding. */
export function refusalIssues(refusals: readonly Refusal[]): IssueInit[] {
  return refusals.map((r) => ({
    code: 'forbidden',
    details: { coding: [{ system: ELIGIBILITY_SYSTEM, code: r.code, display: r.messages.fr }], text: r.messages.en },
    diagnostics: `${r.code}: ${r.messages.fr} / ${r.messages.en}`,
  }));
}

/**
 * A 403 for an authenticated but ineligible professional. It carries who was
 * refused (never serialised) so the refusal of an access to patient data can
 * be audited under their name.
 */
export class EligibilityRefusedError extends FhirError {
  constructor(readonly userInfo: PscUserInfo, readonly refusals: readonly Refusal[]) {
    super(403, refusalIssues(refusals));
    this.name = 'EligibilityRefusedError';
  }
}

/** Eligibility then context, shared by the bearer-token path and the portal login. */
export function admitProfessional(userInfo: PscUserInfo, token: AuthenticatedProfessional['token'], now: Date = new Date()):
  { allowed: true; professional: AuthenticatedProfessional } | { allowed: false; refusals: Refusal[] } {
  const decision = evaluateEligibility(userInfo, now);
  if (!decision.allowed) return { allowed: false, refusals: decision.refusals };
  const context = toProfessionalContext(userInfo, decision.situation);
  return {
    allowed: true,
    professional: { kind: 'psc-professional', userInfo, context, practitionerId: practitionerIdOf(context.nationalId), token },
  };
}

const BEARER = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * The FHIR authenticator: `Authorization: Bearer <PSC access token>`, 401 with
 * WWW-Authenticate when missing or invalid, 502 when PSC cannot be asked, 403
 * naming the eligibility rule(s) when the professional may not use the service.
 */
export function pscAuthenticator(validator: BearerTokenValidator, logger: Logger): Authenticator {
  return async (req: Request) => {
    const header = req.headers.authorization;
    if (!header) throw new AuthenticationFailedError('This interaction needs Authorization: Bearer <Pro Santé Connect access token>', 'no-token');
    const token = BEARER.exec(header.trim())?.[1];
    if (!token) throw new AuthenticationFailedError('The Authorization header must be "Bearer <access token>"', 'malformed-authorization', 'invalid_request');
    let validated;
    try {
      validated = await validator.validate(token);
    } catch (e) {
      if (e instanceof TokenRejected) throw new AuthenticationFailedError(`Access token refused: ${e.reason}`, `token-${e.code}`, 'invalid_token', claimedClientId(token));
      if (e instanceof PscUnavailable) {
        logger.warn({ err: e.message }, 'Pro Santé Connect unavailable');
        throw new FhirError(502, { code: 'transient', diagnostics: 'Pro Santé Connect could not be reached to validate the access token' });
      }
      throw e;
    }
    const admitted = admitProfessional(validated.userInfo, {
      clientId: validated.clientId, expiresAt: validated.expiresAt, acr: validated.acr, scope: validated.scope,
    });
    if (!admitted.allowed) {
      logger.info({ rules: admitted.refusals.map((r) => r.code) }, 'professional refused by eligibility');
      throw new EligibilityRefusedError(validated.userInfo, admitted.refusals);
    }
    return admitted.professional;
  };
}
