/**
 * Terminology rules: required bindings (checked when the value set can be expanded locally,
 * otherwise counted as "not checked") and, on any coding whatever the binding, codes that do not
 * exist in a code system held in full.
 */
import type { Issue, Json } from './issues.js';
import { isJsonObject, unversioned } from './issues.js';
import type { Terminology } from './terminology.js';

export interface BindingOutcome {
  issues: Issue[];
  /** Why the binding could not be checked (its value set needs a terminology server, or is not held). */
  notChecked?: string;
}

const short = (url: string): string => url.replace(/^http:\/\/hl7\.org\/fhir\/(uv\/ips\/)?ValueSet\//, '');

/** Checks a value of a coded type (code, Coding, CodeableConcept) against a required binding. */
export function checkRequiredBinding(value: unknown, type: string, valueSet: string, path: string, tx: Terminology): BindingOutcome {
  const vs = unversioned(valueSet);
  const issue = (message: string): BindingOutcome => ({ issues: [{ severity: 'error', rule: 'binding', path, message }] });
  const unknown = (what: string): BindingOutcome => ({ issues: [], notChecked: `required binding to ${short(vs)}: ${what}` });
  if (!tx.hasValueSet(vs)) return unknown('value set not held');
  if (type === 'code' || type === 'string' || type === 'uri') {
    if (typeof value !== 'string') return { issues: [] };
    const m = tx.member(vs, undefined, value);
    if (m === 'no') return issue(`code '${value}' is not in the required value set ${short(vs)}`);
    return m === 'unknown' ? unknown(`'${value}' needs a terminology server`) : { issues: [] };
  }
  let codings: Json[];
  if (type === 'Coding') codings = isJsonObject(value) ? [value] : [];
  else if (type === 'CodeableConcept') codings = isJsonObject(value) && Array.isArray(value.coding) ? value.coding.filter(isJsonObject) : [];
  else return { issues: [] };
  const coded = codings.filter((c) => typeof c.code === 'string');
  if (coded.length === 0) return issue(`no code given, and a code from the required value set ${short(vs)} is needed`);
  let undecided = false;
  for (const c of coded) {
    const m = tx.member(vs, typeof c.system === 'string' ? c.system : undefined, c.code as string);
    if (m === 'yes') return { issues: [] };
    if (m === 'unknown') undecided = true;
  }
  const given = coded.map((c) => `${String(c.system ?? '')}#${String(c.code)}`).join(', ');
  if (undecided) return unknown(`${given} needs a terminology server`);
  return issue(`${given} not in the required value set ${short(vs)}`);
}

const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:\S+$/;

/**
 * Rules on any coding, whatever the binding: an absolute system (error); a code of a code system
 * held in full must exist in it (error) and its display should be one of the code's (warning, as
 * the HL7 validator says it); a code without a system has no meaning (warning); a code system in
 * the IG's own namespace that the IG does not define (e.g. IPS 1.x absent-unknown-uv-ips) is
 * flagged (warning: a terminology server may still know the older IG's).
 */
export function checkCoding(coding: Json, path: string, tx: Terminology, igCanonicalBase: string | undefined): Issue[] {
  const { system, code, display } = coding;
  if (typeof code !== 'string') return [];
  if (typeof system !== 'string') {
    return [{ severity: 'warning', rule: 'coding-no-system', path, message: `code '${code}' has no system: it has no defined meaning and cannot be checked` }];
  }
  if (!ABSOLUTE_URI.test(system)) {
    return [{ severity: 'error', rule: 'coding-system', path, message: `Coding.system '${system}' is not an absolute URI` }];
  }
  if (tx.holds(system)) {
    if (tx.codeExists(system, code) === 'no') return [{ severity: 'error', rule: 'code-unknown', path, message: `code '${code}' does not exist in code system ${system}` }];
    if (typeof display === 'string' && !tx.displayMatches(system, code, display)) {
      const expected = (tx.displaysOf(system, code) ?? []).map((d) => `'${d}'`).join(' or ');
      return [{ severity: 'warning', rule: 'display', path, message: `display '${display}' is not a display of ${system}#${code} (${expected})` }];
    }
    return [];
  }
  if (igCanonicalBase && system.startsWith(`${igCanonicalBase}CodeSystem/`)) {
    return [{ severity: 'warning', rule: 'code-system-unknown', path, message: `the IG defines no code system ${system} (a code system of another version of the IG?)` }];
  }
  return [];
}
