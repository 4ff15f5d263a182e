import { isChoiceVariant } from './fhir-path.js';
import type { ConsistencyRule } from './map-types.js';
import type { ConversionReport } from './report.js';

type Obj = Record<string, unknown>;

/** The codes of a CodeableConcept or code element. */
function codesOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  const codings = (v as fhir4.CodeableConcept | undefined)?.coding ?? [];
  return codings.map((c) => c.code).filter((c): c is string => !!c);
}

/** Removes `name` (a choice name[x]: every variant) from an object; returns what it removed. */
function remove(o: Obj, name: string, drop: (v: unknown) => boolean): unknown[] {
  const removed: unknown[] = [];
  const choice = name.endsWith('[x]') ? name.slice(0, -3) : undefined;
  for (const k of Object.keys(o)) {
    const matches = choice ? isChoiceVariant(k, choice) : k === name || k === '_' + name;
    if (matches && drop(o[k])) {
      removed.push(o[k]);
      delete o[k];
    }
  }
  return removed;
}

/** The objects holding the last segment of a dotted path (through lists). */
function holders(o: Obj, path: string[]): Obj[] {
  let cur: Obj[] = [o];
  for (const seg of path) {
    const next: Obj[] = [];
    for (const c of cur) {
      const v = c[seg];
      if (Array.isArray(v)) next.push(...(v.filter((x) => x && typeof x === 'object') as Obj[]));
      else if (v && typeof v === 'object') next.push(v as Obj);
    }
    cur = next;
  }
  return cur;
}

/**
 * Applies the rules of mappings/ips/consistency.yaml to the converted
 * resources: an element the resource is not consistent with is dropped, and
 * the report says what and why (nothing is lost silently).
 */
export function applyConsistency(resources: Array<{ resource: fhir4.FhirResource }>, rules: ConsistencyRule[], report: ConversionReport): void {
  const types = new Set(rules.map((r) => r.resource));
  for (const { resource } of resources) {
    const r = resource as unknown as Obj;
    if (!types.has(r.resourceType as string)) continue;
    for (const rule of rules) {
      if (rule.resource !== r.resourceType) continue;
      const parts = rule.element.split('.');
      const last = parts.pop()!;
      const keep = rule.keepIf ? codesOf(r[rule.keepIf.element]).some((c) => rule.keepIf!.codes.includes(c)) : false;
      if (rule.keepIf && keep) continue;
      for (const h of holders(r, parts)) {
        const dropped = remove(h, last, (v) => !rule.dropValues || (typeof v === 'string' && rule.dropValues.includes(v)));
        for (const v of dropped) report.notes.push(`${String(r.resourceType)}/${String(r.id)}: ${rule.element} ${JSON.stringify(v)} not kept: ${rule.why}`);
      }
    }
  }
}
