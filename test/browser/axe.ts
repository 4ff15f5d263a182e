/**
 * axe-core in a page of the portal, under the page's own Content-Security-Policy.
 *
 * The portal forbids inline scripts, so `page.addScriptTag({ content })` is refused;
 * `page.evaluate(source)` is not: Playwright evaluates through the DevTools protocol,
 * which the page's CSP does not govern, and axe-core needs neither eval nor inline
 * styles. No `bypassCSP` is needed: every test runs under the pages' real policy.
 */
import axe from 'axe-core';
import type { Page } from 'playwright-core';

/** The impacts that fail a test. */
const FAILING = new Set(['serious', 'critical']);

interface AxeNode {
  target: unknown[];
  html: string;
  failureSummary?: string;
}

interface AxeViolation {
  id: string;
  impact?: string | null;
  help: string;
  helpUrl: string;
  nodes: AxeNode[];
}

/** Runs axe-core on the page; returns its serious and critical violations, each printed readably (empty: none). */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axe.source);
  const result = (await page.evaluate(
    'window.axe.run(document, { resultTypes: ["violations"], runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } })',
  )) as { violations: AxeViolation[] };
  return result.violations
    .filter((v) => FAILING.has(v.impact ?? ''))
    .map((v) => [
      `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`,
      ...v.nodes.slice(0, 5).map((n) => `    at ${n.target.map(String).join(' ')} — ${n.html.slice(0, 160)}${n.failureSummary ? `\n      ${n.failureSummary.replace(/\n/g, '\n      ')}` : ''}`),
      ...(v.nodes.length > 5 ? [`    … and ${v.nodes.length - 5} more element(s)`] : []),
    ].join('\n'));
}
