/**
 * Hostile input against the journey server (issue 12): bodies nested deeply
 * (XML and JSON), too many or too large attributes, DTDs and entities, bodies
 * over the limit, fake or bomb content encodings, odd paths, a body on GET and
 * wrong media types, each with and without a bearer token where it matters.
 * Every case must end in a 4xx OperationOutcome that says what was wrong, and
 * the server must still answer /health promptly afterwards; for the deeply
 * nested XML cases (and a few other costly ones), /health requests made one
 * after the other while the hostile one is in flight must answer too. Timings are saved to a report file, not
 * asserted (HOSTILE_REPORT: where; default <tmpdir>/hostile-input-report.json).
 *
 * The server runs in a process of its own (hostile-server.ts), so that a
 * request blocking its event loop does not block the client timing /health.
 * HOSTILE_TIMEOUT_MS bounds each request (default 20 s; to measure a server
 * that takes minutes, raise it). HOSTILE_ONLY: a regular expression of the
 * case names to run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { projectPath } from '../../src/util/project.js';

const TIMEOUT_MS = Number(process.env.HOSTILE_TIMEOUT_MS ?? 20_000);
const ONLY = process.env.HOSTILE_ONLY ? new RegExp(process.env.HOSTILE_ONLY) : undefined;
const REPORT = process.env.HOSTILE_REPORT ?? path.join(tmpdir(), 'hostile-input-report.json');
const MAX_BODY_BYTES = 4 * 1024 * 1024;

let child: ChildProcess;
let base: URL;
let token: string;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', projectPath('test', 'hardening', 'hostile-server.ts')], {
    cwd: projectPath(),
    env: { ...process.env, HOSTILE_MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`hostile-server exited (${code}) before listening`)));
  });
  const started = JSON.parse(first) as { url: string; token: string };
  base = new URL(started.url);
  token = started.token;
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(kill);
  }
  writeFileSync(REPORT, `${JSON.stringify(rows, null, 2)}\n`);
}, 30_000);

interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
  ms: number;
}

interface Row {
  name: string;
  status: number | 'error';
  ms: number;
  /** Longest of the /health requests made while the hostile one was in flight, and how many there were. */
  healthDuringMs?: number;
  healthProbes?: number;
  healthAfterMs?: number;
  diagnostics?: string;
}
const rows: Row[] = [];

interface Hostile {
  method?: string;
  /** Path and query as sent, not normalised ('..' and '%00' reach the server as written). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the doctor's bearer token (default true). */
  auth?: boolean;
}

/** One request over a connection of its own; `onSent` once the whole request is written. */
function send(h: Hostile, onSent?: () => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const headers: Record<string, string> = { Accept: 'application/fhir+json', ...h.headers };
    if (h.auth !== false) headers.Authorization = `Bearer ${token}`;
    if (h.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(h.body));
    const req = http.request({ host: base.hostname, port: base.port, method: h.method ?? 'GET', path: h.path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks), ms: performance.now() - started,
      }));
      res.on('error', reject);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
    // (a server may answer before it has read the whole body: what it said still counts)
    req.on('error', reject);
    req.on('finish', () => onSent?.());
    req.end(h.body);
  });
}

const health = (): Promise<Answer> => send({ path: '/health', auth: false });

/**
 * /health requests one after the other (the first one at once) while `hostile`
 * is in flight: how long each took. The longest is how long the server could
 * answer nothing else; none answered (a hang) shows as an empty list.
 */
async function probeHealth(hostile: Promise<unknown>): Promise<number[]> {
  let done = false;
  void hostile.then(() => (done = true), () => (done = true));
  const took: number[] = [];
  do {
    const h = await health().catch(() => undefined);
    if (!h || h.status !== 200) break;
    took.push(h.ms);
    await new Promise((resolve) => setTimeout(resolve, 10));
  } while (!done);
  return took;
}

// ---------------------------------------------------------------- the bodies

const FHIR_JSON = { 'Content-Type': 'application/fhir+json' };
const FHIR_XML = { 'Content-Type': 'application/fhir+xml' };
const XML_OPEN = '<Consent xmlns="http://hl7.org/fhir">';

/** `open` n times, then the leaf, then `close` n times: a text nested n levels deeper than the leaf. */
const nest = (n: number, open: string, leaf: string, close: string): string => open.repeat(n) + leaf + close.repeat(n);

const deepXml = (levels: number): string => `${XML_OPEN}${nest(levels, '<a>', '', '</a>')}</Consent>`;

/** A Consent as an EHR would send it, for a patient this server has never discovered. */
const consent = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  resourceType: 'Consent',
  status: 'active',
  scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
  category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
  patient: { reference: 'Patient/never-discovered' },
  policy: [{ uri: 'http://localhost/pin/fr' }],
  ...extra,
});
const CONSENT = JSON.stringify(consent());

/** A JSON resource text with `inner` (nested JSON text) as the value of `key`. */
const withRaw = (resource: Record<string, unknown>, key: string, inner: string): string => {
  const text = JSON.stringify({ ...resource, [key]: '@@' });
  return text.replace('"@@"', inner);
};
const deepPart = (levels: number): string => `{"resourceType":"Parameters","parameter":[${nest(levels - 1, '{"name":"p","part":[', '{"name":"p","valueString":"x"}', ']}')}]}`;
const deepProvision = (levels: number): string => withRaw(consent(), 'provision', nest(levels - 1, '{"type":"permit","provision":[', '{"type":"permit"}', ']}'));
const deepExtension = (levels: number): string => withRaw(consent(), 'extension', `[${nest(levels - 1, '{"url":"urn:x","extension":[', '{"url":"urn:x","valueString":"x"}', ']}')}]`);
const deepArrays = (levels: number): string => withRaw(consent(), 'extension', nest(levels, '[', '', ']'));

const billionLaughs = '<?xml version="1.0"?><!DOCTYPE Consent [<!ENTITY lol "lol">'
  + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')
  + `]>${XML_OPEN}<status value="&lol9;"/></Consent>`;
const externalEntity = `<?xml version="1.0"?><!DOCTYPE Consent [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${XML_OPEN}<status value="&xxe;"/></Consent>`;

// ---------------------------------------------------------------- the cases

interface Case {
  name: string;
  request: Hostile;
  /** Expected status (one of, when several are right). */
  status: number | readonly number[];
  /** What the OperationOutcome's diagnostics must say. */
  says: RegExp;
  /** Time a /health request sent while this one is processed. */
  healthDuring?: boolean;
}

const CASES: Case[] = [
  // Deep XML: refused at the depth limit, whatever the depth and whether authenticated or not.
  ...[32_000, 100_000].flatMap((levels): Case[] => [true, false].map((auth) => ({
    name: `xml: ${levels} levels deep${auth ? '' : ', no token'}`,
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: deepXml(levels), auth },
    status: 400, says: /nested deeper than \d+/, healthDuring: true,
  }))),
  {
    name: 'xml: 10,000 attributes on one element',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: `<Consent xmlns="http://hl7.org/fhir" ${Array.from({ length: 10_000 }, (_, i) => `a${i}="x"`).join(' ')}><status value="active"/></Consent>` },
    status: 400, says: /more than \d+ attributes/, healthDuring: true,
  },
  {
    name: 'xml: a 2 MiB attribute value',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: `${XML_OPEN}<status value="${'x'.repeat(2 * 1024 * 1024)}"/></Consent>` },
    status: 400, says: /attribute value longer than \d+/, healthDuring: true,
  },
  {
    name: 'xml: DOCTYPE with nested entities (billion laughs)',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: billionLaughs },
    status: 400, says: /DOCTYPE/,
  },
  {
    name: 'xml: DOCTYPE with an external entity, no token',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: externalEntity, auth: false },
    status: 400, says: /DOCTYPE/,
  },
  {
    name: 'xml: an undeclared entity',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: `${XML_OPEN}<status value="&lol;"/></Consent>` },
    status: 400, says: /Malformed XML/,
  },
  {
    name: 'xml: 150 levels of extension (under the XML limit)',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: `${XML_OPEN}${nest(150, '<extension url="http://example.org/x">', '<valueString value="x"/>', '</extension>')}<status value="active"/></Consent>` },
    status: 400, says: /nested deeper than \d+/,
  },
  // Shallow but wide: the conversion by FHIR.js costs seconds per MiB, so it waits for authentication.
  ...[false, true].map((auth): Case => ({
    name: `xml: 1 MiB wide (14,000 extensions)${auth ? '' : ', no token'}`,
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: `${XML_OPEN}${'<extension url="http://example.org/x"><valueString value="y"/></extension>'.repeat(14_000)}<status value="active"/></Consent>`, auth },
    status: auth ? 400 : 401, says: auth ? /Consent/ : /Authorization/, healthDuring: true,
  })),
  {
    name: 'xml: over the body limit',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_XML, body: `${XML_OPEN}<text><div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(MAX_BODY_BYTES + 1024)}</div></text></Consent>` },
    status: 413, says: /larger than/,
  },

  // Content encodings: decoded within the body limit, a lie about them is the client's fault.
  ...(['gzip', 'deflate', 'br'] as const).map((encoding): Case => ({
    name: `encoding: ${encoding} label on a plain body`,
    request: { method: 'POST', path: '/fhir/Consent', headers: { ...FHIR_JSON, 'Content-Encoding': encoding }, body: CONSENT },
    status: 400, says: new RegExp(`${encoding}`),
  })),
  {
    name: 'encoding: truncated gzip',
    request: { method: 'POST', path: '/fhir/Consent', headers: { ...FHIR_JSON, 'Content-Encoding': 'gzip' }, body: gzipSync(CONSENT).subarray(0, 40) },
    status: 400, says: /gzip/,
  },
  {
    name: 'encoding: gzip bomb (10 MB of zeros)',
    request: { method: 'POST', path: '/fhir/Consent', headers: { ...FHIR_JSON, 'Content-Encoding': 'gzip' }, body: gzipSync(Buffer.alloc(10 * 1024 * 1024)) },
    status: 413, says: /larger than/, healthDuring: true,
  },
  {
    name: 'encoding: brotli bomb (10 MB of zeros), no token',
    request: { method: 'POST', path: '/fhir/Consent', headers: { ...FHIR_JSON, 'Content-Encoding': 'br' }, body: brotliCompressSync(Buffer.alloc(10 * 1024 * 1024)), auth: false },
    status: 413, says: /larger than/,
  },
  {
    name: 'encoding: compress (unsupported)',
    request: { method: 'POST', path: '/fhir/Consent', headers: { ...FHIR_JSON, 'Content-Encoding': 'compress' }, body: CONSENT },
    status: 415, says: /compress/,
  },
  // (decoded and read: the same refusal as the plain body's, the Consent lacks its performer)
  ...([['identity', CONSENT], ['gzip', gzipSync(CONSENT)], ['deflate', deflateSync(CONSENT)], ['br', brotliCompressSync(CONSENT)]] as const).map(([encoding, body]): Case => ({
    name: `encoding: ${encoding}, a proper body`,
    request: { method: 'POST', path: '/fhir/Consent', headers: { ...FHIR_JSON, 'Content-Encoding': encoding }, body },
    status: 400, says: /Consent\.performer/,
  })),

  // Deep JSON: refused before the schema validation walks it.
  ...[2_000, 100_000].flatMap((levels): Case[] => [
    { name: `json: Parameters.part ${levels} levels`, request: { method: 'POST', path: '/fhir/Patient/$match', headers: FHIR_JSON, body: deepPart(levels) }, status: 400, says: /nested deeper than 100/ },
    { name: `json: Consent.provision ${levels} levels`, request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_JSON, body: deepProvision(levels) }, status: 400, says: /nested deeper than 100/ },
    { name: `json: extension ${levels} levels`, request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_JSON, body: deepExtension(levels) }, status: 400, says: /nested deeper than 100/ },
  ]),
  {
    name: 'json: Consent.provision 2000 levels, no token',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_JSON, body: deepProvision(2_000), auth: false },
    status: 400, says: /nested deeper than 100/,
  },
  {
    name: 'json: 100000 nested arrays',
    request: { method: 'POST', path: '/fhir/Consent', headers: FHIR_JSON, body: deepArrays(100_000) },
    status: 400, says: /nested deeper than 100/,
  },

  // Odd paths: a 4xx, never a handler called with a nonsense id.
  ...([
    ['/fhir/Patient/$summary/$summary', 400, /not a valid resource id/],
    ['/fhir/Patient/$match/$summary', 400, /not a valid resource id/],
    ['/fhir/Patient/_search/$summary', 400, /not a valid resource id/],
    ['/fhir/Patient/$summary/_history/1', 400, /not a valid resource id|Invalid resource or version id/],
    ['/fhir/Patient/$summary/$summary/$summary', 404, /No such route/],
    ['/fhir/Patient//$summary', 404, /\$summary/],
    ['/fhir/Patient/../$summary', [400, 403, 404], /./],
    ['/fhir/Patient/%2E%2E/$summary', [400, 403, 404], /./],
    ['/fhir/Patient/%00/$summary', 400, /not a valid resource id/],
    ['/fhir/Patient/a%00b', 400, /not a valid resource id/],
    [`/fhir/Patient/${'a'.repeat(65)}/$summary`, 400, /not a valid resource id/],
    [`/fhir/Patient/${'a'.repeat(8000)}`, 400, /not a valid resource id/],
    ['/fhir/Patient/%E0%A4%A', 400, /percent-encoding/],
    ['/fhir/Foo/1', 404, /Unknown resource type/],
    ['/fhir/Foo/$summary', 404, /Unknown resource type/],
    ['/fhir/Foo/1/$summary', 404, /Unknown resource type/],
    ['/fhir/Observation/1/$summary', 404, /not supported/],
    ['/fhir/$summary', 404, /not supported/],
    ['/fhir/Patient/1/_history/1/$summary', 404, /No such route/],
    ['/fhir/metadata/$summary', 404, /Unknown resource type/],
    ['/fhir/Patient/1/$summary%2F$summary', 404, /not supported/],
  ] as const).map(([p, status, says]): Case => ({ name: `path: GET ${p.length > 60 ? `${p.slice(0, 40)}…(${p.length})` : p}`, request: { path: p }, status, says })),
  { name: 'path: POST /fhir/Patient/$summary/$summary', request: { method: 'POST', path: '/fhir/Patient/$summary/$summary' }, status: 400, says: /not a valid resource id/ },
  { name: 'path: GET /fhir/Patient/$summary/$summary, no token', request: { path: '/fhir/Patient/$summary/$summary', auth: false }, status: 400, says: /not a valid resource id/ },

  // A body where none is taken.
  {
    name: 'get: a JSON body on a search',
    request: { path: `/fhir/Patient?identifier=${encodeURIComponent('urn:oid:1.2.3|1')}`, headers: FHIR_JSON, body: CONSENT },
    status: 400, says: /takes no body/,
  },
  {
    name: 'get: a 100000-level XML body on metadata, no token',
    request: { path: '/fhir/metadata', headers: FHIR_XML, body: deepXml(100_000), auth: false },
    status: 400, says: /takes no body/, healthDuring: true,
  },

  // Media types.
  ...([
    ['text/plain', CONSENT, 415, /not supported/],
    [undefined, CONSENT, 415, /not supported/],
    ['application/fhir+json; charset=utf-16', CONSENT, 415, /utf-16/],
    ['multipart/form-data; boundary=x', '--x\r\n\r\nhello\r\n--x--', 415, /not supported/],
    ['application/x-www-form-urlencoded', 'status=active', 415, /not supported/],
    ['application/xml', CONSENT, 400, /Malformed XML/],
    ['application/fhir+json', `${XML_OPEN}<status value="active"/></Consent>`, 400, /Malformed JSON/],
    [`application/fhir+json; ${'x'.repeat(8000)}`, CONSENT, [400, 415], /./],
  ] as const).map(([type, body, status, says]): Case => ({
    name: `type: ${type === undefined ? '(none)' : type.length > 60 ? `${type.slice(0, 30)}…(${type.length})` : type}`,
    request: { method: 'POST', path: '/fhir/Consent', headers: type === undefined ? {} : { 'Content-Type': type }, body },
    status, says,
  })),
];

const selected = CASES.filter((c) => !ONLY || ONLY.test(c.name));

describe('hostile input: a 4xx OperationOutcome, and /health still answers', () => {
  test.each(selected.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const row: Row = { name: c.name, status: 'error', ms: 0 };
    rows.push(row);
    let during: Promise<number[]> | undefined;
    let answer: Answer;
    const hostile = send(c.request, () => {
      // From the moment the hostile request is on the wire (the server reading or processing it) until it is answered.
      if (c.healthDuring) during = probeHealth(hostile);
    });
    try {
      answer = await hostile;
    } finally {
      const probes = await during;
      if (probes?.length) {
        row.healthDuringMs = Math.max(...probes);
        row.healthProbes = probes.length;
      }
    }
    row.status = answer.status;
    row.ms = answer.ms;
    const after = await health();
    row.healthAfterMs = after.ms;

    let outcome: fhir4.OperationOutcome | undefined;
    if (/json/.test(answer.contentType)) {
      try {
        outcome = JSON.parse(answer.body.toString('utf8')) as fhir4.OperationOutcome;
      } catch {
        outcome = undefined;
      }
    }
    row.diagnostics = outcome?.issue?.map((i) => i.diagnostics).join(' | ');
    expect(typeof c.status === 'number' ? [c.status] : c.status).toContain(answer.status);
    expect(answer.contentType).toMatch(/^application\/fhir\+json/);
    expect(outcome?.resourceType).toBe('OperationOutcome');
    expect(outcome?.issue?.[0]?.diagnostics ?? '').toMatch(c.says);
    if (c.healthDuring) expect(row.healthDuringMs).toBeDefined();
    expect(after.status).toBe(200);
  }, Math.max(60_000, 3 * TIMEOUT_MS));
});
