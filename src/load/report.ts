import type { MemoryFacts, WarmPoint } from './server-sampler.js';
import { STEPS, STEP_REQUESTS, type LoadStats } from './stats.js';

export interface RunFacts {
  base: string;
  professionals: number;
  /** Distinct test professionals behind the virtual ones. */
  testProfessionals: number;
  patients: number;
  skippedPatients: string[];
  thinkMs: number;
  durationSeconds: number;
  /** Seconds from the start to the end of the drain. */
  elapsedSeconds: number;
  /** Resident memory (bytes) of each server: at the start, once warm, at its peak, at the end. */
  memory: MemoryFacts[];
  warm: WarmPoint;
}

const mib = (bytes: number | undefined) => (bytes === undefined ? 'unknown' : `${(bytes / 1048576).toFixed(1)} MiB`);

/** The report, its last line exactly `load: <journeys> journeys, <errors> errors, p99 <ms> ms`. */
export function formatReport(stats: LoadStats, facts: RunFacts): string[] {
  const lines: string[] = [];
  const width = Math.max(...STEPS.map((s) => s.length), 'all requests'.length);
  const row = (name: string, count: string, p50: string, p95: string, p99: string, errors: string, what = '') =>
    `${name.padEnd(width)}  ${count.padStart(7)}  ${p50.padStart(7)}  ${p95.padStart(7)}  ${p99.padStart(7)}  ${errors.padStart(6)}${what ? `  ${what}` : ''}`;
  const errorsOf = new Map<string, number>();
  for (const e of stats.errorList()) errorsOf.set(e.step, (errorsOf.get(e.step) ?? 0) + e.count);

  lines.push(`load: ${facts.professionals} virtual professionals (${facts.testProfessionals} distinct test professionals, round-robin), `
    + `${facts.patients} patients${facts.skippedPatients.length ? ` (skipped, no summary: ${facts.skippedPatients.join(', ')})` : ''}, `
    + `think ${facts.thinkMs} ms ±50%, ${facts.durationSeconds} s against ${facts.base}`);
  lines.push('');
  lines.push(row('step', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'request'));
  for (const step of STEPS) {
    const h = stats.latency.get(step)!;
    lines.push(row(step, String(h.count), String(h.quantile(0.5)), String(h.quantile(0.95)), String(h.quantile(0.99)), String(errorsOf.get(step) ?? 0), STEP_REQUESTS[step]));
  }
  const all = stats.overall();
  lines.push(row('all requests', String(all.count), String(all.quantile(0.5)), String(all.quantile(0.95)), String(all.quantile(0.99)), String(stats.errors)));
  lines.push('');
  const perSecond = facts.durationSeconds > 0 ? stats.journeys / facts.durationSeconds : 0;
  lines.push(`journeys completed: ${stats.journeys} (${perSecond.toFixed(2)} per second over ${facts.durationSeconds} s; run with drain ${facts.elapsedSeconds.toFixed(1)} s)`);
  const errors = stats.errorList();
  lines.push(errors.length ? 'errors by step and status:' : 'errors: none');
  for (const e of errors) lines.push(`  ${e.step.padEnd(width)}  ${e.cause}  ×${e.count}`);
  if (stats.throttled > 0) {
    lines.push(`hint: ${stats.throttled} requests got 429 from the server's rate limits; restart it with higher limits or none, `
      + 'e.g. RATE_LIMIT_PER_PROFESSIONAL=0 RATE_LIMIT_PER_ADDRESS=0 (the test professionals are shared by the virtual ones)');
  }
  const when = facts.warm.cachesFull
    ? `caches full at ${facts.warm.seconds.toFixed(0)} s`
    : `${facts.warm.seconds.toFixed(0)} s, caches still filling${facts.warm.fill ? `: ${facts.warm.fill}` : ''}`;
  // Flat: the end within 1.2 × the value once warm.
  const ratio = (warm: number | undefined, end: number | undefined) =>
    (warm !== undefined && end !== undefined && warm > 0 ? ` (end ÷ warm ${(end / warm).toFixed(2)}${end <= 1.2 * warm ? ', flat' : ', growing'})` : '');
  for (const m of facts.memory) {
    lines.push(`server memory (process_resident_memory_bytes at ${m.source}/metrics): start ${mib(m.start)}, warm (${when}) ${mib(m.warm)}, peak ${mib(m.peak)}, end ${mib(m.end)}${ratio(m.warm, m.end)}`);
    lines.push(`  live heap (least nodejs_heap_size_used_bytes over 30 s): after warm ${mib(m.liveWarm)}, at the end ${mib(m.liveEnd)}${ratio(m.liveWarm, m.liveEnd)}`);
  }
  lines.push(`load: ${stats.journeys} journeys, ${stats.errors} errors, p99 ${all.quantile(0.99)} ms`);
  return lines;
}
