/**
 * The journey through a load balancer in front of two instances (run by
 * scripts/ci-two-instances.sh): every answer says which instance gave it
 * (nginx's X-Upstream-Addr). Checks that discovery and consent answered by one
 * instance serve $summary on the other, that a portal login crossing both
 * instances gives one session valid on both, and that with one instance killed
 * the journey still completes through the other. Exit code 0 when all hold.
 *
 *   tsx test/multi-instance/through-nginx.ts --public <nginx URL> --token <access token>
 *       --instances <host:port,host:port> --stop-pid <process group of the first instance>
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { public: { type: 'string' }, token: { type: 'string' }, instances: { type: 'string' }, 'stop-pid': { type: 'string' } } });
const base = values.public!.replace(/\/+$/, '');
const [first, second] = values.instances!.split(',');
const auth = { Authorization: `Bearer ${values.token}` };
let failures = 0;

function check(ok: boolean, what: string): void {
  process.stdout.write(`${ok ? '  ✓' : '  ✗'} ${what}\n`);
  if (!ok) failures++;
}

interface Answer { status: number; upstream: string; body: string; location: string | null; cookies: string[] }

async function call(path: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, { redirect: 'manual', ...init });
  return {
    status: res.status,
    upstream: res.headers.get('x-upstream-addr') ?? '',
    body: await res.text(),
    location: res.headers.get('location'),
    cookies: res.headers.getSetCookie(),
  };
}

/** The last address nginx tried (after a failover it lists them all). */
const answeredBy = (a: Answer): string => a.upstream.split(/[,:]\s*/).filter(Boolean).slice(-2).join(':');

async function fhir(path: string, init: RequestInit = {}): Promise<Answer> {
  return call(`/fhir/${path}`, { ...init, headers: { ...auth, Accept: 'application/fhir+json', ...(init.headers ?? {}) } });
}

/** Repeats `path` until an instance other than `not` answers (round-robin: the next one). */
async function onOtherInstance(path: string, not: string): Promise<Answer> {
  let a = await fhir(path);
  for (let i = 0; i < 3 && answeredBy(a) === not; i++) a = await fhir(path);
  return a;
}

async function journey(): Promise<void> {
  process.stdout.write(`through ${base} to ${first} and ${second}\n`);
  const search = await fhir('Patient?identifier=urn:oid:2.16.17.710.840.1000.990.1|157601853&address-country=HR');
  check(search.status === 200, `Patient search (XCPD) answered 200 by ${answeredBy(search)}`);
  const patient = (JSON.parse(search.body) as fhir4.Bundle).entry?.[0]?.resource?.id;
  const consent = await fhir('Consent', {
    method: 'POST',
    headers: { 'Content-Type': 'application/fhir+json' },
    body: JSON.stringify({
      resourceType: 'Consent', status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${patient}` },
      performer: [{ reference: 'Practitioner/psc-899700209937' }],
      policy: [{ uri: 'https://ehdsi-fhir-facade.org/fhir/pin/fr' }],
      provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
      verification: [{ verified: true, verifiedWith: { reference: `Patient/${patient}` } }],
    }),
  });
  check(consent.status === 201, `Consent (TRC) recorded 201 by ${answeredBy(consent)}`);
  const summary = await onOtherInstance(`Patient/${patient}/$summary`, answeredBy(consent));
  check(summary.status === 200 && summary.body.includes('"Composition"'), `$summary 200 by ${answeredBy(summary)}, the other instance than the consent's`);
  check(answeredBy(summary) !== answeredBy(consent), 'the patient discovered, the consent recorded and the summary served across both instances (nothing kept in a process)');
  const pages = await fhir('AuditEvent?_count=1');
  const next = (JSON.parse(pages.body) as fhir4.Bundle).link?.find((l) => l.relation === 'next')?.url;
  if (next) {
    const page2 = await onOtherInstance(new URL(next).pathname.replace(/^\/fhir\//, '') + new URL(next).search, answeredBy(pages));
    check(page2.status === 200 && answeredBy(page2) !== answeredBy(pages), 'a page link made by one instance is followed on the other (shared FHIR_PAGING_KEY)');
  }

  // The portal: login started on one instance, callback on the other, one session on both.
  const jar = new Map<string, string>();
  const keep = (a: Answer): Answer => {
    for (const c of a.cookies) {
      const [pair] = c.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
    return a;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const portal = async (url: string, init: RequestInit = {}) => keep(await call(url, { ...init, headers: { cookie: cookie(), ...(init.headers ?? {}) } }));
  const start = await portal('/portal/login?cgu=on');
  let idp = await portal(start.location!);
  while (idp.status >= 300 && idp.status < 400) idp = await portal(new URL(idp.location!, start.location!).href);
  const form = /<form[^>]*action="([^"]+)"/.exec(idp.body);
  const chosen = await portal(new URL(form![1].replace(/&amp;/g, '&'), start.location!).href, {
    method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'nationalId=899700209937',
  });
  let hop = chosen;
  let callback: Answer | undefined;
  for (let i = 0; i < 10 && hop.status >= 300 && hop.status < 400; i++) {
    const url = new URL(hop.location!, start.location!).href;
    hop = await portal(url);
    if (url.startsWith(`${base}/portal/callback`)) callback = hop;
  }
  check(!!callback && callback.status === 303, `portal login: started on ${answeredBy(start)}, callback on ${callback ? answeredBy(callback) : '?'}`);
  const one = await portal('/portal/recherche');
  const two = await portal('/portal/recherche');
  const banner = 'CYRIL TOUBIB · ID 899700209937 · CABINET DU DR CYRIL';
  check(one.status === 200 && two.status === 200 && one.body.includes(banner) && two.body.includes(banner) && answeredBy(one) !== answeredBy(two),
    `one portal session, valid on ${answeredBy(one)} and on ${answeredBy(two)}`);

  // One instance killed: the journey goes on through the other.
  process.kill(-Number(values['stop-pid']), 'SIGKILL');
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < 3; i++) {
    const again = await fhir(`Patient/${patient}/$summary`);
    check(again.status === 200 && answeredBy(again) === second, `with ${first} killed, $summary 200 by ${answeredBy(again)}`);
    const page = await portal('/portal/recherche');
    check(page.status === 200 && page.body.includes(banner), `with ${first} killed, the portal session still works (${answeredBy(page)})`);
  }
}

journey().then(() => {
  process.stdout.write(failures ? `two instances: ${failures} check(s) failed\n` : 'two instances: every check passed\n');
  process.exit(failures ? 1 : 0);
}, (e: unknown) => {
  process.stdout.write(`two instances: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
