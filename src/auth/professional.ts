import { FhirError } from '../kernel/errors.js';
import type { RequestContext } from '../kernel/request.js';
import type { ProfessionalContext } from './professional-context.js';
import type { PscUserInfo } from './psc-userinfo.js';

/** The caller of a /fhir interaction once its PSC bearer token was validated and found eligible. */
export interface AuthenticatedProfessional {
  kind: 'psc-professional';
  userInfo: PscUserInfo;
  context: ProfessionalContext;
  /** Id of the professional's Practitioner resource (SMART fhirUser: Practitioner/<id>). */
  practitionerId: string;
  token: {
    /** Client the token was issued to (azp / client_id). */
    clientId?: string;
    /** Epoch seconds. */
    expiresAt: number;
    acr?: string;
    scope?: string;
  };
}

export function isAuthenticatedProfessional(v: unknown): v is AuthenticatedProfessional {
  return v !== null && typeof v === 'object' && (v as AuthenticatedProfessional).kind === 'psc-professional';
}

/** The professional behind a handler's request; 401 when the route was reached without one. */
export function requireProfessional(ctx: Pick<RequestContext, 'principal'>): AuthenticatedProfessional {
  if (!isAuthenticatedProfessional(ctx.principal)) {
    throw new FhirError(401, { code: 'login', diagnostics: 'This interaction needs a Pro Santé Connect access token' }, { 'WWW-Authenticate': 'Bearer realm="fhir"' });
  }
  return ctx.principal;
}

const ID_SAFE = /^[A-Za-z0-9\-.]{1,58}$/;

/** Stable Practitioner id of a professional: psc-<national id>. */
export function practitionerIdOf(nationalId: string): string {
  if (ID_SAFE.test(nationalId)) return `psc-${nationalId}`;
  return `psc-${Buffer.from(nationalId, 'utf8').toString('hex').slice(0, 58)}`;
}
