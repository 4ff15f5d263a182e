/** What the conformance harness reports: one issue per broken rule, located in the Bundle. */

export type Severity = 'error' | 'warning' | 'information';

export interface Issue {
  severity: Severity;
  /** Stable name of the broken rule: an invariant key (con-4), or a harness rule (cardinality, slice, reference…). */
  rule: string;
  /** FHIRPath-like location inside the resource, e.g. `Composition.section[2].entry[0]`. */
  path: string;
  message: string;
  /** Canonical URL of the profile being checked, when the rule comes from one. */
  profile?: string;
  /** `Type/id` of the resource (or `Bundle`), filled in by the Bundle validation. */
  resource?: string;
  /** Index of the Bundle entry holding the resource. */
  entry?: number;
  /** Set when medplum's validator found it (the other issues come from the harness's own checks). */
  source?: 'medplum';
}

/** Plain JSON object, as read from a FHIR JSON resource. */
export type Json = Record<string, unknown>;

export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Canonical URL without its `|version` suffix. */
export function unversioned(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}

/** Path without array indices, to compare issues found by different validators. */
export function pathWithoutIndices(path: string): string {
  return path.replace(/\[\d+\]/g, '');
}

/** Removes issues reported twice (the same rule at the same place, e.g. by two profiles of one resource). */
export function dedupeIssues(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  const out: Issue[] = [];
  for (const issue of issues) {
    const key = [issue.entry ?? '', issue.resource ?? '', issue.path, issue.rule, issue.severity, issue.message].join('\u0000');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}
