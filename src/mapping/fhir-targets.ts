import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseTo } from './fhir-path.js';

/**
 * The FHIR R4 element tree (names, types, lists, choice groups), to check the
 * `to:` targets of the maps when they load: a misspelt element or a list
 * written as a single value is a map error, not a silently invalid Bundle.
 * FHIR.js ships the tree as JSON (profiles/types.json), built from the
 * official R4 StructureDefinitions.
 */
interface Property {
  _name: string;
  _type: string;
  _multiple: boolean;
  _choice?: string;
  _properties?: Property[];
}

/** Where a rule writes: the element list of a resource or data type. */
export interface TargetScope {
  path: string;
  properties: Property[];
}

let types: Record<string, { _properties?: Property[] }> | undefined;

function typeTree(): Record<string, { _properties?: Property[] }> {
  if (!types) {
    const require = createRequire(import.meta.url);
    types = JSON.parse(readFileSync(require.resolve('fhir/profiles/types.json'), 'utf8')) as Record<string, { _properties?: Property[] }>;
  }
  return types;
}

/** The elements of a resource or data type; undefined for an unknown type. */
export function typeScope(type: string): TargetScope | undefined {
  const t = typeTree()[type];
  return t?._properties ? { path: type, properties: t._properties } : undefined;
}

const choiceName = (p: Property): string | undefined => p._choice?.replace(/\[x\]$/, '');

/** The elements below one element: its own (backbone) or those of its type. */
function below(p: Property, path: string): TargetScope | undefined {
  if (p._properties?.length) return { path, properties: p._properties };
  const t = typeScope(p._type);
  return t ? { path, properties: t.properties } : undefined;
}

/**
 * Resolves a rule's `to` in a scope. Returns the scope of the element it
 * names (for nested rules), or the reason it is not an element there.
 */
export function resolveTarget(scope: TargetScope, to: string): { scope?: TargetScope; error?: string } {
  let cur: TargetScope | undefined = scope;
  for (const seg of parseTo(to)) {
    if (!cur) return { error: `"${to}" goes below a primitive element` };
    const here: TargetScope = cur;
    const path = `${here.path}.${seg.name}`;
    if (seg.mode === 'choice') {
      const variants = here.properties.filter((p) => choiceName(p) === seg.name);
      if (!variants.length) return { error: `${path}[x] is not a choice element of ${here.path}` };
      cur = undefined;
      continue;
    }
    const p = here.properties.find((q) => q._name === seg.name);
    if (!p) return { error: `${path} is not an element of ${here.path}` };
    if ((seg.mode === 'append' || seg.mode === 'index') && !p._multiple) return { error: `${path} is a single element: write ${seg.name}, not ${seg.name}[]` };
    if (seg.mode === 'plain' && p._multiple) return { error: `${path} is a list: write ${seg.name}[] (or ${seg.name}[0])` };
    cur = below(p, path);
  }
  return { scope: cur };
}

/** The FHIR types of a choice element's variants where a rule writes (medication[x] → CodeableConcept, Reference). */
export function choiceTypes(scope: TargetScope, to: string): string[] {
  const segs = parseTo(to);
  let cur: TargetScope | undefined = scope;
  for (const seg of segs.slice(0, -1)) {
    if (!cur) return [];
    const here: TargetScope = cur;
    const p = here.properties.find((q) => q._name === seg.name);
    cur = p && below(p, `${here.path}.${seg.name}`);
  }
  const last = segs[segs.length - 1];
  return cur ? cur.properties.filter((p) => choiceName(p) === last.name).map((p) => p._type) : [];
}

/** The choice group a concrete element name belongs to (medicationReference → medication). */
export function choiceGroupOf(scope: TargetScope, name: string): string | undefined {
  const p = scope.properties.find((q) => q._name === name);
  return p ? choiceName(p) : undefined;
}
