/**
 * `npm run load`: N virtual professionals walk the whole journey against a
 * running server on this machine, until the duration ends; then a report of
 * latencies, journeys and errors. Exit code 0 without errors, 1 with, 2 on a
 * wrong call.
 */
import { ConfigError, loadConfig } from '../config/config.js';
import { walk, type JourneyContext } from './journey.js';
import { LOAD_USAGE, UsageError, parseLoadArgs } from './options.js';
import { formatReport } from './report.js';
import { ServerSampler } from './server-sampler.js';
import { SetupError, loadPatients, mintProfessionals, standInIssuer } from './setup.js';
import { LoadStats } from './stats.js';

export interface LoadIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** In-flight requests get this long, from their start, to finish; after the deadline, the drain lasts at most as long. */
export const REQUEST_TIMEOUT_MS = 30_000;

export async function loadCommand(argv: readonly string[], io: LoadIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let options;
  try {
    options = parseLoadArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`load: ${e.message}\n${LOAD_USAGE}`);
    return 2;
  }
  if (!options) {
    io.out(LOAD_USAGE);
    return 0;
  }
  try {
    const config = loadConfig(env, options.dataDir === undefined ? {} : { dataDir: options.dataDir });
    if (config.get('auth.issuer') !== undefined) throw new SetupError('load mints tokens of the embedded Pro Santé Connect stand-in only; PSC_ISSUER points at a real PSC.');
    const { issuer } = await standInIssuer(options.base, config.dataDir);
    const { patients, skipped } = loadPatients();
    if (!patients.length) throw new SetupError('no simulator patient with a summary in fixtures/patients');
    // Tokens live through the run and its drain (the stand-in's own ones live accessTokenTtlSeconds).
    const ttl = Math.max(Number(config.get('auth.devIdp.accessTokenTtlSeconds')), options.durationSeconds + REQUEST_TIMEOUT_MS / 1000 + 120);
    const professionals = await mintProfessionals(config, config.dataDir, issuer, options.professionals, ttl);
    const stats = new LoadStats();
    const hardStop = new AbortController();
    const started = Date.now();
    const sampler = new ServerSampler(options.metrics, professionals[0].token, started);
    await sampler.start();
    const ctx: JourneyContext = {
      base: options.base,
      stats,
      thinkMs: options.thinkMs,
      deadline: started + options.durationSeconds * 1000,
      hardStop: hardStop.signal,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      patients,
      professionals: options.professionals,
      random: Math.random,
    };
    // The drain: whatever is still in flight REQUEST_TIMEOUT_MS after the deadline is aborted (a timeout, an error).
    const drainTimer = setTimeout(() => hardStop.abort(), ctx.deadline - started + REQUEST_TIMEOUT_MS);
    await Promise.all(professionals.map((vp) => walk(ctx, vp)));
    clearTimeout(drainTimer);
    await sampler.stop();
    const elapsedSeconds = (Date.now() - started) / 1000;
    // Warm: every server's document cache full (memory grows while it fills), early enough to leave a
    // quarter of the run after it; failing that, a quarter of the run (30 s at most), said as such.
    const warm = sampler.warmPoint(Math.min(30, options.durationSeconds / 4), options.durationSeconds * 0.75);

    for (const line of formatReport(stats, {
      base: options.base,
      professionals: options.professionals,
      testProfessionals: new Set(professionals.map((p) => p.nationalId)).size,
      patients: patients.length,
      skippedPatients: skipped,
      thinkMs: options.thinkMs,
      durationSeconds: options.durationSeconds,
      elapsedSeconds,
      memory: sampler.memory(warm.tick),
      warm,
    })) io.out(line);
    return stats.errors === 0 ? 0 : 1;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(`load: ${e.message}`);
      return 2;
    }
    if (e instanceof SetupError) {
      io.err(`load: ${e.message}`);
      return 1;
    }
    throw e;
  }
}
