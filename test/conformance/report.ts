/** The harness's text report: a table per document, then every error grouped by rule. */
import type { DocumentResult } from './documents.js';
import type { Issue } from './issues.js';

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

const count = (issues: Issue[], severity: Issue['severity']): number => issues.filter((i) => i.severity === severity).length;

export function documentTable(results: DocumentResult[]): string {
  const rows = [['document', 'resources', 'errors', 'warnings', 'not checked']];
  for (const r of results) rows.push([r.document, String(r.resources), String(count(r.issues, 'error')), String(count(r.issues, 'warning')), String(r.notChecked)]);
  const all = results.flatMap((r) => r.issues);
  rows.push([
    `total (${results.length} documents)`,
    String(results.reduce((n, r) => n + r.resources, 0)),
    String(count(all, 'error')),
    String(count(all, 'warning')),
    String(results.reduce((n, r) => n + r.notChecked, 0)),
  ]);
  return table(rows);
}

function where(issue: Issue): string {
  const resource = issue.resource ? `${issue.entry !== undefined ? `entry[${issue.entry}] ` : ''}${issue.resource}` : '';
  return [resource, issue.path].filter(Boolean).join(' ');
}

function shortProfile(profile: string | undefined): string {
  if (!profile) return '';
  return ` (${profile.replaceAll('http://hl7.org/fhir/uv/ips/StructureDefinition/', 'ips:').replaceAll('http://hl7.org/fhir/StructureDefinition/', 'core:')})`;
}

/** Issues of one severity grouped by rule, the commonest first; each line names document, place, profile and message. */
export function groupedIssues(results: DocumentResult[], severity: Issue['severity']): string {
  const byRule = new Map<string, { document: string; issue: Issue }[]>();
  for (const r of results) {
    for (const issue of r.issues) {
      if (issue.severity !== severity) continue;
      const list = byRule.get(issue.rule) ?? [];
      list.push({ document: r.document, issue });
      byRule.set(issue.rule, list);
    }
  }
  const lines: string[] = [];
  for (const [rule, list] of [...byRule].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    lines.push(`\n[${rule}] ${list.length} ${severity}${list.length > 1 ? 's' : ''}`);
    for (const { document, issue } of list) lines.push(`  ${document}  ${where(issue)}${shortProfile(issue.profile)}: ${issue.message}${issue.source ? ` [${issue.source}]` : ''}`);
  }
  return lines.join('\n');
}

export function ruleCounts(results: DocumentResult[], severity: Issue['severity']): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of results) for (const i of r.issues) if (i.severity === severity) counts.set(i.rule, (counts.get(i.rule) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
