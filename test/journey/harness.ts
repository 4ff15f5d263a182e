/**
 * The running pieces of the journey tests, over real HTTP: the FHIR server
 * (createApp + the registry + registerJourney), the eHDSI network simulator,
 * the Pro Santé Connect stand-in (real bearer tokens, real authenticator) and
 * an in-memory SQLite store. `startJourneyServer` is the one place to switch
 * to startServices once the lead wires registerJourney.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAuth, type AuthServices } from '../../src/app-services.js';
import { loadConfig } from '../../src/config/config.js';
import { mintAccessToken } from '../../src/dev-idp/access-token.js';
import { DEV_EHR_CLIENT_ID } from '../../src/dev-idp/constants.js';
import { loadCountryRegistry, type CountryRegistry } from '../../src/ehdsi/countries/index.js';
import { createEhdsiTransport } from '../../src/ehdsi/soap/transport-config.js';
import { buildRegistry } from '../../src/fhir/interactions/index.js';
import { registerJourney } from '../../src/fhir/interactions/journey.js';
import { requestAuditor } from '../../src/fhir/request-audit.js';
import { journeyDepsFromConfig, type Journey, type JourneyDeps } from '../../src/journey/index.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { createApp, type AppDeps } from '../../src/server.js';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.js';
import { SqliteStore } from '../../src/store/index.js';
import { projectPath } from '../../src/util/project.js';
import { mountPatientInformationNotice } from '../../src/web/pin/index.js';

export const FRANCE_HCID = '2.999.250.1.1';

/** Test professionals of fixtures/practitioners (eligible ones). */
export const DOCTOR = '899700209937';

export interface JourneyServer {
  /** http://127.0.0.1:port */
  url: string;
  fhir: string;
  sim: RunningSimulator;
  store: SqliteStore;
  countries: CountryRegistry;
  journey: Journey;
  auth: AuthServices;
  /** A PSC access token of a test professional (by national id). */
  token(nationalId: string): Promise<string>;
  close(): Promise<void>;
}

/** The project's synthetic patients plus the tests' own: one the country knows but holds no summary for. */
function patientsDir(root: string): string {
  const dir = path.join(root, 'patients');
  cpSync(projectPath('fixtures', 'patients'), dir, { recursive: true });
  const identity = (slug: string, mbo: string, family: string, given: string, gender: string, birthDate: string) => {
    mkdirSync(path.join(dir, slug));
    writeFileSync(path.join(dir, slug, 'patient.json'), JSON.stringify({
      country: 'HR', identifiers: [{ root: HR_DOMAIN, extension: mbo }], name: { family, given: [given] }, gender, birthDate,
    }));
  };
  // Known to the country, no patient summary.
  identity('hr-ivana-no-summary', NO_SUMMARY_MBO, 'NOVAK', 'IVANA', 'female', '1990-12-24');
  // One number on a family card, two people.
  identity('hr-luka-babic', FAMILY_CARD_MBO, 'BABIĆ', 'LUKA', 'male', '2010-06-01');
  identity('hr-mia-babic', FAMILY_CARD_MBO, 'BABIĆ', 'MIA', 'female', '2012-09-09');
  return dir;
}

export async function startJourneyServer(opts: {
  trcAssertionMinutes?: number;
  journey?: Partial<JourneyDeps>;
  logger?: Logger;
  /** Further settings by key (e.g. 'fhir.maxBodyBytes'), over the tests' own. */
  config?: Record<string, unknown>;
  /** Rate limits of the app (none by default). */
  app?: Pick<AppDeps, 'rateLimits' | 'loginRateLimit'>;
} = {}): Promise<JourneyServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'journey-'));
  const logger = opts.logger ?? createLogger('silent');
  const config = loadConfig({}, {
    port: 0, logLevel: 'silent', dataDir: path.join(root, 'data'), 'auth.devIdp.port': 0,
    'ehdsi.timeoutMs': 1500, 'ehdsi.homeCommunityId': FRANCE_HCID,
    ...opts.config,
  });
  const transport = createEhdsiTransport(config, logger);
  const sim = await startSimulator({ countries: loadCountryRegistry().list(), trustedCertificatesPem: [transport.keys.certificatePem], patientsDir: patientsDir(root) });
  const store = await SqliteStore.open(':memory:');
  const deps = journeyDepsFromConfig(config, { store, logger, simulatorBaseUrl: sim.url, transport: { ...transport, trcAssertionMinutes: opts.trcAssertionMinutes ?? transport.trcAssertionMinutes } });

  // The server listens first: its URL is the portal's redirect URI at the PSC stand-in.
  const routed: { handler?: http.RequestListener } = {};
  const server = http.createServer((req, res) => (routed.handler ? routed.handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = await startAuth(config, logger, url);

  const registry = buildRegistry({ security: auth.capability });
  const journey = registerJourney(registry, { ...deps, ...opts.journey });
  routed.handler = createApp({
    registry,
    logger,
    maxBodyBytes: config.fhir.maxBodyBytes,
    authenticate: auth.authenticate,
    // As startServices: the audit of what no journey step recorded (refused tokens, malformed requests).
    observer: requestAuditor({ trail: journey.audit.trail, authenticate: auth.authenticate }),
    ...opts.app,
    mount: (app) => {
      auth.mount(app);
      mountPatientInformationNotice(app);
    },
  });
  return {
    url,
    fhir: `${url}/fhir`,
    sim,
    store,
    countries: deps.countries,
    journey,
    auth,
    token: async (nationalId) => {
      const idp = auth.devIdp!;
      const pro = idp.directory.findByNationalId(nationalId);
      if (!pro) throw new Error(`no test professional ${nationalId}`);
      return mintAccessToken(idp.keys, idp.issuer, pro, DEV_EHR_CLIENT_ID, 600);
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      transport.client.close();
      await sim.close();
      await auth.close();
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/**
 * The file's journey server: started before its tests, told with the doctor's client to `ready`
 * (the file's own set-up), stopped after them.
 */
export function withJourneyServer(ready: (server: JourneyServer, doctor: FhirTestClient) => void | Promise<void>, opts: Parameters<typeof startJourneyServer>[0] = {}): void {
  let server: JourneyServer | undefined;
  beforeAll(async () => {
    server = await startJourneyServer(opts);
    await ready(server, fhirClient(server.fhir, await server.token(DOCTOR)));
  });
  afterAll(async () => {
    await server?.close();
  });
}

/** A tiny FHIR client over fetch with a bearer token. */
export function fhirClient(base: string, token: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/fhir+json',
        ...(body !== undefined ? { 'Content-Type': 'application/fhir+json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const type = res.headers.get('content-type') ?? '';
    const raw = Buffer.from(await res.arrayBuffer());
    const json = /json/.test(type) && raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
    return { status: res.status, headers: res.headers, body: json, raw };
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => call('POST', path, body, headers),
  };
}

export type FhirTestClient = ReturnType<typeof fhirClient>;

export const CARDIOLOGIST = '899700301115';
export const HR_DOMAIN = '2.16.17.710.840.1000.990.1';
export const MARIJA_MBO = '157601853';
/** The Patient search (PDQm) query of MARIJA BOŽIČEVIĆ by her MBO. */
export const MARIJA_QUERY = `identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${MARIJA_MBO}`)}&address-country=HR`;
export const NO_SUMMARY_MBO = '900000404';
export const FAMILY_CARD_MBO = '900000010';

/** Searches a Croatian patient by MBO and returns its Patient (the first match). */
export async function findCroatian(client: FhirTestClient, mbo: string): Promise<fhir4.Patient> {
  const res = await client.get(`/Patient?identifier=${encodeURIComponent(`urn:oid:${HR_DOMAIN}|${mbo}`)}&address-country=HR`);
  if (res.status !== 200 || !res.body.entry?.[0]?.resource?.id) throw new Error(`search failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.entry[0].resource as fhir4.Patient;
}

/** The professional's audit events (newest first) as [facade interaction, outcome, eHDSI transaction, outcomeDesc]. */
export async function auditTrail(client: FhirTestClient, query = ''): Promise<Array<{ interaction: string; outcome: string; transaction?: string; detail?: string; patient?: string; country?: string }>> {
  const res = await client.get(`/AuditEvent${query}`);
  if (res.status !== 200) throw new Error(`audit search failed: ${res.status}`);
  return (res.body.entry ?? []).map((e: fhir4.BundleEntry) => {
    const ev = e.resource as fhir4.AuditEvent;
    return {
      interaction: ev.subtype!.find((s) => s.system === 'urn:ehdsi-fhir-facade:audit-interaction')!.code!,
      outcome: ev.outcome!,
      transaction: ev.subtype!.find((s) => s.system === 'urn:ihe:event-type-code')?.code,
      detail: ev.outcomeDesc,
      patient: ev.entity?.find((x) => x.what?.reference?.startsWith('Patient/'))?.what?.reference,
      country: ev.entity?.flatMap((x) => x.detail ?? []).find((d) => d.type === 'country')?.valueString,
    };
  });
}

/** Number of SOAP requests the simulator received so far. */
export function soapCalls(server: JourneyServer): number {
  return server.sim.faults.requests().length;
}
