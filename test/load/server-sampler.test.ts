/**
 * The load run's "warm" point: the first reading with every server's
 * document cache full (memory grows while it fills), else the fallback time;
 * memory at the start, warm, peak and end, from /metrics.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readServer, ServerSampler } from '../../src/load/server-sampler.js';

/** A server whose /metrics gives the next of `states` on each reading (the last one repeated). */
async function metricsServer(states: Array<{ rss: number; entries: number; bytes?: number; heap?: number }>, needsToken?: string) {
  let n = 0;
  const server = http.createServer((req, res) => {
    if (needsToken && req.headers.authorization !== `Bearer ${needsToken}`) return res.writeHead(403).end();
    const s = states[Math.min(n++, states.length - 1)];
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end([
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      `process_resident_memory_bytes ${s.rss}`,
      `nodejs_heap_size_used_bytes ${s.heap ?? s.rss / 2}`,
      `ehdsi_facade_document_cache_entries ${s.entries}`,
      'ehdsi_facade_document_cache_max_entries 4',
      `ehdsi_facade_document_cache_bytes ${s.bytes ?? s.entries * 1000}`,
      'ehdsi_facade_document_cache_max_bytes 1000000',
      '',
    ].join('\n'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, readings: () => n, close: () => new Promise((r) => server.close(r)) };
}

const MiB = 1024 * 1024;

test('readServer reads memory and cache fill, with the token when /metrics asks for one', async () => {
  const s = await metricsServer([{ rss: 300 * MiB, entries: 3 }], 'secret');
  try {
    expect(await readServer(s.url)).toEqual({});
    expect(await readServer(s.url, 'secret')).toEqual({ rss: 300 * MiB, heapUsed: 150 * MiB, cache: { entries: 3, maxEntries: 4, bytes: 3000, maxBytes: 1000000 } });
  } finally {
    await s.close();
  }
  // Nobody there: nothing known, no throw.
  expect(await readServer(s.url)).toEqual({});
});

async function sampled(a: Parameters<typeof metricsServer>[0], b: Parameters<typeof metricsServer>[0], ticks: number) {
  const [sa, sb] = [await metricsServer(a), await metricsServer(b)];
  const sampler = new ServerSampler([sa.url, sb.url], undefined, Date.now(), 20);
  await sampler.start();
  while (sa.readings() < ticks) await new Promise((r) => setTimeout(r, 10));
  await sampler.stop();
  await Promise.all([sa.close(), sb.close()]);
  return sampler;
}

test('warm is the first reading with every cache full; memory start, warm, peak, end per server', async () => {
  const sampler = await sampled(
    [{ rss: 100 * MiB, entries: 0 }, { rss: 200 * MiB, entries: 4 }, { rss: 260 * MiB, entries: 4 }, { rss: 300 * MiB, entries: 4 }, { rss: 250 * MiB, entries: 4 }],
    // The second server's cache is full at the third reading only (by its bytes: within 10% of the bound).
    [{ rss: 100 * MiB, entries: 0 }, { rss: 150 * MiB, entries: 1 }, { rss: 210 * MiB, entries: 2, bytes: 950000 }, { rss: 220 * MiB, entries: 2, bytes: 950000 }],
    6,
  );
  const warm = sampler.warmPoint(1000, 1000);
  expect(warm.cachesFull).toBe(true);
  expect(sampler.memory(warm.tick).map(({ start, warm: w, peak, end }) => [start, w, peak, end].map((v) => v! / MiB))).toEqual([
    [100, 260, 300, 250],
    [100, 210, 220, 220],
  ]);
});

test('the live heap: the least heap used from the warm point on, and at the end', async () => {
  // Heap used rises between collections and falls at each: the troughs are what is kept.
  const sampler = await sampled(
    [{ rss: 100 * MiB, entries: 4, heap: 50 * MiB }, { rss: 200 * MiB, entries: 4, heap: 120 * MiB }, { rss: 200 * MiB, entries: 4, heap: 80 * MiB }, { rss: 210 * MiB, entries: 4, heap: 140 * MiB }],
    [{ rss: 100 * MiB, entries: 4 }],
    6,
  );
  const facts = sampler.memory(sampler.warmPoint(1000, 1000).tick)[0];
  // The warm point is the first reading after the start (heap 120); both windows reach the end of this short
  // run, and neither goes back before the warm point (the start's 50 is not the live heap under load).
  expect([facts.liveWarm! / MiB, facts.liveEnd! / MiB]).toEqual([80, 80]);
});

test('caches never full (or too late): the reading nearest the fallback time, with the fill said', async () => {
  const sampler = await sampled([{ rss: 100 * MiB, entries: 1 }, { rss: 120 * MiB, entries: 2 }], [{ rss: 90 * MiB, entries: 3 }], 5);
  const warm = sampler.warmPoint(0, 1000);
  expect(warm).toMatchObject({ cachesFull: false, fill: '1/4 entries, 3/4 entries' });
  expect(sampler.memory(warm.tick)[0]).toMatchObject({ start: 100 * MiB, warm: 100 * MiB, peak: 120 * MiB, end: 120 * MiB });
  // Full, but only after the latest acceptable time: not taken.
  const late = await sampled([{ rss: 1, entries: 0 }, { rss: 1, entries: 0 }, { rss: 1, entries: 4 }], [{ rss: 1, entries: 4 }], 4);
  expect(late.warmPoint(0, 0.001).cachesFull).toBe(false);
});
