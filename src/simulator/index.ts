/**
 * The embedded eHDSI network: one responding gateway per configured
 * country on a loopback HTTP port, real SOAP 1.2 (XCPD at /<CC>/xcpd, XCA
 * query and retrieve at /<CC>/xca, told apart by wsa:Action), serving the
 * synthetic patients of fixtures/patients, plus a control API to queue
 * faults and read the log of received requests (/_control/...).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Country } from '../ehdsi/countries/registry.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { projectPath } from '../util/project.js';
import { handleControl } from './control-api.js';
import { DEFAULT_DELAY_MS, FaultController, type FaultSpec, type RequestLogEntry } from './faults.js';
import { httpErrorReply, malformedXmlReply, soapFaultReply, truncateAsMtom } from './fault-replies.js';
import { answerRequest, ehdsiErrorReply, readIncomingSoap, transactionFor, type EndpointKind, type GatewayContext, type GatewayReply } from './gateway.js';
import { BodyTooLargeError, readBody, sendJson, sendReply } from './http-io.js';
import { loadPatients, repositoryIdFor, type PatientStore, type SimulatedCountry } from './patients.js';


/**
 * The drop-connection fault: the answer starts (status and headers), then the
 * connection goes. Started, so that a client cannot take it for a kept-alive
 * connection closed while idle, which it rightly sends again.
 */
function dropDuringAnswer(res: http.ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'application/soap+xml; charset=UTF-8', 'Content-Length': '4096' });
  res.write('<', () => res.socket?.destroy());
}

export { FaultController, FaultSpecError, FAULT_KINDS, TRANSACTIONS, type FaultKind, type FaultSpec, type QueuedFault, type RequestLogEntry, type Transaction } from './faults.js';
export { repositoryIdFor, type SimulatedCountry, type SimulatedPatient, type SimulatedDocument } from './patients.js';

export interface SimulatorOptions {
  /** Default 127.0.0.1: the simulator is a local test bed, never exposed. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** The countries to simulate (code and home community id are used; a Country from src/ehdsi/countries fits). */
  countries: ReadonlyArray<Pick<Country, 'code' | 'homeCommunityId'>>;
  /** Folder of synthetic patients; default fixtures/patients of the project. */
  patientsDir?: string;
  /** PEM certificates whose keys may sign the HCP and TRC assertions (the facade's signing certificate). */
  trustedCertificatesPem: readonly string[];
  logger?: Logger;
  /** Largest request accepted (bytes); default 5 MiB. */
  maxRequestBytes?: number;
}

export interface RunningSimulator {
  /** http://host:port (gateways at `${url}/<CC>/xcpd` and `${url}/<CC>/xca`). */
  url: string;
  faults: FaultController;
  countries: SimulatedCountry[];
  /** The endpoints of one simulated country. */
  endpoints(code: string): { xcpd: string; xca: string };
  close(): Promise<void>;
}

const DEFAULT_MAX_REQUEST_BYTES = 5 * 1024 * 1024;

export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const logger = (options.logger ?? createLogger('silent')).child({ component: 'ehdsi-simulator' });
  const countries: SimulatedCountry[] = options.countries.map((c) => ({ code: c.code.toUpperCase(), homeCommunityId: c.homeCommunityId, repositoryUniqueId: repositoryIdFor(c.homeCommunityId) }));
  const byCode = new Map(countries.map((c) => [c.code, c]));
  const store: PatientStore = loadPatients(options.patientsDir ?? projectPath('fixtures', 'patients'), countries);
  const faults = new FaultController(countries.map((c) => c.code));
  const maxRequestBytes = options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
  const pendingDelays = new Set<() => void>();
  let closing = false;
  let baseUrl = '';

  /** Waits, but gives up early when the client goes away or the simulator closes. */
  const delay = (ms: number, res: http.ServerResponse): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pendingDelays.delete(done);
        res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      pendingDelays.add(done);
      res.on('close', done);
    });

  const endpoints = (code: string) => ({ xcpd: `${baseUrl}/${code}/xcpd`, xca: `${baseUrl}/${code}/xca` });

  async function handleGateway(req: http.IncomingMessage, res: http.ServerResponse, country: SimulatedCountry, endpoint: EndpointKind): Promise<void> {
    const started = Date.now();
    const entry: RequestLogEntry = { time: new Date(started).toISOString(), country: country.code, endpoint };
    // Logged on arrival (so the log keeps the order requests came in), completed when answered.
    faults.record(entry);
    const finish = (reply: GatewayReply | undefined): void => {
      entry.status = reply?.status ?? 0;
      if (reply?.ehdsiCode) entry.ehdsiCode = reply.ehdsiCode;
      logger.debug({ country: entry.country, transaction: entry.transaction, status: entry.status, fault: entry.fault, ehdsiCode: entry.ehdsiCode, ms: Date.now() - started }, 'simulated gateway answered');
      if (reply) sendReply(res, reply);
      else dropDuringAnswer(res);
    };
    let body: Buffer;
    try {
      body = await readBody(req, maxRequestBytes);
    } catch (e) {
      if (!(e instanceof BodyTooLargeError)) throw e;
      res.setHeader('Connection', 'close');
      return finish({ status: 413, contentType: 'text/plain; charset=utf-8', body: Buffer.from(e.message) });
    }
    const ctx: GatewayContext = { country, store, trustedCertificatesPem: options.trustedCertificatesPem };
    const incoming = readIncomingSoap(String(req.headers['content-type'] ?? ''), body, maxRequestBytes);
    const transaction = transactionFor(endpoint, incoming.action);
    entry.action = incoming.action?.slice(0, 200);
    entry.transaction = transaction;
    const fault: FaultSpec | undefined = faults.take(country.code, transaction);
    if (fault) entry.fault = fault.fault;
    const normal = (): GatewayReply => answerRequest(ctx, endpoint, incoming);
    switch (fault?.fault) {
      case undefined:
        return finish(normal());
      case 'delay':
        await delay(fault.delayMs ?? DEFAULT_DELAY_MS, res);
        if (closing || res.destroyed) {
          entry.status = 0;
          return;
        }
        return finish(normal());
      case 'soap-fault':
        return finish(soapFaultReply(fault.ehdsiCode, incoming.parsed?.messageId));
      case 'http-500':
        return finish(httpErrorReply(500));
      case 'http-503':
        res.setHeader('Retry-After', '30');
        return finish(httpErrorReply(503));
      case 'malformed-xml':
        return finish(malformedXmlReply());
      case 'truncated-mtom':
        return finish(truncateAsMtom(normal()));
      case 'drop-connection':
        return finish(undefined);
      case 'ehdsi-error':
        return finish(ehdsiErrorReply(ctx, transaction, incoming, fault.ehdsiCode as string));
      case 'corrupt-document':
        return finish(answerRequest(ctx, endpoint, incoming, undefined, { corruptDocuments: true }));
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://simulator').pathname;
    const control = /^\/_control\/([a-z-]+)\/?$/.exec(pathname);
    if (control) return handleControl(req, res, control[1], faults, countries.map((c) => c.code));
    const gateway = /^\/([A-Za-z]{2})\/(xcpd|xca)\/?$/.exec(pathname);
    if (gateway) {
      const country = byCode.get(gateway[1].toUpperCase());
      if (!country) return sendJson(res, 404, { error: `country ${gateway[1].toUpperCase()} is not simulated` });
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return sendJson(res, 405, { error: 'SOAP endpoints accept POST only' });
      }
      return handleGateway(req, res, country, gateway[2] as EndpointKind);
    }
    if (pathname === '/' && req.method === 'GET') {
      return sendJson(res, 200, {
        service: 'eHDSI network simulator',
        countries: countries.map((c) => ({ code: c.code, homeCommunityId: c.homeCommunityId, repositoryUniqueId: c.repositoryUniqueId, patients: store.ofCountry(c.code).length, ...endpoints(c.code) })),
        control: { faults: `${baseUrl}/_control/faults`, requests: `${baseUrl}/_control/requests` },
      });
    }
    return sendJson(res, 404, { error: 'not found' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      logger.error({ err: e instanceof Error ? e.message : String(e) }, 'simulator failed to answer');
      if (!res.headersSent) sendJson(res, 500, { error: 'simulator internal error' });
      else res.destroy();
    });
  });
  // A stalled client must not hold a socket forever (answers may be delayed on purpose: requestTimeout only covers receiving).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url: baseUrl, countries: countries.map((c) => c.code), patients: store.size() }, 'eHDSI network simulator listening');

  return {
    url: baseUrl,
    faults,
    countries,
    endpoints,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const release of [...pendingDelays]) release();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
