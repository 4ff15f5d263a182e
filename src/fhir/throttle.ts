/**
 * Rate limits of the HTTP endpoints: 429 with Retry-After and an
 * OperationOutcome (issue code throttled) in French and English. The
 * counters are in memory (src/util/rate-limit.ts): per instance.
 */
import type { NextFunction, Request, Response } from 'express';
import type { FixedWindowLimiter } from '../util/rate-limit.js';
import { sourceAddressOf } from '../util/source-address.js';
import { FhirError } from '../kernel/errors.js';
import { sendResource } from './content.js';

export interface FhirRateLimits {
  /** Requests per source address, counted before anything else is done. */
  perAddress?: FixedWindowLimiter;
  /** Requests per authenticated caller, counted once the token is validated. */
  perPrincipal?: FixedWindowLimiter;
  /** The caller's key for perPrincipal (the professional's national id); undefined: not counted. */
  principalKey?: (principal: unknown) => string | undefined;
}


export function throttled(retryAfterSeconds: number): FhirError {
  return new FhirError(429, {
    code: 'throttled',
    details: { text: `Trop de requêtes : réessayez dans ${retryAfterSeconds} s.` },
    diagnostics: `Trop de requêtes : réessayez dans ${retryAfterSeconds} s (too many requests; retry in ${retryAfterSeconds} s)`,
  }, { 'Retry-After': String(retryAfterSeconds) });
}

/** Counts one request of `key`; throws the 429 when over the limit. */
export function enforce(limiter: FixedWindowLimiter | undefined, key: string | undefined): void {
  if (!limiter || key === undefined) return;
  const decision = limiter.take(key);
  if (!decision.allowed) throw throttled(decision.retryAfterSeconds);
}

/**
 * Per-address limit of non-FHIR routes (the portal's login): the same 429,
 * as an HTML page for a browser, else the OperationOutcome.
 */
export function addressRateLimit(limiter: FixedWindowLimiter) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const decision = limiter.take(sourceAddressOf(req));
    if (decision.allowed) return next();
    const error = throttled(decision.retryAfterSeconds);
    res.locals.routePattern ??= req.baseUrl || req.path;
    res.setHeader('Retry-After', String(decision.retryAfterSeconds));
    res.setHeader('Cache-Control', 'no-store');
    if (req.accepts(['html', 'json']) === 'html') {
      res.status(429).type('html').send(`<!doctype html><html lang="fr"><meta charset="utf-8"><title>Trop de requêtes</title>`
        + `<p>Trop de tentatives de connexion depuis cette adresse : réessayez dans ${decision.retryAfterSeconds} s.</p>`
        + `<p lang="en">Too many login attempts from this address; retry in ${decision.retryAfterSeconds} s.</p></html>`);
      return;
    }
    sendResource(req, res, error.toOperationOutcome(), 429, 'json');
  };
}
