import type { RequestHandler } from 'express';
import { ConfigError, type Config } from '../config/config.js';

/**
 * CORS for browser apps (SMART App Launch) on the FHIR endpoint and the SMART
 * discovery documents. Callers authenticate with a bearer token, never a
 * cookie: no Access-Control-Allow-Credentials, and `*` is safe for any origin.
 * Preflights are answered here, before the FHIR router (which would answer
 * OPTIONS with 405). An origin that is not allowed gets no CORS headers — the
 * browser then refuses the answer — and never an error: a client outside a
 * browser sending Origin is served as if it had not.
 */

/** Where browser apps may call (each with everything under it): mounted before these routes. */
export const CORS_PATHS = ['/fhir', '/.well-known/smart-configuration'];

/** Any origin (`*`), or the allowed origins (serialised as browsers send them); an empty set is CORS off. */
export interface CorsPolicy {
  allow: '*' | ReadonlySet<string>;
}

export const ANY_ORIGIN: CorsPolicy = { allow: '*' };

const ALLOW_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
const ALLOW_HEADERS = 'Authorization, Content-Type, Content-Encoding, Accept, Accept-Language, Prefer, If-Match, If-None-Match, If-Modified-Since, If-None-Exist, X-Request-Id';
const EXPOSE_HEADERS = 'Location, ETag, Last-Modified, Content-Location, X-Request-Id, WWW-Authenticate, Retry-After';
/** How long a browser may keep a preflight's answer (Chromium keeps it 2 h at most). */
const MAX_AGE_SECONDS = 7200;

const SETTING = 'fhir.corsOrigins (FHIR_CORS_ORIGINS)';

export function corsEnabled(policy: CorsPolicy): boolean {
  return policy.allow === '*' || policy.allow.size > 0;
}

/** One allowed origin as browsers send it in Origin: scheme://host[:port], lower case, no default port. */
function parseOrigin(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
    throw new ConfigError(SETTING, `expected * , none or origins such as https://app.example.org (scheme, host and port, no path), got "${value}"`);
  }
  return url.origin;
}

/** The policy of the setting's values: ["*"] any origin, ["none"] or [] off, else the listed origins. */
export function corsPolicy(values: readonly string[]): CorsPolicy {
  if (values.length > 1 && values.some((v) => v === '*' || v === 'none')) {
    throw new ConfigError(SETTING, '* and none stand alone, not in a list of origins');
  }
  if (values[0] === '*') return ANY_ORIGIN;
  if (values[0] === 'none') return { allow: new Set() };
  return { allow: new Set(values.map(parseOrigin)) };
}

export function corsPolicyFromConfig(config: Pick<Config, 'get'>): CorsPolicy {
  return corsPolicy((config.get('fhir.corsOrigins') as string[] | undefined) ?? ['*']);
}

/** The CORS headers of every answer under CORS_PATHS, and the answer to preflights. */
export function corsMiddleware(policy: CorsPolicy): RequestHandler {
  const anyOrigin = policy.allow === '*';
  return (req, res, next) => {
    if (!corsEnabled(policy)) return next();
    const origin = req.get('origin');
    // With a list, the answer depends on Origin: caches must keep one per origin.
    if (!anyOrigin) res.vary('Origin');
    const allowed = anyOrigin || (origin !== undefined && (policy.allow as ReadonlySet<string>).has(origin));
    if (allowed) res.set('Access-Control-Allow-Origin', anyOrigin ? '*' : origin);
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.get('access-control-request-method') !== undefined;
    if (!preflight) {
      if (allowed) res.set('Access-Control-Expose-Headers', EXPOSE_HEADERS);
      next();
      return;
    }
    res.locals.routePattern = `${req.baseUrl} (CORS preflight)`;
    if (allowed) {
      res.set({
        'Access-Control-Allow-Methods': ALLOW_METHODS,
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': String(MAX_AGE_SECONDS),
      });
    }
    res.status(204).end();
  };
}
