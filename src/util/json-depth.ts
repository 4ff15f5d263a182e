/**
 * Nesting depth of parsed JSON, measured without recursion: a value nested
 * 100,000 levels deep (a 200 KB text, which JSON.parse reads without
 * trouble) must be refused before anything recursive (schema validation,
 * serialisers, walks) exhausts the stack on it.
 */

/** Deepest nesting accepted in a request body: objects and arrays each count as a level. */
export const MAX_JSON_DEPTH = 100;

/**
 * Whether `value` nests objects and arrays deeper than `max` levels (the
 * top-level object is level 1). Iterative, and stops at the first container
 * over the limit: time linear in what it visited, constant stack.
 */
export function exceedsJsonDepth(value: unknown, max = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<{ node: object; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (depth > max) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push({ node: child as object, depth: depth + 1 });
    }
  }
  return false;
}
