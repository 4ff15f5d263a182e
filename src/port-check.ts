/**
 * Are the ports `npm start` will listen on free? Checked before the build
 * (`prestart`: scripts/check-ports.ts) and again by src/main.ts before
 * anything starts, so a taken port fails at once, naming the setting to change,
 * instead of after the build and the loading of the catalogues.
 */
import { createServer, type Server } from 'node:net';
import type { Config } from './config/config.js';

/** Exit code of `npm start` when a port it needs cannot be listened on. */
export const PORT_UNAVAILABLE_EXIT_CODE = 3;

export interface ListenSetting {
  /** What listens there, for the message. */
  what: string;
  /** Environment variables of the port and of the interface. */
  portEnv: string;
  hostEnv: string;
  host: string;
  port: number;
}

/** Every server `npm start` starts with this configuration, and where it listens. */
export function listenSettings(config: Config): ListenSetting[] {
  const list: ListenSetting[] = [{ what: 'the FHIR server', portEnv: 'PORT', hostEnv: 'HOST', host: config.host, port: config.port }];
  // As src/app-services.ts (isEmbeddedPsc): the stand-in runs when no real PSC is configured.
  if (config.get('auth.issuer') === undefined) {
    list.push({ what: 'the embedded Pro Santé Connect stand-in', portEnv: 'DEV_IDP_PORT', hostEnv: 'DEV_IDP_HOST', host: String(config.get('auth.devIdp.host')), port: Number(config.get('auth.devIdp.port')) });
  }
  // As src/simulator/from-config.ts (simulatorEnabled).
  if (config.get('simulator.enabled') !== false) {
    list.push({ what: 'the embedded eHDSI network simulator', portEnv: 'SIMULATOR_PORT', hostEnv: 'SIMULATOR_HOST', host: String(config.get('simulator.host')), port: Number(config.get('simulator.port')) });
  }
  return list;
}

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** The message for a listen error on one of these settings (also for a port taken between the check and the start). */
export function listenProblem(s: ListenSetting, code: string | undefined): string {
  const where = `${s.portEnv}=${s.port}: ${s.what} cannot listen on ${hostPort(s.host, s.port)}`;
  if (code === 'EADDRINUSE') return `${where}: the port is already in use; stop what uses it or set ${s.portEnv} to another port (0 = any free port)`;
  if (code === 'EACCES') return `${where}: permission denied (ports below 1024 need privileges); set ${s.portEnv} to another port`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${where}: ${s.hostEnv}=${s.host} is not an interface of this machine; set ${s.hostEnv}`;
  return `${where}: ${code ?? 'error'}; check ${s.portEnv} and ${s.hostEnv}`;
}

function tryListen(s: ListenSetting): Promise<{ server?: Server; code?: string }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (e: NodeJS.ErrnoException) => resolve({ code: e.code ?? e.message }));
    server.listen({ port: s.port, host: s.host, exclusive: true }, () => resolve({ server }));
  });
}

/**
 * One message per port that cannot be listened on (empty when all are free):
 * the same fixed port given to two of the servers, or a port taken or refused
 * by the system. Port 0 (any free port) is never checked. The ports are all
 * held at once, then released, so two settings sharing a port are both named.
 */
export async function checkPorts(config: Config): Promise<string[]> {
  const problems: string[] = [];
  const held: Server[] = [];
  const fixed = listenSettings(config).filter((s) => s.port !== 0);
  try {
    for (const [i, s] of fixed.entries()) {
      const r = await tryListen(s);
      if (r.server) {
        held.push(r.server);
        continue;
      }
      // Taken by one of the others just checked (the system says whether two interfaces may share it).
      const same = r.code === 'EADDRINUSE' ? fixed.slice(0, i).find((o) => o.port === s.port) : undefined;
      problems.push(same
        ? `${s.portEnv}=${s.port}: ${s.what} would listen on the port of ${same.what} (${same.portEnv}=${same.port}); give each a port of its own`
        : listenProblem(s, r.code));
    }
  } finally {
    await Promise.all(held.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
  return problems;
}

/** The setting of a listen error raised while starting (EADDRINUSE and the like carry the port), if it is one of ours. */
export function describeListenError(config: Config, e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { port?: number };
  if (!err || typeof err !== 'object' || err.syscall !== 'listen' || typeof err.port !== 'number') return undefined;
  const s = listenSettings(config).find((l) => l.port === err.port);
  return s ? listenProblem(s, err.code) : undefined;
}
