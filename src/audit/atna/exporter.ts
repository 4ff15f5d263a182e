/**
 * Sends every audit record to an IHE ATNA Audit Record Repository, as a DICOM
 * audit message over syslog over TLS. The export never blocks nor fails a
 * request: records wait in a bounded in-memory queue (the oldest dropped
 * when it is full, counted and logged), one TLS connection sends them in
 * order, and a failed connection is retried with exponential backoff. The
 * store keeps the authoritative trail; the export is its copy for the
 * national contact point. Logs name the repository and the error only.
 */
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../../logging/logger.js';
import type { AuditRecord } from '../../store/audit-record.js';
import { toDicomAuditMessage, type AtnaSource } from './message.js';
import { octetCountedFrame, syslogMessage } from './syslog.js';

export interface AtnaExporterOptions {
  host: string;
  port: number;
  /** PEM CA bundle the repository's certificate must chain to (default: the system CAs). */
  ca?: string | Buffer;
  /** PEM client certificate and key (ATNA node authentication). */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Name the repository's certificate must carry (default: host, when it is a name). */
  serverName?: string;
  source: AtnaSource;
  /** Most messages waiting (default 10 000). */
  queueSize?: number;
  logger?: Logger;
  /** First and longest wait before reconnecting (ms; default 500 and 60 000). */
  backoffMs?: { initial: number; max: number };
  connectTimeoutMs?: number;
  /** Syslog HOSTNAME (default: this machine's name). */
  syslogHostname?: string;
}

export interface AtnaExporterStats {
  queued: number;
  sent: number;
  dropped: number;
  /** Failed connections or writes so far. */
  failures: number;
}

export class AtnaExporter {
  private readonly queue: Buffer[] = [];
  private socket?: tls.TLSSocket;
  private connecting?: Promise<tls.TLSSocket>;
  private pumping = false;
  private closed = false;
  private retryTimer?: NodeJS.Timeout;
  private attempt = 0;
  private lastDropLog = 0;
  private readonly counters = { sent: 0, dropped: 0, failures: 0 };
  private readonly idle = new Set<() => void>();

  constructor(private readonly opts: AtnaExporterOptions) {}

  stats(): AtnaExporterStats {
    return { queued: this.queue.length, ...this.counters };
  }

  /** Queues one record for the repository; returns at once and never throws. */
  enqueue(record: AuditRecord): void {
    if (this.closed) {
      this.drop(1, 'closed');
      return;
    }
    let frame: Buffer;
    try {
      const xml = toDicomAuditMessage(record, this.opts.source);
      frame = octetCountedFrame(syslogMessage(xml, {
        hostname: this.opts.syslogHostname ?? hostname(), appName: this.opts.source.sourceId, procId: String(process.pid), timestamp: record.recorded,
      }));
    } catch (e) {
      this.drop(1, (e as Error).name);
      return;
    }
    if (this.queue.length >= (this.opts.queueSize ?? 10_000)) {
      this.queue.shift();
      this.drop(1, 'queue-full');
    }
    this.queue.push(frame);
    this.pump();
  }

  /** Resolves true once every queued message is written, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (!this.queue.length && !this.pumping) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle.delete(done);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idle.delete(done);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.idle.add(done);
    });
  }

  /** Stops: what is still queued is dropped (and counted). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    if (this.queue.length) this.drop(this.queue.splice(0).length, 'shutdown');
    this.socket?.destroy();
    this.socket = undefined;
    for (const done of [...this.idle]) done();
  }

  private drop(count: number, reason: string): void {
    this.counters.dropped += count;
    const now = Date.now();
    if (now - this.lastDropLog >= 10_000 || reason === 'shutdown') {
      this.lastDropLog = now;
      this.opts.logger?.warn({ atna: `${this.opts.host}:${this.opts.port}`, reason, dropped: this.counters.dropped }, 'ATNA audit messages dropped');
    }
  }

  private pump(): void {
    if (this.pumping || this.closed || this.retryTimer) return;
    this.pumping = true;
    void this.sendAll().finally(() => {
      this.pumping = false;
      if (!this.queue.length) for (const done of [...this.idle]) done();
    });
  }

  private async sendAll(): Promise<void> {
    while (this.queue.length && !this.closed) {
      try {
        const socket = await this.connect();
        await write(socket, this.queue[0]);
        this.queue.shift();
        this.counters.sent++;
        if (this.attempt > 0) this.opts.logger?.info({ atna: `${this.opts.host}:${this.opts.port}` }, 'ATNA repository reachable again');
        this.attempt = 0;
      } catch (e) {
        this.fail(e);
        return;
      }
    }
  }

  private fail(e: unknown): void {
    this.counters.failures++;
    this.socket?.destroy();
    this.socket = undefined;
    this.connecting = undefined;
    if (this.closed) return;
    const backoff = this.opts.backoffMs ?? { initial: 500, max: 60_000 };
    const delay = Math.min(backoff.max, backoff.initial * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    const err = e as NodeJS.ErrnoException;
    this.opts.logger?.warn({ atna: `${this.opts.host}:${this.opts.port}`, err: err?.code ?? err?.name, retryInMs: delay, queued: this.queue.length }, 'ATNA repository unreachable');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delay);
    this.retryTimer.unref();
  }

  private connect(): Promise<tls.TLSSocket> {
    if (this.socket && !this.socket.destroyed && this.socket.writable) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<tls.TLSSocket>((resolve, reject) => {
      const { host, port, ca, cert, key } = this.opts;
      const serverName = this.opts.serverName ?? (isIP(host) ? undefined : host);
      // The certificate is checked against serverName when set, else against host.
      const socket = tls.connect({ host, port, ca, cert, key, servername: serverName, minVersion: 'TLSv1.2', rejectUnauthorized: true });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })), this.opts.connectTimeoutMs ?? 10_000);
      timer.unref();
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        this.socket = socket;
        this.connecting = undefined;
        resolve(socket);
      });
      socket.once('error', (e) => {
        clearTimeout(timer);
        this.connecting = undefined;
        reject(e);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
      });
      // An error between two messages (the repository went away): the next write reconnects.
      socket.on('error', () => {
        if (this.socket === socket) this.socket = undefined;
      });
      // The repository sends nothing back; anything it does send is ignored.
      socket.on('data', () => undefined);
    });
    return this.connecting;
  }
}

function write(socket: tls.TLSSocket, frame: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    socket.once('error', onError);
    socket.write(frame, (err) => {
      socket.off('error', onError);
      if (err) reject(err);
      else resolve();
    });
  });
}
