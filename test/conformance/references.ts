/**
 * References: resolving them inside a Bundle (fullUrl, or a relative `Type/id` against the
 * referring entry's base), and the checks on what they point at (the target exists, its type is
 * one the element allows).
 */
import { CORE_SD, type Definitions } from './definitions.js';
import type { Issue, Json } from './issues.js';
import { isJsonObject, unversioned } from './issues.js';

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[^/]+)?$/;
const RESTFUL_FULL_URL = /^(.*\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/;

export class ReferenceResolver {
  private readonly byFullUrl = new Map<string, Json>();
  private readonly byTypeAndId = new Map<string, Json>();
  private readonly fullUrlOf = new Map<Json, string>();

  /** @param entries the Bundle entries (or, for the IG examples, a pool of resources without fullUrl) */
  constructor(entries: { fullUrl?: string; resource: Json }[]) {
    for (const { fullUrl, resource } of entries) {
      if (fullUrl) {
        this.byFullUrl.set(fullUrl, resource);
        this.fullUrlOf.set(resource, fullUrl);
      }
      if (typeof resource.resourceType === 'string' && typeof resource.id === 'string') {
        this.byTypeAndId.set(`${resource.resourceType}/${resource.id}`, resource);
      }
    }
  }

  /** The resource a reference made from `from` points at, if it is in the Bundle. */
  resolve(reference: string, from: Json | undefined): Json | undefined {
    const exact = this.byFullUrl.get(reference);
    if (exact) return exact;
    const relative = RELATIVE.exec(reference);
    if (!relative) return undefined;
    const [, type, id] = relative;
    // A relative reference is resolved against the base of the referring entry's RESTful fullUrl.
    const base = from ? RESTFUL_FULL_URL.exec(this.fullUrlOf.get(from) ?? '') : null;
    if (base) return this.byFullUrl.get(`${base[1]}${type}/${id}`);
    return this.byTypeAndId.get(`${type}/${id}`);
  }
}

/** The resource type a target profile constrains. */
export function profileType(url: string, defs: Definitions): string | undefined {
  const sd = defs.structureDefinitions.get(unversioned(url));
  if (sd) return sd.type;
  return url.startsWith(CORE_SD) ? url.slice(CORE_SD.length) : undefined;
}

export interface ReferenceOutcome {
  issues: Issue[];
  target?: Json;
}

/**
 * Checks one Reference value: contained (`#id`) and Bundle references must resolve (an unresolved
 * `urn:` reference can never resolve outside the Bundle, so it is an error), and the target's type
 * must be one of the element's target profiles' types.
 */
export function checkReference(
  reference: Json,
  targetProfiles: string[],
  path: string,
  container: Json,
  resolve: (ref: string) => Json | undefined,
  defs: Definitions,
): ReferenceOutcome {
  const ref = reference.reference;
  if (typeof ref !== 'string') return { issues: [] };
  let target: Json | undefined;
  if (ref.startsWith('#')) {
    if (ref === '#') return { issues: [] };
    const contained = Array.isArray(container.contained) ? container.contained.filter(isJsonObject) : [];
    target = contained.find((c) => c.id === ref.slice(1));
    if (!target) return { issues: [{ severity: 'error', rule: 'reference-unresolved', path, message: `${ref} names no contained resource` }] };
  } else {
    target = resolve(ref);
    if (!target) {
      const certain = ref.startsWith('urn:');
      return {
        issues: [
          {
            severity: certain ? 'error' : 'warning',
            rule: 'reference-unresolved',
            path,
            message: certain ? `${ref} resolves to no entry of the Bundle (no entry has this fullUrl)` : `${ref} is not in the Bundle`,
          },
        ],
      };
    }
  }
  const issues: Issue[] = [];
  const targetType = String(target.resourceType);
  const types = targetProfiles.map((p) => profileType(p, defs)).filter((t): t is string => !!t);
  if (types.length > 0 && !types.includes('Resource') && !types.includes(targetType)) {
    issues.push({
      severity: 'error',
      rule: 'reference-target-type',
      path,
      message: `${ref} points to a ${targetType}; here only ${[...new Set(types)].join(', ')} may be referenced`,
    });
  }
  if (typeof reference.type === 'string' && reference.type !== targetType) {
    issues.push({ severity: 'error', rule: 'reference-target-type', path, message: `Reference.type says ${reference.type} but ${ref} is a ${targetType}` });
  }
  return { issues, target };
}
