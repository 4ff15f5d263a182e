import { readFileSync } from 'node:fs';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { loadCountryRegistry } from '../../ehdsi/countries/index.js';
import { searchMaskQuestionnaire } from '../../journey/index.js';
import { projectPath } from '../../util/project.js';
import { DOCUMENT_KINDS, traitDocument, traitHelp, type TraitHelpItem } from './trait-help.js';

const countries = loadCountryRegistry().list();

/** The traits as the portal gets them: the items of GET /fhir/Questionnaire?jurisdiction=<code>. */
function itemsOf(questionnaire: fhir4.Questionnaire): TraitHelpItem[] {
  return (questionnaire.item ?? []).map((item) => {
    const help = item.item?.find((child) => child.type === 'display' && child.linkId === `${item.linkId}-help`)?.text;
    return { linkId: item.linkId, label: item.text ?? '', ...(help !== undefined ? { help } : {}) };
  });
}

/** The fragment is well-formed XML as we write it (no void element), so xmldom checks its structure. */
function parse(html: string): Element {
  const errors: string[] = [];
  const doc = new DOMParser({ onError: (level, msg) => { if (level !== 'warning') errors.push(msg); } }).parseFromString(html, 'text/xml');
  expect(errors).toEqual([]);
  return doc.documentElement as unknown as Element;
}

const all = (root: Element, name: string): Element[] => Array.from(root.getElementsByTagName(name)) as unknown as Element[];
const text = (el: Element | undefined): string => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function checkAccessible(root: Element, items: readonly TraitHelpItem[]): void {
  expect(root.tagName).toBe('details');
  const summaries = all(root, 'summary');
  expect(summaries).toHaveLength(1);
  expect(summaries[0].textContent).toBe('Où trouver ces informations ?');
  const svgs = all(root, 'svg');
  expect(svgs).toHaveLength(items.length);
  const ids = new Set<string>();
  for (const svg of svgs) {
    expect(svg.getAttribute('role')).toBe('img');
    const titles = all(svg, 'title');
    expect(titles).toHaveLength(1);
    const id = titles[0].getAttribute('id') ?? '';
    expect(id).not.toBe('');
    expect(svg.getAttribute('aria-labelledby')).toBe(id);
    expect(ids.has(id)).toBe(false);
    ids.add(id);
    expect(text(titles[0])).toMatch(/ : emplacement de « .* »$/);
    // CSP: no inline style, no script, in the drawings or anywhere else.
    for (const el of [svg, ...all(svg, '*')]) {
      expect(['style', 'script', 'foreignObject']).not.toContain(el.tagName);
      expect(el.hasAttribute('style')).toBe(false);
      for (const attr of Array.from(el.attributes)) expect(attr.name).not.toMatch(/^on/i);
    }
  }
  const entries = all(root, 'li');
  expect(entries).toHaveLength(items.length);
  items.forEach((item, i) => {
    expect(text(all(entries[i], 'strong')[0])).toBe(item.label.trim());
    expect(text(all(entries[i], 'title')[0])).toContain(`« ${item.label} »`);
    if (item.help) expect(text(all(entries[i], 'figcaption')[0])).toBe(item.help.trim());
  });
}

describe('"Où trouver ces informations ?" on the patient search page', () => {
  it('serves countries (the shipped search masks)', () => {
    expect(countries.length).toBeGreaterThanOrEqual(13);
  });

  describe.each(countries.map((c) => [c.code, c] as const))('%s', (code, country) => {
    const items = itemsOf(searchMaskQuestionnaire(country));

    it('lists the document of every trait of the mask in trait-documents.json', () => {
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) expect({ linkId: item.linkId, document: traitDocument(code, item.linkId) }).toEqual({ linkId: item.linkId, document: expect.anything() });
    });

    it('names every trait, with its help and one titled illustration each', () => {
      const html = traitHelp(code, country.nameFr, items);
      for (const item of items) expect(item.help?.trim()).toBeTruthy();
      checkAccessible(parse(html), items);
      expect(html).not.toMatch(/<style|style=|<script/i);
      for (const svg of html.match(/<svg[\s\S]*?<\/svg>/g) ?? []) expect(Buffer.byteLength(svg)).toBeLessThan(2600);
    });
  });

  it('has no table entry for a trait or a country that is not served, and only known kinds', () => {
    const table = JSON.parse(readFileSync(projectPath('src', 'web', 'portal', 'trait-documents.json'), 'utf8')) as Record<string, unknown>;
    for (const [code, traits] of Object.entries(table)) {
      if (code.startsWith('$')) continue;
      const country = countries.find((c) => c.code === code);
      expect({ code, served: country !== undefined }).toEqual({ code, served: true });
      for (const [linkId, entry] of Object.entries(traits as Record<string, unknown>)) {
        expect(country!.searchMask.traits.map((t) => t.key)).toContain(linkId);
        const kind = typeof entry === 'string' ? entry : (entry as { document: string }).document;
        expect(DOCUMENT_KINDS).toContain(kind);
        expect(traitDocument(code, linkId)?.document).toBe(kind);
      }
    }
  });

  it('escapes hostile labels, help texts, country names and codes', () => {
    const hostile = '<script>alert("x")</script> & \'quote\' <img src=x onerror=alert(1)>';
    const items: TraitHelpItem[] = [
      { linkId: 'nationalHealthServiceNumber', label: hostile, help: hostile },
      { linkId: '"><svg onload=alert(1)>', label: 'Autre', help: 'Aide' },
    ];
    const html = traitHelp('PT" onmouseover="x', hostile, items);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('onload=alert');
    expect(html).not.toMatch(/ on[a-z]+="/);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quote&#39;');
    const root = parse(html);
    checkAccessible(root, items);
    expect(text(all(root, 'p')[0])).toContain(hostile);
  });

  it('does not crash on a trait or a country missing from the table: help text and a neutral illustration', () => {
    const items: TraitHelpItem[] = [
      { linkId: 'newTrait', label: 'Nouveau numéro', help: 'Figure sur un document nouveau.' },
      { linkId: 'constructor', label: 'Sans aide' },
      { linkId: '__proto__', label: 'Prototype', help: '' },
    ];
    for (const code of ['PT', 'ZZ', '', 'toString']) {
      const html = traitHelp(code, 'Pays', items);
      const root = parse(html);
      checkAccessible(root, items);
      const captions = all(root, 'figcaption').map(text);
      expect(captions[0]).toBe('Figure sur un document nouveau.');
      expect(captions[1]).toMatch(/demandez au patient/);
      expect(traitDocument(code, 'constructor')).toBeUndefined();
      expect(traitDocument(code, '__proto__')).toBeUndefined();
    }
    expect(traitDocument('pt', 'nationalHealthServiceNumber')).toEqual({ document: 'identity-card', side: 'back' });
  });

  it('gives an empty mask a summary and a sentence, no illustration', () => {
    const root = parse(traitHelp('PT', 'Portugal', []));
    checkAccessible(root, []);
    expect(text(root)).toContain('Aucune information');
  });

  it('gives unique ids to the illustrations of one country', () => {
    const pt = countries.find((c) => c.code === 'IT')!;
    const html = traitHelp('IT', pt.nameFr, itemsOf(searchMaskQuestionnaire(pt)));
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(2);
  });
});
