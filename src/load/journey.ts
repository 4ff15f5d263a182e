/**
 * One virtual professional: walks the journey of the README ("The journey,
 * with curl") again and again until the deadline, with a think time between
 * steps. A failed step ends that journey (counted, never retried); the next
 * journey starts after a pause of at least a second.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadPatient, VirtualProfessional } from './setup.js';
import type { LoadStats, Step } from './stats.js';

export interface JourneyContext {
  /** Origin of the server; the FHIR base is `${base}/fhir`. */
  base: string;
  stats: LoadStats;
  thinkMs: number;
  /** Epoch ms after which no request starts. */
  deadline: number;
  /** Aborts the requests still in flight at the end of the drain. */
  hardStop: AbortSignal;
  /** Per request, body included. */
  requestTimeoutMs: number;
  patients: readonly LoadPatient[];
  /** How many virtual professionals walk (to spread them over the patients). */
  professionals: number;
  random: () => number;
}

const PIN = 'https://ehdsi-fhir-facade.org/fhir/pin/fr';
/** Least pause after a failed journey, whatever the think time: a failing server is not hammered. */
const PAUSE_AFTER_FAILURE_MS = 1000;

interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

function causeOf(e: unknown, hardStop: AbortSignal): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || hardStop.aborted) return 'timeout';
  return `connection error (${err.cause?.code ?? err.cause?.message ?? err.message})`;
}

/** One request, timed and counted; undefined (and an error counted) unless it answers `expected`. */
async function call(ctx: JourneyContext, vp: VirtualProfessional, step: Step, path: string, expected: number,
  init: { method?: string; accept?: string; body?: unknown } = {}): Promise<Answer | undefined> {
  const started = performance.now();
  const headers: Record<string, string> = { Authorization: `Bearer ${vp.token}`, Accept: init.accept ?? 'application/fhir+json' };
  if (init.body !== undefined) headers['Content-Type'] = 'application/fhir+json';
  try {
    const res = await fetch(`${ctx.base}/fhir/${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.any([AbortSignal.timeout(ctx.requestTimeoutMs), ctx.hardStop]),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    ctx.stats.request(step, performance.now() - started);
    if (res.status !== expected) {
      ctx.stats.error(step, `HTTP ${res.status}`);
      return undefined;
    }
    return { status: res.status, headers: res.headers, bytes };
  } catch (e) {
    ctx.stats.request(step, performance.now() - started);
    ctx.stats.error(step, causeOf(e, ctx.hardStop));
    return undefined;
  }
}

function json(answer: Answer): Record<string, unknown> | undefined {
  try {
    return JSON.parse(answer.bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function resources(bundle: Record<string, unknown> | undefined): Array<Record<string, unknown>> {
  const entries = Array.isArray(bundle?.entry) ? (bundle.entry as Array<{ resource?: Record<string, unknown>; search?: { mode?: string } }>) : [];
  return entries.filter((e) => (e.search?.mode ?? 'match') === 'match' && e.resource).map((e) => e.resource!);
}

/** Waits the think time (±50%), cut at the deadline; false when the deadline has come. */
async function pause(ctx: JourneyContext, ms: number): Promise<boolean> {
  const left = ctx.deadline - Date.now();
  if (left <= 0) return false;
  if (ms > 0) await sleep(Math.min(ms, left));
  return Date.now() < ctx.deadline;
}

const think = (ctx: JourneyContext) => pause(ctx, ctx.thinkMs * (0.5 + ctx.random()));

/** `system|value` of the patient's identifiers, one per trait of the country's mask. */
function maskIdentifiers(questionnaire: Record<string, unknown> | undefined, patient: LoadPatient): string[] {
  const items = Array.isArray(questionnaire?.item) ? (questionnaire.item as Array<{ code?: Array<{ code?: string }> }>) : [];
  const out: string[] = [];
  for (const item of items) {
    const system = item.code?.[0]?.code;
    const id = patient.identifiers.find((i) => `urn:oid:${i.root}` === system);
    if (system && id) out.push(`${system}|${id.extension}`);
  }
  return out;
}

/**
 * One journey; true when every step answered as expected. Stops (false) at
 * the first failure or when the deadline comes between two steps.
 */
export async function journey(ctx: JourneyContext, vp: VirtualProfessional, patient: LoadPatient): Promise<boolean> {
  const fail = (step: Step, cause: string) => {
    ctx.stats.error(step, cause);
    return false;
  };
  const countries = await call(ctx, vp, 'countries', 'ValueSet/countries/$expand', 200);
  if (!countries) return false;
  const codes = ((json(countries)?.expansion as { contains?: Array<{ code?: string }> } | undefined)?.contains ?? []).map((c) => c.code);
  if (!codes.includes(patient.country)) return fail('countries', `${patient.country} not reachable`);
  if (!(await think(ctx))) return false;

  const mask = await call(ctx, vp, 'mask', `Questionnaire?jurisdiction=${patient.country}`, 200);
  if (!mask) return false;
  const identifiers = maskIdentifiers(resources(json(mask))[0], patient);
  if (!identifiers.length) return fail('mask', 'no trait for the patient\'s identifiers');
  if (!(await think(ctx))) return false;

  const query = [...identifiers.map((i) => `identifier=${encodeURIComponent(i)}`), `address-country=${patient.country}`].join('&');
  const search = await call(ctx, vp, 'patient-search', `Patient?${query}`, 200);
  if (!search) return false;
  const id = resources(json(search)).find((r) => r.resourceType === 'Patient')?.id;
  if (typeof id !== 'string') return fail('patient-search', 'no Patient found');
  if (!(await think(ctx))) return false;

  const consent = {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    patient: { reference: `Patient/${id}` },
    performer: [{ reference: `Practitioner/psc-${vp.nationalId}` }],
    policy: [{ uri: PIN }],
    provision: { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] },
    verification: [{ verified: true, verifiedWith: { reference: `Patient/${id}` } }],
  };
  if (!(await call(ctx, vp, 'consent', 'Consent', 201, { method: 'POST', body: consent }))) return false;
  if (!(await think(ctx))) return false;

  if (!(await call(ctx, vp, 'summary', `Patient/${encodeURIComponent(id)}/$summary`, 200))) return false;
  if (!(await think(ctx))) return false;

  if (!(await call(ctx, vp, 'documents', `DocumentReference?patient=Patient/${encodeURIComponent(id)}`, 200))) return false;
  if (!(await think(ctx))) return false;

  if (patient.hasL1) {
    const pdf = await call(ctx, vp, 'pdf', `Binary/${encodeURIComponent(id)}.L1`, 200, { accept: 'application/pdf' });
    if (!pdf) return false;
    if (!(pdf.headers.get('content-type') ?? '').startsWith('application/pdf') || pdf.bytes.subarray(0, 5).toString('latin1') !== '%PDF-') return fail('pdf', 'not a PDF');
    if (!(await think(ctx))) return false;
  }

  return Boolean(await call(ctx, vp, 'audit', `AuditEvent?patient=Patient/${encodeURIComponent(id)}`, 200));
}

/** The virtual professional's walk: journeys one after the other until the deadline. */
export async function walk(ctx: JourneyContext, vp: VirtualProfessional): Promise<void> {
  // Staggered start, so that N professionals do not all ask at the same instant.
  if (!(await pause(ctx, ctx.thinkMs * ctx.random()))) return;
  for (let j = 0; Date.now() < ctx.deadline; j++) {
    // Distinct patients for the professionals walking at the same time, as long as there are enough.
    const patient = ctx.patients[(vp.index + j * ctx.professionals) % ctx.patients.length];
    const completed = await journey(ctx, vp, patient);
    if (completed) ctx.stats.journeys++;
    const pauseMs = ctx.thinkMs * (0.5 + ctx.random());
    if (!(await pause(ctx, completed ? pauseMs : Math.max(pauseMs, PAUSE_AFTER_FAILURE_MS)))) return;
  }
}
