import type { MapSet } from './map-types.js';

/**
 * The project's IPS checks on a converted Bundle (beyond the R4 JSON schema):
 * document Bundle with identifier and timestamp, Composition first, required
 * sections present with narrative and entries or an emptyReason, section
 * entries resolvable in the Bundle, required elements of the profiles.
 * Returns the problems found (empty: the Bundle passes).
 */
export function checkIpsBundle(bundle: fhir4.Bundle, maps: MapSet): string[] {
  const problems: string[] = [];
  if (bundle.type !== 'document') problems.push('Bundle.type is not document');
  if (!bundle.identifier?.value) problems.push('Bundle.identifier is missing');
  if (!bundle.timestamp) problems.push('Bundle.timestamp is missing');
  const entries = bundle.entry ?? [];
  const first = entries[0]?.resource;
  if (first?.resourceType !== 'Composition') {
    problems.push('the first entry is not a Composition');
    return problems;
  }
  const fullUrls = new Set(entries.map((e) => e.fullUrl));
  const composition = first as fhir4.Composition;
  const sections = composition.section ?? [];
  const codes = new Set(sections.map((s) => s.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code));
  const requiredCodes = new Set(maps.required.requiredSections ?? []);
  for (const required of requiredCodes) if (!codes.has(required)) problems.push(`required section ${required} is missing`);
  const checkSection = (s: fhir4.CompositionSection, where: string): void => {
    if (!s.title) problems.push(`${where}: no title`);
    if (!s.code) problems.push(`${where}: no code`);
    if (!s.text?.div) problems.push(`${where}: no narrative`);
    // a required section says why it is empty (ips-comp-1); any other has entries, sub-sections or its narrative (cmp-1)
    const code = s.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code;
    if (code && requiredCodes.has(code) && !s.entry?.length && !s.emptyReason) problems.push(`${where}: required section without entries or emptyReason`);
    if (s.entry?.length && s.emptyReason) problems.push(`${where}: emptyReason on a section with entries`);
    for (const r of s.entry ?? []) if (!r.reference || !fullUrls.has(r.reference)) problems.push(`${where}: entry ${r.reference} not in the Bundle`);
    (s.section ?? []).forEach((sub, i) => checkSection(sub, `${where}.section[${i}]`));
  };
  sections.forEach((s, i) => checkSection(s, `Composition.section[${i}]`));
  for (const [i, e] of entries.entries()) {
    const r = e.resource as unknown as Record<string, unknown> | undefined;
    if (!r) {
      problems.push(`entry[${i}] has no resource`);
      continue;
    }
    for (const path of maps.required.resources[r.resourceType as string] ?? []) {
      if (!hasElement(r, path)) problems.push(`entry[${i}] ${String(r.resourceType)}: ${path} is required`);
    }
    for (const ref of referencesIn(r)) {
      if (ref.startsWith('urn:uuid:') && !fullUrls.has(ref)) problems.push(`entry[${i}] ${String(r.resourceType)}: reference ${ref} not in the Bundle`);
    }
  }
  return problems;
}

function hasElement(r: Record<string, unknown>, path: string): boolean {
  if (path.endsWith('[x]')) {
    const base = path.slice(0, -3);
    return Object.keys(r).some((k) => (k.startsWith(base) || k.startsWith('_' + base)) && /^[A-Z]/.test(k.replace(/^_/, '').slice(base.length)));
  }
  const v = r[path] ?? r['_' + path];
  return v !== undefined && !(Array.isArray(v) && v.length === 0);
}

function referencesIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => referencesIn(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}
