/**
 * `npm run load`: three virtual professionals walk the whole journey for a
 * few seconds against a server started on free ports; and a base outside this
 * machine is refused before anything is sent.
 */
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/config/config.js';
import { journey } from '../../src/load/journey.js';
import { isLoopbackHost, parseLoadArgs } from '../../src/load/options.js';
import { loadCommand } from '../../src/load/run.js';
import { loadPatients, mintProfessionals, standInIssuer } from '../../src/load/setup.js';
import { LoadStats } from '../../src/load/stats.js';
import { projectPath, projectRoot } from '../../src/util/project.js';
import { startTestServices } from '../auth/http-helpers.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

test('3 virtual professionals walk the journey for 5 s: journeys, no errors, the last line', async () => {
  const services = await startTestServices({ 'rateLimit.perProfessional': 0, 'rateLimit.perAddress': 0 });
  try {
    // Warm-up, so that a busy machine's cold start (first conversions, first PDFs) does not eat the 5 s:
    // one journey for each of the patients the three will start with, timed by nothing.
    const { issuer } = await standInIssuer(services.url, services.dataDir);
    const warmUp = await mintProfessionals(loadConfig({}, { dataDir: services.dataDir }), services.dataDir, issuer, 3, 600);
    const { patients } = loadPatients();
    const stats = new LoadStats();
    const ctx = {
      base: services.url, stats, thinkMs: 0, deadline: Date.now() + 60_000, hardStop: new AbortController().signal,
      requestTimeoutMs: 30_000, patients, professionals: 3, random: Math.random,
    };
    expect([await Promise.all(warmUp.map((vp, i) => journey(ctx, vp, patients[i]))), stats.errorList()]).toEqual([[true, true, true], []]);

    const { out, err, io } = capture();
    const started = Date.now();
    const code = await loadCommand(['--base', services.url, '--professionals', '3', '--duration', '5', '--think-ms', '50', '--data-dir', services.dataDir], io, {});
    const report = out.join('\n');
    expect(err).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000 + 30_000);
    const last = out[out.length - 1];
    expect(last).toMatch(/^load: \d+ journeys, \d+ errors, p99 \d+ ms$/);
    const [, journeys, errors] = /^load: (\d+) journeys, (\d+) errors/.exec(last)!;
    expect([Number(errors), report]).toEqual([0, report]);
    expect([Number(journeys) > 0, report]).toEqual([true, report]);
    expect(code).toBe(0);
    for (const step of ['countries', 'mask', 'patient-search', 'consent', 'summary', 'documents', 'pdf', 'audit']) {
      expect(report).toMatch(new RegExp(`^${step} +[1-9]\\d* +\\d+ +\\d+ +\\d+ +0 `, 'm'));
    }
    expect(report).toContain('errors: none');
    expect(report).toMatch(/^journeys completed: \d+ \(\d+\.\d\d per second/m);
    // A few journeys do not fill the document cache (200 entries): the warm point is the fallback, said so.
    expect(report).toMatch(/^server memory \(process_resident_memory_bytes at http:\/\/127\.0\.0\.1:\d+\/metrics\): start \d+\.\d MiB, warm \(\d+ s, caches still filling: \d+\/200 entries\) \d+\.\d MiB, peak \d+\.\d MiB, end \d+\.\d MiB \(end ÷ warm \d+\.\d\d, (flat|growing)\)/m);
    expect(report).toMatch(/^ {2}live heap \(least nodejs_heap_size_used_bytes over 30 s\): after warm \d+\.\d MiB, at the end \d+\.\d MiB \(end ÷ warm \d+\.\d\d, (flat|growing)\)$/m);
  } finally {
    await services.stop();
  }
}, 90_000);

test('a base URL outside this machine is refused (exit code 2), saying why', async () => {
  for (const base of ['http://192.0.2.10:8080', 'http://example.org', 'http://0.0.0.0:8080', 'http://[2001:db8::1]:8080']) {
    const { out, err, io } = capture();
    expect(await loadCommand(['--base', base, '--professionals', '1', '--duration', '1'], io, {})).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toContain('is not a loopback address (127.0.0.0/8, ::1, localhost) — test traffic stays on this machine');
  }
  for (const host of ['127.0.0.1', '127.5.6.7', '[::1]', 'localhost', 'LOCALHOST', '[::ffff:127.0.0.1]']) expect([host, isLoopbackHost(host)]).toEqual([host, true]);
  for (const host of ['10.0.0.1', '128.0.0.1', '[::2]', 'localhost.example.org', '0.0.0.0']) expect([host, isLoopbackHost(host)]).toEqual([host, false]);
});

test('wrong calls are refused with the usage (exit code 2); the bounds hold', async () => {
  for (const argv of [[], ['--professionals', '3'], ['--professionals', '2001', '--duration', '5'], ['--professionals', '0', '--duration', '5'],
    ['--professionals', '3', '--duration', '5', '--retry'], ['--professionals', 'x', '--duration', '5'], ['--professionals', '3', '--duration', '5', '--think-ms']]) {
    const { err, io } = capture();
    expect([argv, await loadCommand(argv, io, {})]).toEqual([argv, 2]);
    expect(err.join('\n')).toContain('Usage:');
  }
  expect(parseLoadArgs(['--professionals', '2000', '--duration', '5', '--base', 'http://localhost:9/fhir/'])).toEqual({
    base: 'http://localhost:9', professionals: 2000, durationSeconds: 5, thinkMs: 5000, dataDir: undefined, metrics: ['http://localhost:9'],
  });
  // Behind a load balancer: the instances' own /metrics, loopback only too.
  expect(parseLoadArgs(['--professionals', '1', '--duration', '1', '--metrics', 'http://127.0.0.1:1,http://127.0.0.1:2'])?.metrics).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  expect(() => parseLoadArgs(['--professionals', '1', '--duration', '1', '--metrics', 'http://10.0.0.1:1'])).toThrow(/not a loopback address/);
});

test('npm run load: the refusal from the command line, exit code 2', () => {
  const run = spawnSync(process.execPath, [projectPath('node_modules', 'tsx', 'dist', 'cli.mjs'), 'src/cli/load.ts', '--base', 'http://192.0.2.10:8080', '--professionals', '1', '--duration', '1'], {
    cwd: projectRoot(), encoding: 'utf8', timeout: 60_000,
  });
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toContain('refusing --base http://192.0.2.10:8080: its host 192.0.2.10 is not a loopback address');
}, 60_000);
