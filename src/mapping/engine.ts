import { createHash } from 'node:crypto';
import { systemUri } from '../terminology/code-systems.js';
import { AbsenceReader, type AbsenceVerdict } from './absence.js';
import { compilePath, compileTest } from './cda-path.js';
import type { ConversionContext } from './context.js';
import * as dt from './datatypes.js';
import { EXT } from './extensions.js';
import type { ConditionalProfile, EntryMap, FieldRule, MapSet, NestedResourceMap } from './map-types.js';
import type { EntryOutcome } from './report.js';
import { runRules, type Obj, type RuleHost } from './rule-compiler.js';
import { templateIds, type XmlElement } from './xml-tree.js';

/** A resource produced by the engine, with the fullUrl it is referenced by. */
export interface EmittedResource {
  fullUrl: string;
  resource: fhir4.FhirResource;
}

/** A deterministic UUID (name-based, SHA-1) so that the same document gives the same Bundle. */
export function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return uuidFromHex(h);
}

/** Four FNV-1a 32-bit lanes: a fast, stable 128-bit digest of a short seed (not for security). */
function fnv128(seed: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  let c = 0x1b873593;
  let d = 0x27d4eb2f;
  for (let i = 0; i < seed.length; i++) {
    const x = seed.charCodeAt(i);
    a = Math.imul(a ^ x, 0x01000193);
    b = Math.imul(b ^ (x + 1), 0x01000193);
    c = Math.imul(c ^ (x + 2), 0x01000193);
    d = Math.imul(d ^ (x + 3), 0x01000193);
  }
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return hex(a) + hex(b) + hex(c) + hex(d);
}

function uuidFromHex(h: string): string {
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** XPath-like locator of an element in the CDA (the link a resource keeps to its source). */
export function locatorOf(el: XmlElement): string {
  if (el.locator !== undefined) return el.locator;
  const parent = el.parent;
  let loc: string;
  if (!parent) loc = '/' + el.name;
  else {
    let count = 0;
    let index = 0;
    const siblings = parent.children;
    for (let i = 0; i < siblings.length; i++) {
      const c = siblings[i];
      if (typeof c === 'string' || c.name !== el.name) continue;
      count++;
      if (c === el) index = count;
    }
    loc = `${locatorOf(parent)}/${count > 1 ? `${el.name}[${index}]` : el.name}`;
  }
  el.locator = loc;
  return loc;
}

/** Compiled conditions of the conditional profiles (by identity of the map's profile list). */
const profileTests = new WeakMap<ConditionalProfile[], Array<{ url: string; when?: (n: XmlElement) => boolean; unless?: (n: XmlElement) => boolean }>>();

/** The profile a map declares for this CDA element: its fixed one, or the first of its conditional ones that holds. */
function profileFor(map: { profile?: string; profiles?: ConditionalProfile[] }, node: XmlElement): string | undefined {
  if (!map.profiles) return map.profile;
  let tests = profileTests.get(map.profiles);
  if (!tests) profileTests.set(map.profiles, (tests = map.profiles.map((p) => ({ url: p.url, when: p.when ? compileTest(p.when) : undefined, unless: p.unless ? compileTest(p.unless) : undefined }))));
  for (const t of tests) {
    if (t.when && !t.when(node)) continue;
    if (t.unless && t.unless(node)) continue;
    return t.url;
  }
  return undefined;
}

function refOf(e: EmittedResource): string {
  return `${e.resource.resourceType}/${e.resource.id}`;
}

/** True if the object has a key after `key` (insertion order): a rule wrote something. */
function hasKeyAfter(o: Obj, key: string): boolean {
  let seen = false;
  for (const k in o) {
    if (seen) return true;
    if (k === key) seen = true;
  }
  return false;
}

/** What one statement became: its top-level resources and the outcome of each item it holds. */
export interface MappedEntry {
  resources: EmittedResource[];
  outcomes: Array<Omit<EntryOutcome, 'section'>>;
}

const readers = new WeakMap<MapSet, AbsenceReader>();

/** Runs the compiled map rules over a CDA document; one instance per conversion. */
export class MappingEngine implements RuleHost {
  readonly emitted: EmittedResource[] = [];
  /** fullUrls of the header resources by their map id (patient, author…). */
  private readonly header = new Map<string, string[]>();
  private readonly idPrefix: string;
  private counter = 0;

  constructor(
    readonly maps: MapSet,
    readonly ctx: ConversionContext,
    seed: string,
  ) {
    // One hash per document; resources are numbered within it (stable for the same document and maps).
    this.idPrefix = uuidFromHex(fnv128(seed)).slice(0, 24);
    let reader = readers.get(maps);
    if (!reader) readers.set(maps, (reader = new AbsenceReader(maps.absentUnknown)));
    this.absence = reader;
  }

  private readonly absence: AbsenceReader;

  /** The next resource id of this document. */
  nextId(): string {
    return this.idPrefix + (this.counter++).toString(16).padStart(12, '0');
  }

  headerRefs(id: string): readonly string[] {
    return this.header.get(id) ?? [];
  }

  addHeaderRef(id: string, fullUrl: string): void {
    const list = this.header.get(id);
    if (list) list.push(fullUrl);
    else this.header.set(id, [fullUrl]);
  }

  nestedResource(map: NestedResourceMap, node: XmlElement): string | undefined {
    return this.buildResource(map.type, profileFor(map, node), map.fields, node, map.patient)?.fullUrl;
  }

  /** Creates a resource of `type` from `node` with `rules`; undefined if no rule yielded anything. */
  buildResource(type: string, profile: string | undefined, rules: FieldRule[], node: XmlElement, patientField?: string): EmittedResource | undefined {
    const locator = locatorOf(node);
    const before = this.emitted.length;
    const id = this.nextId();
    // The rules write straight into the resource, after its fixed head.
    const resource: Obj = { resourceType: type, id };
    if (profile) resource.meta = { profile: [profile] };
    resource.extension = [{ url: EXT.cdaSource, valueString: locator }];
    if (patientField) {
      const patient = this.header.get('patient')?.[0];
      if (patient) resource[patientField] = { reference: patient };
    }
    const lastHeadKey = patientField && resource[patientField] !== undefined ? patientField : 'extension';
    this.ctx.locator = locator;
    runRules(rules, this, node, resource);
    if (!hasKeyAfter(resource, lastHeadKey) && (resource.extension as unknown[]).length === 1) {
      this.emitted.length = before;
      return undefined;
    }
    const emitted = { fullUrl: `urn:uuid:${id}`, resource: resource as unknown as fhir4.FhirResource };
    this.emitted.splice(before, 0, emitted);
    return emitted;
  }

  applyRules(rules: FieldRule[], node: XmlElement, target: Obj): void {
    runRules(rules, this, node, target);
  }

  /**
   * Maps one clinical statement with its entry map: one resource per item (or
   * the "no known" resource, or none when it says no information), with the
   * outcome of each item for the report.
   */
  mapEntry(statement: XmlElement, map: EntryMap): MappedEntry {
    let items = map.each ? compilePath(map.each).elements(statement) : [statement];
    if (!items.length) items = [statement];
    const out: EmittedResource[] = [];
    const outcomes: MappedEntry['outcomes'] = [];
    for (const item of items) {
      const locator = locatorOf(item);
      const verdict: AbsenceVerdict = map.absence ? this.absence.classify(item, statement, map.absence, this.ctx) : { kind: 'present' };
      if (verdict.kind === 'present') {
        const r = this.buildResource(map.resource, profileFor(map, item), map.fields, item, map.patient);
        if (r) {
          out.push(r);
          outcomes.push({ locator, map: map.id, outcome: 'resource', resources: [refOf(r)], reason: `mapped by ${map.id}` });
        } else outcomes.push({ locator, map: map.id, outcome: 'narrative-only', reason: 'no rule of the map found anything to say', codings: this.takeCodings(item) });
      } else if (verdict.kind === 'known-absence' && verdict.statement.emptyReason) {
        // said by the section: no resource
        const concept = this.absence.concept(verdict, this.ctx).coding![0];
        outcomes.push({ locator, map: map.id, outcome: 'known-absence', code: concept, emptyReason: verdict.statement.emptyReason, reason: `${verdict.reason}: the section's emptyReason ${verdict.statement.emptyReason}`, codings: this.takeCodings(item, verdict.source) });
      } else if (verdict.kind === 'known-absence') {
        const { resource, made, concept } = this.buildKnownAbsence(verdict, item);
        out.push(resource);
        outcomes.push({ locator, map: map.id, outcome: 'known-absence', resources: made.map(refOf), code: concept, reason: verdict.reason });
      } else if (verdict.kind === 'no-information') {
        if (verdict.source) verdict.source.consumed = true;
        outcomes.push({ locator, map: map.id, outcome: 'no-information', code: { system: dt.LIST_EMPTY_REASON, code: verdict.emptyReason }, emptyReason: verdict.emptyReason, reason: verdict.reason, codings: this.takeCodings(item, verdict.source) });
      } else {
        outcomes.push({ locator, map: map.id, outcome: 'narrative-only', reason: verdict.reason, codings: this.takeCodings(item) });
      }
    }
    for (const path of map.structural ?? []) {
      for (const el of compilePath(path).elements(statement)) {
        if (el.consumed || !el.attrs.code) continue;
        el.consumed = true;
        this.ctx.report.structuralCodings.push({ system: el.attrs.codeSystem ? systemUri(el.attrs.codeSystem) : undefined, code: el.attrs.code, display: el.attrs.displayName, locator: locatorOf(el) });
      }
    }
    if (out.length) this.flagUnconsumed(statement, out[0]);
    // Codes of a statement that became no resource, outside its items: listed with its first outcome.
    else if (outcomes.length) (outcomes[0].codings ??= []).push(...this.takeCodings(statement));
    return { resources: out, outcomes };
  }

  /** The IPS 2.0 "no known X" resource of a statement. */
  private buildKnownAbsence(verdict: Extract<AbsenceVerdict, { kind: 'known-absence' }>, item: XmlElement): { resource: EmittedResource; made: EmittedResource[]; concept: fhir4.Coding } {
    const st = verdict.statement;
    const before = this.emitted.length;
    const id = this.nextId();
    const resource: Obj = { resourceType: st.resource!, id, meta: { profile: [st.profile!] }, extension: [{ url: EXT.cdaSource, valueString: locatorOf(item) }] };
    const patient = this.header.get('patient')?.[0];
    if (patient) resource[st.patient!] = { reference: patient };
    const ids = compilePath('id').elements(item).map(dt.identifier).filter((i): i is fhir4.Identifier => !!i);
    if (ids.length) resource.identifier = ids;
    const concept = this.absence.concept(verdict, this.ctx);
    if (st.concept) resource[st.concept] = concept;
    else if (st.device) {
      const deviceId = this.nextId();
      const device: Obj = { resourceType: 'Device', id: deviceId, meta: { profile: [st.device.profile] }, type: concept };
      if (patient) device.patient = { reference: patient };
      const emittedDevice = { fullUrl: `urn:uuid:${deviceId}`, resource: device as unknown as fhir4.FhirResource };
      this.emitted.push(emittedDevice);
      resource[st.device.reference] = { reference: emittedDevice.fullUrl };
    }
    if (st.fields) runRules(st.fields, this, item, resource);
    const emitted = { fullUrl: `urn:uuid:${id}`, resource: resource as unknown as fhir4.FhirResource };
    this.emitted.splice(before, 0, emitted);
    return { resource: emitted, made: this.emitted.slice(before), concept: concept.coding![0] };
  }

  /** The codes of a statement that becomes no resource (`except` first, read or not), marked as read. */
  takeCodings(item: XmlElement, except?: XmlElement): fhir4.Coding[] {
    const out: fhir4.Coding[] = [];
    if (except?.attrs.code) out.push(dt.elementCoding(except));
    for (const el of this.ctx.codedWithin(item)) {
      if (el.consumed || el === except) continue;
      el.consumed = true;
      out.push(dt.elementCoding(el));
    }
    return out;
  }

  /** Coded elements no rule read: kept on the resource and listed in the report. */
  private flagUnconsumed(statement: XmlElement, target: EmittedResource): void {
    for (const el of this.ctx.codedWithin(statement)) {
      if (el.consumed) continue;
      el.consumed = true;
      const coding = dt.elementCoding(el);
      // A placeholder ("...") is no code of its system: the report keeps it, the resource does not.
      const placeholder = dt.isPlaceholderCode(el.attrs.code!);
      if (!placeholder) ((target.resource as unknown as Obj).extension as fhir4.Extension[]).push({ url: EXT.unmappedCoding, valueCoding: coding });
      this.ctx.report.unmappedCodings.push({ ...coding, code: coding.code!, locator: locatorOf(el), ...(el.readAsCode ? { mappedAsCode: true } : {}), ...(placeholder ? { placeholder: true } : {}) });
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
