import { compilePath, compileTest, type CompiledPath } from './cda-path.js';
import type { ConversionContext } from './context.js';
import * as dt from './datatypes.js';
import { EXT } from './extensions.js';
import { compileHas, compilePrimitiveExtension, compileSetAbsent, compileSetter } from './fhir-path.js';
import type { DataTypeName, FieldRule, MapSet, NestedResourceMap, ValueMap } from './map-types.js';
import { firstChild, isElement, textOf, type XmlElement } from './xml-tree.js';

/**
 * Field rules compiled once, when the maps are loaded, into closures: the
 * paths, the FHIR setters, the data-type conversion and the value map of each
 * rule are resolved ahead of time, so a conversion only runs accessors.
 */
export type Obj = Record<string, unknown>;

/** What a compiled rule needs from the running conversion. */
export interface RuleHost {
  readonly ctx: ConversionContext;
  readonly maps: MapSet;
  /** Builds a nested resource; returns its fullUrl. */
  nestedResource(map: NestedResourceMap, node: XmlElement): string | undefined;
  headerRefs(id: string): readonly string[];
}

export type CompiledRule = (host: RuleHost, node: XmlElement, target: Obj) => void;

type Converted = { value: unknown; suffix?: string } | undefined;
type ElementConverter = (host: RuleHost, el: XmlElement) => Converted;
/** `owner`: the element carrying the attribute (its originalText goes with a concept made from the value). */
type AttributeConverter = (host: RuleHost, v: string, owner?: XmlElement) => unknown;

const PRIMITIVE: ReadonlySet<DataTypeName> = new Set(['string', 'text', 'description', 'code', 'boolean', 'integer', 'decimal', 'dateTime', 'date', 'effective', 'value']);

const compiled = new WeakMap<FieldRule[], CompiledRule[]>();

/** The compiled form of a list of rules (cached by identity). */
export function compileRules(rules: FieldRule[]): CompiledRule[] {
  let c = compiled.get(rules);
  if (!c) {
    c = rules.map(compileRule);
    compiled.set(rules, c);
  }
  return c;
}

export function runRules(rules: FieldRule[], host: RuleHost, node: XmlElement, target: Obj): void {
  for (const r of compileRules(rules)) r(host, node, target);
}

function valueMapper(rule: FieldRule): ((host: RuleHost, code: string) => string | boolean | undefined) | undefined {
  if (!rule.map) return undefined;
  const name = rule.map;
  return (host, code) => lookup(host.maps.valueMaps[name], code);
}

/** A value map's target for a source code: exact, then case-insensitive ("Active"), then the default. */
function lookup(m: ValueMap, code: string): string | boolean | undefined {
  return m.codes[code] ?? m.codes[code.toLowerCase()] ?? m.default;
}

/** A concept from a value map; the source's own coding (if any) is kept after the mapped one. */
function conceptFromMap(host: RuleHost, rule: FieldRule, code: string, source?: XmlElement, owner: XmlElement | undefined = source): fhir4.CodeableConcept | undefined {
  const m = host.maps.valueMaps[rule.map!];
  const target = lookup(m, code);
  if (typeof target !== 'string') return undefined;
  const coding: fhir4.Coding = m.system ? { system: m.system, code: target } : { code: target };
  const display = m.displays?.[target];
  if (display) coding.display = display;
  const cc: fhir4.CodeableConcept = { coding: [coding] };
  if (source?.attrs.codeSystem) {
    const original = dt.codeableConcept(source, host.ctx);
    for (const c of original?.coding ?? []) {
      if (c.system !== coding.system || c.code !== coding.code) cc.coding!.push(c);
    }
  }
  // The source's own words (originalText) stay beside the mapped concept.
  host.ctx.translate(cc, owner ? dt.referencedText(firstChild(owner, 'originalText'), host.ctx) : undefined);
  return cc;
}

function attributeConverter(rule: FieldRule): AttributeConverter {
  const mapped = valueMapper(rule);
  const map = (host: RuleHost, v: string): string | boolean | undefined => (mapped ? mapped(host, v) : v);
  switch (rule.as) {
    case 'CodeableConcept':
      return (host, v, owner) => (rule.map ? conceptFromMap(host, rule, v, undefined, owner) : undefined);
    case 'Coding':
      return (host, v) => (rule.map ? conceptFromMap(host, rule, v)?.coding?.[0] : undefined);
    case 'dateTime':
      return (_h, v) => dt.timestamp(v);
    case 'date':
      return (_h, v) => dt.dateOnly(v);
    case 'boolean':
      return (host, v) => {
        const m = map(host, v);
        return typeof m === 'boolean' ? m : m === 'true' ? true : m === 'false' ? false : undefined;
      };
    case 'integer':
      return (_h, v) => (/^-?\d+$/.test(v) ? Number(v) : undefined);
    case 'decimal':
      return (_h, v) => (v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined);
    default:
      return (host, v) => {
        const m = map(host, v);
        return m === undefined || m === '' ? undefined : m;
      };
  }
}

/** A copy of plain data (objects, arrays, primitives), as read from YAML. */
function cloneData<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneData) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = cloneData((v as Record<string, unknown>)[k]);
  return out as T;
}

const wrap = (value: unknown): Converted => (value === undefined || value === '' ? undefined : { value });

function markConsumed(e: XmlElement): void {
  e.consumed = true;
  for (const c of e.children) if (isElement(c)) markConsumed(c);
}

function elementConverter(rule: FieldRule): ElementConverter {
  const mapped = valueMapper(rule);
  switch (rule.as ?? 'string') {
    case 'string':
      return (_h, el) => wrap(textOf(el));
    case 'text':
      return (h, el) => wrap(dt.referencedText(el, h.ctx) ?? textOf(el));
    // A statement's own narrative, refused when it only repeats one of its codes (a table cell holding the ATC code).
    case 'description':
      return (h, el) => {
        const t = dt.referencedText(el, h.ctx) ?? textOf(el);
        if (!t || !el.parent) return undefined;
        for (const c of h.ctx.codedWithin(el.parent)) if (c.attrs.code === t) return undefined;
        return wrap(t);
      };
    // A code-typed element keeps the code, not the coding: the coded element
    // stays unconsumed, so its full coding is kept as a flagged extension.
    case 'code':
      return (h, el) => {
        if (!el.attrs.code) return undefined;
        const out = wrap(mapped ? mapped(h, el.attrs.code) : el.attrs.code);
        if (out) el.readAsCode = true;
        return out;
      };
    case 'decimal':
      return (_h, el) => (el.attrs.value && !Number.isNaN(Number(el.attrs.value)) ? wrap(Number(el.attrs.value)) : undefined);
    case 'boolean':
      return (_h, el) => (el.attrs.value ? wrap(el.attrs.value === 'true') : undefined);
    case 'integer':
      return (_h, el) => (el.attrs.value && /^-?\d+$/.test(el.attrs.value) ? wrap(Number(el.attrs.value)) : undefined);
    case 'CodeableConcept':
      return rule.map ? (h, el) => (el.attrs.code ? wrap(conceptFromMap(h, rule, el.attrs.code, el)) : undefined) : (h, el) => wrap(dt.codeableConcept(el, h.ctx, rule.lead));
    case 'Coding':
      return (h, el) => wrap(dt.coding(el, h.ctx));
    case 'Identifier':
      return (_h, el) => wrap(dt.identifier(el));
    case 'dateTime':
      return (_h, el) => wrap(dt.timestamp(el.attrs.value ?? el.children.filter(isElement).find((c) => c.name === 'low')?.attrs.value));
    case 'date':
      return (_h, el) => wrap(dt.dateOnly(el.attrs.value));
    case 'Period':
      return (_h, el) => wrap(dt.period(el));
    case 'effective':
      return (_h, el) => dt.dateTimeOrPeriod(el);
    case 'Quantity':
      return (h, el) => wrap(dt.quantity(el, h.ctx));
    case 'Ratio':
      return (_h, el) => wrap(dt.ratio(el));
    case 'Range':
      return (h, el) => wrap(dt.range(el, h.ctx));
    case 'dose':
      return (h, el) => dt.quantityOrRange(el, h.ctx);
    case 'value':
      return (h, el) => dt.anyValue(el, h.ctx);
    case 'HumanName':
      return (_h, el) => wrap(dt.humanName(el));
    case 'Address':
      return (_h, el) => wrap(dt.address(el));
    case 'ContactPoint':
      return (_h, el) => wrap(dt.contactPoint(el));
    case 'ignore':
      return (_h, el) => {
        markConsumed(el);
        return undefined;
      };
    case 'reference':
      return () => undefined;
  }
}

export function compileRule(rule: FieldRule): CompiledRule {
  const appends = rule.to.endsWith('[]');
  const has = compileHas(rule.to);
  const isChoice = rule.to.endsWith('[x]');
  // (the loader sets it from the FHIR definitions: checkTargets in map-targets.ts)
  if (isChoice && !rule.typeSuffix) throw new Error(`rule to "${rule.to}": a choice element without its type suffix (maps not loaded with loadMaps)`);
  const choiceSuffix = rule.typeSuffix ?? '';
  const setter = compileSetter(rule.to);
  // A choice element takes its type suffix from the converted value, else from the rule's data type.
  const set = isChoice ? (target: Obj, value: unknown, suffix?: string): void => setter(target, value, suffix || choiceSuffix) : setter;
  const when = rule.when ? compileTest(rule.when) : undefined;
  const unless = rule.unless ? compileTest(rule.unless) : undefined;
  const where = rule.where ? compileTest(rule.where) : undefined;
  const from: CompiledPath | undefined = rule.from ? compilePath(rule.from) : undefined;
  const each = rule.each ? compilePath(rule.each) : undefined;

  let absent: ((host: RuleHost, node: XmlElement, target: Obj) => void) | undefined;
  if (rule.absent) {
    const primitive = rule.as ? PRIMITIVE.has(rule.as) : false;
    const setAbsent = compileSetAbsent(rule.to, primitive, choiceSuffix);
    if (rule.absent === 'null-flavor') {
      // the reason the source gives with its nullFlavor (UNK → unknown, NA → not-applicable…)
      absent = (host, node, target) => {
        if (has(target)) return;
        const flavor = from?.first(node)?.attrs.nullFlavor;
        setAbsent(target, dt.dataAbsentReason(flavor ? host.ctx.nullFlavor(flavor) : 'unknown'));
      };
    } else {
      const ext = dt.dataAbsentReason(rule.absent);
      absent = (_h, _n, target) => {
        if (!has(target)) setAbsent(target, ext);
      };
    }
  }

  // What the rule does with one context node.
  let body: (host: RuleHost, node: XmlElement, target: Obj) => void;
  if (rule.resource) {
    const nested = rule.resource;
    body = (host, node, target) => {
      const url = host.nestedResource(nested, node);
      if (url) set(target, { reference: url });
    };
  } else if (rule.fields) {
    const fields = rule.fields;
    // An object that only its constants filled says nothing of the source: it is not kept.
    // (keys that only unconditional constants write: a key some other rule writes counts as the source's)
    const top = (f: FieldRule): string => f.to.replace(/[[.].*$/, '');
    const isConstant = (f: FieldRule): boolean => f.value !== undefined && !f.from && !f.when && !f.unless;
    const sourced = new Set(fields.filter((f) => !isConstant(f)).map(top));
    const constants = new Set(fields.filter(isConstant).map(top).filter((k) => !sourced.has(k)));
    for (const c of [...constants]) constants.add('_' + c);
    body = (host, node, target) => {
      const obj: Obj = {};
      runRules(fields, host, node, obj);
      for (const k in obj) {
        if (constants.has(k)) continue;
        set(target, obj);
        break;
      }
    };
  } else if (rule.value !== undefined && !rule.from) {
    const constant = rule.value;
    // Constants are plain data from YAML: strings are shared, structures copied (later rules may write into them).
    if (constant === null || typeof constant !== 'object') body = (_h, _n, target) => set(target, constant);
    else body = (_h, _n, target) => set(target, cloneData(constant));
  } else if (rule.as === 'reference') {
    const id = rule.ref ?? '';
    const all = !!rule.all;
    body = (host, _n, target) => {
      const refs = host.headerRefs(id);
      for (let i = 0; i < (all ? refs.length : Math.min(1, refs.length)); i++) set(target, { reference: refs[i] });
    };
  } else if (from?.isAttribute) {
    const convert = attributeConverter(rule);
    const all = !!rule.all;
    body = (host, node, target) => {
      if (!all) {
        // Usually the first match yields: try it before listing every match.
        const at = from.valueAt(node);
        if (!at) return;
        const out = convert(host, at.value, at.owner);
        if (out !== undefined) return set(target, out);
      }
      for (const v of from.values(node)) {
        const out = convert(host, v);
        if (out === undefined) continue;
        set(target, out);
        if (!all) break;
      }
    };
  } else if (from) {
    const convert = elementConverter(rule);
    const all = !!rule.all;
    // A code that says less than the source's (severity 442452003 "life threatening" → "severe", a
    // value map's `narrower` codes) keeps the source's concept on the primitive, translated.
    const withSource = rule.as === 'code' && rule.map ? compilePrimitiveExtension(rule.to) : undefined;
    const narrowerOf = (host: RuleHost): readonly string[] => host.maps.valueMaps[rule.map!].narrower ?? [];
    const keepSource = withSource
      ? (host: RuleHost, el: XmlElement, target: Obj): void => {
          if (!el.attrs.codeSystem || !el.attrs.code || !narrowerOf(host).includes(el.attrs.code)) return;
          const cc = dt.codeableConcept(el, host.ctx);
          if (cc) withSource(target, { url: EXT.sourceConcept, valueCodeableConcept: cc });
        }
      : undefined;
    body = (host, node, target) => {
      if (!all) {
        const el = from.first(node);
        if (!el) return;
        const out = convert(host, el);
        if (out) {
          set(target, out.value, out.suffix);
          keepSource?.(host, el, target);
          return;
        }
      }
      for (const el of from.elements(node)) {
        const out = convert(host, el);
        if (!out) continue;
        set(target, out.value, out.suffix);
        if (!all) break;
      }
    };
  } else {
    body = () => undefined;
  }

  // A nested object or resource is built from the first match of `from` (values read every match themselves).
  const structured = !!from && !!(rule.resource || rule.fields);
  return (host, node, target) => {
    // First rule that yields wins: later rules with the same target are fallbacks.
    if (!appends && has(target)) return;
    if (when && !when(node)) return;
    if (unless && unless(node)) return;
    if (each) {
      for (const item of each.elements(node)) if (!where || where(item)) body(host, item, target);
    } else if (structured) {
      const at = from!.first(node);
      if (at) body(host, at, target);
    } else body(host, node, target);
    if (absent) absent(host, node, target);
  };
}
