import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from './logging/logger.js';
import { createFhirRouter, fhirErrorHandler } from './fhir/app.js';
import type { Authenticator } from './kernel/request.js';
import { FhirError } from './kernel/errors.js';
import { sendResource } from './fhir/content.js';
import type { HandlerRegistry } from './fhir/registry.js';
import { capabilityHandler } from './fhir/interactions/metadata.js';
import type { AnswerObserver } from './fhir/answer.js';
import { addressRateLimit, type FhirRateLimits } from './fhir/throttle.js';
import type { FixedWindowLimiter } from './util/rate-limit.js';
import { ANY_ORIGIN, CORS_PATHS, corsMiddleware, type CorsPolicy } from './fhir/cors.js';
import { ConfigError, type Config } from './config/config.js';
import { observeHttpRequest, renderMetrics, startDefaultMetrics } from './util/metrics.js';
import { isLoopbackAddress } from './util/source-address.js';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean>;
}

export interface AppDeps {
  registry: HandlerRegistry;
  logger: Logger;
  maxBodyBytes: number;
  publicBaseUrl?: string;
  authenticate?: Authenticator;
  readiness?: ReadinessCheck[];
  /** Extra non-FHIR routes (portal, well-known documents), mounted before /fhir. */
  mount?: (app: Express) => void;
  /** Told every /fhir answer's final status before it is sent (the audit of refused requests). */
  observer?: AnswerObserver;
  /** Rate limits of /fhir (per source address, per professional). */
  rateLimits?: FhirRateLimits;
  /** Rate limit per source address of the login routes (e.g. /portal/login, /portal/callback). */
  loginRateLimit?: { limiter: FixedWindowLimiter; paths: string[] };
  /** Browser apps allowed on /fhir and the SMART discovery document (default: any origin). */
  cors?: CorsPolicy;
  /** Proxies whose X-Forwarded-For is believed (Express 'trust proxy': loopback, CIDR ranges…). */
  trustProxy?: string[];
  /** The bearer token /metrics asks for (metrics.token); unset: /metrics answers loopback callers only. */
  metricsToken?: string;
}

/** The setting of the /metrics token, and its shortest length. */
export const METRICS_TOKEN_SETTING = 'metrics.token (METRICS_TOKEN)';
const MIN_METRICS_TOKEN_LENGTH = 16;

/** The /metrics token of the configuration, if set (a short one stops the start: ConfigError). */
export function metricsTokenFromConfig(config: Pick<Config, 'get'>): string | undefined {
  const token = config.get('metrics.token') as string | undefined;
  if (token === undefined) return undefined;
  if (token.length < MIN_METRICS_TOKEN_LENGTH || /\s/.test(token)) {
    throw new ConfigError(METRICS_TOKEN_SETTING, `must be at least ${MIN_METRICS_TOKEN_LENGTH} characters, without spaces (e.g. openssl rand -hex 32)`);
  }
  return token;
}

/**
 * Who may read /metrics: with a token, whoever presents it (Bearer); without,
 * a loopback caller only — and not a request a proxy on this host forwarded
 * (X-Forwarded-For, Forwarded), which may come from anywhere.
 */
function metricsRefusal(req: Request, token: string | undefined): 401 | 403 | undefined {
  if (token !== undefined) {
    const presented = /^Bearer +(\S+)\s*$/i.exec(req.get('authorization') ?? '')?.[1];
    const digest = (t: string) => createHash('sha256').update(t).digest();
    return presented !== undefined && timingSafeEqual(digest(presented), digest(token)) ? undefined : 401;
  }
  const proxied = req.get('x-forwarded-for') !== undefined || req.get('forwarded') !== undefined;
  return !proxied && isLoopbackAddress(req.socket.remoteAddress) ? undefined : 403;
}

export interface ReadinessResult {
  name: string;
  ok: boolean;
}

/** Runs every readiness check (a check that throws is not ready): the answer of /ready. */
export async function readinessReport(checks: readonly ReadinessCheck[]): Promise<{ ready: boolean; body: { status: 'ready' | 'not ready'; checks: ReadinessResult[]; failing?: string[] } }> {
  const results = await Promise.all(checks.map(async (c) => {
    try {
      return { name: c.name, ok: (await c.check()) === true };
    } catch {
      return { name: c.name, ok: false };
    }
  }));
  const failing = results.filter((r) => !r.ok).map((r) => r.name);
  const ready = failing.length === 0;
  return { ready, body: { status: ready ? 'ready' : 'not ready', checks: results, ...(ready ? {} : { failing }) } };
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** One structured line per request: id, method, route pattern, status, duration (and the same in the metrics). Never bodies or query values. */
function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const reqId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = reqId;
    res.setHeader('X-Request-Id', reqId);
    res.on('finish', () => {
      const route = res.locals.routePattern ?? (req.route?.path as string | undefined) ?? 'unmatched';
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info({ reqId, method: req.method, route, status: res.statusCode, durationMs }, 'request');
      // The metrics take the same route pattern, never the URL (it carries patient ids).
      observeHttpRequest(req.method, String(route), res.statusCode, durationMs / 1000);
    });
    next();
  };
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  // Only named proxies are believed: req.ip (audit, rate limits) is otherwise the socket's peer.
  if (deps.trustProxy?.length) app.set('trust proxy', deps.trustProxy);
  app.use(requestLog(deps.logger));

  app.get('/health', (_req, res) => {
    res.locals.routePattern = '/health';
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    res.locals.routePattern = '/ready';
    const { ready, body } = await readinessReport(deps.readiness ?? []);
    res.set('Cache-Control', 'no-store').status(ready ? 200 : 503).json(body);
  });
  // Prometheus metrics: outside /fhir (neither audited nor rate-limited), for the scraper only.
  startDefaultMetrics();
  app.get('/metrics', async (req, res, next) => {
    res.locals.routePattern = '/metrics';
    res.set('Cache-Control', 'no-store');
    const refusal = metricsRefusal(req, deps.metricsToken);
    if (refusal === 401) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="metrics"').type('text/plain').send('metrics: bearer token required\n');
      return;
    }
    if (refusal === 403) {
      res.status(403).type('text/plain').send('metrics: loopback callers only (set METRICS_TOKEN to scrape from elsewhere)\n');
      return;
    }
    try {
      const { contentType, text } = await renderMetrics();
      res.type(contentType).send(text);
    } catch (e) {
      next(e);
    }
  });

  if (deps.loginRateLimit) app.use(deps.loginRateLimit.paths, addressRateLimit(deps.loginRateLimit.limiter));
  // CORS headers and preflights before the SMART discovery routes (in mount) and the FHIR router.
  app.use(CORS_PATHS, corsMiddleware(deps.cors ?? ANY_ORIGIN));
  deps.mount?.(app);

  const startedAt = new Date();
  const capability = capabilityHandler(deps.registry, startedAt);
  app.use('/fhir', createFhirRouter({
    registry: deps.registry,
    logger: deps.logger,
    maxBodyBytes: deps.maxBodyBytes,
    publicBaseUrl: deps.publicBaseUrl,
    authenticate: deps.authenticate,
    capability,
    observer: deps.observer,
    rateLimits: deps.rateLimits,
  }));
  app.use((req: Request, res: Response) => {
    res.locals.routePattern = 'unmatched';
    sendResource(req, res, FhirError.notFound(`No route ${req.method} ${req.path}`).toOperationOutcome(), 404, 'json');
  });
  app.use(fhirErrorHandler(deps.logger));
  return app;
}
