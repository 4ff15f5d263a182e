import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { projectPath } from '../../src/util/project.js';

/**
 * A SMART app for the browser tests, served on its own loopback port (so on
 * another origin than the FHIR server): fhirclient's browser bundle, a launch
 * page calling FHIR.oauth2.authorize and a redirect page (index.html) calling
 * FHIR.oauth2.ready and then the FHIR server. Each page tells its outcome in
 * <body data-state="done|failed"> and <pre id="result">.
 */

/** fhirclient's browser bundle, as published (see its README: why it is kept here, how to update it). */
export const FHIRCLIENT_BUNDLE = projectPath('test/browser/vendor/fhirclient-2.6.3/fhir-client.min.js');
const FHIRCLIENT_SHA256 = 'eb76a8e9034fab4f07eb4e5ab7e0dfeabe09976fba5e2adfa5c834466d30fdce';

export interface SmartAppOptions {
  /** The FHIR base URL (iss). */
  iss: string;
  clientId: string;
  scope: string;
}

export interface RunningApp {
  origin: string;
  close: () => Promise<void>;
}

const OUTCOME = `
function show(state, value) {
  document.getElementById('result').textContent = typeof value === 'string' ? value : JSON.stringify(value);
  document.body.dataset.state = state;
}`;

function html(title: string, script: string): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${title}</title>
<script src="/fhir-client.js"></script></head>
<body><h1>${title}</h1><pre id="result"></pre>
<script>${OUTCOME}
${script}</script></body></html>`;
}

/** The launch page: standalone launch, the redirect URI is this origin's index.html. */
function launchPage(opts: SmartAppOptions): string {
  return html('SMART test app — launch', `
FHIR.oauth2.authorize(Object.assign(${JSON.stringify(opts)}, { redirectUri: 'index.html' }))
  .catch((e) => show('failed', 'authorize: ' + e.message));`);
}

/** The redirect page: token exchange, then "who am I", a value set, every page of the audit trail and a resolved reference, each through CORS. */
const REDIRECT_PAGE = html('SMART test app', `
FHIR.oauth2.ready()
  .then(async (client) => {
    const me = await client.request({ url: 'Practitioner', includeResponse: true });
    const practitioner = me.body.entry[0].resource;
    const read = await client.request('Practitioner/' + practitioner.id);
    const countries = await client.request('ValueSet/countries/$expand');
    // Three audited reads of the trail, so that it has more than one page of two.
    for (let i = 0; i < 3; i++) await client.request('AuditEvent?_summary=count');
    // fhirclient follows the next links of every page (pageLimit 0) and resolves references.
    const events = await client.request('AuditEvent?_count=2', { pageLimit: 0, flat: true });
    const roles = await client.request('PractitionerRole', { resolveReferences: ['practitioner'], flat: true });
    return {
      auditEvents: events.length,
      auditDistinct: new Set(events.map((e) => e.id)).size,
      roleOf: roles[0].practitioner.resourceType + '/' + roles[0].practitioner.id,
      practitionerId: read.id,
      family: read.name[0].family,
      requestId: me.response.headers.get('X-Request-Id'),
      countries: countries.expansion.contains.map((c) => c.code),
      clientId: client.state.clientId,
      pkce: Boolean(client.state.codeVerifier),
    };
  })
  .then((r) => show('done', r), (e) => show('failed', 'ready: ' + e.message));`);

/** A page fetching one URL with a bearer token (a preflighted request), for the refusal tests. */
export function probePage(url: string): string {
  return html('CORS probe', `
fetch(${JSON.stringify(url)}, { headers: { Authorization: 'Bearer probe', Accept: 'application/fhir+json' } })
  .then(async (res) => show('done', { status: res.status, resourceType: (await res.json()).resourceType }), (e) => show('failed', e.message));`);
}

/** Serves the SMART app (without options: none) and the extra pages on 127.0.0.1, any free port. */
export async function startSmartApp(opts: SmartAppOptions | undefined, extra: Record<string, string> = {}): Promise<RunningApp> {
  if (!existsSync(FHIRCLIENT_BUNDLE)) throw new Error(`fhirclient's browser bundle is missing (${FHIRCLIENT_BUNDLE})`);
  const bundle = readFileSync(FHIRCLIENT_BUNDLE);
  if (createHash('sha256').update(bundle).digest('hex') !== FHIRCLIENT_SHA256) throw new Error(`${FHIRCLIENT_BUNDLE} is not fhirclient 2.6.3's published bundle`);
  const own: Record<string, string> = opts ? { '/launch.html': launchPage(opts), '/index.html': REDIRECT_PAGE } : {};
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/fhir-client.js') {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(bundle);
      return;
    }
    // extra is read on each request: a test may add pages once it knows the FHIR server's URL.
    const page = own[path] ?? extra[path];
    if (page === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }).end(page);
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
