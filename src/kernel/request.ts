/**
 * What every layer may know of the request it serves: its id, the FHIR base
 * the client sees, the authenticated caller, and a way to act once the final
 * HTTP status is known. The REST layer builds it; the journey, auth and
 * audit read it without depending on the REST layer.
 */
import type { Request } from 'express';
import type { CapabilityStatementRestSecurity } from './types.js';

/** Runs once the final status of the answer is known, before it is sent (e.g. writes an audit record); `error` is what the answer reports, as thrown. */
export type AnswerHook = (status: number, error?: unknown) => Promise<void>;

export interface RequestContext {
  requestId: string;
  /** Base URL of the FHIR endpoint as the client sees it, e.g. http://localhost:8080/fhir */
  baseUrl: string;
  /** The authenticated caller, set by the authenticator (undefined for public routes). */
  principal?: unknown;
  /** The client's address (audit records). */
  sourceAddress?: string;
  /**
   * Registers work to run once the final HTTP status of the answer is known,
   * before it is sent (the audit record follows that status).
   */
  whenAnswered: (hook: AnswerHook) => void;
}

/** Verifies the caller of a non-public interaction; throws a 401/403 FhirError when refused. */
export type Authenticator = (req: Request) => Promise<unknown>;

/** Contributes extra parts to the CapabilityStatement (e.g. rest.security from the auth layer). */
export interface CapabilityContributor {
  security?: () => CapabilityStatementRestSecurity | undefined;
}
