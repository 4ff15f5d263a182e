import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { projectPath } from '../util/project.js';
import { compilePath, PathSyntaxError } from './cda-path.js';
import { readDataFile } from './data-file.js';
import { MapFileError } from './errors.js';
import { checkTargets } from './map-targets.js';
import type { AbsentUnknownTable, ConsistencyRule, DocumentMap, EntryMap, FieldRule, IncludeRule, MapFile, MapSet, RequiredElements, RuleSet, SectionMap, ValueMap } from './map-types.js';

/**
 * Loads every map file of mappings/ (YAML), checks each against the JSON
 * Schema and the paths of its rules, and cross-checks the references between
 * files. Errors name the file and the line.
 */
export function loadMaps(root = projectPath('mappings')): MapSet {
  const schemaFile = path.join(root, 'schema', 'map.schema.json');
  const schema = readDataFile(schemaFile, path.relative(path.dirname(root), schemaFile)).data as object;
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);

  const files = ['document', 'sections', 'entries', 'rule-sets', 'datatypes', 'absence', 'ips']
    .map((d) => path.join(root, d))
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(d, f)));

  let document: DocumentMap | undefined;
  let required: RequiredElements | undefined;
  let absentUnknown: AbsentUnknownTable | undefined;
  let consistency: ConsistencyRule[] = [];
  const ruleSets = new Map<string, RuleSet>();
  const sections: SectionMap[] = [];
  const entries = new Map<string, EntryMap>();
  const valueMaps: Record<string, ValueMap> = {};
  const origin = new Map<object, string>();
  let nullFlavors: Record<string, string> = {};

  for (const file of files) {
    const rel = path.relative(path.dirname(root), file);
    const { data, lineOf } = readDataFile(file, rel);
    if (path.basename(file) === 'null-flavors.yaml') {
      nullFlavors = data as Record<string, string>;
      continue;
    }
    if (!validate(data)) {
      const err = bestError(ajv, validate.errors ?? [], data);
      throw new MapFileError(rel, lineOf(offendingPointer(err)), `${err.instancePath || '/'} ${err.message ?? 'is invalid'}${describeParams(err)}`);
    }
    const map = data as MapFile;
    checkPaths(map, (p, pointer) => {
      try {
        compilePath(p);
      } catch (e) {
        if (!(e instanceof PathSyntaxError)) throw e;
        throw new MapFileError(rel, lineOf(pointer), e.message);
      }
    });
    origin.set(map, rel);
    switch (map.kind) {
      case 'document':
        document = map;
        break;
      case 'section':
        sections.push(map);
        break;
      case 'entry':
        if (entries.has(map.id)) throw new MapFileError(rel, undefined, `entry map id "${map.id}" is used twice`);
        entries.set(map.id, map);
        break;
      case 'value-maps':
        Object.assign(valueMaps, map.maps);
        break;
      case 'required-elements':
        required = map;
        break;
      case 'absent-unknown':
        absentUnknown = map;
        break;
      case 'consistency':
        consistency = map.rules;
        break;
      case 'rule-set':
        if (ruleSets.has(map.id)) throw new MapFileError(rel, undefined, `rule set id "${map.id}" is used twice`);
        ruleSets.set(map.id, map);
        break;
    }
  }
  if (!document) throw new MapFileError('mappings/document', undefined, 'no document map (kind: document)');
  if (!required) throw new MapFileError('mappings/ips', undefined, 'no required-elements map');
  if (!absentUnknown) throw new MapFileError('mappings/absence', undefined, 'no absent-unknown table');
  expandIncludes(ruleSets, entries, document, origin, absentUnknown);
  checkAbsence(absentUnknown, entries, origin);
  for (const s of sections) {
    for (const id of s.entries) if (!entries.has(id)) throw new MapFileError(origin.get(s)!, undefined, `unknown entry map "${id}"`);
  }
  const checkMaps = (rules: FieldRule[], file: string): void => {
    for (const r of rules) {
      if (r.map && !valueMaps[r.map]) throw new MapFileError(file, undefined, `unknown value map "${r.map}"`);
      if (r.fields) checkMaps(r.fields, file);
      if (r.resource) checkMaps(r.resource.fields, file);
    }
  };
  for (const e of entries.values()) checkMaps(e.fields, origin.get(e)!);
  checkMaps(document.composition.fields, origin.get(document)!);
  for (const r of document.resources) checkMaps(r.fields, origin.get(document)!);
  checkTargets(entries, document, origin, absentUnknown);
  sections.sort((a, b) => (a.order ?? 100) - (b.order ?? 100));
  return { document, sections, entries, valueMaps, nullFlavors, required, absentUnknown, consistency };
}

const isInclude = (r: FieldRule | IncludeRule): r is IncludeRule => (r as IncludeRule).include !== undefined;

/**
 * Replaces every { include: id } by the rules of that rule set, recursively
 * (rule sets may include others; a cycle is an error), in entry maps, nested
 * rules and the document map. The expanded lists are shared: a rule set is
 * compiled once, whatever includes it.
 */
function expandIncludes(ruleSets: Map<string, RuleSet>, entries: Map<string, EntryMap>, document: DocumentMap, origin: Map<object, string>, table: AbsentUnknownTable): void {
  const expanded = new Map<string, FieldRule[]>();
  const expandList = (list: Array<FieldRule | IncludeRule>, file: string, stack: string[]): FieldRule[] => {
    if (!list.some((r) => isInclude(r) || r.fields || r.resource)) return list as FieldRule[];
    const out: FieldRule[] = [];
    for (const r of list) {
      if (isInclude(r)) out.push(...expandSet(r.include, file, stack));
      else {
        if (r.fields) r.fields = expandList(r.fields, file, stack);
        if (r.resource) r.resource.fields = expandList(r.resource.fields, file, stack);
        out.push(r);
      }
    }
    return out;
  };
  const expandSet = (id: string, file: string, stack: string[]): FieldRule[] => {
    const set = ruleSets.get(id);
    if (!set) throw new MapFileError(file, undefined, `unknown rule set "${id}"`);
    if (stack.includes(id)) throw new MapFileError(origin.get(set)!, undefined, `rule set "${id}" includes itself (${[...stack, id].join(' → ')})`);
    let rules = expanded.get(id);
    if (!rules) {
      rules = expandList(set.fields, origin.get(set)!, [...stack, id]);
      expanded.set(id, rules);
    }
    return rules;
  };
  for (const e of entries.values()) e.fields = expandList(e.fields, origin.get(e)!, []);
  for (const r of document.resources) r.fields = expandList(r.fields, origin.get(document)!, []);
  document.composition.fields = expandList(document.composition.fields, origin.get(document)!, []);
  for (const st of Object.values(table.statements)) if (st.fields) st.fields = expandList(st.fields, origin.get(table)!, []);
}

/** The entry maps' absence rules name statements of the table; the table's codes name statements too. */
function checkAbsence(table: AbsentUnknownTable, entries: Map<string, EntryMap>, origin: Map<object, string>): void {
  const file = origin.get(table)!;
  for (const c of table.codes) {
    if (c.of !== 'any' && !table.statements[c.of]) throw new MapFileError(file, undefined, `code ${c.code}: unknown statement "${c.of}"`);
    if (c.replacedBy && !table.concepts[c.replacedBy]) throw new MapFileError(file, undefined, `code ${c.code}: replacedBy ${c.replacedBy} has no display in concepts`);
  }
  for (const [name, st] of Object.entries(table.statements)) {
    // A statement read like another takes what it does not say itself.
    if (st.like) {
      const base = table.statements[st.like];
      if (!base || base.like) throw new MapFileError(file, undefined, `statement ${name}: like "${st.like}" is not a statement of its own`);
      for (const k of ['resource', 'profile', 'patient', 'concept', 'device', 'fields', 'generic'] as const) (st as unknown as Record<string, unknown>)[k] ??= base[k];
    }
    for (const code of [st.knownAbsence, ...Object.values(st.generic ?? {})]) {
      if (!table.concepts[code]) throw new MapFileError(file, undefined, `statement ${name}: ${code} has no display in concepts`);
    }
    if (st.emptyReason) continue;
    if (!st.resource || !st.profile || !st.patient) throw new MapFileError(file, undefined, `statement ${name}: a known absence said by a resource needs resource, profile and patient`);
    if (!st.concept === !st.device) throw new MapFileError(file, undefined, `statement ${name}: give either concept or device`);
  }
  for (const e of entries.values()) {
    if (!e.absence) continue;
    if (!table.statements[e.absence.statement]) throw new MapFileError(origin.get(e)!, undefined, `absence: unknown statement "${e.absence.statement}"`);
    for (const p of [...e.absence.subject, ...(e.absence.kind ?? [])]) compilePath(p);
  }
}

const SCHEMA_ID = 'https://ehdsi-fhir-facade.org/mappings/map.schema.json';
const BRANCH: Record<string, string> = { document: 'documentMap', section: 'sectionMap', entry: 'entryMap', 'value-maps': 'valueMaps', 'required-elements': 'requiredElements' };

/** The most telling error of a oneOf failure: the deepest one of the branch the file's `kind` picks. */
function bestError(ajv: Ajv, errors: ErrorObject[], data: unknown): ErrorObject {
  const kind = (data as { kind?: string } | null)?.kind;
  const branch = BRANCH[kind ?? ''];
  if (branch) {
    const validateBranch = ajv.getSchema(`${SCHEMA_ID}#/definitions/${branch}`);
    if (validateBranch && !validateBranch(data)) {
      const deepest = [...(validateBranch.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
      if (deepest) return deepest;
    }
  }
  return errors.find((e) => e.keyword !== 'oneOf') ?? errors[0];
}

/** Where a schema error is: the property that should not be there, else the value that is wrong. */
function offendingPointer(err: ErrorObject): string {
  const extra = (err.params as { additionalProperty?: unknown }).additionalProperty;
  return extra === undefined ? err.instancePath : `${err.instancePath}/${String(extra).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function describeParams(err: ErrorObject): string {
  const p = err.params as Record<string, unknown>;
  if (p.additionalProperty) return ` ("${String(p.additionalProperty)}")`;
  if (p.allowedValues) return ` (${(p.allowedValues as unknown[]).join(', ')})`;
  return '';
}

function checkPaths(map: MapFile, check: (path: string, pointer: string) => void): void {
  const rules = (list: Array<FieldRule | IncludeRule>, pointer: string): void => {
    list.forEach((r, i) => {
      const p = `${pointer}/${i}`;
      if (isInclude(r)) return;
      for (const k of ['from', 'each', 'when', 'unless', 'where'] as const) if (r[k]) check(r[k]!, `${p}/${k}`);
      if (r.fields) rules(r.fields, `${p}/fields`);
      if (r.resource) {
        (r.resource.profiles ?? []).forEach((c, j) => profilePaths(c, `${p}/resource/profiles/${j}`));
        rules(r.resource.fields, `${p}/resource/fields`);
      }
    });
  };
  const profilePaths = (c: { when?: string; unless?: string }, pointer: string): void => {
    if (c.when) check(c.when, `${pointer}/when`);
    if (c.unless) check(c.unless, `${pointer}/unless`);
  };
  if (map.kind === 'rule-set') rules(map.fields, '/fields');
  if (map.kind === 'entry') {
    if (map.each) check(map.each, '/each');
    (map.profiles ?? []).forEach((c, j) => profilePaths(c, `/profiles/${j}`));
    if (map.absence) {
      map.absence.subject.forEach((p, i) => check(p, `/absence/subject/${i}`));
      (map.absence.kind ?? []).forEach((p, i) => check(p, `/absence/kind/${i}`));
    }
    (map.structural ?? []).forEach((p, i) => check(p, `/structural/${i}`));
    rules(map.fields, '/fields');
  } else if (map.kind === 'document') {
    map.resources.forEach((r, i) => {
      check(r.from, `/resources/${i}/from`);
      rules(r.fields, `/resources/${i}/fields`);
    });
    rules(map.composition.fields, '/composition/fields');
  }
}

let cached: MapSet | undefined;

/** The project's maps, loaded once. */
export function projectMaps(): MapSet {
  cached ??= loadMaps();
  return cached;
}
