import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from '../logging/logger.js';
import { FhirError, operationOutcome } from '../kernel/errors.js';
import { bodyKind, bodyReadError, hasUnexpectedBody, isPretty, negotiate, parseResourceBody, precheckResourceBody, sendResource, serialise } from './content.js';
import type { FhirContext, FhirResult, HandlerRegistration, HandlerRegistry } from './registry.js';
import { assertValidResource, isResourceType } from './validation.js';
import { applySubsetting, checkSubsettingParams } from './subsetting.js';
import type { Resource } from '../kernel/types.js';
import { beforeAnswer, noteAuthentication, noteRoute, openAnswer, whenAnswered, type AnswerObserver } from './answer.js';
import { enforce, type FhirRateLimits } from './throttle.js';
import { sourceAddressOf } from '../util/source-address.js';
import type { Authenticator } from '../kernel/request.js';
import { GatewayFhirError, toFhirError } from './journey-errors.js';
import { isNotModified, validatorsOf } from './conditional-read.js';
import { checkPageParam, PAGE_PARAM } from './paging.js';

export interface FhirAppOptions {
  registry: HandlerRegistry;
  logger: Logger;
  maxBodyBytes: number;
  /** Base URL of this endpoint as clients see it, or computed from the request when absent. */
  publicBaseUrl?: string;
  authenticate?: Authenticator;
  /** Produces the CapabilityStatement for GET /fhir/metadata (public). */
  capability: (baseUrl: string) => Resource;
  /** Told every answer's final status before it is sent (the audit of what no handler recorded). */
  observer?: AnswerObserver;
  /** Rate limits per source address and per authenticated caller (none when absent). */
  rateLimits?: FhirRateLimits;
}

const ID_PATTERN = /^[A-Za-z0-9\-.]{1,64}$/;
/** Parameters that every interaction accepts. */
const COMMON_PARAMS = new Set(['_format', '_pretty', '_summary', '_elements']);

export interface Route {
  registration: HandlerRegistration;
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** POST _search: parameters come from the form body. */
  formSearch?: boolean;
}

function methodsFor(registry: HandlerRegistry, segments: string[]): string[] {
  const [type, second, third] = segments;
  const allowed: string[] = [];
  const has = (i: Parameters<HandlerRegistry['find']>[1]) => registry.find(type, i) !== undefined;
  if (segments.length === 1) {
    if (has('search-type')) allowed.push('GET');
    if (has('create')) allowed.push('POST');
  } else if (segments.length === 2 && second === '_search') {
    if (has('search-type')) allowed.push('POST');
  } else if (segments.length === 2 && second.startsWith('$')) {
    const op = registry.findOperation(type, second.slice(1), 'type');
    if (op) allowed.push(...op.operation!.methods);
  } else if (segments.length === 2) {
    if (has('read')) allowed.push('GET');
    if (has('update')) allowed.push('PUT');
    if (has('delete')) allowed.push('DELETE');
  } else if (segments.length === 3 && third.startsWith('$')) {
    const op = registry.findOperation(type, third.slice(1), 'instance');
    if (op) allowed.push(...op.operation!.methods);
  } else if (segments.length === 4 && third === '_history') {
    if (has('vread')) allowed.push('GET');
  }
  return allowed;
}

/** Maps method + path segments (after /fhir) to a registered handler, or throws 400/404/405. */
export function resolveRoute(registry: HandlerRegistry, method: string, segments: string[]): Route {
  if (segments.length === 0) throw FhirError.notFound('No interaction at the service base; see /fhir/metadata');
  const [first, second, third] = segments;
  if (segments.length === 1 && first.startsWith('$')) {
    const reg = registry.findOperation(null, first.slice(1), 'system');
    if (!reg) throw FhirError.notFound(`Operation ${first} is not supported at the system level`);
    if (!reg.operation!.methods.includes(method as 'GET')) throw methodNotAllowed(method, reg.operation!.methods);
    return { registration: reg };
  }
  if (!isResourceType(first)) throw FhirError.notFound(`Unknown resource type "${first}"`);
  if (!registry.resourceTypes().includes(first)) throw FhirError.notFound(`Resource type ${first} is not supported by this server`);
  if (segments.length === 4 && third === '_history') {
    if (!ID_PATTERN.test(second) || !ID_PATTERN.test(segments[3])) throw FhirError.badRequest('Invalid resource or version id');
    const vread = registry.find(first, 'vread');
    if (!vread) throw FhirError.notFound(`Versions of ${first} are not served`);
    if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
    return { registration: vread, resourceType: first, id: second, versionId: segments[3] };
  }
  if (segments.length > 3) throw FhirError.notFound(`No such route for ${first}`);
  // (in Patient/x/$op, x is an id whatever it looks like: "$summary/$summary" is no route)
  if ((segments.length === 3 || (segments.length === 2 && !second.startsWith('$') && second !== '_search')) && !ID_PATTERN.test(second)) {
    throw FhirError.badRequest(`${JSON.stringify(second.length > 64 ? `${second.slice(0, 64)}…` : second)} is not a valid resource id`);
  }
  if (segments.length === 3 && !third.startsWith('$')) throw FhirError.notFound(`No such route for ${first}`);
  let reg: HandlerRegistration | undefined;
  const route: Partial<Route> = { resourceType: first };
  if (segments.length === 1) {
    reg = method === 'GET' ? registry.find(first, 'search-type') : method === 'POST' ? registry.find(first, 'create') : undefined;
  } else if (segments.length === 2 && second === '_search') {
    reg = method === 'POST' ? registry.find(first, 'search-type') : undefined;
    route.formSearch = true;
  } else if (segments.length === 2 && second.startsWith('$')) {
    const op = registry.findOperation(first, second.slice(1), 'type');
    if (!op) throw FhirError.notFound(`Operation ${second} is not supported on ${first}`);
    reg = op.operation!.methods.includes(method as 'GET') ? op : undefined;
  } else if (segments.length === 2) {
    route.id = second;
    reg = method === 'GET' ? registry.find(first, 'read') : method === 'PUT' ? registry.find(first, 'update')
      : method === 'DELETE' ? registry.find(first, 'delete') : undefined;
  } else {
    route.id = second;
    const op = registry.findOperation(first, third.slice(1), 'instance');
    if (!op) throw FhirError.notFound(`Operation ${third} is not supported on a ${first} instance`);
    reg = op.operation!.methods.includes(method as 'GET') ? op : undefined;
  }
  if (!reg) {
    const allowed = methodsFor(registry, segments);
    if (!allowed.length) throw FhirError.notFound(`No such route for ${first}`);
    throw methodNotAllowed(method, allowed);
  }
  return { ...route, registration: reg } as Route;
}

function methodNotAllowed(method: string, allowed: readonly string[]): FhirError {
  return new FhirError(405, { code: 'not-supported', diagnostics: `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}` }, { Allow: allowed.join(', ') });
}

function decodeSegments(path: string): string[] {
  try {
    return path.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    throw FhirError.badRequest('Malformed percent-encoding in the URL');
  }
}

function takesBody(route: Route, method: string): boolean {
  const i = route.registration.interaction;
  return i === 'create' || i === 'update' || (method === 'POST' && (i === 'operation' || route.formSearch === true));
}

/** Query parameters as URLSearchParams, from the raw URL so repeated keys survive. */
function queryParams(req: Request): URLSearchParams {
  const q = req.originalUrl.indexOf('?');
  return new URLSearchParams(q >= 0 ? req.originalUrl.slice(q + 1) : '');
}

/**
 * The parameters of a request, checked before the handler runs (so a refused
 * request reaches no country): _summary and _elements, _pretty, and for a
 * search _count, _page (its form; src/fhir/paging.ts), the modifiers of its parameters and, under
 * `Prefer: handling=strict`, unknown parameters (ignored otherwise, as FHIR
 * search is lenient by default); for an operation that declares its URL
 * parameters, any other one.
 */
function checkParams(route: Route, params: URLSearchParams, req: Request): void {
  checkSubsettingParams(params, route.registration.interaction);
  const pretty = params.getAll('_pretty');
  if (pretty.length > 1 || (pretty.length === 1 && pretty[0] !== 'true' && pretty[0] !== 'false')) {
    throw FhirError.badRequest('_pretty must be given once, true or false', ['_pretty'], 'value');
  }
  const reg = route.registration;
  if (reg.interaction === 'operation' && reg.operation?.urlParameters) {
    const accepted = new Set([...COMMON_PARAMS, ...reg.operation.urlParameters]);
    for (const key of params.keys()) {
      if (!accepted.has(key)) throw FhirError.badRequest(`Parameter "${key}" is not a parameter of $${reg.operation.name}`, [key], 'not-supported');
    }
    return;
  }
  if (reg.interaction !== 'search-type') return;
  const counts = params.getAll('_count');
  if (counts.length > 1 || (counts.length === 1 && !/^\d{1,6}$/.test(counts[0]))) {
    throw FhirError.badRequest(`_count must be given once, a non-negative integer${counts.length === 1 ? `, got "${counts[0].slice(0, 32)}"` : ''}`, ['_count'], 'value');
  }
  checkPageParam(params, COMMON_PARAMS);
  const strict = /handling\s*=\s*strict/i.test(String(req.headers.prefer ?? ''));
  const specs = new Map((reg.searchParams ?? []).map((p) => [p.name, p]));
  for (const key of params.keys()) {
    const [base, modifier] = key.split(':', 2);
    const spec = specs.get(base);
    if (spec && modifier !== undefined && !(spec.modifiers ?? []).includes(modifier)) {
      throw FhirError.badRequest(`The modifier :${modifier} of "${base}" is not supported on ${route.resourceType}${spec.modifiers?.length ? ` (only :${spec.modifiers.join(', :')})` : ''}`, [key], 'not-supported');
    }
    // Lenient by default (FHIR search): unknown parameters are ignored.
    if (strict && !spec && !COMMON_PARAMS.has(base) && base !== '_count' && base !== PAGE_PARAM) {
      throw FhirError.badRequest(`Search parameter "${key}" is not supported on ${route.resourceType}`, [key], 'not-supported');
    }
  }
}

export function baseUrlOf(req: Request, configured?: string): string {
  if (configured) return `${configured.replace(/\/+$/, '')}/fhir`;
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/fhir`;
}

/** The /fhir router: every interaction is dispatched through the registry. */
export function createFhirRouter(opts: FhirAppOptions): Router {
  const router = express.Router();
  const rawBody = express.raw({ type: () => true, limit: opts.maxBodyBytes });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    openAnswer(res, opts.observer);
    try {
      enforce(opts.rateLimits?.perAddress, sourceAddressOf(req));
      const segments = decodeSegments(req.path);
      if (hasUnexpectedBody(req)) throw FhirError.badRequest(`A ${req.method} request takes no body`);
      if (segments.length === 1 && segments[0] === 'metadata') {
        res.locals.routePattern = '/fhir/metadata';
        if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed(req.method, ['GET']);
        const negotiated = negotiate(req);
        res.locals.format = negotiated.format;
        await send(req, res, { resource: opts.capability(baseUrlOf(req, opts.publicBaseUrl)) }, negotiated);
        return;
      }
      // The interaction is known first (the audit of a refused body names it), but a
      // malformed body is a 400 whatever its target: read and parse it before a routing error.
      let route: Route | undefined;
      let routingError: unknown;
      try {
        route = resolveRoute(opts.registry, req.method, segments);
        noteRoute(res, route.registration.audit);
        res.locals.routePattern = routePattern(route, segments);
      } catch (e) {
        routingError = e;
      }
      let raw: Buffer | undefined;
      let early: Resource | undefined;
      if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
        raw = await readBody(req, res, rawBody);
        const kind = raw.length ? bodyKind(req.headers['content-type']) : undefined;
        if (kind === 'json' || kind === 'xml') early = precheckResourceBody(req.headers['content-type'], raw);
      }
      if (!route) throw routingError;
      const negotiated = negotiate(req, route.registration.produces ?? []);
      res.locals.format = negotiated.format;

      let principal: unknown;
      if (!route.registration.public && opts.authenticate) {
        try {
          principal = await opts.authenticate(req);
        } catch (e) {
          noteAuthentication(res, 'failed');
          throw e;
        }
        noteAuthentication(res, 'succeeded', principal);
        enforce(opts.rateLimits?.perPrincipal, opts.rateLimits?.principalKey?.(principal));
      }

      let params = queryParams(req);
      let body: Resource | undefined;
      if (takesBody(route, req.method)) {
        if (!raw) raw = Buffer.alloc(0);
        if (route.formSearch) {
          if (raw.length) {
            if (bodyKind(req.headers['content-type']) !== 'form') {
              throw new FhirError(415, { code: 'not-supported', diagnostics: 'POST _search takes application/x-www-form-urlencoded' });
            }
            for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) params.append(k, v);
          }
        } else if (raw.length || route.registration.interaction !== 'operation') {
          body = early ?? parseResourceBody(req.headers['content-type'], raw);
          const expected = route.registration.interaction === 'operation' ? undefined : route.resourceType;
          assertValidResource(body, expected);
          if (route.registration.interaction === 'update' && body.id !== route.id) {
            throw FhirError.badRequest(`Resource id "${body.id ?? ''}" does not match the URL id "${route.id}"`, [`${body.resourceType}.id`]);
          }
        }
      }
      if (route.formSearch) params = new URLSearchParams(params);
      checkParams(route, params, req);

      const ctx: FhirContext = {
        req,
        requestId: String(res.locals.requestId ?? ''),
        sourceAddress: sourceAddressOf(req),
        baseUrl: baseUrlOf(req, opts.publicBaseUrl),
        resourceType: route.resourceType,
        id: route.id,
        versionId: route.versionId,
        params,
        body,
        principal,
        log: opts.logger,
        whenAnswered: (hook) => whenAnswered(res, hook),
      };
      const reg = route.registration;
      const result = reg.audit
        ? await opts.registry.auditorOf(reg).run(ctx, reg.audit, (audit, professional) => reg.handler(ctx, audit, professional))
        : await reg.handler(ctx);
      if (result.resource && route.registration.interaction !== 'create') result.resource = applySubsetting(result.resource, params);
      await send(req, res, result, negotiated, route.registration.interaction === 'read' || route.registration.interaction === 'vread');
    } catch (err) {
      next(err);
    }
  });
  return router;
}

function routePattern(route: Route, segments: string[]): string {
  const op = route.registration.operation ? `$${route.registration.operation.name}` : undefined;
  const parts = ['/fhir'];
  if (route.resourceType) parts.push(route.resourceType);
  if (route.id) parts.push('{id}');
  if (route.versionId) parts.push('_history', '{vid}');
  if (route.formSearch) parts.push('_search');
  if (op) parts.push(op);
  return parts.join('/') || `/fhir/${segments[0] ?? ''}`;
}

function readBody(req: Request, res: Response, parser: ReturnType<typeof express.raw>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    parser(req, res, (err?: unknown) => {
      if (err) reject(bodyReadError(err, req));
      else resolve(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    });
  });
}

/**
 * Writes a handler's result: serialised first, then the answer's hooks and
 * observer run with its status (an error while serialising is an answer of
 * its own, through the error handler), then the bytes are sent. A read
 * (`conditional`) answers its validators (ETag, Last-Modified), and 304 with
 * no body when the client's copy is current: a success, audited as such.
 */
async function send(req: Request, res: Response, result: FhirResult, negotiated: { format: 'json' | 'xml'; raw?: string }, conditional = false): Promise<void> {
  let status = result.status ?? 200;
  let payload: { contentType?: string; body?: string | Buffer };
  if (result.binary) {
    const wantsRaw = negotiated.raw !== undefined || !req.headers.accept || /\*\/\*/.test(String(req.headers.accept));
    if (result.binary.asResource === undefined ? wantsRaw && req.query._format === undefined : !result.binary.asResource) {
      payload = { contentType: result.binary.contentType, body: result.binary.data };
    } else {
      const binary: fhir4.Binary = { resourceType: 'Binary', contentType: result.binary.contentType, data: result.binary.data.toString('base64') };
      payload = serialise(binary, negotiated.format, isPretty(req));
    }
  } else if (result.resource) {
    payload = serialise(result.resource, negotiated.format, isPretty(req));
  } else {
    payload = {};
  }
  let headers: Record<string, string> = result.headers ?? {};
  if (conditional && status === 200 && payload.body !== undefined) {
    const validators = validatorsOf(result.resource, payload.body, headers);
    headers = { ...headers, ...validators };
    if (isNotModified(req, validators)) {
      status = 304;
      payload = {};
    }
  }
  await beforeAnswer(req, res, status);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status);
  if (payload.body === undefined) {
    res.end();
    return;
  }
  res.type(payload.contentType!).send(payload.body);
}

/**
 * Turns anything thrown into an OperationOutcome; only our own bugs become a
 * 500. The answer's hooks and observer (the audit) run with the error's
 * status before it is sent; when they fail, the answer is their 503.
 */
export function fhirErrorHandler(logger: Logger) {
  return async (err: unknown, req: Request, res: Response, _next: NextFunction): Promise<void> => {
    let fhirError: FhirError;
    const mapped = toFhirError(err);
    if (mapped instanceof FhirError) {
      fhirError = mapped;
      // An operator's signal: which country failed, how (eHDSI code or failure kind); nothing about the patient.
      if (mapped instanceof GatewayFhirError && mapped.status >= 500) {
        logger.warn({ reqId: res.locals.requestId, country: mapped.country, ehdsiCode: mapped.ehdsiCode, status: mapped.status }, 'country gateway failure');
      }
    } else if (isHttpError(err)) {
      fhirError = httpErrorToFhir(err);
    } else {
      logger.error({ reqId: res.locals.requestId, err: errorSummary(err) }, 'unhandled error');
      fhirError = new FhirError(500, { code: 'exception', diagnostics: 'Internal error; the request id identifies it in the server logs' });
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    try {
      await beforeAnswer(req, res, fhirError.status, err);
    } catch (e) {
      fhirError = e instanceof FhirError ? e : new FhirError(503, { code: 'transient', diagnostics: 'Service temporarily unavailable' });
    }
    for (const [k, v] of Object.entries(fhirError.headers)) res.setHeader(k, v);
    sendResource(req, res, fhirError.toOperationOutcome(), fhirError.status, res.locals.format);
  };
}

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

function isHttpError(err: unknown): err is HttpError & Error {
  return err instanceof Error && typeof (err as HttpError).type === 'string' && typeof ((err as HttpError).status ?? (err as HttpError).statusCode) === 'number';
}

function httpErrorToFhir(err: HttpError & Error): FhirError {
  const status = err.status ?? err.statusCode ?? 400;
  switch (err.type) {
    case 'entity.too.large':
      return new FhirError(413, { code: 'too-costly', diagnostics: 'Request body is larger than this server accepts' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new FhirError(415, { code: 'not-supported', diagnostics: err.message });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return FhirError.badRequest(err.message, undefined, 'incomplete');
    default:
      return new FhirError(status >= 400 && status < 500 ? status : 400, { code: 'invalid', diagnostics: err.message });
  }
}

/** Error facts safe to log: no message bodies or patient data, only type and stack. */
export function errorSummary(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, stack: err.stack?.split('\n').slice(1, 9).join('\n') };
  return { type: typeof err };
}

export { operationOutcome };
