/** Writes values into a FHIR resource at a map's `to` path (a.b[].c, value[x], dosage[0].route). */

interface Segment {
  name: string;
  mode: 'plain' | 'append' | 'index' | 'choice';
  index?: number;
}

const parsed = new Map<string, Segment[]>();

export function parseTo(to: string): Segment[] {
  let segs = parsed.get(to);
  if (!segs) {
    segs = to.split('.').map((part) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\]|x\]|(\d+)\]))?$/.exec(part);
      if (!m) throw new Error(`bad FHIR path "${to}"`);
      if (m[2] === undefined) return { name: m[1], mode: 'plain' } as Segment;
      if (m[2] === ']') return { name: m[1], mode: 'append' } as Segment;
      if (m[2] === 'x]') return { name: m[1], mode: 'choice' } as Segment;
      return { name: m[1], mode: 'index', index: Number(m[3]) } as Segment;
    });
    parsed.set(to, segs);
  }
  return segs;
}

type Obj = Record<string, unknown>;

/** A key that sets choice element `name` (valueQuantity, _effectiveDateTime…). */
export function isChoiceVariant(key: string, name: string): boolean {
  const k = key.charCodeAt(0) === 95 ? key.slice(1) : key;
  return k.length > name.length && k.startsWith(name) && /[A-Z]/.test(k[name.length]);
}

/** The object that holds the last segment, created on the way (intermediate [] means the last item). */
function holder(target: Obj, segs: Segment[]): Obj {
  let cur = target;
  for (let k = 0; k < segs.length - 1; k++) {
    const seg = segs[k];
    if (seg.mode === 'plain' || seg.mode === 'choice') {
      let next = cur[seg.name] as Obj | undefined;
      if (!next || typeof next !== 'object') cur[seg.name] = next = {};
      cur = next;
    } else {
      let arr = cur[seg.name] as Obj[] | undefined;
      if (!Array.isArray(arr)) cur[seg.name] = arr = [];
      const i = seg.mode === 'index' ? seg.index! : Math.max(arr.length - 1, 0);
      if (!arr[i]) arr[i] = {};
      cur = arr[i];
    }
  }
  return cur;
}

/** True if the path already has a value (the first rule that yields wins). */
export function hasValue(target: Obj, to: string, suffix = ''): boolean {
  return hasSegments(target, parseTo(to), suffix);
}

function hasSegments(target: Obj, segs: Segment[], suffix: string): boolean {
  if (segs.length === 1 && segs[0].mode === 'plain') return target[segs[0].name] !== undefined;
  const last = segs[segs.length - 1];
  let cur: unknown = target;
  for (const seg of segs) {
    if (!cur || typeof cur !== 'object') return false;
    const o = cur as Obj;
    if (seg.mode === 'choice') {
      if (seg === last) return Object.keys(o).some((k) => isChoiceVariant(k, seg.name));
      cur = o[seg.name + suffix];
    } else if (seg.mode === 'index') cur = (o[seg.name] as unknown[] | undefined)?.[seg.index!];
    else if (seg.mode === 'append') cur = seg === last ? ((o[seg.name] as unknown[] | undefined)?.length ? true : undefined) : (o[seg.name] as unknown[] | undefined)?.at(-1);
    else cur = o[seg.name];
  }
  return cur !== undefined;
}

export function setValue(target: Obj, to: string, value: unknown, suffix = ''): void {
  setSegments(target, parseTo(to), value, suffix);
}

function setSegments(target: Obj, segs: Segment[], value: unknown, suffix: string): void {
  const last = segs[segs.length - 1];
  const h = holder(target, segs);
  switch (last.mode) {
    case 'plain':
      if (h[last.name] === undefined) h[last.name] = value;
      break;
    case 'choice':
      if (!Object.keys(h).some((k) => isChoiceVariant(k, last.name))) h[last.name + suffix] = value;
      break;
    case 'append': {
      const arr = (Array.isArray(h[last.name]) ? h[last.name] : (h[last.name] = [])) as unknown[];
      arr.push(value);
      break;
    }
    case 'index': {
      const arr = (Array.isArray(h[last.name]) ? h[last.name] : (h[last.name] = [])) as unknown[];
      if (arr[last.index!] === undefined) arr[last.index!] = value;
      break;
    }
  }
}

/** Marks an element as absent with a data-absent-reason (on _name for primitives). */
export function setAbsent(target: Obj, to: string, extension: fhir4.Extension, primitive: boolean, suffix = ''): void {
  const segs = parseTo(to);
  const last = segs[segs.length - 1];
  const h = holder(target, segs);
  if (last.mode === 'choice' && Object.keys(h).some((k) => isChoiceVariant(k, last.name))) return;
  const name = last.mode === 'choice' ? last.name + suffix : last.name;
  if (primitive) {
    if (h[name] === undefined && h['_' + name] === undefined) h['_' + name] = { extension: [extension] };
    return;
  }
  const absent = { extension: [extension] };
  if (last.mode === 'append') ((h[name] ??= []) as unknown[]).push(absent);
  else if (h[name] === undefined) h[name] = absent;
}

/** A compiled "has a value" test for a path. */
export function compileHas(to: string): (target: Obj) => boolean {
  const segs = parseTo(to);
  if (segs.length === 1 && segs[0].mode === 'plain') {
    const name = segs[0].name;
    return (target) => target[name] !== undefined;
  }
  return (target) => hasSegments(target, segs, '');
}

/** A compiled setter for a path. */
export function compileSetter(to: string): (target: Obj, value: unknown, suffix?: string) => void {
  const segs = parseTo(to);
  if (segs.length === 1 && segs[0].mode === 'plain') {
    const name = segs[0].name;
    return (target, value) => {
      if (target[name] === undefined) target[name] = value;
    };
  }
  if (segs.length === 1 && segs[0].mode === 'append') {
    const name = segs[0].name;
    return (target, value) => {
      const arr = target[name];
      if (Array.isArray(arr)) arr.push(value);
      else target[name] = [value];
    };
  }
  return (target, value, suffix) => setSegments(target, segs, value, suffix ?? '');
}

/**
 * A compiled writer of an extension on the primitive a path ends in
 * (`severity` → `_severity.extension[]`); none for list paths, whose
 * underscore lists would have to stay aligned.
 */
export function compilePrimitiveExtension(to: string): ((target: Obj, ext: fhir4.Extension) => void) | undefined {
  const segs = parseTo(to);
  const last = segs[segs.length - 1];
  if (last.mode !== 'plain') return undefined;
  const name = '_' + last.name;
  return (target, ext) => {
    const h = holder(target, segs);
    const element = (h[name] ??= {}) as { extension?: fhir4.Extension[] };
    (element.extension ??= []).push(ext);
  };
}

export function compileSetAbsent(to: string, primitive: boolean, suffix: string): (target: Obj, ext: fhir4.Extension) => void {
  return (target, ext) => setAbsent(target, to, ext, primitive, suffix);
}
