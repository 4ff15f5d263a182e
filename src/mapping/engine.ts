import { createHash } from 'node:crypto';
import { systemUri } from '../terminology/code-systems.js';
import { compilePath, isAttributePath } from './cda-path.js';
import type { ConversionContext } from './context.js';
import * as dt from './datatypes.js';
import { hasValue, setAbsent, setValue } from './fhir-path.js';
import type { DataTypeName, EntryMap, FieldRule, MapSet, NestedResourceMap } from './map-types.js';
import { isElement, templateIds, textOf, type XmlElement } from './xml-tree.js';

/** A resource produced by the engine, with the fullUrl it is referenced by. */
export interface EmittedResource {
  fullUrl: string;
  resource: fhir4.FhirResource;
}

type Obj = Record<string, unknown>;

/** A deterministic UUID (name-based, SHA-1) so that the same document gives the same Bundle. */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** XPath-like locator of an element in the CDA (the link a resource keeps to its source). */
export function locatorOf(el: XmlElement): string {
  const parts: string[] = [];
  let cur: XmlElement | undefined = el;
  while (cur) {
    const parent: XmlElement | undefined = cur.parent;
    if (!parent) {
      parts.push(cur.name);
      break;
    }
    const same = parent.children.filter((c): c is XmlElement => isElement(c) && c.name === cur!.name);
    parts.push(same.length > 1 ? `${cur.name}[${same.indexOf(cur) + 1}]` : cur.name);
    cur = parent;
  }
  return '/' + parts.reverse().join('/');
}

const PRIMITIVE: ReadonlySet<DataTypeName> = new Set(['string', 'text', 'code', 'boolean', 'integer', 'decimal', 'dateTime', 'date']);

/** Runs the map rules over a CDA document; one instance per conversion. */
export class MappingEngine {
  readonly emitted: EmittedResource[] = [];
  /** fullUrls of the header resources by their map id (patient, author…). */
  readonly headerRefs = new Map<string, string[]>();

  constructor(
    private readonly maps: MapSet,
    private readonly ctx: ConversionContext,
    private readonly seed: string,
  ) {}

  /** Creates a resource of `type` from `node` with `rules`; undefined if no rule yielded anything. */
  buildResource(type: string, profile: string | undefined, rules: FieldRule[], node: XmlElement, patientField?: string): EmittedResource | undefined {
    const locator = locatorOf(node);
    const id = stableUuid(`${this.seed}|${type}|${locator}`);
    const body: Obj = {};
    const before = this.emitted.length;
    this.ctx.locator = locator;
    this.applyRules(rules, node, body);
    if (!Object.keys(body).length) {
      this.emitted.length = before;
      return undefined;
    }
    const resource: Obj = { resourceType: type, id };
    if (profile) resource.meta = { profile: [profile] };
    const ext = (body.extension as fhir4.Extension[] | undefined) ?? [];
    delete body.extension;
    resource.extension = [{ url: dt.EXT.cdaSource, valueString: locator }, ...ext];
    if (patientField) {
      const patient = this.headerRefs.get('patient')?.[0];
      if (patient) resource[patientField] = { reference: patient };
    }
    Object.assign(resource, body);
    const emitted = { fullUrl: `urn:uuid:${id}`, resource: resource as unknown as fhir4.FhirResource };
    this.emitted.splice(before, 0, emitted);
    return emitted;
  }

  /** Maps one clinical statement with its entry map; returns the top-level resources. */
  mapEntry(statement: XmlElement, map: EntryMap): EmittedResource[] {
    let items = map.each ? compilePath(map.each).elements(statement) : [statement];
    if (!items.length) items = [statement];
    const out: EmittedResource[] = [];
    for (const item of items) {
      const r = this.buildResource(map.resource, map.profile, map.fields, item, map.patient);
      if (r) out.push(r);
    }
    if (out.length) {
      for (const path of map.structural ?? []) {
        for (const el of compilePath(path).elements(statement)) {
          if (el.consumed || !el.attrs.code) continue;
          el.consumed = true;
          this.ctx.report.structuralCodings.push({ system: el.attrs.codeSystem ? systemUri(el.attrs.codeSystem) : undefined, code: el.attrs.code, display: el.attrs.displayName, locator: locatorOf(el) });
        }
      }
      this.flagUnconsumed(statement, out[0]);
    }
    return out;
  }

  /** Coded elements no rule read: kept on the resource and listed in the report. */
  private flagUnconsumed(statement: XmlElement, target: EmittedResource): void {
    const walk = (el: XmlElement): void => {
      if (el.attrs.code && el.attrs.codeSystem && !el.consumed) {
        el.consumed = true;
        const coding: fhir4.Coding = { system: systemUri(el.attrs.codeSystem), code: el.attrs.code };
        if (el.attrs.displayName) coding.display = el.attrs.displayName;
        const res = target.resource as unknown as Obj;
        ((res.extension ??= []) as fhir4.Extension[]).push({ url: dt.EXT.unmappedCoding, valueCoding: coding });
        this.ctx.report.unmappedCodings.push({ ...coding, code: coding.code!, locator: locatorOf(el) });
      }
      for (const c of el.children) if (isElement(c)) walk(c);
    };
    walk(statement);
  }

  applyRules(rules: FieldRule[], node: XmlElement, target: Obj): void {
    for (const rule of rules) this.applyRule(rule, node, target);
  }

  private applyRule(rule: FieldRule, node: XmlElement, target: Obj): void {
    // First rule that yields wins: later rules with the same target are fallbacks.
    if (!rule.to.endsWith('[]') && hasValue(target, rule.to)) return;
    if (rule.when && !this.matches(rule.when, node)) return;
    if (rule.unless && this.matches(rule.unless, node)) return;

    if (rule.each) {
      for (const item of compilePath(rule.each).elements(node)) {
        if (rule.resource) this.nested(rule, rule.resource, item, target);
        else if (rule.fields) {
          const obj: Obj = {};
          this.applyRules(rule.fields, item, obj);
          if (Object.keys(obj).length) setValue(target, rule.to, obj);
        } else this.applyValue(rule, item, target);
      }
      return;
    }
    if (rule.resource) {
      const at = rule.from ? compilePath(rule.from).first(node) : node;
      if (at) this.nested(rule, rule.resource, at, target);
      this.absentIfEmpty(rule, target);
      return;
    }
    if (rule.fields) {
      const at = rule.from ? compilePath(rule.from).first(node) : node;
      if (at) {
        const obj: Obj = {};
        this.applyRules(rule.fields, at, obj);
        if (Object.keys(obj).length) setValue(target, rule.to, obj);
      }
      this.absentIfEmpty(rule, target);
      return;
    }
    this.applyValue(rule, node, target);
  }

  private matches(path: string, node: XmlElement): boolean {
    const p = compilePath(path);
    return isAttributePath(path) ? p.values(node).length > 0 : p.elements(node).length > 0;
  }

  private nested(rule: FieldRule, map: NestedResourceMap, at: XmlElement, target: Obj): void {
    const r = this.buildResource(map.type, map.profile, map.fields, at, map.patient);
    if (r) setValue(target, rule.to, { reference: r.fullUrl });
  }

  private absentIfEmpty(rule: FieldRule, target: Obj, suffix = ''): void {
    if (!rule.absent || hasValue(target, rule.to)) return;
    // A choice of a date/time or of a value is marked on its primitive form (_effectiveDateTime).
    const primitive = rule.as ? PRIMITIVE.has(rule.as) || rule.as === 'effective' || rule.as === 'value' : false;
    const choiceSuffix = suffix || (rule.as === 'effective' ? 'DateTime' : rule.as === 'value' ? 'String' : '');
    setAbsent(target, rule.to, dt.dataAbsentReason(rule.absent), primitive, choiceSuffix);
  }

  private applyValue(rule: FieldRule, node: XmlElement, target: Obj): void {
    if (rule.value !== undefined && !rule.from) {
      setValue(target, rule.to, structuredClone(rule.value));
      return;
    }
    if (rule.as === 'reference') {
      const refs = this.headerRefs.get(rule.ref ?? '') ?? [];
      for (const r of rule.all ? refs : refs.slice(0, 1)) setValue(target, rule.to, { reference: r });
      this.absentIfEmpty(rule, target);
      return;
    }
    if (!rule.from) {
      this.absentIfEmpty(rule, target);
      return;
    }
    const path = compilePath(rule.from);
    let produced = false;
    if (isAttributePath(rule.from)) {
      for (const v of path.values(node)) {
        const out = this.fromAttribute(rule, v);
        if (out === undefined) continue;
        setValue(target, rule.to, out);
        produced = true;
        if (!rule.all) break;
      }
    } else {
      for (const el of path.elements(node)) {
        const out = this.fromElement(rule, el);
        if (!out) continue;
        setValue(target, rule.to, out.value, out.suffix);
        produced = true;
        if (!rule.all) break;
      }
    }
    if (!produced) this.absentIfEmpty(rule, target);
  }

  private mapped(rule: FieldRule, code: string): string | boolean | undefined {
    if (!rule.map) return code;
    const m = this.maps.valueMaps[rule.map];
    return m.codes[code] ?? m.default;
  }

  /** A concept from a value map; the source's own coding (if any) is kept after the mapped one. */
  private conceptFromMap(rule: FieldRule, code: string, source?: XmlElement): fhir4.CodeableConcept | undefined {
    const target = this.mapped(rule, code);
    if (typeof target !== 'string') return undefined;
    const m = rule.map ? this.maps.valueMaps[rule.map] : undefined;
    const coding: fhir4.Coding = m?.system ? { system: m.system, code: target } : { code: target };
    const display = m?.displays?.[target];
    if (display) coding.display = display;
    const cc: fhir4.CodeableConcept = { coding: [coding] };
    if (source?.attrs.codeSystem) {
      const original = dt.codeableConcept(source, this.ctx);
      for (const c of original?.coding ?? []) if (c.system !== coding.system || c.code !== coding.code) cc.coding!.push(c);
      for (const c of cc.coding!) delete (c as fhir4.Coding & { _display?: unknown })._display;
    }
    this.ctx.translate(cc, undefined);
    return cc;
  }

  private fromAttribute(rule: FieldRule, v: string): unknown {
    switch (rule.as) {
      case 'CodeableConcept':
        return this.conceptFromMap(rule, v);
      case 'Coding':
        return this.conceptFromMap(rule, v)?.coding?.[0];
      case 'dateTime':
        return dt.timestamp(v);
      case 'date':
        return dt.dateOnly(v);
      case 'boolean': {
        const m = this.mapped(rule, v);
        return typeof m === 'boolean' ? m : m === 'true' ? true : m === 'false' ? false : undefined;
      }
      case 'integer':
        return /^-?\d+$/.test(v) ? Number(v) : undefined;
      case 'decimal':
        return v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
      default: {
        const m = this.mapped(rule, v);
        return m === undefined || m === '' ? undefined : m;
      }
    }
  }

  private fromElement(rule: FieldRule, el: XmlElement): { value: unknown; suffix?: string } | undefined {
    const wrap = (value: unknown): { value: unknown } | undefined => (value === undefined || value === '' ? undefined : { value });
    switch (rule.as ?? 'string') {
      case 'string':
        return wrap(textOf(el));
      case 'text':
        return wrap(dt.referencedText(el, this.ctx) ?? textOf(el));
      // A code-typed element keeps the code, not the coding: the coded element
      // stays unconsumed, so its full coding is kept as a flagged extension.
      case 'code':
        return el.attrs.code ? wrap(this.mapped(rule, el.attrs.code)) : undefined;
      case 'decimal':
        return el.attrs.value && !Number.isNaN(Number(el.attrs.value)) ? wrap(Number(el.attrs.value)) : undefined;
      case 'boolean':
        return el.attrs.value ? wrap(el.attrs.value === 'true') : undefined;
      case 'integer':
        return el.attrs.value && /^-?\d+$/.test(el.attrs.value) ? wrap(Number(el.attrs.value)) : undefined;
      case 'CodeableConcept':
        if (rule.map) return el.attrs.code ? wrap(this.conceptFromMap(rule, el.attrs.code, el)) : undefined;
        return wrap(dt.codeableConcept(el, this.ctx));
      case 'Coding':
        return wrap(dt.coding(el, this.ctx));
      case 'Identifier':
        return wrap(dt.identifier(el));
      case 'dateTime':
        return wrap(dt.timestamp(el.attrs.value ?? el.children.filter(isElement).find((c) => c.name === 'low')?.attrs.value));
      case 'date':
        return wrap(dt.dateOnly(el.attrs.value));
      case 'Period':
        return wrap(dt.period(el));
      case 'effective':
        return dt.dateTimeOrPeriod(el);
      case 'Quantity':
        return wrap(dt.quantity(el));
      case 'Ratio':
        return wrap(dt.ratio(el));
      case 'Range':
        return wrap(dt.range(el));
      case 'dose':
        return dt.quantityOrRange(el);
      case 'value':
        return dt.anyValue(el, this.ctx);
      case 'HumanName':
        return wrap(dt.humanName(el));
      case 'Address':
        return wrap(dt.address(el));
      case 'ContactPoint':
        return wrap(dt.contactPoint(el));
      case 'ignore': {
        const mark = (e: XmlElement): void => {
          e.consumed = true;
          for (const c of e.children) if (isElement(c)) mark(c);
        };
        mark(el);
        return undefined;
      }
      case 'reference':
        return undefined;
    }
  }

  /**
   * The entry map for a statement: by templateId among its section's maps,
   * then among all maps, then (statement without any templateId) by element name among its section's maps.
   */
  entryMapFor(statement: XmlElement, sectionEntryIds: readonly string[]): EntryMap | undefined {
    const tpls = templateIds(statement);
    const sectionMaps = sectionEntryIds.map((id) => this.maps.entries.get(id)!);
    const byTemplate = (m: EntryMap): boolean => m.templates.some((t) => tpls.includes(t));
    return (
      sectionMaps.find(byTemplate) ??
      [...this.maps.entries.values()].find(byTemplate) ??
      (tpls.length === 0 ? sectionMaps.find((m) => m.elements?.includes(statement.name)) : undefined)
    );
  }
}
