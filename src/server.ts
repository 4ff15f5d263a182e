import { randomUUID } from 'node:crypto';
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
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** One structured line per request: id, method, route pattern, status, duration. Never bodies or query values. */
function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const incoming = req.get('x-request-id');
    const reqId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = reqId;
    res.setHeader('X-Request-Id', reqId);
    res.on('finish', () => {
      logger.info({
        reqId,
        method: req.method,
        route: res.locals.routePattern ?? (req.route?.path as string | undefined) ?? 'unmatched',
        status: res.statusCode,
        durationMs: Number(process.hrtime.bigint() - started) / 1e6,
      }, 'request');
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
    const results = await Promise.all((deps.readiness ?? []).map(async (c) => {
      try {
        return { name: c.name, ok: await c.check() };
      } catch {
        return { name: c.name, ok: false };
      }
    }));
    const ready = results.every((r) => r.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks: results });
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
