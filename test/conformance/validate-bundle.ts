/**
 * Validates an IPS document Bundle: the Bundle against Bundle-uv-ips (with its entry slices and,
 * through Composition-uv-ips, the section slices), every entry against each profile it declares
 * (or its base R4 definition), and every reference's target against the IPS profiles the
 * referring element names. Returns the issues, located by entry and path.
 */
import { CORE_SD, type Definitions } from './definitions.js';
import type { Issue, Json } from './issues.js';
import { dedupeIssues, isJsonObject, pathWithoutIndices, unversioned } from './issues.js';
import { medplumIssues } from './profile-validation.js';
import { ReferenceResolver } from './references.js';
import { validateAgainstSnapshot, type Demand, type ReferenceUse, type WalkHost } from './snapshot-validation.js';

export const IPS_BUNDLE = 'http://hl7.org/fhir/uv/ips/StructureDefinition/Bundle-uv-ips';

export interface BundleValidation {
  issues: Issue[];
  /** Number of entries. */
  resources: number;
  /** Checks that need what the harness does not hold (terminology server, extension definitions…). */
  notChecked: number;
}

interface LocalResult {
  issues: Issue[];
  references: ReferenceUse[];
  demands: Demand[];
}

export interface ValidateOptions {
  /** Resources references may also resolve to (the IG examples validated one by one). */
  pool?: Json[];
  /** Profiles to validate the top resource against besides those it declares (Bundle-uv-ips for a Bundle). */
  extraProfiles?: string[];
}

/**
 * The validation of one Bundle (or one resource) with its caches: a resource is validated once per
 * profile, whether for the report or to decide a slice by profile.
 */
class Validation implements WalkHost {
  private readonly results = new WeakMap<Json, Map<string, LocalResult>>();
  private readonly inProgress = new WeakMap<Json, Set<string>>();

  constructor(
    readonly defs: Definitions,
    private readonly resolver: ReferenceResolver,
  ) {}

  resolve(reference: string, from: Json): Json | undefined {
    return this.resolver.resolve(reference, from);
  }

  /** The resource's own rules against one profile: snapshot walk and medplum, not following references. */
  local(resource: Json, profileUrl: string): LocalResult {
    let perProfile = this.results.get(resource);
    if (!perProfile) this.results.set(resource, (perProfile = new Map()));
    const cached = perProfile.get(profileUrl);
    if (cached) return cached;
    const sd = this.defs.structureDefinitions.get(profileUrl);
    if (!sd) return { issues: [], references: [], demands: [] };
    let running = this.inProgress.get(resource);
    if (!running) this.inProgress.set(resource, (running = new Set()));
    running.add(profileUrl);
    const walk = validateAgainstSnapshot(resource, sd, this);
    const medplum = medplumIssues(resource, profileUrl, this.defs);
    running.delete(profileUrl);
    const result = { ...walk, issues: [...walk.issues, ...withoutDuplicatesOf(medplum, walk.issues)] };
    perProfile.set(profileUrl, result);
    return result;
  }

  conforms(resource: Json, profileUrl: string): boolean {
    // A cycle (a resource whose conformance depends on itself) is assumed to conform.
    if (this.inProgress.get(resource)?.has(profileUrl)) return true;
    return !this.local(resource, profileUrl).issues.some((i) => i.severity === 'error');
  }

  explain(resource: Json, profileUrl: string): string | undefined {
    const first = this.local(resource, profileUrl).issues.find((i) => i.severity === 'error');
    return first ? `${first.rule} at ${first.path}: ${first.message}` : undefined;
  }

  /**
   * Reference targets must conform to one of the IPS profiles the referring element names for
   * their type; a target that does not becomes a demand (its errors against the profile are listed).
   */
  targetIssues(references: ReferenceUse[], profile: string, demands: Demand[]): Issue[] {
    const issues: Issue[] = [];
    for (const use of references) {
      if (use.targetProfiles.length === 0) continue;
      if (use.targetProfiles.some((p) => this.conforms(use.target, p))) continue;
      demands.push({ resource: use.target, profile: use.targetProfiles[0] });
      const short = use.targetProfiles.map((p) => p.slice(p.lastIndexOf('/') + 1)).join(' or ');
      const why = this.explain(use.target, use.targetProfiles[0]);
      issues.push({
        severity: 'error',
        rule: 'reference-target-profile',
        path: use.path,
        message: `${use.reference} (${String(use.target.resourceType)}/${String(use.target.id ?? '?')}) does not conform to ${short}${why ? `: ${why}` : ''}`,
        profile,
      });
    }
    return issues;
  }
}

const RULE_FAMILY: Record<string, string> = { fixed: 'pattern', 'slice-cardinality': 'slice-cardinality' };

/** medplum issues the walker also found (same rule at the same element) are dropped. */
function withoutDuplicatesOf(medplum: Issue[], walker: Issue[]): Issue[] {
  const seen = new Set(walker.map((i) => `${RULE_FAMILY[i.rule] ?? i.rule}|${pathWithoutIndices(i.path)}`));
  return medplum.filter((i) => !seen.has(`${i.rule}|${pathWithoutIndices(i.path)}`));
}

function declaredProfiles(resource: Json): string[] {
  const meta = isJsonObject(resource.meta) ? resource.meta : undefined;
  const profiles = meta && Array.isArray(meta.profile) ? meta.profile.filter((p): p is string => typeof p === 'string') : [];
  return profiles.map(unversioned);
}

function label(resource: Json): string {
  return typeof resource.id === 'string' ? `${String(resource.resourceType)}/${resource.id}` : String(resource.resourceType);
}

/**
 * Validates a resource, and when it is a Bundle, each entry's resource as part of it.
 */
export function validateBundle(top: Json, defs: Definitions, options: ValidateOptions = {}): BundleValidation {
  const entries = top.resourceType === 'Bundle' && Array.isArray(top.entry) ? top.entry.filter(isJsonObject) : [];
  const resolvable = entries
    .filter((e) => isJsonObject(e.resource))
    .map((e) => ({ fullUrl: typeof e.fullUrl === 'string' ? e.fullUrl : undefined, resource: e.resource as Json }));
  for (const r of options.pool ?? []) if (r !== top) resolvable.push({ fullUrl: undefined, resource: r });
  if (top.resourceType !== 'Bundle') resolvable.push({ fullUrl: undefined, resource: top });
  const validation = new Validation(defs, new ReferenceResolver(resolvable));
  const issues: Issue[] = [];

  const entryOf = new Map<Json, number>();
  entries.forEach((e, index) => {
    if (isJsonObject(e.resource)) entryOf.set(e.resource, index);
  });
  const demands: Demand[] = [];
  const validateOne = (resource: Json, profiles: string[], entry: number | undefined): void => {
    const where = { resource: label(resource), entry };
    for (const profile of profiles) {
      if (!defs.structureDefinitions.has(profile)) {
        const type = String(resource.resourceType);
        issues.push(
          defs.resourceTypes.has(type)
            ? { ...where, severity: 'error', rule: 'profile-unknown', path: `${type}.meta.profile`, message: `meta.profile names ${profile}, which is neither an IPS 2.0.0 nor a core R4 profile` }
            : { ...where, severity: 'error', rule: 'structure', path: type, message: `'${type}' is not an R4 resource type` },
        );
        continue;
      }
      const result = validation.local(resource, profile);
      demands.push(...result.demands);
      for (const i of [...result.issues, ...validation.targetIssues(result.references, profile, demands)]) issues.push({ ...i, ...where });
    }
  };

  const topProfiles = [...new Set([...declaredProfiles(top), ...(options.extraProfiles ?? [])])];
  validateOne(top, topProfiles.length ? topProfiles : [`${CORE_SD}${String(top.resourceType)}`], undefined);
  entries.forEach((e, index) => {
    if (!isJsonObject(e.resource)) return;
    const declared = declaredProfiles(e.resource);
    validateOne(e.resource, declared.length ? declared : [`${CORE_SD}${String(e.resource.resourceType)}`], index);
  });
  // Resources that must conform to a profile they do not declare (a required Bundle slice, a
  // reference's target profile) are also reported against it, so that the report says why.
  const done = new Set<string>();
  while (demands.length) {
    const { resource, profile } = demands.shift() as Demand;
    const key = `${entryOf.get(resource) ?? label(resource)}|${profile}`;
    if (done.has(key) || declaredProfiles(resource).includes(profile)) continue;
    done.add(key);
    validateOne(resource, [profile], entryOf.get(resource));
  }

  // medplum reports the base issues of the entries while validating the Bundle: give them to their entry.
  const located = issues.map((i) => {
    const m = i.entry === undefined ? /^Bundle\.entry\[(\d+)\]\.resource(\.|$)(.*)$/.exec(i.path) : null;
    if (!m) return i;
    const entry = Number(m[1]);
    const resource = entries[entry]?.resource as Json | undefined;
    if (!resource) return i;
    return { ...i, entry, resource: label(resource), path: `${String(resource.resourceType)}${m[3] ? `.${m[3]}` : ''}` };
  });
  const unique = dedupeEntries(located);
  return { issues: unique, resources: entries.length || 1, notChecked: unique.filter((i) => i.rule === 'not-checked').length };
}

/** The same finding from two profiles of one resource, or from medplum on the Bundle and on the entry, is kept once. */
function dedupeEntries(issues: Issue[]): Issue[] {
  const unique = dedupeIssues(issues.map((i) => (i.source === 'medplum' ? { ...i, profile: undefined } : i)));
  const walkerKeys = new Set(unique.filter((i) => i.source !== 'medplum').map((i) => `${i.entry}|${RULE_FAMILY[i.rule] ?? i.rule}|${pathWithoutIndices(i.path)}`));
  const seen = new Set<string>();
  return unique.filter((i) => {
    if (i.source === 'medplum') {
      if (walkerKeys.has(`${i.entry}|${i.rule}|${pathWithoutIndices(i.path)}`)) return false;
      const key = `${i.entry}|${i.path}|${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
    }
    return true;
  });
}
