/**
 * What a load run measures: per step, the latency of every request (a
 * histogram of whole milliseconds, so that memory stays flat however long the
 * run), and the errors by step and cause (HTTP status, timeout, connection).
 */

/** Latencies above this (ms) share the last bucket; requests time out well before it. */
const MAX_MS = 120_000;

export class Histogram {
  private readonly buckets = new Uint32Array(MAX_MS + 1);
  count = 0;

  record(ms: number): void {
    this.buckets[Math.min(MAX_MS, Math.max(0, Math.ceil(ms)))]++;
    this.count++;
  }

  add(other: Histogram): void {
    for (let i = 0; i <= MAX_MS; i++) this.buckets[i] += other.buckets[i];
    this.count += other.count;
  }

  /** Nearest-rank quantile (0 < q ≤ 1) in ms; 0 when nothing was recorded. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i <= MAX_MS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return i;
    }
    return MAX_MS;
  }
}

/** The steps of the journey, in order. */
export const STEPS = ['countries', 'mask', 'patient-search', 'consent', 'summary', 'documents', 'pdf', 'audit'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_REQUESTS: Record<Step, string> = {
  countries: 'GET ValueSet/countries/$expand',
  mask: 'GET Questionnaire?jurisdiction=',
  'patient-search': 'GET Patient?identifier=…&address-country=',
  consent: 'POST Consent',
  summary: 'GET Patient/{id}/$summary',
  documents: 'GET DocumentReference?patient=',
  pdf: 'GET Binary/{id}.L1 (application/pdf)',
  audit: 'GET AuditEvent?patient=',
};

export class LoadStats {
  readonly latency = new Map<Step, Histogram>(STEPS.map((s) => [s, new Histogram()]));
  /** "step\u0000cause" → count. */
  private readonly errorCounts = new Map<string, number>();
  journeys = 0;
  /** Requests answered 429 (rate limits of the server). */
  throttled = 0;

  request(step: Step, ms: number): void {
    this.latency.get(step)!.record(ms);
  }

  error(step: Step, cause: string): void {
    const key = `${step}\u0000${cause}`;
    this.errorCounts.set(key, (this.errorCounts.get(key) ?? 0) + 1);
    if (cause === 'HTTP 429') this.throttled++;
  }

  get errors(): number {
    let n = 0;
    for (const v of this.errorCounts.values()) n += v;
    return n;
  }

  /** Errors by step and cause, most frequent first. */
  errorList(): Array<{ step: Step; cause: string; count: number }> {
    return [...this.errorCounts.entries()]
      .map(([key, count]) => {
        const [step, cause] = key.split('\u0000');
        return { step: step as Step, cause, count };
      })
      .sort((a, b) => b.count - a.count || STEPS.indexOf(a.step) - STEPS.indexOf(b.step) || a.cause.localeCompare(b.cause));
  }

  /** Every request of every step. */
  overall(): Histogram {
    const all = new Histogram();
    for (const h of this.latency.values()) all.add(h);
    return all;
  }
}
