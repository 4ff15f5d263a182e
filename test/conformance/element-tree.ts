/**
 * A StructureDefinition snapshot as a tree: each element with its children and its slices, as the
 * element ids describe them (`Composition.section:sectionResults.entry:results-diagnosticReport`).
 * Validation walks this tree alongside the instance.
 */

export interface ElementNode {
  ed: fhir4.ElementDefinition;
  id: string;
  /** Last path segment, e.g. `value[x]`. */
  name: string;
  sliceName?: string;
  children: ElementNode[];
  slices: ElementNode[];
}

export interface ElementTree {
  sd: fhir4.StructureDefinition;
  url: string;
  root: ElementNode;
  byId: Map<string, ElementNode>;
}

const trees = new WeakMap<fhir4.StructureDefinition, ElementTree>();

/** Splits an element id into its path segments, each with its slice name if any (slice names may contain dots). */
export function idSegments(id: string, path: string): { name: string; slice?: string }[] {
  const names = path.split('.');
  const out: { name: string; slice?: string }[] = [];
  let pos = 0;
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    pos += name.length;
    let slice: string | undefined;
    if (id[pos] === ':') {
      const next = i + 1 < names.length ? `.${names[i + 1]}` : undefined;
      let end = id.length;
      if (next) {
        // The slice name ends where the next path segment starts.
        let search = pos + 1;
        for (;;) {
          const at = id.indexOf(next, search);
          if (at < 0) break;
          const after = id[at + next.length];
          if (after === undefined || after === '.' || after === ':') {
            end = at;
            break;
          }
          search = at + 1;
        }
      }
      slice = id.slice(pos + 1, end);
      pos = end;
    }
    out.push({ name, slice });
    pos += 1; // the dot
  }
  return out;
}

function joinSegments(segments: { name: string; slice?: string }[]): string {
  return segments.map((s) => (s.slice ? `${s.name}:${s.slice}` : s.name)).join('.');
}

export function elementTree(sd: fhir4.StructureDefinition): ElementTree {
  const cached = trees.get(sd);
  if (cached) return cached;
  const elements = sd.snapshot?.element ?? [];
  const byId = new Map<string, ElementNode>();
  let root: ElementNode | undefined;
  for (const ed of elements) {
    const id = ed.id ?? ed.path;
    const segments = idSegments(id, ed.path);
    const last = segments[segments.length - 1];
    const node: ElementNode = { ed, id, name: last.name, sliceName: ed.sliceName ?? last.slice, children: [], slices: [] };
    byId.set(id, node);
    if (segments.length === 1 && !last.slice) {
      root = node;
      continue;
    }
    if (last.slice) {
      // A slice (or a re-slice `a/b`, attached to slice `a`) of the element with the same id minus the slice.
      const slashed = last.slice.lastIndexOf('/');
      const owner = joinSegments([...segments.slice(0, -1), { name: last.name, slice: slashed > 0 ? last.slice.slice(0, slashed) : undefined }]);
      byId.get(owner)?.slices.push(node);
    } else {
      byId.get(joinSegments(segments.slice(0, -1)))?.children.push(node);
    }
  }
  if (!root) throw new Error(`${sd.url}: snapshot without a root element`);
  const tree: ElementTree = { sd, url: sd.url, root, byId };
  trees.set(sd, tree);
  return tree;
}

/** Finds a descendant of a node by a plain dotted path of element names (`code`, `resource`, `value[x]`). */
export function descendant(node: ElementNode, dottedPath: string): ElementNode | undefined {
  let current: ElementNode | undefined = node;
  for (const part of dottedPath.split('.')) {
    if (!current) return undefined;
    current = current.children.find((c) => c.name === part || c.name === `${part}[x]`);
  }
  return current;
}
