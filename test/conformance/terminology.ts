/**
 * Local terminology: the code systems held in full (FHIR core, HL7 v2/v3, the IG's and the
 * project's own) and the value sets that can be expanded from them. Anything that would need a
 * terminology server (SNOMED CT or LOINC hierarchies, external systems) answers "unknown", never
 * a guess.
 */
import { unversioned } from './issues.js';

export type Membership = 'yes' | 'no' | 'unknown';

interface HeldCodeSystem {
  url: string;
  caseSensitive: boolean;
  /** Code → its concept, with the codes of its ancestors (nesting and `subsumedBy`/`parent`). */
  concepts: Map<string, { parents: string[]; properties: Map<string, string>; displays: Set<string> }>;
}

const normalised = (display: string): string => display.trim().replace(/\s+/g, ' ').toLowerCase();

/** A value set expanded as far as local content allows. */
interface Expansion {
  /** `system|code` of every code known to be in the value set. */
  codes: Set<string>;
  /** Systems the value set draws on in a way we cannot enumerate (a filter on SNOMED CT, all of LOINC…). */
  openSystems: Set<string>;
}

const key = (system: string, code: string): string => `${system}|${code}`;

export class Terminology {
  private readonly codeSystems = new Map<string, HeldCodeSystem>();
  private readonly valueSets = new Map<string, fhir4.ValueSet>();
  private readonly expansions = new Map<string, Expansion | undefined>();

  add(resource: fhir4.CodeSystem | fhir4.ValueSet): void {
    if (!resource.url) return;
    const url = unversioned(resource.url);
    if (resource.resourceType === 'ValueSet') {
      // The first definition wins: the IG and the project are read before the core files.
      if (!this.valueSets.has(url)) this.valueSets.set(url, resource);
      return;
    }
    if (resource.content !== 'complete' || this.codeSystems.has(url)) return;
    const held: HeldCodeSystem = { url, caseSensitive: resource.caseSensitive !== false, concepts: new Map() };
    const visit = (concepts: fhir4.CodeSystemConcept[] | undefined, parent: string | undefined): void => {
      for (const concept of concepts ?? []) {
        const properties = new Map<string, string>();
        const parents = parent ? [parent] : [];
        for (const p of concept.property ?? []) {
          const value = p.valueCode ?? p.valueString ?? p.valueCoding?.code ?? (p.valueBoolean !== undefined ? String(p.valueBoolean) : undefined);
          if (value === undefined) continue;
          properties.set(p.code, value);
          if (p.code === 'subsumedBy' || p.code === 'parent') parents.push(value);
        }
        const code = held.caseSensitive ? concept.code : concept.code.toLowerCase();
        const displays = new Set([concept.display, ...(concept.designation ?? []).map((d) => d.value)].filter((d): d is string => !!d).map(normalised));
        const existing = held.concepts.get(code);
        if (existing) {
          existing.parents.push(...parents);
          for (const d of displays) existing.displays.add(d);
        } else held.concepts.set(code, { parents, properties, displays });
        visit(concept.concept, code);
      }
    };
    visit(resource.concept, undefined);
    this.codeSystems.set(url, held);
  }

  /** True when the code system is held in full, so that an absent code is certainly wrong. */
  holds(system: string): boolean {
    return this.codeSystems.has(unversioned(system));
  }

  /** 'no' when the system is held in full and lacks the code; 'unknown' when the system is not held. */
  codeExists(system: string, code: string): Membership {
    const cs = this.codeSystems.get(unversioned(system));
    if (!cs) return 'unknown';
    return cs.concepts.has(cs.caseSensitive ? code : code.toLowerCase()) ? 'yes' : 'no';
  }

  /** The displays a held code has (display and designations); undefined when the code or system is not held, or has none. */
  displaysOf(system: string, code: string): string[] | undefined {
    const cs = this.codeSystems.get(unversioned(system));
    const concept = cs?.concepts.get(cs.caseSensitive ? code : code.toLowerCase());
    return concept && concept.displays.size > 0 ? [...concept.displays] : undefined;
  }

  /** Whether a display is one of the code's displays (case and white space aside). */
  displayMatches(system: string, code: string, display: string): boolean {
    const displays = this.displaysOf(system, code);
    return !displays || displays.includes(normalised(display));
  }

  hasValueSet(url: string): boolean {
    return this.valueSets.has(unversioned(url));
  }

  /** Is (system, code) in the value set? Without a system (a `code` element), any system of the value set counts. */
  member(valueSetUrl: string, system: string | undefined, code: string): Membership {
    const expansion = this.expand(unversioned(valueSetUrl), new Set());
    if (!expansion) return 'unknown';
    if (system !== undefined) {
      if (expansion.codes.has(key(system, code))) return 'yes';
      const cs = this.codeSystems.get(system);
      if (cs && !cs.caseSensitive) {
        for (const k of expansion.codes) if (k.toLowerCase() === key(system, code).toLowerCase()) return 'yes';
      }
      return expansion.openSystems.has(system) ? 'unknown' : 'no';
    }
    for (const k of expansion.codes) if (k.slice(k.lastIndexOf('|') + 1) === code) return 'yes';
    return expansion.openSystems.size > 0 ? 'unknown' : 'no';
  }

  private expand(url: string, visiting: Set<string>): Expansion | undefined {
    if (this.expansions.has(url)) return this.expansions.get(url);
    const vs = this.valueSets.get(url);
    if (!vs || visiting.has(url)) return undefined;
    visiting.add(url);
    const result = this.expandValueSet(vs, visiting);
    visiting.delete(url);
    this.expansions.set(url, result);
    return result;
  }

  private expandValueSet(vs: fhir4.ValueSet, visiting: Set<string>): Expansion | undefined {
    if (!vs.compose && vs.expansion?.contains) {
      const codes = new Set<string>();
      const walk = (contains: fhir4.ValueSetExpansionContains[]): void => {
        for (const c of contains) {
          if (c.system && c.code) codes.add(key(c.system, c.code));
          walk(c.contains ?? []);
        }
      };
      walk(vs.expansion.contains);
      return { codes, openSystems: new Set() };
    }
    if (!vs.compose) return undefined;
    const out: Expansion = { codes: new Set(), openSystems: new Set() };
    for (const include of vs.compose.include) {
      const part = this.expandInclude(include, visiting);
      if (!part) return undefined;
      for (const c of part.codes) out.codes.add(c);
      for (const s of part.openSystems) out.openSystems.add(s);
    }
    for (const exclude of vs.compose.exclude ?? []) {
      const part = this.expandInclude(exclude, visiting);
      if (!part || part.openSystems.size > 0) {
        // Cannot tell what is excluded: codes of that system become unknown rather than members.
        const system = exclude.system;
        if (!system) return undefined;
        for (const c of [...out.codes]) if (c.startsWith(`${system}|`)) out.codes.delete(c);
        out.openSystems.add(system);
        continue;
      }
      for (const c of part.codes) out.codes.delete(c);
    }
    return out;
  }

  private expandInclude(include: fhir4.ValueSetComposeInclude, visiting: Set<string>): Expansion | undefined {
    let result: Expansion | undefined;
    if (include.system) {
      const system = unversioned(include.system);
      result = this.expandSystemPart(system, include);
    }
    for (const imported of include.valueSet ?? []) {
      const part = this.expand(unversioned(imported), visiting);
      if (!part) return undefined;
      result = result ? intersect(result, part) : { codes: new Set(part.codes), openSystems: new Set(part.openSystems) };
    }
    return result ?? { codes: new Set(), openSystems: new Set() };
  }

  private expandSystemPart(system: string, include: fhir4.ValueSetComposeInclude): Expansion {
    const cs = this.codeSystems.get(system);
    if (include.concept?.length) {
      return { codes: new Set(include.concept.map((c) => key(system, c.code))), openSystems: new Set() };
    }
    if (!cs) return { codes: new Set(), openSystems: new Set([system]) };
    let codes = [...cs.concepts.keys()];
    for (const filter of include.filter ?? []) {
      const selected = this.applyFilter(cs, filter);
      if (!selected) return { codes: new Set(), openSystems: new Set([system]) };
      codes = codes.filter((c) => selected(c));
    }
    return { codes: new Set(codes.map((c) => key(system, c))), openSystems: new Set() };
  }

  /** The filters a held code system can answer; undefined for the others. */
  private applyFilter(cs: HeldCodeSystem, filter: fhir4.ValueSetComposeIncludeFilter): ((code: string) => boolean) | undefined {
    const value = cs.caseSensitive ? filter.value : filter.value.toLowerCase();
    if (filter.property === 'concept' || filter.property === 'code') {
      switch (filter.op) {
        case 'is-a':
          return (c) => c === value || this.descends(cs, c, value);
        case 'descendent-of':
          return (c) => this.descends(cs, c, value);
        case 'is-not-a':
          return (c) => !(c === value || this.descends(cs, c, value));
        case 'in': {
          const set = new Set(value.split(','));
          return (c) => set.has(c);
        }
        case '=':
          return (c) => c === value;
        default:
          return undefined;
      }
    }
    if (filter.op === '=') return (c) => cs.concepts.get(c)?.properties.get(filter.property) === filter.value;
    return undefined;
  }

  private descends(cs: HeldCodeSystem, code: string, ancestor: string): boolean {
    const seen = new Set<string>();
    const stack = [...(cs.concepts.get(code)?.parents ?? [])];
    while (stack.length) {
      const p = stack.pop() as string;
      if (p === ancestor) return true;
      if (seen.has(p)) continue;
      seen.add(p);
      stack.push(...(cs.concepts.get(p)?.parents ?? []));
    }
    return false;
  }
}

function intersect(a: Expansion, b: Expansion): Expansion {
  const out: Expansion = { codes: new Set(), openSystems: new Set([...a.openSystems].filter((s) => b.openSystems.has(s))) };
  const systemOf = (k: string): string => k.slice(0, k.lastIndexOf('|'));
  // A code listed by one side and only possibly present on the other is unknown, not a member.
  for (const c of a.codes) {
    if (b.codes.has(c)) out.codes.add(c);
    else if (b.openSystems.has(systemOf(c))) out.openSystems.add(systemOf(c));
  }
  for (const c of b.codes) if (!a.codes.has(c) && a.openSystems.has(systemOf(c))) out.openSystems.add(systemOf(c));
  return out;
}
