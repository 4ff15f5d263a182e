/** Every searchset link and every entry's fullUrl resolves; paging walks every match once. */
import { describe, type KitHttp } from './http.js';
import type { JourneyFindings } from './journey.js';
import { expect, type Report } from './report.js';

export async function checkLinks(http: KitHttp, report: Report, found: JourneyFindings): Promise<void> {
  for (const { what, bundle } of found.searchsets) {
    await report.check('links', `${what} searchset: self/next/previous links and every fullUrl resolve`, async () => {
      const wrong: string[] = [];
      for (const link of bundle.link ?? []) {
        const a = await http.call(link.url);
        if (a.status !== 200 || a.json?.resourceType !== 'Bundle') wrong.push(`${link.relation} ${link.url}: ${describe(a)}`);
      }
      let resolved = 0;
      for (const entry of bundle.entry ?? []) {
        if (!entry.fullUrl) {
          if (entry.resource?.resourceType !== 'OperationOutcome') wrong.push(`an entry ${entry.resource?.resourceType}/${entry.resource?.id} has no fullUrl`);
          continue;
        }
        const a = await http.call(entry.fullUrl);
        if (a.status !== 200) wrong.push(`${entry.fullUrl}: ${describe(a)}`);
        else if (a.json?.resourceType !== entry.resource?.resourceType || a.json?.id !== entry.resource?.id) wrong.push(`${entry.fullUrl} reads back as ${a.json?.resourceType}/${a.json?.id}`);
        else resolved++;
      }
      expect(!wrong.length, wrong.join('; '));
      return `${resolved} entries`;
    });
  }
  if (found.summary) {
    await report.check('links', 'the $summary Bundle: every reference points at an entry of the Bundle', async () => {
      const fullUrls = new Set((found.summary!.entry ?? []).map((e) => e.fullUrl));
      const dangling: string[] = [];
      const walk = (value: unknown): void => {
        if (Array.isArray(value)) value.forEach(walk);
        else if (value && typeof value === 'object') {
          const ref = (value as { reference?: unknown }).reference;
          if (typeof ref === 'string' && !ref.startsWith('#') && !fullUrls.has(ref)) dangling.push(ref);
          Object.values(value).forEach(walk);
        }
      };
      for (const entry of found.summary!.entry ?? []) walk(entry.resource);
      expect(!dangling.length, `unresolved: ${[...new Set(dangling)].slice(0, 5).join(', ')}`);
    });
  }
}

/** Pages of the audit trail followed by `next`: every event once, `total` of them; `previous` goes back. */
export async function checkPaging(http: KitHttp, report: Report): Promise<void> {
  await report.check('paging', 'AuditEvent pages: next links walk every match once; previous goes back; an altered cursor is refused', async () => {
    // Pages of 2, or larger on a long trail: at most about 25 pages (the rate limit of a professional).
    const counted = await http.call('AuditEvent?_summary=count');
    const size = Math.max(2, Math.ceil(Number((counted.json as { total?: number } | undefined)?.total ?? 0) / 25));
    const seen = new Set<string>();
    let url: string | undefined = `AuditEvent?_count=${size}`;
    let total: number | undefined;
    let pages = 0;
    let second: fhir4.Bundle | undefined;
    while (url && pages < 500) {
      const a = await http.call(url);
      expect(a.status === 200 && a.json?.resourceType === 'Bundle', `${url}: ${describe(a)}`);
      const bundle = a.json as unknown as fhir4.Bundle;
      total ??= bundle.total;
      pages++;
      if (pages === 2) second = bundle;
      for (const e of bundle.entry ?? []) {
        const id = e.resource?.id;
        expect(id && !seen.has(id), `AuditEvent/${id} seen twice`);
        seen.add(id);
      }
      expect((bundle.entry ?? []).length <= size, `${bundle.entry?.length} entries on a page of ${size}`);
      url = bundle.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(total !== undefined && seen.size === total, `${seen.size} events walked, total ${total}`);
    if (second) {
      const previous = second.link?.find((l) => l.relation === 'previous')?.url;
      expect(previous, 'page 2 has no previous link');
      const a = await http.call(previous);
      expect(a.status === 200, `previous: ${describe(a)}`);
    }
    if (second) {
      // A page link whose cursor was altered is refused, not served as another page.
      const self = new URL(second.link!.find((l) => l.relation === 'self')!.url);
      const cursor = self.searchParams.get('_page');
      if (cursor) {
        self.searchParams.set('_page', `${cursor.slice(0, -2)}${cursor.endsWith('AA') ? 'BB' : 'AA'}`);
        const a = await http.call(self.toString());
        expect(a.status === 400, `an altered _page cursor: ${describe(a)}`);
      }
    }
    return `${pages} pages, ${seen.size} events`;
  });
}
