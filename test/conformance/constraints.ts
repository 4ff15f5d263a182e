/**
 * Invariants (ElementDefinition.constraint) evaluated with medplum's FHIRPath engine. The few that
 * medplum cannot evaluate faithfully are handled elsewhere (narrative, contained) or skipped.
 */
import { evalFhirPathTyped, parseFhirPath, toTypedValue, UCUM } from '@medplum/core';
import type { Json } from './issues.js';

/**
 * ele-1 is the "no empty element" rule medplum's structural check already enforces; dom-3 and the
 * narrative rules txt-1/txt-2 (medplum's htmlChecks() always answers true) are checked natively.
 */
const NATIVE_OR_SKIPPED = new Set(['ele-1', 'dom-3', 'txt-1', 'txt-2']);

/**
 * Invariants published with wrong FHIRPath, rewritten as the HL7 validator rewrites them
 * (InstanceValidator.fixExpr): ref-1 fails on a Reference without `reference` (display or
 * identifier only), vs-2 uses elements as booleans.
 */
const EXPRESSION_FIXES: Record<string, string> = {
  "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))":
    "reference.exists() implies (reference = '#' or (reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))))",
  '(component.empty() and hasMember.empty()) implies (dataAbsentReason or value)': '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())',
};

type Atom = ReturnType<typeof parseFhirPath>;
const parsed = new Map<string, Atom | Error>();

function atomOf(expression: string): Atom | Error {
  let atom = parsed.get(expression);
  if (!atom) {
    try {
      atom = parseFhirPath(expression);
    } catch (err) {
      atom = err as Error;
    }
    parsed.set(expression, atom);
  }
  return atom;
}

export function isEvaluated(constraint: fhir4.ElementDefinitionConstraint): boolean {
  return !!constraint.expression && !NATIVE_OR_SKIPPED.has(constraint.key);
}

export interface ConstraintScope {
  /** The resource holding the element (`%resource`). */
  resource: Json;
  /** The outermost resource (`%rootResource`), e.g. the container of a contained resource. */
  rootResource: Json;
}

/** true when the invariant holds, false when it fails, an Error when it cannot be evaluated. */
export function constraintHolds(expression: string, value: unknown, type: string, scope: ConstraintScope): boolean | Error {
  const atom = atomOf(EXPRESSION_FIXES[expression] ?? expression);
  if (atom instanceof Error) return atom;
  const typed = { type, value };
  try {
    const result = evalFhirPathTyped(atom, [typed], {
      '%context': typed,
      '%resource': toTypedValue(scope.resource),
      '%rootResource': toTypedValue(scope.rootResource),
      '%ucum': toTypedValue(UCUM),
    });
    // An invariant holds when it evaluates to a single true (an empty result does not satisfy it).
    return result.length === 1 && result[0].value === true;
  } catch (err) {
    return err as Error;
  }
}
