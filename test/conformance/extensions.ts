/**
 * Extensions: every extension URL must name a definition the harness holds (core R4, the IG, the
 * project's conformance/ folder); a held definition also says where the extension may appear
 * (its context). The value itself is validated against the definition by the snapshot walker.
 */
import { CORE_SD, type Definitions } from './definitions.js';
import type { Issue } from './issues.js';
import { unversioned } from './issues.js';

export type ExtensionDefinition =
  | { kind: 'defined'; sd: fhir4.StructureDefinition }
  /** Named by a held profile (an extension slice) but defined elsewhere (e.g. the HL7 extensions pack): cannot be checked here. */
  | { kind: 'named-only' }
  | { kind: 'unknown' };

export function extensionDefinition(url: string, defs: Definitions): ExtensionDefinition {
  const sd = defs.structureDefinitions.get(unversioned(url));
  if (sd && sd.type === 'Extension') return { kind: 'defined', sd };
  if (defs.extensionsNamedOnly.has(unversioned(url))) return { kind: 'named-only' };
  return { kind: 'unknown' };
}

/** Where an extension sits: the element holding the `extension` array. */
export interface ExtensionHolder {
  /** Element path from the resource, e.g. `Condition.code.coding.display`. */
  defPath: string;
  /** Path within the nearest datatype, e.g. `Coding.display`. */
  typePath: string;
  /** FHIR type of the holder (`string`, `CodeableConcept`, `Patient`, `Extension`…). */
  type: string;
  isResourceRoot: boolean;
  /** URL of the holder when it is itself an extension. */
  extensionUrl?: string;
}

const NOT_DOMAIN_RESOURCES = new Set(['Bundle', 'Binary', 'Parameters']);

function supertypes(type: string, defs: Definitions): string[] {
  const out: string[] = [];
  let sd = defs.baseTypes.get(type) ?? defs.structureDefinitions.get(CORE_SD + type);
  while (sd?.baseDefinition) {
    const parent = sd.baseDefinition.slice(sd.baseDefinition.lastIndexOf('/') + 1);
    out.push(parent);
    sd = defs.structureDefinitions.get(sd.baseDefinition);
  }
  return out;
}

export function contextAllows(sd: fhir4.StructureDefinition, holder: ExtensionHolder, defs: Definitions): boolean {
  const contexts = sd.context ?? [];
  if (contexts.length === 0) return true;
  const candidates = new Set([holder.type, ...supertypes(holder.type, defs), holder.defPath, holder.typePath]);
  if (holder.type === 'BackboneElement' || holder.type === 'Element') candidates.add('BackboneElement');
  for (const ctx of contexts) {
    const e = ctx.expression;
    if (ctx.type === 'fhirpath') return true; // not evaluated: allowed rather than guessed wrong
    if (ctx.type === 'extension') {
      if (holder.extensionUrl && unversioned(holder.extensionUrl) === unversioned(e)) return true;
      continue;
    }
    if (e === 'Element' || e === 'Base') return true;
    if (holder.isResourceRoot && (e === 'Resource' || (e === 'DomainResource' && !NOT_DOMAIN_RESOURCES.has(holder.type)))) return true;
    if (candidates.has(e)) return true;
  }
  return false;
}

export function extensionContextIssues(sd: fhir4.StructureDefinition, holder: ExtensionHolder, path: string, defs: Definitions): Issue[] {
  if (contextAllows(sd, holder, defs)) return [];
  const allowed = (sd.context ?? []).map((c) => c.expression).join(', ');
  return [
    {
      severity: 'error',
      rule: 'extension-context',
      path,
      message: `extension ${sd.url} is used on ${holder.defPath} (${holder.type}); its definition allows it only on ${allowed}`,
    },
  ];
}
