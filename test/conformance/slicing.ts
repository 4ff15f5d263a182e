/**
 * Slice membership by discriminator (value, pattern, type, profile, exists), including the kinds
 * medplum cannot take: `profile` on `resource` (Bundle entries) and on `resolve()` (section
 * entries, DiagnosticReport.result), and `type` on a child or on `resolve()`.
 */
import { typeCode, typeOfSuffix } from './choice-elements.js';
import type { Definitions } from './definitions.js';
import { descendant, type ElementNode } from './element-tree.js';
import type { Json } from './issues.js';
import { isJsonObject, unversioned } from './issues.js';
import { fixedOrPattern, matchesFixed, matchesPattern } from './values.js';

export interface SliceEnv {
  defs: Definitions;
  resolve(reference: string): Json | undefined;
  conforms(resource: Json, profileUrl: string): boolean;
}

interface Nav {
  value: unknown;
  type?: string;
}

function steps(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of path) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === '.' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

function navigate(start: Nav, path: string[], env: SliceEnv): Nav[] {
  let values: Nav[] = [start];
  for (const step of path) {
    const next: Nav[] = [];
    for (const v of values) {
      if (step === '$this') next.push(v);
      else if (step === 'resolve()') {
        const ref = isJsonObject(v.value) ? v.value.reference : undefined;
        const target = typeof ref === 'string' ? env.resolve(ref) : undefined;
        if (target) next.push({ value: target, type: String(target.resourceType) });
      } else if (step.startsWith('ofType(')) {
        if (v.type === step.slice(7, -1)) next.push(v);
      } else if (step.startsWith('extension(')) {
        const url = step.slice(10, -1).replace(/^['"]|['"]$/g, '');
        const exts = isJsonObject(v.value) && Array.isArray(v.value.extension) ? v.value.extension : [];
        for (const e of exts) if (isJsonObject(e) && e.url === url) next.push({ value: e, type: 'Extension' });
      } else if (isJsonObject(v.value)) {
        const obj = v.value;
        if (step in obj) {
          for (const x of [obj[step]].flat()) {
            if (x !== undefined && x !== null) next.push({ value: x, type: isJsonObject(x) && typeof x.resourceType === 'string' ? x.resourceType : undefined });
          }
        } else {
          // A choice element named without its type: `value` finds `valueQuantity`.
          for (const key of Object.keys(obj)) {
            const type = key.startsWith(step) ? typeOfSuffix(key.slice(step.length), env.defs) : undefined;
            if (type) for (const x of [obj[key]].flat()) next.push({ value: x, type });
          }
        }
      }
    }
    values = next;
  }
  return values;
}

/** The slice's element a discriminator path points at (functions such as resolve() stay on the current element). */
function elementAt(slice: ElementNode, path: string[]): ElementNode | undefined {
  let node: ElementNode | undefined = slice;
  for (const step of path) {
    if (!node) return undefined;
    if (step === '$this' || step === 'resolve()' || step.startsWith('ofType(')) continue;
    if (step.startsWith('extension(')) {
      node = descendant(node, 'extension');
      continue;
    }
    node = descendant(node, step);
  }
  return node;
}

function profileType(url: string, defs: Definitions): string | undefined {
  const sd = defs.structureDefinitions.get(unversioned(url));
  return sd?.type ?? (url.startsWith('http://hl7.org/fhir/StructureDefinition/') ? url.slice(url.lastIndexOf('/') + 1) : undefined);
}

function matchesDiscriminator(item: Nav, d: fhir4.ElementDefinitionSlicingDiscriminator, slice: ElementNode, env: SliceEnv): boolean {
  const path = steps(d.path);
  const el = elementAt(slice, path);
  const values = navigate(item, path, env);
  const viaResolve = path[path.length - 1] === 'resolve()';
  switch (d.type) {
    case 'value':
    case 'pattern': {
      let expected = el ? fixedOrPattern(el.ed) : undefined;
      if (!expected && d.path === 'url' && slice.ed.type?.[0]?.code === 'Extension' && slice.ed.type[0].profile?.length) {
        // Extension slices name their definition as a type profile; its URL is the discriminating value.
        expected = { kind: 'fixed', value: unversioned(slice.ed.type[0].profile[0]) };
      }
      if (!expected) {
        const vs = el?.ed.binding?.strength === 'required' ? el.ed.binding.valueSet : undefined;
        if (!vs) return false;
        return values.some((v) => {
          const codings = isJsonObject(v.value) ? (Array.isArray(v.value.coding) ? v.value.coding : [v.value]) : [];
          if (typeof v.value === 'string') return env.defs.terminology.member(vs, undefined, v.value) === 'yes';
          return codings.some((c) => isJsonObject(c) && typeof c.code === 'string' && env.defs.terminology.member(vs, c.system as string | undefined, c.code) === 'yes');
        });
      }
      const target = expected;
      return values.some((v) => (target.kind === 'fixed' ? matchesFixed(v.value, target.value) : matchesPattern(v.value, target.value)));
    }
    case 'type': {
      const source = el ?? slice;
      const types = viaResolve
        ? (source.ed.type ?? []).flatMap((t) => (t.targetProfile ?? []).map((p) => profileType(p, env.defs))).filter((t): t is string => !!t)
        : (source.ed.type ?? []).map(typeCode);
      return values.some((v) => !!v.type && types.includes(v.type));
    }
    case 'profile': {
      const source = el ?? slice;
      const profiles = (source.ed.type ?? []).flatMap((t) => (viaResolve ? (t.targetProfile ?? []) : (t.profile ?? [])));
      if (profiles.length === 0) return true;
      return values.some((v) => isJsonObject(v.value) && typeof v.value.resourceType === 'string' && profiles.some((p) => env.conforms(v.value as Json, unversioned(p))));
    }
    case 'exists': {
      if (!el) return false;
      if ((el.ed.min ?? 0) > 0) return values.length > 0;
      if (el.ed.max === '0') return values.length === 0;
      return true;
    }
    default:
      return false;
  }
}

/** Whether an instance value belongs to a slice: every discriminator of the slicing must match. */
export function sliceMatches(value: unknown, type: string, slicing: fhir4.ElementDefinitionSlicing, slice: ElementNode, env: SliceEnv): boolean {
  const discriminators = slicing.discriminator ?? [];
  if (discriminators.length === 0) return false;
  return discriminators.every((d) => matchesDiscriminator({ value, type }, d, slice, env));
}
