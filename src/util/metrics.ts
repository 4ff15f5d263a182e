/**
 * The process's Prometheus metrics (prom-client): one registry and every
 * series the layers record into, kept here at the bottom of the ladder so that
 * ehdsi, journey, fhir and the server record without importing upward.
 *
 * No label carries personal data: routes are patterns ({id}, never the id),
 * countries are ISO codes, outcomes and transactions come from closed lists.
 * Every label value is checked here again, and the number of distinct route
 * labels is bounded (beyond it: "other"), so that no caller can grow the
 * registry without end.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const metricsRegistry = new Registry();

const PREFIX = 'ehdsi_facade_';

/** Seconds: from a fast cached answer to a gateway call at its timeout (EHDSI_TIMEOUT_MS, 5 s by default) and beyond. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const httpDuration = new Histogram({
  name: `${PREFIX}http_request_duration_seconds`,
  help: 'Duration of the HTTP requests answered, by method, route pattern (never the raw URL) and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

/** The eHDSI transactions: XCPD patient discovery, XCA query, XCA retrieve. */
export type GatewayTransaction = 'ITI-55' | 'ITI-38' | 'ITI-39';

/**
 * How a gateway call ended: success, a failed exchange (GatewayError kinds),
 * or the class of the eHDSI error code the country answered (ehdsi-1xxx,
 * ehdsi-4xxx, ehdsi-pi for patient identification, ehdsi-xds, ehdsi-other),
 * or "error" for anything else (a bug, not the country).
 */
export type GatewayOutcome =
  | 'success' | 'timeout' | 'connection' | 'http' | 'fault' | 'malformed' | 'integrity'
  | 'ehdsi-1xxx' | 'ehdsi-2xxx' | 'ehdsi-3xxx' | 'ehdsi-4xxx' | 'ehdsi-5xxx' | 'ehdsi-pi' | 'ehdsi-xds' | 'ehdsi-other' | 'error';

const GATEWAY_OUTCOMES: ReadonlySet<string> = new Set<GatewayOutcome>([
  'success', 'timeout', 'connection', 'http', 'fault', 'malformed', 'integrity',
  'ehdsi-1xxx', 'ehdsi-2xxx', 'ehdsi-3xxx', 'ehdsi-4xxx', 'ehdsi-5xxx', 'ehdsi-pi', 'ehdsi-xds', 'ehdsi-other', 'error',
]);
const TRANSACTIONS: ReadonlySet<string> = new Set<GatewayTransaction>(['ITI-55', 'ITI-38', 'ITI-39']);

const gatewayCalls = new Counter({
  name: `${PREFIX}ehdsi_gateway_calls_total`,
  help: 'Calls to the eHDSI country gateways, by country, transaction (ITI-55, ITI-38, ITI-39) and outcome.',
  labelNames: ['country', 'transaction', 'outcome'] as const,
  registers: [metricsRegistry],
});

const gatewayDuration = new Histogram({
  name: `${PREFIX}ehdsi_gateway_call_duration_seconds`,
  help: 'Duration of the calls to the eHDSI country gateways (request, answer and its parsing), by country, transaction and outcome.',
  labelNames: ['country', 'transaction', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

const conversionDuration = new Histogram({
  name: `${PREFIX}cda_conversion_duration_seconds`,
  help: 'Duration of the CDA to FHIR (IPS) conversions of patient summaries, by document level (L3, L1) and outcome (success, error).',
  labelNames: ['level', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

const cacheLookups = new Counter({
  name: `${PREFIX}document_cache_lookups_total`,
  help: 'Lookups in the in-memory document cache (what a country sent under one consent), by result (hit, miss).',
  labelNames: ['result'] as const,
  registers: [metricsRegistry],
});

let defaultsStarted = false;

/** Starts prom-client's default Node.js metrics (memory, CPU, event loop lag, handles…) once per process: the server's call. */
export function startDefaultMetrics(): void {
  if (defaultsStarted) return;
  defaultsStarted = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

/** The metrics in the Prometheus text format, and its content type. */
export async function renderMetrics(): Promise<{ contentType: string; text: string }> {
  return { contentType: metricsRegistry.contentType, text: await metricsRegistry.metrics() };
}

const MAX_ROUTES = 200;
const routes = new Set<string>();
/** A segment that looks like an identifier (digits, a hash, a uuid), in case a route pattern let one through. */
const ID_LIKE = /\d{4,}|^[0-9a-f-]{16,}$/i;

/** The route label: the pattern as given, id-like segments as {id}, at most MAX_ROUTES distinct values (then "other"). */
export function routeLabel(pattern: string): string {
  const cleaned = pattern
    .slice(0, 120)
    .split('/')
    .map((segment) => (ID_LIKE.test(segment) ? '{id}' : segment.replace(/[^A-Za-z0-9$_.{}() -]/g, '_')))
    .join('/');
  if (routes.has(cleaned)) return cleaned;
  if (routes.size >= MAX_ROUTES) return 'other';
  routes.add(cleaned);
  return cleaned;
}

/** One answered HTTP request. */
export function observeHttpRequest(method: string, routePattern: string, status: number, seconds: number): void {
  const m = /^[A-Z]{1,16}$/.test(method) ? method : 'OTHER';
  httpDuration.observe({ method: m, route: routeLabel(routePattern), status: String(status) }, seconds);
}

/** One call to a country gateway. The country must be its ISO 3166-1 alpha-2 code (anything else is counted as "other"). */
export function observeGatewayCall(country: string, transaction: GatewayTransaction, outcome: GatewayOutcome, seconds: number): void {
  const labels = {
    country: /^[A-Z]{2}$/.test(country) ? country : 'other',
    transaction: TRANSACTIONS.has(transaction) ? transaction : 'other',
    outcome: GATEWAY_OUTCOMES.has(outcome) ? outcome : 'error',
  };
  gatewayCalls.inc(labels);
  gatewayDuration.observe(labels, seconds);
}

/** Runs one conversion (synchronous) and records its duration. */
export function timeConversion<T>(level: 'L3' | 'L1' | undefined, convert: () => T): T {
  const end = conversionDuration.startTimer({ level: level ?? 'unknown' });
  try {
    const result = convert();
    end({ outcome: 'success' });
    return result;
  } catch (e) {
    end({ outcome: 'error' });
    throw e;
  }
}

/** One lookup in the document cache. */
export function countCacheLookup(hit: boolean): void {
  cacheLookups.inc({ result: hit ? 'hit' : 'miss' });
}

/** How full a document cache is, against its bounds. */
export interface CacheFill {
  entries: number;
  bytes: number;
  maxEntries: number;
  maxBytes: number;
}

/** The document caches of this process (one per journey; weakly held, so that tests' journeys can go). */
const documentCaches = new Set<WeakRef<{ fill(): CacheFill }>>();

/** Counts a document cache in the fill gauges, for as long as it lives. */
export function trackDocumentCache(cache: { fill(): CacheFill }): void {
  documentCaches.add(new WeakRef(cache));
}

function totalFill(): CacheFill {
  const total: CacheFill = { entries: 0, bytes: 0, maxEntries: 0, maxBytes: 0 };
  for (const ref of documentCaches) {
    const cache = ref.deref();
    if (!cache) {
      documentCaches.delete(ref);
      continue;
    }
    const f = cache.fill();
    total.entries += f.entries;
    total.bytes += f.bytes;
    total.maxEntries += f.maxEntries;
    total.maxBytes += f.maxBytes;
  }
  return total;
}

// Memory that grows until the cache is full is the cache filling, not a leak: both sides of that comparison.
for (const [field, name, help] of [
  ['entries', 'document_cache_entries', 'Entries (one per consent in use) in the in-memory document cache.'],
  ['maxEntries', 'document_cache_max_entries', 'Most entries the document cache keeps.'],
  ['bytes', 'document_cache_bytes', 'Bytes of documents (as received or made, the summary as JSON) in the document cache.'],
  ['maxBytes', 'document_cache_max_bytes', 'Most bytes of documents the document cache keeps.'],
] as const) {
  new Gauge({
    name: `${PREFIX}${name}`,
    help,
    registers: [metricsRegistry],
    collect() {
      this.set(totalFill()[field]);
    },
  });
}
