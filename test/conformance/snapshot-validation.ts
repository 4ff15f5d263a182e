/**
 * Validation of a resource against a StructureDefinition snapshot, element by element, the way the
 * HL7 validator reads profiles: cardinalities, types of choice elements, fixed and pattern values,
 * invariants, required bindings, datatype profiles, slices (every discriminator kind) and, inside
 * a matched slice, the slice's own definitions; extensions against their definitions; references
 * against their target profiles. It complements medplum, whose validator applies a profile's
 * top-level elements only (backbone children, slice contents, type profiles and bindings are not
 * applied), and covers the gaps listed in the README of this folder.
 */
import { getElementDefinitionTypeName } from '@medplum/core';
import { checkCoding, checkRequiredBinding } from './bindings.js';
import { choiceIssues, choiceVariants, typeCode } from './choice-elements.js';
import { constraintHolds, isEvaluated } from './constraints.js';
import { CORE_SD, type Definitions } from './definitions.js';
import { elementTree, type ElementNode, type ElementTree } from './element-tree.js';
import { extensionContextIssues, extensionDefinition, type ExtensionHolder } from './extensions.js';
import type { Issue, Json } from './issues.js';
import { isJsonObject, unversioned } from './issues.js';
import { checkNarrativeDiv } from './narrative.js';
import { checkReference } from './references.js';
import { sliceMatches, type SliceEnv } from './slicing.js';
import { checkUcumQuantity, QUANTITY_TYPES } from './ucum.js';
import { describe, fixedOrPattern, matchesFixed, matchesPattern } from './values.js';

export interface WalkHost {
  defs: Definitions;
  /** The resource a reference made from `from` points at, within the Bundle. */
  resolve(reference: string, from: Json): Json | undefined;
  /** Whether a resource conforms to a profile (used by profile discriminators). */
  conforms(resource: Json, profileUrl: string): boolean;
  /** Why a resource does not conform to a profile (its first error), for messages. */
  explain(resource: Json, profileUrl: string): string | undefined;
}

/** A resolved reference and the profiles its element wants the target to conform to. */
export interface ReferenceUse {
  path: string;
  reference: string;
  target: Json;
  /** Target profiles naming the target's type (only those can apply to it). */
  targetProfiles: string[];
}

/** A resource a profile requires to conform to another profile, and that does not (a required slice by profile left short). */
export interface Demand {
  resource: Json;
  profile: string;
}

export interface WalkResult {
  issues: Issue[];
  references: ReferenceUse[];
  demands: Demand[];
}

interface Item {
  value: unknown;
  /** The `_name` object of a primitive (its id and extensions). */
  ext?: Json;
  type: string;
  path: string;
}

interface Location extends ExtensionHolder {
  path: string;
  /** The resource holding this element, and the outermost resource (container of contained ones). */
  resource: Json;
  container: Json;
}

const maxOf = (max: string | undefined): number => (max === undefined || max === '*' ? Infinity : Number(max));

export function validateAgainstSnapshot(resource: Json, sd: fhir4.StructureDefinition, host: WalkHost): WalkResult {
  const walker = new SnapshotWalker(host, resource, unversioned(sd.url));
  walker.validateResource(resource, elementTree(sd), String(resource.resourceType), resource);
  return { issues: walker.issues, references: walker.references, demands: walker.demands };
}

class SnapshotWalker {
  readonly issues: Issue[] = [];
  readonly references: ReferenceUse[] = [];
  readonly demands: Demand[] = [];
  private readonly defs: Definitions;
  private readonly sliceEnv: SliceEnv;

  constructor(
    private readonly host: WalkHost,
    private readonly root: Json,
    private readonly profile: string,
  ) {
    this.defs = host.defs;
    this.sliceEnv = { defs: this.defs, resolve: (ref) => host.resolve(ref, root), conforms: (r, p) => host.conforms(r, p) };
  }

  private issue(severity: Issue['severity'], rule: string, path: string, message: string): void {
    this.issues.push({ severity, rule, path, message, profile: this.profile });
  }

  /** A check the harness cannot make here (terminology server, definition not held): an information issue, counted per document. */
  private notCheckable(path: string, reason: string): void {
    this.issue('information', 'not-checked', path, reason);
  }

  private add(issues: Issue[]): void {
    for (const i of issues) this.issues.push({ ...i, profile: i.profile ?? this.profile });
  }

  validateResource(resource: Json, tree: ElementTree, path: string, container: Json): void {
    const type = String(resource.resourceType);
    const loc: Location = { path, defPath: type, typePath: type, type, isResourceRoot: true, resource, container };
    this.checkConstraints(tree.root.ed.constraint, resource, type, loc, new Set());
    this.checkContainedReferenced(resource, path);
    this.checkChildren(resource, tree.root.children, tree, loc);
  }

  /** dom-3: a contained resource must be referenced from elsewhere in its container. */
  private checkContainedReferenced(resource: Json, path: string): void {
    const contained = Array.isArray(resource.contained) ? resource.contained.filter(isJsonObject) : [];
    if (contained.length === 0) return;
    const text = JSON.stringify({ ...resource, contained: contained.map((c) => ({ ...c, id: undefined })) });
    contained.forEach((c, i) => {
      if (typeof c.id === 'string' && !text.includes(`"#${c.id}"`) && !text.includes('"#"')) {
        this.issue('error', 'dom-3', `${path}.contained[${i}]`, `contained resource ${String(c.resourceType)}/${c.id} is not referenced from the resource`);
      }
    });
  }

  private checkChildren(obj: Json, children: ElementNode[], tree: ElementTree, loc: Location): void {
    const ownNames = new Set(children.map((c) => c.name));
    for (const child of children) {
      if (child.name === 'resourceType') continue;
      const items = this.collect(obj, child, ownNames, loc);
      const where = `${loc.path}.${child.name}`;
      const min = child.ed.min ?? 0;
      const max = maxOf(child.ed.max);
      if (items.length < min) this.issue('error', 'cardinality', where, `${loc.defPath}.${child.name}: minimum ${min}, found ${items.length}`);
      const oneChoiceTooMany = child.name.endsWith('[x]') && new Set(items.map((i) => i.type)).size > 1;
      if (items.length > max && !oneChoiceTooMany) {
        this.issue('error', 'cardinality', where, max === 0 ? `${loc.defPath}.${child.name} is not allowed here (max 0)` : `${loc.defPath}.${child.name}: maximum ${max}, found ${items.length}`);
      }
      if (child.name.endsWith('[x]')) {
        const allowed = new Set((child.ed.type ?? []).map(typeCode));
        for (const item of items) {
          if (!allowed.has(item.type)) this.issue('error', 'type', item.path, `${loc.defPath}.${child.name} may be ${[...allowed].join(' | ')}, not ${item.type}`);
        }
      }
      if (child.ed.slicing && child.slices.length > 0) this.checkSlices(items, child, tree, loc);
      else for (const item of items) this.validateItem(item, child, tree, loc);
    }
  }

  /** The instance values of one element: its array items, for a choice each `name<Type>` variant, with primitives' `_name` objects. */
  private collect(obj: Json, child: ElementNode, ownNames: Set<string>, loc: Location): Item[] {
    if (child.name.endsWith('[x]')) {
      const base = child.name.slice(0, -3);
      const variants = choiceVariants(obj, base, ownNames, this.defs);
      this.add(choiceIssues(variants, `${loc.defPath}.${child.name}`, `${loc.path}.${child.name}`));
      return variants.flatMap((v) => this.itemsOf(obj, v.key, v.type, loc));
    }
    const types = (child.ed.type ?? []).map(typeCode);
    return this.itemsOf(obj, child.name, types.length === 1 ? types[0] : 'Resource', loc);
  }

  private itemsOf(obj: Json, key: string, type: string, loc: Location): Item[] {
    const value = obj[key];
    const ext = obj[`_${key}`];
    if (value === undefined && ext === undefined) return [];
    const primitive = this.defs.primitiveTypes.has(type);
    if (ext !== undefined && !primitive) {
      this.issue('error', 'json-format', `${loc.path}._${key}`, `_${key}: the underscore form is only for primitive values, and ${key} is a ${type}`);
    }
    const typeOf = (v: unknown): string => (type === 'Resource' && isJsonObject(v) && typeof v.resourceType === 'string' ? v.resourceType : type);
    if (Array.isArray(value) || (primitive && Array.isArray(ext))) {
      const values = Array.isArray(value) ? value : [];
      const exts = primitive && Array.isArray(ext) ? ext : [];
      const items: Item[] = [];
      for (let i = 0; i < Math.max(values.length, exts.length); i++) {
        const v = values[i] ?? undefined;
        const e = isJsonObject(exts[i]) ? (exts[i] as Json) : undefined;
        if (v === undefined && !e) continue;
        items.push({ value: v, ext: e, type: typeOf(v), path: `${loc.path}.${key}[${i}]` });
      }
      return items;
    }
    if (value === undefined && !(primitive && isJsonObject(ext))) return [];
    return [{ value, ext: primitive && isJsonObject(ext) ? ext : undefined, type: typeOf(value), path: `${loc.path}.${key}` }];
  }

  private checkSlices(items: Item[], sliced: ElementNode, tree: ElementTree, loc: Location): void {
    const slicing = sliced.ed.slicing as fhir4.ElementDefinitionSlicing;
    const counts = new Map<ElementNode, number>();
    for (const item of items) {
      const slice = sliced.slices.find((s) => sliceMatches(item.value, item.type, slicing, s, this.sliceEnv));
      if (slice) {
        counts.set(slice, (counts.get(slice) ?? 0) + 1);
        // A slice constrains the sliced element further: both definitions apply. (An extension's
        // content is defined by its slice alone: the plain `extension` element says nothing more.)
        if (item.type !== 'Extension') this.validateItem(item, sliced, tree, loc);
        this.validateItem(item, slice, tree, loc);
      } else {
        if (slicing.rules === 'closed') this.issue('error', 'slice-closed', item.path, `${loc.defPath}.${sliced.name}: the slicing is closed and this value matches none of its slices`);
        this.validateItem(item, sliced, tree, loc);
      }
    }
    for (const slice of sliced.slices) {
      const n = counts.get(slice) ?? 0;
      const min = slice.ed.min ?? 0;
      const max = maxOf(slice.ed.max);
      if (n < min || n > max) {
        const why = n < min ? this.whyNotInSlice(items, sliced, slice) : '';
        this.issue(
          'error',
          'slice-cardinality',
          `${loc.path}.${sliced.name}`,
          `${loc.defPath}.${sliced.name}:${slice.sliceName}: ${n} matching value(s), allowed ${min}..${max === Infinity ? '*' : max}${this.sliceHint(sliced, slice)}${why}`,
        );
      }
    }
  }

  /**
   * For a required slice by profile left short: the resources of the slice's type that fail its
   * profile, recorded as demands (the report then lists their errors) and named in the message.
   */
  private whyNotInSlice(items: Item[], sliced: ElementNode, slice: ElementNode): string {
    const d = (sliced.ed.slicing?.discriminator ?? []).find((x) => x.type === 'profile');
    if (!d) return '';
    const viaResolve = d.path === 'resolve()';
    const el = viaResolve ? slice : slice.children.find((c) => c.name === d.path);
    const profiles = (el?.ed.type ?? []).flatMap((t) => (viaResolve ? (t.targetProfile ?? []) : (t.profile ?? []))).map(unversioned);
    const reasons: string[] = [];
    for (const item of items) {
      if (!isJsonObject(item.value)) continue;
      const ref = item.value.reference;
      const resource = viaResolve ? (typeof ref === 'string' ? this.host.resolve(ref, this.root) : undefined) : item.value[d.path];
      if (!isJsonObject(resource)) continue;
      for (const p of profiles) {
        if (this.defs.structureDefinitions.get(p)?.type !== resource.resourceType) continue;
        const why = this.host.explain(resource, p);
        if (!why) continue;
        this.demands.push({ resource, profile: p });
        reasons.push(`${String(resource.resourceType)}/${String(resource.id ?? '?')}: ${why}`);
      }
    }
    return reasons.length ? `; not conforming: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? ` (+${reasons.length - 3} more)` : ''}` : '';
  }

  /** What a value needs to be counted in a slice, for the message. */
  private sliceHint(sliced: ElementNode, slice: ElementNode): string {
    const d = sliced.ed.slicing?.discriminator ?? [];
    const parts: string[] = [];
    for (const disc of d) {
      if (disc.type === 'pattern' || disc.type === 'value') {
        const el = disc.path === '$this' ? slice : slice.children.find((c) => c.name === disc.path || c.name === `${disc.path}[x]`);
        const expected = el ? fixedOrPattern(el.ed) : undefined;
        if (expected) parts.push(`${disc.path} = ${describe(expected.value)}`);
      } else if (disc.type === 'profile') {
        const el = disc.path === 'resolve()' ? slice : slice.children.find((c) => c.name === disc.path);
        const profiles = (el?.ed.type ?? []).flatMap((t) => [...(t.profile ?? []), ...(disc.path === 'resolve()' ? (t.targetProfile ?? []) : [])]);
        if (profiles.length) parts.push(`conforming to ${profiles.map((p) => p.slice(p.lastIndexOf('/') + 1)).join(' or ')}`);
      }
    }
    return parts.length ? ` (${parts.join(', ')})` : '';
  }

  private validateItem(item: Item, node: ElementNode, tree: ElementTree, holder: Location): void {
    const ed = node.ed;
    const name = node.name;
    const loc: Location = {
      path: item.path,
      defPath: `${holder.defPath}.${name}`,
      typePath: `${holder.typePath}.${name}`,
      type: item.type,
      isResourceRoot: false,
      resource: holder.resource,
      container: holder.container,
      extensionUrl: item.type === 'Extension' && isJsonObject(item.value) && typeof item.value.url === 'string' ? item.value.url : undefined,
    };
    const expected = fixedOrPattern(ed);
    if (expected && item.value !== undefined) {
      const ok = expected.kind === 'fixed' ? matchesFixed(item.value, expected.value) : matchesPattern(item.value, expected.value);
      if (!ok) this.issue('error', expected.kind, item.path, `${loc.defPath} must ${expected.kind === 'fixed' ? 'be' : 'match'} ${describe(expected.value)}, found ${describe(item.value)}`);
    }
    this.checkConstraints(ed.constraint, item.value, this.fhirPathType(item, node), loc, new Set());
    if (ed.binding?.strength === 'required' && ed.binding.valueSet && item.value !== undefined) {
      const outcome = checkRequiredBinding(item.value, item.type, ed.binding.valueSet, item.path, this.defs.terminology);
      this.add(outcome.issues);
      if (outcome.notChecked) this.notCheckable(item.path, outcome.notChecked);
    }
    if (isJsonObject(item.value)) {
      if (item.type === 'Coding') this.add(checkCoding(item.value, item.path, this.defs.terminology, this.defs.igCanonicalBase));
      if (QUANTITY_TYPES.has(item.type)) this.add(checkUcumQuantity(item.value, item.path));
      if (item.type === 'Reference') this.checkReferenceItem(item.value, node, item.path, holder);
    }
    if (item.type === 'xhtml' && typeof item.value === 'string') this.add(checkNarrativeDiv(item.value, item.path));
    this.descend(item, node, tree, loc, holder);
  }

  private fhirPathType(item: Item, node: ElementNode): string {
    if (item.type === 'BackboneElement' || item.type === 'Element') return getElementDefinitionTypeName(node.ed as never);
    return item.type;
  }

  private checkConstraints(constraints: fhir4.ElementDefinitionConstraint[] | undefined, value: unknown, type: string, loc: Location, skip: Set<string>): void {
    if (value === undefined) return;
    for (const c of constraints ?? []) {
      if (!isEvaluated(c) || skip.has(c.key)) continue;
      const holds = constraintHolds(c.expression as string, value, type, { resource: loc.resource, rootResource: loc.container });
      if (holds instanceof Error) {
        this.notCheckable(loc.path, `invariant ${c.key} could not be evaluated: ${holds.message}`);
      } else if (!holds) {
        this.issue(c.severity === 'error' ? 'error' : 'warning', c.key, loc.path, `${c.human ?? c.key} [${c.expression}]`);
      }
    }
  }

  private checkReferenceItem(reference: Json, node: ElementNode, path: string, holder: Location): void {
    const targetProfiles = (node.ed.type ?? []).filter((t) => t.code === 'Reference').flatMap((t) => t.targetProfile ?? []);
    const outcome = checkReference(reference, targetProfiles, path, holder.container, (ref) => this.host.resolve(ref, this.root), this.defs);
    this.add(outcome.issues);
    if (outcome.target && typeof reference.reference === 'string' && !reference.reference.startsWith('#')) {
      const type = outcome.target.resourceType;
      const applicable = targetProfiles.map(unversioned).filter((p) => this.defs.structureDefinitions.get(p)?.type === type && p !== `${CORE_SD}${String(type)}`);
      this.references.push({ path, reference: reference.reference, target: outcome.target, targetProfiles: applicable });
    }
  }

  /** Validates the inside of a value: against the node's own children, else its datatype (profile or base). */
  private descend(item: Item, node: ElementNode, tree: ElementTree, loc: Location, holder: Location): void {
    if (this.defs.primitiveTypes.has(item.type)) {
      if (!item.ext) return;
      const own = node.children.filter((c) => c.name !== 'value');
      if (own.length > 0) this.checkChildren(item.ext, own, tree, loc);
      else {
        const base = this.baseTree(item.type);
        if (base) this.checkChildren(item.ext, base.root.children.filter((c) => c.name !== 'value'), base, { ...loc, typePath: item.type });
      }
      return;
    }
    if (!isJsonObject(item.value)) return;
    if (this.defs.resourceTypes.has(item.type)) {
      // Bundle entries are validated on their own; other inline resources (contained) against their base definition.
      if (node.ed.path === 'Bundle.entry.resource') return;
      const base = this.baseTree(item.type);
      if (base) this.validateResource(item.value, base, item.path, loc.container);
      return;
    }
    if (item.type === 'Extension') {
      this.descendExtension(item.value, node, tree, loc, holder);
      return;
    }
    const profiles = (node.ed.type ?? []).filter((t) => typeCode(t) === item.type).flatMap((t) => t.profile ?? []).map(unversioned);
    const typeProfiles = profiles.filter((p) => p !== `${CORE_SD}${item.type}`);
    if (node.children.length > 0) {
      this.checkChildren(item.value, node.children, tree, loc);
      // A datatype profile still applies when the snapshot also lists the element's children.
      if (typeProfiles.length > 0) this.checkTypeProfiles(item, typeProfiles, node, loc);
      return;
    }
    if (node.ed.contentReference) {
      const target = this.contentReference(node.ed.contentReference, tree);
      if (target) this.checkChildren(item.value, target.node.children, target.tree, loc);
      return;
    }
    if (typeProfiles.length > 0) {
      this.checkTypeProfiles(item, typeProfiles, node, loc);
      return;
    }
    const base = this.baseTree(item.type);
    if (base) this.checkTypeRoot(item.value, item.type, base, node, loc);
  }

  private baseTree(type: string): ElementTree | undefined {
    const sd = this.defs.baseTypes.get(type);
    return sd ? elementTree(sd) : undefined;
  }

  /** contentReference (`#Composition.section`) is read in the base definition: a profile's slicing of the target does not recurse. */
  private contentReference(ref: string, tree: ElementTree): { node: ElementNode; tree: ElementTree } | undefined {
    const id = ref.slice(ref.indexOf('#') + 1);
    const baseSd = this.defs.baseTypes.get(tree.sd.type) ?? tree.sd;
    const baseTree = elementTree(baseSd);
    const node = baseTree.byId.get(id);
    return node ? { node, tree: baseTree } : undefined;
  }

  /** A value against the root of its datatype's definition (invariants already listed on the element are not evaluated twice). */
  private checkTypeRoot(value: Json, type: string, typeTree: ElementTree, node: ElementNode, loc: Location): void {
    const already = new Set((node.ed.constraint ?? []).map((c) => c.key));
    const typed: Location = { ...loc, typePath: typeTree.root.ed.path };
    this.checkConstraints(typeTree.root.ed.constraint, value, type, typed, already);
    this.checkChildren(value, typeTree.root.children, typeTree, typed);
  }

  private checkTypeProfiles(item: Item, profiles: string[], node: ElementNode, loc: Location): void {
    const sds = profiles.map((p) => this.defs.structureDefinitions.get(p));
    const missing = profiles.filter((_, i) => !sds[i]);
    for (const p of missing) this.issue('error', 'profile-unknown', item.path, `${loc.defPath} names datatype profile ${p}, which is not held`);
    const held = sds.filter((s): s is fhir4.StructureDefinition => !!s);
    if (held.length === 1) {
      this.withProfile(unversioned(held[0].url), () => this.checkTypeRoot(item.value as Json, item.type, elementTree(held[0]), node, loc));
      return;
    }
    if (held.length === 0) return;
    // Several datatype profiles: the value must conform to one of them.
    for (const sd of held) {
      const sub = new SnapshotWalker(this.host, this.root, unversioned(sd.url));
      sub.checkTypeRoot(item.value as Json, item.type, elementTree(sd), node, loc);
      if (!sub.issues.some((i) => i.severity === 'error')) {
        this.references.push(...sub.references);
        return;
      }
    }
    this.issue('error', 'profile', item.path, `${loc.defPath} conforms to none of ${profiles.join(', ')}`);
  }

  private withProfile(profile: string, run: () => void): void {
    const start = this.issues.length;
    run();
    for (let i = start; i < this.issues.length; i++) {
      if (this.issues[i].profile === this.profile) this.issues[i] = { ...this.issues[i], profile: `${profile} (on an element of ${this.profile})` };
    }
  }

  /**
   * An extension: against the definition its slice names, the sub-extension definition of a
   * complex extension, or the definition its URL names (which must exist, and allow this place).
   */
  private descendExtension(ext: Json, node: ElementNode, tree: ElementTree, loc: Location, holder: Location): void {
    const extLoc: Location = { ...loc, typePath: 'Extension' };
    const sliceProfile = node.sliceName ? node.ed.type?.find((t) => t.code === 'Extension')?.profile?.[0] : undefined;
    if (!sliceProfile && node.sliceName && node.children.length > 0) {
      // A sub-extension of a complex extension, defined inline by the slice.
      this.checkChildren(ext, node.children, tree, extLoc);
      return;
    }
    const url = sliceProfile ? unversioned(sliceProfile) : typeof ext.url === 'string' ? ext.url : undefined;
    if (!url) {
      this.descendBaseExtension(ext, node, extLoc);
      return;
    }
    const def = extensionDefinition(url, this.defs);
    if (def.kind === 'unknown') {
      this.issue('error', 'extension-unknown', loc.path, `extension ${url} has no definition (not core R4, not in the IG, not in the project's conformance/ folder)`);
      this.descendBaseExtension(ext, node, extLoc);
      return;
    }
    if (def.kind === 'named-only') {
      // Allowed by the profile, but its definition (HL7 extensions pack) is not held: its value is not checked.
      this.notCheckable(loc.path, `extension ${url}: named by a profile, defined in a package the harness does not hold`);
      this.descendBaseExtension(ext, node, extLoc);
      return;
    }
    this.add(extensionContextIssues(def.sd, holder, loc.path, this.defs));
    const defTree = elementTree(def.sd);
    this.withProfile(unversioned(def.sd.url), () => this.checkTypeRoot(ext, 'Extension', defTree, node, extLoc));
  }

  private descendBaseExtension(ext: Json, node: ElementNode, loc: Location): void {
    const base = this.baseTree('Extension');
    if (base) this.checkTypeRoot(ext, 'Extension', base, node, loc);
  }
}
