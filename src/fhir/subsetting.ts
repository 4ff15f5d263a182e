import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FhirError } from '../kernel/errors.js';
import type { Resource } from '../kernel/types.js';
import { projectPath } from '../util/project.js';
import type { InteractionKind } from './registry.js';

// Required top-level elements per type come from the R4 definitions FHIR.js loads.
const require = createRequire(import.meta.url);
const { Fhir } = require('fhir') as typeof import('fhir');
type Definitions = Record<string, { _properties: { _name: string; _required?: boolean }[] } | undefined>;
let definitions: Definitions | undefined;

function requiredElements(type: string): string[] {
  definitions ??= (new Fhir() as unknown as { parser: { parsedStructureDefinitions: Definitions } }).parser.parsedStructureDefinitions;
  return (definitions[type]?._properties ?? []).filter((p) => p._required).map((p) => p._name);
}

const SUBSETTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED', display: 'subsetted' };

function tagSubsetted(r: Record<string, unknown>): void {
  const meta = { ...((r.meta as Record<string, unknown> | undefined) ?? {}) };
  meta.tag = [...((meta.tag as unknown[] | undefined) ?? []), SUBSETTED];
  r.meta = meta;
}

function keepElements(resource: Resource, elements: Set<string>): Resource {
  const r = resource as unknown as Record<string, unknown>;
  const keep = new Set(['resourceType', 'id', 'meta', ...requiredElements(resource.resourceType), ...elements]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    const name = k.startsWith('_') ? k.slice(1) : k;
    if (keep.has(name)) out[k] = v;
  }
  tagSubsetted(out);
  return out as unknown as Resource;
}

function summaryOf(resource: Resource, mode: 'text' | 'data'): Resource {
  const r = { ...(resource as unknown as Record<string, unknown>) };
  if (mode === 'data') {
    delete r.text;
  } else {
    const keep = new Set(['resourceType', 'id', 'meta', 'text', ...requiredElements(resource.resourceType)]);
    for (const k of Object.keys(r)) if (!keep.has(k.startsWith('_') ? k.slice(1) : k)) delete r[k];
  }
  tagSubsetted(r);
  return r as unknown as Resource;
}

/**
 * The summary elements of R4 (isSummary in the official definitions) and the
 * mandatory ones (kept as _elements and _summary=text keep them), derived
 * into summary-elements.json by test/fhir/summary-elements.test.ts: for each
 * resource type and backbone element path, the names of those children;
 * `references`, the paths defined as another (Consent.provision.provision).
 */
interface SummaryElements {
  elements: Record<string, string[] | undefined>;
  references: Record<string, string | undefined>;
}
let summaryElements: SummaryElements | undefined;

function summaryDefinitions(): SummaryElements {
  summaryElements ??= JSON.parse(readFileSync(projectPath('src', 'fhir', 'summary-elements.json'), 'utf8')) as SummaryElements;
  return summaryElements;
}

/** The summary element `key` (a JSON property: name, _name, or a choice type's valueString) stands for, if any. */
function summaryElement(names: string[], key: string): string | undefined {
  const name = key.startsWith('_') ? key.slice(1) : key;
  if (names.includes(name)) return name;
  return names.find((n) => n.endsWith('[x]') && name.startsWith(n.slice(0, -3)) && /^[A-Z]/.test(name.slice(n.length - 3)));
}

/**
 * Keeps the summary elements of an object defined at `path`: a backbone
 * element keeps its own summary children, a data type is kept whole; an
 * object left empty is dropped.
 */
function keepSummary(value: Record<string, unknown>, path: string, defs: SummaryElements): Record<string, unknown> | undefined {
  const names = defs.elements[path] ?? [];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const element = summaryElement(names, key);
    if (element === undefined) continue;
    const child = `${path}.${element}`;
    const childPath = defs.references[child] ?? child;
    if (key.startsWith('_') || !defs.elements[childPath] || v === null || typeof v !== 'object') {
      out[key] = v;
    } else if (Array.isArray(v)) {
      const kept = v.map((item) => (item && typeof item === 'object' ? keepSummary(item as Record<string, unknown>, childPath, defs) : item)).filter((item) => item !== undefined);
      if (kept.length) out[key] = kept;
    } else {
      const kept = keepSummary(v as Record<string, unknown>, childPath, defs);
      if (kept) out[key] = kept;
    }
  }
  return Object.keys(out).length ? out : undefined;
}

/** `_summary=true`: the elements R4 marks as summary and the mandatory ones (nested in backbone elements), tagged SUBSETTED. */
function summaryElementsOf(resource: Resource): Resource {
  const defs = summaryDefinitions();
  if (!defs.elements[resource.resourceType]) return resource;
  const kept = keepSummary(resource as unknown as Record<string, unknown>, resource.resourceType, defs) ?? {};
  const out: Record<string, unknown> = { resourceType: resource.resourceType, ...kept };
  tagSubsetted(out);
  return out as unknown as Resource;
}

const SUMMARY_VALUES = ['true', 'text', 'data', 'count', 'false'];
/** Where `_summary=true` applies: resources the server reads or finds (not an operation's output). */
const SUMMARY_TRUE_INTERACTIONS: readonly InteractionKind[] = ['read', 'vread', 'search-type'];
/** An element name as _elements lists them (R4: base elements of the resource, e.g. identifier,active). */
const ELEMENT_NAME = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

/**
 * Checks `_summary` and `_elements` as the router does before any handler
 * runs (so a refused request sends nothing anywhere): one value each,
 * `_summary` one of true, text, data, count, false — `true` on a read or a
 * search only (given the `interaction`) —, `_elements` a comma list of
 * element names.
 */
export function checkSubsettingParams(params: URLSearchParams, interaction?: InteractionKind): void {
  for (const name of ['_summary', '_elements']) {
    if (params.getAll(name).length > 1) throw new FhirError(400, { code: 'invalid', diagnostics: `${name} is given more than once`, expression: [name] });
  }
  const summary = params.get('_summary');
  if (summary !== null && !SUMMARY_VALUES.includes(summary)) {
    throw new FhirError(400, { code: 'not-supported', diagnostics: `_summary=${summary} is not supported; use true, text, data, count or false`, expression: ['_summary'] });
  }
  if (summary === 'true' && interaction !== undefined && !SUMMARY_TRUE_INTERACTIONS.includes(interaction)) {
    throw new FhirError(400, { code: 'not-supported', diagnostics: '_summary=true applies to reads and searches only; use text, data, count or false', expression: ['_summary'] });
  }
  const elements = params.get('_elements');
  if (elements !== null) {
    const names = elements.split(',').map((s) => s.trim()).filter(Boolean);
    const bad = names.find((n) => !ELEMENT_NAME.test(n));
    if (!names.length || bad !== undefined) {
      throw new FhirError(400, { code: 'invalid', diagnostics: `_elements must list element names (e.g. _elements=identifier,name)${bad !== undefined ? `; "${bad.slice(0, 64)}" is not one` : ''}`, expression: ['_elements'] });
    }
  }
}

/**
 * Applies `_elements` and `_summary` (true, text, data, count, false) to a response.
 * For a searchset Bundle they apply to each matched resource, as FHIR search does.
 */
export function applySubsetting(resource: Resource, params: URLSearchParams): Resource {
  const summary = params.get('_summary');
  const elementsParam = params.get('_elements');
  if (summary === null && elementsParam === null) return resource;
  checkSubsettingParams(params);
  const elements = elementsParam === null ? undefined : new Set(elementsParam.split(',').map((s) => s.trim()).filter(Boolean));
  const apply = (r: Resource): Resource => {
    if (elements) return keepElements(r, elements);
    if (summary === 'text' || summary === 'data') return summaryOf(r, summary);
    if (summary === 'true') return summaryElementsOf(r);
    return r;
  };
  if (resource.resourceType === 'Bundle') {
    const bundle = resource as fhir4.Bundle;
    if (summary === 'count') {
      const { entry: _entry, ...rest } = bundle;
      return rest;
    }
    if (bundle.type !== 'searchset') return resource;
    return {
      ...bundle,
      entry: bundle.entry?.map((e) => (e.resource && e.search?.mode !== 'outcome' ? { ...e, resource: apply(e.resource) as fhir4.FhirResource } : e)),
    } as fhir4.Bundle;
  }
  if (summary === 'count') return resource;
  return apply(resource);
}
