/**
 * The one place where the final HTTP status of a /fhir answer is known
 * before its bytes leave: the body is serialised first, then the hooks
 * registered by the handler (the journey's audit records) and the observer
 * (the audit of requests no handler recorded: refused tokens, malformed
 * requests) run with that status, then the answer is written. An error
 * raised after the handler (serialisation, subsetting) is an answer like
 * any other: the hooks run with its status. When a hook cannot do its work
 * (the audit cannot be written), the answer becomes a 503 and nothing is served.
 */
import type { Request, Response } from 'express';
import type { AuditSubtype } from '../audit/index.js';
import { FhirError } from '../kernel/errors.js';
import type { AnswerHook } from '../kernel/request.js';

/** How authentication went for the request, as the router saw it. */
export type AuthenticationState = 'not-attempted' | 'succeeded' | 'failed';

/** What the observer of every /fhir answer is told. */
export interface AnsweredRequest {
  req: Request;
  status: number;
  /** The error the answer reports (absent on success). */
  error?: unknown;
  /** The authenticated caller, when authentication succeeded. */
  principal?: unknown;
  authentication: AuthenticationState;
  /** The audit subtype of the interaction the request was routed to (undefined: unrouted, or no patient data). */
  subtype?: AuditSubtype;
  /** True when a handler's hook already recorded this answer (the observer then has nothing to add). */
  recorded: boolean;
}

/** Told every /fhir answer (after the handler's hooks). Rejecting turns the answer into a 503. */
export type AnswerObserver = (answer: AnsweredRequest) => Promise<void>;

interface AnswerState {
  hooks: AnswerHook[];
  observer?: AnswerObserver;
  principal?: unknown;
  authentication: AuthenticationState;
  subtype?: AuditSubtype;
  done: boolean;
}

const KEY = 'fhirAnswer';

function stateOf(res: Response): AnswerState | undefined {
  return res.locals[KEY] as AnswerState | undefined;
}

/** Starts tracking a /fhir request (the router calls it first). */
export function openAnswer(res: Response, observer?: AnswerObserver): void {
  res.locals[KEY] = { hooks: [], observer, authentication: 'not-attempted', done: false } satisfies AnswerState;
}

/** Registers work to run with the final status of the answer. */
export function whenAnswered(res: Response, hook: AnswerHook): void {
  const state = stateOf(res);
  if (!state) throw new Error('whenAnswered outside a /fhir request');
  state.hooks.push(hook);
}

export function noteAuthentication(res: Response, outcome: Exclude<AuthenticationState, 'not-attempted'>, principal?: unknown): void {
  const state = stateOf(res);
  if (!state) return;
  state.authentication = outcome;
  state.principal = outcome === 'succeeded' ? principal : undefined;
}

/** The interaction the request was routed to, for the observer. */
export function noteRoute(res: Response, subtype: AuditSubtype | undefined): void {
  const state = stateOf(res);
  if (state) state.subtype = subtype;
}

/** The answer when what must happen before it (the audit) could not be done. */
export function answerNotRecorded(): FhirError {
  return new FhirError(503, {
    code: 'transient',
    diagnostics: 'L’accès n’a pas pu être tracé : le service est momentanément indisponible (the access could not be audited)',
  }, { 'Retry-After': '30' });
}

/**
 * Runs the hooks, then the observer, with the final status; once per
 * request (a later call does nothing). Rejects with a 503 FhirError when one
 * of them fails: the caller answers that instead.
 */
export async function beforeAnswer(req: Request, res: Response, status: number, error?: unknown): Promise<void> {
  const state = stateOf(res);
  if (!state || state.done) return;
  state.done = true;
  const hooks = state.hooks.splice(0);
  try {
    for (const hook of hooks) await hook(status, error);
    await state.observer?.({
      req, status, error, principal: state.principal, authentication: state.authentication, subtype: state.subtype, recorded: hooks.length > 0,
    });
  } catch (e) {
    throw e instanceof FhirError && e.status === 503 ? e : answerNotRecorded();
  }
}
