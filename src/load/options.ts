import { BlockList, isIP } from 'node:net';

/** Between two steps of a journey: a quick professional's pace (choosing a country, typing identifiers, the consent with the patient, reading the summary take longer). */
export const DEFAULT_THINK_MS = 5000;
export const MAX_PROFESSIONALS = 2000;

export const LOAD_USAGE = `Usage:
  npm run load -- [--base <url>] --professionals <N> --duration <seconds> [--think-ms <ms>] [--data-dir <dir>]

  --base           the running server (default http://127.0.0.1:8080); loopback only: 127.0.0.0/8, ::1, localhost
  --professionals  virtual professionals walking the journey at the same time, 1 to ${MAX_PROFESSIONALS}
  --duration       seconds of load (then in-flight requests get up to 30 s to finish)
  --think-ms       think time between two steps, randomised ±50% (default ${DEFAULT_THINK_MS}: a quick professional;
                   real use is slower — typing the identifiers, the consent with the patient, reading;
                   lower it to stress the server)
  --data-dir       the server's DATA_DIR, where the PSC stand-in keeps its signing key (default: DATA_DIR, else ./data)
  --metrics        the instances whose memory is read at /metrics, comma-separated (default: --base; behind a
                   load balancer, give the instances themselves: /metrics answers loopback callers, not proxied ones)`;

const MAX_DURATION_SECONDS = 24 * 3600;
const MAX_THINK_MS = 600_000;

export interface LoadOptions {
  /** Origin of the server, e.g. http://127.0.0.1:8080 (the FHIR base is `${base}/fhir`). */
  base: string;
  professionals: number;
  durationSeconds: number;
  thinkMs: number;
  dataDir?: string;
  /** Where the servers' memory is read (/metrics): the instances, or the base itself. */
  metrics: string[];
}

export class UsageError extends Error {}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** True when the URL's host is a loopback address (127.0.0.0/8, ::1, an IPv4-mapped 127/8, localhost). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return LOOPBACK.check(host, 'ipv4');
  if (family === 6) return LOOPBACK.check(host, 'ipv6');
  return false;
}

/** Checks a base URL: http(s), loopback host; returns its origin plus path without /fhir or trailing slash. */
export function loopbackBase(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--base ${JSON.stringify(raw)} is not a URL (e.g. http://127.0.0.1:8080)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--base ${raw}: http or https only`);
  if (!isLoopbackHost(url.hostname)) {
    throw new UsageError(`refusing --base ${raw}: its host ${url.hostname} is not a loopback address (127.0.0.0/8, ::1, localhost) — test traffic stays on this machine`);
  }
  if (url.search || url.hash || url.username || url.password) throw new UsageError(`--base ${raw}: no query, fragment or credentials`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/fhir$/, '')}`;
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Reads the command line; throws UsageError on a wrong call. Returns undefined for --help. */
export function parseLoadArgs(argv: readonly string[]): LoadOptions | undefined {
  const values = new Map<string, string>();
  const known = ['--base', '--professionals', '--duration', '--think-ms', '--data-dir', '--metrics'];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return undefined;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.includes(name)) throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    if (values.has(name)) throw new UsageError(`${name} is given twice`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
    values.set(name, value);
  }
  for (const required of ['--professionals', '--duration']) if (!values.has(required)) throw new UsageError(`${required} is required`);
  const base = loopbackBase(values.get('--base') ?? 'http://127.0.0.1:8080');
  return {
    base,
    metrics: values.has('--metrics') ? values.get('--metrics')!.split(',').map((m) => loopbackBase(m.trim())) : [base],
    professionals: integer('--professionals', values.get('--professionals')!, 1, MAX_PROFESSIONALS),
    durationSeconds: integer('--duration', values.get('--duration')!, 1, MAX_DURATION_SECONDS),
    thinkMs: values.has('--think-ms') ? integer('--think-ms', values.get('--think-ms')!, 0, MAX_THINK_MS) : DEFAULT_THINK_MS,
    dataDir: values.get('--data-dir'),
  };
}
