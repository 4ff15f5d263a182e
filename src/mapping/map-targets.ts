import { MapFileError } from './errors.js';
import { choiceGroupOf, choiceTypes, resolveTarget, typeScope, type TargetScope } from './fhir-targets.js';
import { parseTo } from './fhir-path.js';
import type { AbsentUnknownTable, DocumentMap, EntryMap, FieldRule } from './map-types.js';

/**
 * Checks every rule's `to` against the FHIR R4 definitions: the element must
 * exist where the rule writes, lists are written as lists, and one choice
 * element is written one way in a rule list (medication[x], not both
 * medicationReference and medicationCodeableConcept: "the first rule that
 * yields wins" then holds across the variants).
 */
export function checkTargets(entries: Map<string, EntryMap>, document: DocumentMap, origin: Map<object, string>, absence: AbsentUnknownTable): void {
  for (const e of entries.values()) checkResource(e.resource, e.fields, origin.get(e)!, `entry map ${e.id}`);
  for (const [name, st] of Object.entries(absence.statements)) if (st.resource && st.fields) checkResource(st.resource, st.fields, origin.get(absence)!, `known absence of ${name}`);
  const file = origin.get(document)!;
  for (const r of document.resources) checkResource(r.type, r.fields, file, `header resource ${r.id}`);
  checkResource('Composition', document.composition.fields, file, 'composition');
}

function checkResource(type: string, rules: FieldRule[], file: string, where: string): void {
  const scope = typeScope(type);
  if (!scope) throw new MapFileError(file, undefined, `${where}: ${type} is not a FHIR R4 resource type`);
  checkList(scope, rules, file, where, new Set());
}

function checkList(scope: TargetScope, rules: FieldRule[], file: string, where: string, seen: Set<FieldRule[]>): void {
  // Rule sets are shared lists: check each once per scope path.
  if (seen.has(rules)) return;
  seen.add(rules);
  const choiceForms = new Map<string, Set<string>>();
  for (const r of rules) {
    const { scope: inner, error } = resolveTarget(scope, r.to);
    if (error) throw new MapFileError(file, undefined, `${where}: to "${r.to}": ${error}`);
    const segs = parseTo(r.to);
    if (segs.length === 1) {
      const seg = segs[0];
      const group = seg.mode === 'choice' ? seg.name : choiceGroupOf(scope, seg.name);
      if (group) {
        const forms = choiceForms.get(group) ?? new Set<string>();
        forms.add(seg.mode === 'choice' ? `${group}[x]` : seg.name);
        choiceForms.set(group, forms);
        if (forms.size > 1) throw new MapFileError(file, undefined, `${where}: ${scope.path}.${group}[x] is written as ${[...forms].join(' and ')}: write ${group}[x] so that only one variant is set`);
      }
    }
    if (r.to.endsWith('[x]')) r.typeSuffix = choiceSuffix(r, choiceTypes(scope, r.to), file, where);
    if (r.resource) {
      if (!r.to.endsWith('[x]') && !inner?.properties.some((p) => p._name === 'reference')) throw new MapFileError(file, undefined, `${where}: to "${r.to}" takes a nested resource but is not a Reference`);
      checkResource(r.resource.type, r.resource.fields, file, `${where} → ${r.resource.type}`);
    } else if (r.fields) {
      if (!inner) throw new MapFileError(file, undefined, `${where}: to "${r.to}" has nested fields but is a primitive element`);
      checkList(inner, r.fields, file, `${where} → ${r.to}`, new Set(seen));
    }
  }
}

/** FHIR types a rule's data type can give, most specific first. */
const TYPES_OF: Record<string, string[]> = {
  string: ['string', 'markdown'], text: ['string', 'markdown'], description: ['string', 'markdown'], code: ['code', 'string'], boolean: ['boolean'],
  integer: ['integer', 'positiveInt', 'unsignedInt'], decimal: ['decimal'], CodeableConcept: ['CodeableConcept'], Coding: ['Coding'],
  Identifier: ['Identifier'], dateTime: ['dateTime'], date: ['date', 'dateTime'], Period: ['Period'], effective: ['dateTime', 'Period'],
  Quantity: ['Quantity'], Ratio: ['Ratio'], Range: ['Range'], dose: ['Quantity', 'Range'], value: ['string', 'Quantity', 'CodeableConcept'],
  HumanName: ['HumanName'], Address: ['Address'], ContactPoint: ['ContactPoint'], reference: ['Reference'],
};

/**
 * The type suffix a choice element takes for a rule's value when the value
 * does not say it (valueQuantity, doseNumberPositiveInt…), checked against
 * the element's variants: a rule that cannot write any of them is a map error.
 */
function choiceSuffix(r: FieldRule, variants: string[], file: string, where: string): string {
  const wanted = r.resource ? ['Reference'] : (TYPES_OF[r.as ?? (r.value !== undefined ? constantType(r.value) : 'string')] ?? []);
  const type = wanted.find((t) => variants.includes(t));
  if (!type) throw new MapFileError(file, undefined, `${where}: to "${r.to}" (${r.resource ? 'a resource' : `as ${r.as ?? 'string'}`}) matches none of its types: ${variants.join(', ')}`);
  return type[0].toUpperCase() + type.slice(1);
}

function constantType(v: unknown): string {
  return typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? 'decimal' : typeof v === 'string' ? 'string' : 'CodeableConcept';
}
