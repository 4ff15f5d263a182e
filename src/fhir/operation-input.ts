import { FhirError } from '../kernel/errors.js';
import type { FhirContext } from './registry.js';

/**
 * The input parameters of an operation, from the URL (GET, and POST's query)
 * and from a Parameters body (POST), read the same way whatever the method:
 * primitive values as text, 400 on a wrong type or a repeated single value.
 */
export class OperationInput {
  private constructor(
    private readonly operation: string,
    private readonly values: Map<string, string[]>,
    private readonly parameters: fhir4.ParametersParameter[],
    /** The URL's own parameters (a Coding may be written there as a token). */
    private readonly query: URLSearchParams,
  ) {}

  static of(ctx: FhirContext, operation: string): OperationInput {
    if (ctx.body && ctx.body.resourceType !== 'Parameters') {
      throw FhirError.badRequest(`${operation} takes no body or a Parameters resource`, ['Parameters'], 'structure');
    }
    const values = new Map<string, string[]>();
    const add = (name: string, value: string) => values.set(name, [...(values.get(name) ?? []), value]);
    for (const [name, value] of ctx.params) add(name, value);
    const parameters = (ctx.body as fhir4.Parameters | undefined)?.parameter ?? [];
    for (const p of parameters) {
      const value = primitiveValue(p);
      if (value !== undefined) add(p.name, value);
    }
    return new OperationInput(operation, values, parameters, ctx.params);
  }

  /** Given at all (a value, a resource or parts). */
  has(name: string): boolean {
    return this.values.has(name) || this.parameters.some((p) => p.name === name);
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  /** A single-valued parameter (400 when given more than once). */
  get(name: string): string | undefined {
    const all = this.all(name);
    if (all.length > 1) throw FhirError.badRequest(`${this.operation}: parameter "${name}" is given more than once`, [name], 'invalid');
    return all[0];
  }

  /** A non-negative integer (400 otherwise). */
  integer(name: string): number | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (!/^\d{1,9}$/.test(raw)) throw FhirError.badRequest(`${this.operation}: parameter "${name}" must be a non-negative integer, got "${raw}"`, [name], 'value');
    return Number(raw);
  }

  boolean(name: string): boolean | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (raw !== 'true' && raw !== 'false') throw FhirError.badRequest(`${this.operation}: parameter "${name}" must be true or false, got "${raw}"`, [name], 'value');
    return raw === 'true';
  }

  /**
   * A Coding parameter: a valueCoding of the Parameters body, or in the URL
   * as `system|code` (FHIR lets a GET carry a Coding in its search token form).
   */
  coding(name: string): fhir4.Coding | undefined {
    const found = this.parameters.filter((p) => p.name === name);
    const inUrl = this.query.getAll(name);
    if (found.length + inUrl.length > 1) throw FhirError.badRequest(`${this.operation}: parameter "${name}" is given more than once`, [name], 'invalid');
    if (inUrl.length) return this.tokenCoding(name, inUrl[0]);
    if (found.length && !found[0].valueCoding) throw FhirError.badRequest(`${this.operation}: parameter "${name}" must be a valueCoding`, [name], 'value');
    return found[0]?.valueCoding;
  }

  private tokenCoding(name: string, raw: string): fhir4.Coding {
    const bar = raw.indexOf('|');
    // The system is a URI (no "|"): whatever follows the first one is the code.
    const system = bar < 0 ? '' : raw.slice(0, bar);
    const code = bar < 0 ? '' : raw.slice(bar + 1);
    if (!system || !code) {
      throw FhirError.badRequest(`${this.operation}: parameter "${name}" in the URL must be system|code (e.g. http://snomed.info/sct|195967001), got "${raw}"`, [name], 'value');
    }
    return { system, code };
  }
}

const PRIMITIVE_VALUES = ['valueString', 'valueCode', 'valueUri', 'valueUrl', 'valueCanonical', 'valueId', 'valueInteger', 'valueUnsignedInt', 'valuePositiveInt', 'valueBoolean', 'valueDate', 'valueDateTime'] as const;

function primitiveValue(p: fhir4.ParametersParameter): string | undefined {
  for (const key of PRIMITIVE_VALUES) {
    const v = p[key];
    if (v !== undefined) return String(v);
  }
  return undefined;
}
