import type { XmlElement } from './xml-tree.js';

/**
 * The small path language of the map files, compiled once into accessors:
 *   a/b/c        children by local name (any namespace prefix)
 *   *            any child element;  ..  parent;  .  self
 *   a[@x='v']    attribute equals (also != ), a[@x] attribute present, a[not(@x)]
 *   a[b/@x='v']  a relative path in a predicate (exists, or compares its attribute)
 *   a[tpl='oid'] element carries that templateId,  a[1] the first match
 *   .../@attr    ends with an attribute value
 * Several alternatives may be joined with " | " (first that yields wins).
 */
export interface CompiledPath {
  source: string;
  /** The path ends in an attribute step (in its first alternative). */
  isAttribute: boolean;
  elements(ctx: XmlElement): XmlElement[];
  /** The attribute values (for a path ending in @attr) or nothing. */
  values(ctx: XmlElement): string[];
  first(ctx: XmlElement): XmlElement | undefined;
  value(ctx: XmlElement): string | undefined;
  /** value() with the element that carries it. */
  valueAt(ctx: XmlElement): { owner: XmlElement; value: string } | undefined;
}

type Pred = (el: XmlElement) => boolean;
interface Step {
  kind: 'child' | 'any' | 'parent' | 'self';
  name?: string;
  preds: Pred[];
  index?: number;
}

export class PathSyntaxError extends Error {}

function parsePredicate(text: string, path: string): Pred | number {
  if (/^\d+$/.test(text)) return Number(text);
  let m = /^tpl\s*=\s*'([^']*)'$/.exec(text);
  if (m) {
    const root = m[1];
    return (el) => el.children.some((c) => typeof c !== 'string' && c.name === 'templateId' && c.attrs.root === root);
  }
  m = /^not\((.+)\)$/.exec(text);
  if (m) {
    const inner = parsePredicate(m[1].trim(), path);
    if (typeof inner === 'number') throw new PathSyntaxError(`unsupported predicate [${text}] in path "${path}"`);
    return (el) => !inner(el);
  }
  m = /^(.+?)\s*(!?=)\s*'([^']*)'$/.exec(text);
  const rel = parseSteps(m ? m[1] : text, path);
  const attr = rel.attr;
  if (!m) {
    return attr === undefined ? (el) => findMatch(rel.steps, 0, el) !== undefined : (el) => findMatch(rel.steps, 0, el, (e) => e.attrs[attr] !== undefined) !== undefined;
  }
  const [, , op, v] = m;
  if (attr === undefined) throw new PathSyntaxError(`a comparison needs an attribute in [${text}] of path "${path}"`);
  const equals = (e: XmlElement): boolean => e.attrs[attr] === v;
  return op === '=' ? (el) => findMatch(rel.steps, 0, el, equals) !== undefined : (el) => findMatch(rel.steps, 0, el, equals) === undefined;
}

/** Splits on "/" outside predicates. */
function splitSteps(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of path) {
    if (ch === '[') depth++;
    else if (ch === ']') depth--;
    if (ch === '/' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

function parseSteps(path: string, whole = path): { steps: Step[]; attr?: string } {
  const parts = splitSteps(path);
  const steps: Step[] = [];
  let attr: string | undefined;
  parts.forEach((part, i) => {
    if (part.startsWith('@')) {
      if (i !== parts.length - 1) throw new PathSyntaxError(`an attribute step must be last in "${whole}"`);
      attr = part.slice(1);
      return;
    }
    if (part === '..') return steps.push({ kind: 'parent', preds: [] });
    if (part === '.') return steps.push({ kind: 'self', preds: [] });
    if (part.startsWith('.[')) {
      // self with predicates: .[@negationInd='true']
      const self: Step = { kind: 'self', preds: [] };
      for (const pred of splitPredicates(part.slice(1), whole)) {
        const p = parsePredicate(pred, whole);
        if (typeof p === 'number') throw new PathSyntaxError(`an index does not apply to "." in path "${whole}"`);
        self.preds.push(p);
      }
      return steps.push(self);
    }
    const m = /^([\w*-]+)((?:\[.+\])*)$/.exec(part);
    if (!m) throw new PathSyntaxError(`unsupported step "${part}" in path "${whole}"`);
    const step: Step = { kind: m[1] === '*' ? 'any' : 'child', name: m[1], preds: [] };
    for (const pred of splitPredicates(m[2], whole)) {
      const p = parsePredicate(pred, whole);
      if (typeof p === 'number') step.index = p;
      else step.preds.push(p);
    }
    steps.push(step);
  });
  return { steps, attr };
}

/** "[a][b[c]]" → ["a", "b[c]"] */
function splitPredicates(text: string, whole: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '[') {
      if (depth++ === 0) continue;
    } else if (ch === ']') {
      if (--depth === 0) {
        out.push(cur.trim());
        cur = '';
        continue;
      }
    }
    if (depth > 0) cur += ch;
  }
  if (depth !== 0) throw new PathSyntaxError(`unbalanced [ ] in path "${whole}"`);
  return out;
}

function run(steps: Step[], ctx: XmlElement): XmlElement[] {
  let current: XmlElement[] = [ctx];
  for (let si = 0; si < steps.length; si++) {
    const step = steps[si];
    const next: XmlElement[] = [];
    for (let ei = 0; ei < current.length; ei++) {
      const el = current[ei];
      if (step.kind === 'parent') {
        if (el.parent) next.push(el.parent);
        continue;
      }
      if (step.kind === 'self') {
        if (step.preds.every((p) => p(el))) next.push(el);
        continue;
      }
      let n = 0;
      const children = el.children;
      for (let k = 0; k < children.length; k++) {
        const c = children[k];
        if (typeof c === 'string' || (step.kind === 'child' && c.name !== step.name)) continue;
        let ok = true;
        for (let j = 0; j < step.preds.length; j++) {
          if (!step.preds[j](c)) {
            ok = false;
            break;
          }
        }
        if (!ok) continue;
        n++;
        if (step.index === undefined || step.index === n) next.push(c);
      }
    }
    current = next;
    if (current.length === 0) break;
  }
  return current;
}

/**
 * The first element the steps reach from el (depth first, document order)
 * that passes `test`, without building lists.
 */
function findMatch(steps: Step[], i: number, el: XmlElement, test?: (e: XmlElement) => boolean): XmlElement | undefined {
  if (i === steps.length) return !test || test(el) ? el : undefined;
  const step = steps[i];
  if (step.kind === 'parent') return el.parent ? findMatch(steps, i + 1, el.parent, test) : undefined;
  if (step.kind === 'self') return step.preds.every((p) => p(el)) ? findMatch(steps, i + 1, el, test) : undefined;
  let n = 0;
  const children = el.children;
  const preds = step.preds;
  const anyName = step.kind !== 'child';
  for (let k = 0; k < children.length; k++) {
    const c = children[k];
    if (typeof c === 'string' || (!anyName && c.name !== step.name)) continue;
    let ok = true;
    for (let j = 0; j < preds.length; j++) {
      if (!preds[j](c)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    n++;
    if (step.index !== undefined && step.index !== n) continue;
    const found = findMatch(steps, i + 1, c, test);
    if (found) return found;
    if (step.index !== undefined) return undefined;
  }
  return undefined;
}

const cache = new Map<string, CompiledPath>();

export function compilePath(source: string): CompiledPath {
  const cached = cache.get(source);
  if (cached) return cached;
  const alternatives = splitAlternatives(source).map((alt) => {
    const parsed = parseSteps(alt);
    const attr = parsed.attr;
    return { ...parsed, hasAttr: attr === undefined ? undefined : (e: XmlElement): boolean => e.attrs[attr] !== undefined };
  });
  const only = alternatives.length === 1 && alternatives[0].steps.length === 1 ? alternatives[0].steps[0] : undefined;
  const elements =
    only && only.kind === 'child' && !only.preds.length && only.index === undefined
      ? (ctx: XmlElement): XmlElement[] => {
          // The common one-step path (id, ingredient, translation…): a plain child filter.
          const out: XmlElement[] = [];
          const children = ctx.children;
          for (let k = 0; k < children.length; k++) {
            const c = children[k];
            if (typeof c !== 'string' && c.name === only.name) out.push(c);
          }
          return out;
        }
      : (ctx: XmlElement): XmlElement[] => {
          for (const alt of alternatives) {
            const found = run(alt.steps, ctx);
            if (found.length) return found;
          }
          return [];
        };
  const values = (ctx: XmlElement): string[] => {
    for (const alt of alternatives) {
      if (!alt.attr) continue;
      const attr = alt.attr;
      const out = run(alt.steps, ctx)
        .map((el) => el.attrs[attr])
        .filter((v): v is string => v !== undefined);
      if (out.length) return out;
    }
    return [];
  };
  const first = (ctx: XmlElement): XmlElement | undefined => {
    for (const alt of alternatives) {
      const found = findMatch(alt.steps, 0, ctx);
      if (found) return found;
    }
    return undefined;
  };
  const valueAt = (ctx: XmlElement): { owner: XmlElement; value: string } | undefined => {
    for (const alt of alternatives) {
      if (!alt.attr) continue;
      const el = findMatch(alt.steps, 0, ctx, alt.hasAttr);
      if (el) return { owner: el, value: el.attrs[alt.attr] };
    }
    return undefined;
  };
  const value = (ctx: XmlElement): string | undefined => {
    for (const alt of alternatives) {
      if (!alt.attr) continue;
      const el = findMatch(alt.steps, 0, ctx, alt.hasAttr);
      if (el) return el.attrs[alt.attr];
    }
    return undefined;
  };
  const compiled: CompiledPath = { source, isAttribute: alternatives[0].attr !== undefined, elements, values, first, value, valueAt };
  cache.set(source, compiled);
  return compiled;
}

/** A compiled test: does the path reach an element (or, ending in @attr, a value) from the node? */
export function compileTest(path: string): (node: XmlElement) => boolean {
  const p = compilePath(path);
  return p.isAttribute ? (n) => p.value(n) !== undefined : (n) => p.first(n) !== undefined;
}

/** Splits on "|" outside predicates and quotes. */
function splitAlternatives(source: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (const ch of source) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '[') depth++;
    else if (!quoted && ch === ']') depth--;
    if (ch === '|' && depth === 0 && !quoted) {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** True if the path ends in an attribute step (in its first alternative). */
export function isAttributePath(source: string): boolean {
  const first = splitAlternatives(source)[0];
  const steps = splitSteps(first);
  return steps.length > 0 && steps[steps.length - 1].startsWith('@');
}
