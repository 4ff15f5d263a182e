/** Fixed and pattern values of element definitions, and how instance values match them. */
import { isJsonObject } from './issues.js';

export interface Expected {
  kind: 'fixed' | 'pattern';
  value: unknown;
}

export function fixedOrPattern(ed: fhir4.ElementDefinition): Expected | undefined {
  for (const [key, value] of Object.entries(ed)) {
    if (/^fixed[A-Z]/.test(key)) return { kind: 'fixed', value };
    if (/^pattern[A-Z]/.test(key)) return { kind: 'pattern', value };
  }
  return undefined;
}

/** Fixed: the instance value is exactly the given one. */
export function matchesFixed(value: unknown, fixed: unknown): boolean {
  if (Array.isArray(fixed)) return Array.isArray(value) && value.length === fixed.length && fixed.every((f, i) => matchesFixed(value[i], f));
  if (isJsonObject(fixed)) {
    if (!isJsonObject(value)) return false;
    const keys = new Set([...Object.keys(fixed), ...Object.keys(value)]);
    return [...keys].every((k) => matchesFixed(value[k], fixed[k]));
  }
  return value === fixed;
}

/** Pattern: every property of the pattern is in the value; each pattern array item matches some value item. */
export function matchesPattern(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return pattern.every((p) => values.some((v) => matchesPattern(v, p)));
  }
  if (isJsonObject(pattern)) {
    if (!isJsonObject(value)) return false;
    return Object.entries(pattern).every(([k, p]) => matchesPattern(value[k], p));
  }
  return value === pattern;
}

export function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
