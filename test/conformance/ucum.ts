/**
 * UCUM quantities: a Quantity that says its unit is UCUM must give the UCUM code, and that code
 * must at least be well formed (printable ASCII, no spaces, balanced brackets). Full UCUM
 * validation (known units and prefixes) needs the UCUM essence and is not attempted.
 */
import { UCUM } from '@medplum/core';
import type { Issue, Json } from './issues.js';

export const QUANTITY_TYPES = new Set(['Quantity', 'Age', 'Count', 'Distance', 'Duration', 'MoneyQuantity', 'SimpleQuantity']);

function malformed(code: string): string | undefined {
  if (code.length === 0) return 'it is empty';
  // Annotations ({...}) may hold spaces (as the UCUM library of the HL7 validator accepts); units may not.
  const units = code.replace(/\{[^{}]*\}/g, '{}');
  if (/\s/.test(units)) return 'it contains white space';
  if (/[^\x20-\x7e]/.test(code) || /[^\x21-\x7e]/.test(units)) return 'it contains characters outside printable ASCII';
  let depth = 0;
  const closing: string[] = [];
  for (const ch of code) {
    if (ch === '(' || ch === '[' || ch === '{') {
      closing.push(ch === '(' ? ')' : ch === '[' ? ']' : '}');
      depth++;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      if (closing.pop() !== ch) return 'its brackets are unbalanced';
      depth--;
    }
  }
  return depth === 0 ? undefined : 'its brackets are unbalanced';
}

export function checkUcumQuantity(quantity: Json, path: string): Issue[] {
  if (quantity.system !== UCUM) return [];
  if (quantity.code === undefined) {
    return [{ severity: 'error', rule: 'ucum', path, message: `a UCUM quantity needs its code (unit '${String(quantity.unit ?? '')}' has none)` }];
  }
  const why = typeof quantity.code === 'string' ? malformed(quantity.code) : 'it is not a string';
  return why ? [{ severity: 'error', rule: 'ucum', path: `${path}.code`, message: `'${String(quantity.code)}' is not a valid UCUM code: ${why}` }] : [];
}
