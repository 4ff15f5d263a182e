/**
 * What the servers say about themselves during a load run, read from their
 * Prometheus `/metrics` every few seconds: resident memory and how full their
 * document cache is. Memory grows while the cache fills; the run's "warm"
 * point is when every server's cache is full, so that growth after it is
 * growth of something else (a leak), the thing worth catching.
 */
import type { CacheFill } from '../util/metrics.js';

export interface ServerReading {
  /** process_resident_memory_bytes. */
  rss?: number;
  /** nodejs_heap_size_used_bytes: live objects and garbage not yet collected. */
  heapUsed?: number;
  cache?: CacheFill;
}

const SAMPLE_EVERY_MS = 5000;
/** Full: at its entry bound, or within 10% of its byte bound (entries vary in size). */
const isFull = (c: CacheFill | undefined): boolean => c !== undefined && (c.entries >= c.maxEntries || c.bytes >= 0.9 * c.maxBytes);

function gauge(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)\\s*$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

/** One reading of a server's /metrics (with the token when it asks for one); empty when it has none. */
export async function readServer(base: string, token?: string): Promise<ServerReading> {
  const read = async (auth: boolean): Promise<Response | undefined> => {
    try {
      return await fetch(`${base}/metrics`, {
        headers: { Accept: 'text/plain', ...(auth && token ? { Authorization: `Bearer ${token}` } : {}) },
        signal: AbortSignal.timeout(5000),
      });
    } catch {
      return undefined;
    }
  };
  let res = await read(false);
  if (res && (res.status === 401 || res.status === 403) && token) {
    await res.body?.cancel();
    res = await read(true);
  }
  if (!res) return {};
  const text = await res.text().catch(() => '');
  if (res.status !== 200) return {};
  const [entries, maxEntries, bytes, maxBytes] = ['entries', 'max_entries', 'bytes', 'max_bytes'].map((g) => gauge(text, `ehdsi_facade_document_cache_${g}`));
  const cache = entries !== undefined && maxEntries !== undefined && bytes !== undefined && maxBytes !== undefined ? { entries, maxEntries, bytes, maxBytes } : undefined;
  return { rss: gauge(text, 'process_resident_memory_bytes'), heapUsed: gauge(text, 'nodejs_heap_size_used_bytes'), cache };
}

export interface MemoryFacts {
  source: string;
  /** Resident memory at the start, at the warm point, at its peak, at the end. */
  start?: number;
  warm?: number;
  peak?: number;
  end?: number;
  /**
   * The live heap: the least heap used seen over a window (what survived the
   * garbage collections in it), after the warm point and at the end. Resident
   * memory also grows as V8 sizes its heap to the allocation rate; this does
   * only when objects are kept.
   */
  liveWarm?: number;
  liveEnd?: number;
}

/** Seconds over which the least heap used is taken (several garbage collections under load). */
const LIVE_WINDOW_SECONDS = 30;

export interface WarmPoint {
  /** Seconds from the start of the load. */
  seconds: number;
  /** True when every server's cache was full then; false: the fallback time, caches still filling. */
  cachesFull: boolean;
  /** The fullest cache at that point, when not full (e.g. "120/200 entries"). */
  fill?: string;
}

interface Tick {
  seconds: number;
  readings: ServerReading[];
}

export class ServerSampler {
  private readonly ticks: Tick[] = [];
  private timer?: NodeJS.Timeout;
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly sources: readonly string[], private readonly token: string | undefined, private readonly startedAt: number, private readonly everyMs = SAMPLE_EVERY_MS) {}

  private sample(): Promise<void> {
    const seconds = (Date.now() - this.startedAt) / 1000;
    return Promise.all(this.sources.map((s) => readServer(s, this.token))).then((readings) => {
      this.ticks.push({ seconds, readings });
    });
  }

  /** Reads now, then every few seconds until stop(). */
  async start(): Promise<void> {
    await this.sample();
    this.timer = setInterval(() => {
      // One reading at a time: a slow server is not asked twice at once.
      this.pending = this.pending.then(() => this.sample());
    }, this.everyMs);
  }

  /** Stops, with a last reading. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pending;
    await this.sample();
  }

  /**
   * The first reading (after the start) with every cache full, if it leaves a
   * stretch of the run after it (up to `latestSeconds`); else the one nearest
   * `fallbackSeconds`.
   */
  warmPoint(fallbackSeconds: number, latestSeconds: number): WarmPoint & { tick?: Tick } {
    const full = this.ticks.slice(1).find((t) => t.seconds <= latestSeconds && t.readings.every((r) => isFull(r.cache)));
    if (full) return { seconds: full.seconds, cachesFull: true, tick: full };
    const tick = [...this.ticks].sort((a, b) => Math.abs(a.seconds - fallbackSeconds) - Math.abs(b.seconds - fallbackSeconds))[0];
    const fills = (tick?.readings ?? []).map((r) => r.cache).filter((c): c is CacheFill => c !== undefined);
    const fill = fills.length ? fills.map((c) => `${c.entries}/${c.maxEntries} entries`).join(', ') : undefined;
    return { seconds: tick?.seconds ?? fallbackSeconds, cachesFull: false, fill, tick };
  }

  /** Per server: resident memory at the start, at `warm`, at its peak and at the end; the live heap after `warm` and at the end. */
  memory(warm: Tick | undefined): MemoryFacts[] {
    const last = this.ticks.at(-1);
    const least = (i: number, from: number, to: number): number | undefined => {
      const used = this.ticks.filter((t) => t.seconds >= from && t.seconds <= to).map((t) => t.readings[i]?.heapUsed).filter((v): v is number => v !== undefined);
      return used.length ? Math.min(...used) : undefined;
    };
    return this.sources.map((source, i) => {
      const rss = this.ticks.map((t) => t.readings[i]?.rss).filter((v): v is number => v !== undefined);
      return {
        source,
        start: this.ticks[0]?.readings[i]?.rss,
        warm: warm?.readings[i]?.rss,
        peak: rss.length ? Math.max(...rss) : undefined,
        end: last?.readings[i]?.rss,
        liveWarm: warm && least(i, warm.seconds, warm.seconds + LIVE_WINDOW_SECONDS),
        // (never before the warm point: on a short run, not the start's heap)
        liveEnd: warm && last && least(i, Math.max(warm.seconds, last.seconds - LIVE_WINDOW_SECONDS), last.seconds),
      };
    });
  }
}
