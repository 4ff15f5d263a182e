import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DOMParser, type Attr, type Element, type Node } from '@xmldom/xmldom';
import { convertPatientSummary } from '../../mapping/index.js';
import { projectPath } from '../../util/project.js';
import { summaryLinksFrom, summaryView } from './summary-view.js';

/**
 * The view over every fixture patient's level 3 summary, converted by the
 * project's converter as the API serves it, and over hostile Bundles. The
 * fragment is well-formed XML as written (void elements self-closed), so
 * xmldom reads it back.
 */

const fixtureDir = projectPath('fixtures', 'patients');
const patients = readdirSync(fixtureDir).filter((p) => existsSync(path.join(fixtureDir, p, 'L3.xml')));
const NOW = new Date('2026-11-30T06:45:00Z');

const bundles = new Map<string, fhir4.Bundle>();
function bundleOf(patient: string): fhir4.Bundle {
  let b = bundles.get(patient);
  if (!b) {
    b = convertPatientSummary(readFileSync(path.join(fixtureDir, patient, 'L3.xml')), { now: NOW }).bundle;
    bundles.set(patient, b);
  }
  return structuredClone(b);
}

function parse(html: string): Element {
  const errors: string[] = [];
  const doc = new DOMParser({
    onError: (level, msg) => {
      if (level !== 'warning') errors.push(msg);
    },
  }).parseFromString(`<root>${html}</root>`, 'text/xml');
  expect(errors).toEqual([]);
  return doc.documentElement as unknown as Element;
}

const all = (root: Element, name: string): Element[] => Array.from(root.getElementsByTagName(name)) as unknown as Element[];
/** The text of an element, a space between elements (cells, lines, paragraphs). */
function text(el: Element | undefined): string {
  const walk = (n: Node): string => (n.nodeType === 3 || n.nodeType === 4 ? (n.nodeValue ?? '') : ` ${Array.from(n.childNodes).map(walk).join('')} `);
  return el ? walk(el as unknown as Node).replace(/\s+/g, ' ').trim() : '';
}
const children = (el: Element): Element[] => (Array.from(el.childNodes) as unknown as Element[]).filter((c) => c.nodeType === 1);

/** "Nom et prénom" → its dd, in the block headed by `heading`. */
function facts(root: Element, heading: string): Record<string, string> {
  const h2 = all(root, 'h2').find((h) => text(h) === heading);
  expect(h2).toBeDefined();
  const block = h2!.parentNode as unknown as Element;
  expect(block.tagName).toBe('section');
  expect(block.getAttribute('aria-labelledby')).toBe(h2!.getAttribute('id'));
  const out: Record<string, string> = {};
  const dl = all(block, 'dl')[0];
  let key = '';
  for (const c of children(dl)) {
    if (c.tagName === 'dt') key = text(c);
    else out[key] = text(c);
  }
  return out;
}

function composition(b: fhir4.Bundle): fhir4.Composition {
  return b.entry!.find((e) => e.resource?.resourceType === 'Composition')!.resource as fhir4.Composition;
}

/** Our own markup and the narrative allowlist: nothing else may come out. */
const ELEMENTS = new Set([
  'root', 'section', 'h2', 'h3', 'h4', 'h5', 'h6', 'dl', 'dt', 'dd', 'p', 'ul', 'ol', 'li', 'a', 'span', 'div', 'details', 'summary',
  'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'b', 'i', 'em', 'strong', 'br', 'sup', 'sub', 'code',
]);
const ATTRIBUTES = new Set(['class', 'lang', 'title', 'colspan', 'rowspan', 'id', 'aria-labelledby', 'open', 'href', 'target', 'rel', 'type']);

function checkSafe(root: Element, html: string): void {
  expect(html).not.toMatch(/<script|<style|<img|<iframe|<svg|<object|<embed/i);
  for (const el of [root, ...all(root, '*')]) {
    expect(ELEMENTS.has(el.tagName)).toBe(true);
    for (const a of Array.from(el.attributes) as unknown as Attr[]) {
      expect({ element: el.tagName, attribute: a.name, ok: ATTRIBUTES.has(a.name) }).toEqual({ element: el.tagName, attribute: a.name, ok: true });
      expect(a.value).not.toMatch(/javascript:|data:|vbscript:/i);
      if (a.name === 'href') expect(el.tagName).toBe('a');
    }
  }
}

/** Every section title, sub-sections included. */
function titles(sections: fhir4.CompositionSection[] | undefined): string[] {
  return (sections ?? []).flatMap((s) => [s.title ?? '', ...titles(s.section)]);
}

describe('summaryView over the fixture patients', () => {
  it.each(patients)('%s: both blocks, every section in order, its original text folded', (patient) => {
    const bundle = bundleOf(patient);
    const html = summaryView(bundle, {});
    const root = parse(html);
    checkSafe(root, html);
    const patientFacts = facts(root, 'Informations administratives du patient');
    expect(Object.keys(patientFacts)).toEqual(['Nom et prénom', 'Identifiant(s)', 'Date de naissance', 'Sexe', 'Adresse de résidence']);
    const documentFacts = facts(root, 'Informations sur la synthèse médicale');
    expect(Object.keys(documentFacts)).toEqual(['Pays', 'Nature', 'Langue d’origine', 'Auteur', 'Date de création']);
    for (const v of [...Object.values(patientFacts), ...Object.values(documentFacts)]) expect(v).not.toBe('');

    const c = composition(bundle);
    const sections = all(root, 'section').filter((s) => (s.getAttribute('class') ?? '').split(' ').includes('summary-section'));
    const headings = sections.map((s) => children(s)[0]);
    expect(headings.map(text)).toEqual(titles(c.section).map((t) => t.replace(/\s+/g, ' ').trim()));
    for (const [i, s] of sections.entries()) {
      expect(headings[i].getAttribute('id')).toBe(s.getAttribute('aria-labelledby'));
    }
    const ids = all(root, '*').map((el) => el.getAttribute('id')).filter(Boolean);
    expect(new Set(ids).size).toBe(ids.length);

    // Each section whose narrative holds the document's own text shows it in a "Texte original" details, in its language.
    (c.section ?? []).forEach((section, i) => {
      const view = sections.find((s) => s.getAttribute('aria-labelledby') === `synthese-section-${i + 1}`)!;
      const div = section.text?.div ?? '';
      const folded = all(view, 'details').filter((d) => text(all(d, 'summary')[0]) === 'Texte original');
      if (/class="original(-narrative)?"/.test(div)) {
        expect(folded.length).toBeGreaterThanOrEqual(1);
        const original = all(folded[0], 'div').find((d) => d.getAttribute('class') === 'original');
        expect(original?.getAttribute('lang')).toMatch(/^[a-z]{2}/);
        expect(text(original)).not.toBe('');
      }
      // the French table and its legend stay outside the details
      if (div.includes('class="entries"')) {
        const table = all(view, 'table').find((t) => t.getAttribute('class') === 'entries')!;
        expect(table).toBeDefined();
        expect((table.parentNode as unknown as Element).tagName).toBe('div');
      }
      if (div.includes('class="legend"')) expect(all(view, 'p').some((p) => (p.getAttribute('class') ?? '').includes('legend'))).toBe(true);
    });
    // no xml:lang, xmlns or width reaches the page
    expect(html).not.toMatch(/xml:lang|xmlns|width=|style=/);
  });

  it('hr-marija-bozicevic: the values of her CDA, no address', () => {
    const root = parse(summaryView(bundleOf('hr-marija-bozicevic'), {}));
    const p = facts(root, 'Informations administratives du patient');
    expect(p['Nom et prénom']).toBe('BOŽIČEVIĆ MARIJA');
    expect(p['Identifiant(s)']).toBe('157601853 — OID 2.16.17.710.840.1000.990.1');
    expect(p['Date de naissance']).toBe('19/03/1985');
    expect(p.Sexe).toBe('Féminin');
    expect(p['Adresse de résidence']).toBe('Information indisponible');
    const d = facts(root, 'Informations sur la synthèse médicale');
    expect(d).toEqual({
      Pays: 'Croatie',
      Nature: 'manuelle',
      'Langue d’origine': 'croate (hr-HR)',
      Auteur: 'Ana Perić (Médecins généralistes) Dom zdravlja Zagreb – Centar',
      'Date de création': '04/11/2025 à 10:15 (UTC+01:00)',
    });
    const author = all(root, 'dd')[8];
    expect(all(author, 'br')).toHaveLength(1);
  });

  it('it-niccolo-rossi: two identifiers, his address, in French', () => {
    const root = parse(summaryView(bundleOf('it-niccolo-rossi'), {}));
    const p = facts(root, 'Informations administratives du patient');
    expect(p['Nom et prénom']).toBe('ROSSI NICCOLÒ');
    expect(p['Identifiant(s)']).toBe('RSSNCL79D22H501W — OID 2.16.840.1.113883.2.9.4.3.2 80380 — OID 2.16.840.1.113883.2.9.4.1.4');
    expect(p['Date de naissance']).toBe('22/04/1979');
    expect(p.Sexe).toBe('Masculin');
    expect(p['Adresse de résidence']).toBe('Via dei Coronari 18, 00186 Roma, Italie');
    const d = facts(root, 'Informations sur la synthèse médicale');
    expect(d.Pays).toBe('Italie');
    expect(d.Nature).toBe('manuelle');
    expect(d['Langue d’origine']).toBe('italien (it-IT)');
    expect(d.Auteur).toBe('Giulia Bianchi (Médecins généralistes) ASL Roma 1 – Casa della Salute Prati');
    expect(d['Date de création']).toBe('05/11/2025 à 10:00 (UTC+01:00)');
  });

  it('names identifier systems with the label the portal gives, and the assigner the facade adds', () => {
    const bundle = bundleOf('hr-marija-bozicevic');
    const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as fhir4.Patient;
    patient.identifier![0].assigner = { display: 'NCPeH Croatie' };
    const root = parse(summaryView(bundle, {}, { identifierLabel: (s) => (s === 'urn:oid:2.16.17.710.840.1000.990.1' ? 'Numéro d’assurance maladie (MBO)' : undefined) }));
    expect(facts(root, 'Informations administratives du patient')['Identifiant(s)']).toBe(
      '157601853 — Numéro d’assurance maladie (MBO), NCPeH Croatie (OID 2.16.17.710.840.1000.990.1)',
    );
  });

  it('a summary written by a system (Device author) is « automatique », the device named', () => {
    const bundle = bundleOf('hr-marija-bozicevic');
    bundle.entry!.push({ fullUrl: 'urn:uuid:7d1e5b0c-0000-4000-8000-000000000001', resource: { resourceType: 'Device', deviceName: [{ name: 'Tervise infosüsteem', type: 'other' }] } as fhir4.Device });
    const c = composition(bundle);
    c.author = [{ reference: 'urn:uuid:7d1e5b0c-0000-4000-8000-000000000001' }, c.author![1]];
    const d = facts(parse(summaryView(bundle, {})), 'Informations sur la synthèse médicale');
    expect(d.Nature).toBe('automatique');
    expect(d.Auteur).toBe('Tervise infosüsteem Dom zdravlja Zagreb – Centar');
  });

  it('flags untranslated terms visibly and explains the flag in the section', () => {
    const root = parse(summaryView(bundleOf('mt-guzeppi-farrugia'), {}));
    const flagged = all(root, 'span').filter((s) => s.getAttribute('class') === 'untranslated');
    expect(flagged.length).toBeGreaterThanOrEqual(2);
    const inTable = flagged.find((s) => text(s) === '[non traduit]' && s.getAttribute('title'));
    expect(inTable).toBeDefined();
    const section = all(root, 'section').find((s) => (s.getAttribute('class') ?? '').includes('has-untranslated'))!;
    expect(section).toBeDefined();
    const legend = all(section, 'p').find((p) => (p.getAttribute('class') ?? '').includes('legend-untranslated'));
    expect(text(legend)).toBe('[non traduit] : terme laissé dans la langue d’origine, faute de traduction.');
    // sections without an untranslated term have no such line
    for (const s of all(root, 'section').filter((x) => !(x.getAttribute('class') ?? '').includes('has-untranslated'))) {
      expect(all(s, 'p').some((p) => (p.getAttribute('class') ?? '').includes('legend-untranslated'))).toBe(false);
    }
  });

  it('a section with an emptyReason says so once; its original text alone is shown unfolded', () => {
    const bundle = bundleOf('hr-josip-kovacic-split');
    const root = parse(summaryView(bundle, {}));
    const sections = all(root, 'section').filter((s) => (s.getAttribute('class') ?? '').includes('empty'));
    expect(sections.length).toBe(3);
    for (const s of sections) {
      expect(text(s).match(/Information non disponible/g)).toHaveLength(1);
      const d = all(s, 'details')[0];
      expect(d.getAttribute('open')).not.toBeNull();
      expect(text(all(d, 'summary')[0])).toBe('Texte original');
    }
    // an emptyReason the narrative does not say (a required section the document lacked) is said by the view
    const c = composition(bundle);
    c.section!.push({ title: 'Dispositifs médicaux', text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Section absente du document d’origine.</p></div>' }, emptyReason: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'notasked' }] } });
    const last = all(parse(summaryView(bundle, {})), 'section').pop()!;
    expect(text(last)).toBe('Dispositifs médicaux Aucune donnée structurée : Non demandé. Section absente du document d’origine.');
  });

  it('links: the PDFs in a new tab, the CDA, nothing that is not a URL of ours', () => {
    const bundle = bundleOf('hr-marija-bozicevic');
    const root = parse(summaryView(bundle, { originalPdf: '/portal/documents/abc.L1', frenchPdf: '/portal/documents/abc.fr-PDF', originalCda: '/portal/documents/abc.L3' }));
    const links = all(root, 'a');
    expect(links.map((a) => [text(a), a.getAttribute('href'), a.getAttribute('target'), a.getAttribute('rel')])).toEqual([
      ['Document original (PDF) (nouvel onglet)', '/portal/documents/abc.L1', '_blank', 'noopener'],
      ['Version française (PDF) (nouvel onglet)', '/portal/documents/abc.fr-PDF', '_blank', 'noopener'],
      ['Document original (CDA)', '/portal/documents/abc.L3', null, null],
    ]);
    const none = parse(summaryView(bundle, { originalPdf: 'javascript:alert(1)', frenchPdf: '//evil.example/x.pdf', originalCda: 'data:text/html,x' }));
    expect(all(none, 'a')).toHaveLength(0);
    expect(all(parse(summaryView(bundle, {})), 'a')).toHaveLength(0);
  });

  it('summaryLinksFrom: the links from the DocumentReference search, by the kind of their ids', () => {
    const dr = (id: string): fhir4.BundleEntry => ({ resource: { resourceType: 'DocumentReference', id, status: 'current', content: [{ attachment: {} }] } as fhir4.DocumentReference });
    const search: fhir4.Bundle = { resourceType: 'Bundle', type: 'searchset', entry: [dr('h1.L3'), dr('h1.L1-1'), dr('h1.L1'), dr('h1.fr-L3'), dr('h1.fr-PDF'), dr('other')] };
    expect(summaryLinksFrom(search, (id) => `/portal/documents/${id}`)).toEqual({
      originalPdf: '/portal/documents/h1.L1',
      frenchPdf: '/portal/documents/h1.fr-PDF',
      originalCda: '/portal/documents/h1.L3',
    });
    expect(summaryLinksFrom([], (id) => id)).toEqual({});
  });

  it('lists the original clinical documents by kind, the most recent first, under "Documents d’origine", each a link that opens through the portal', () => {
    const orcd = (id: string, kind: string, title: string, creation: string, contentType = 'application/pdf'): fhir4.BundleEntry => ({
      resource: {
        resourceType: 'DocumentReference', id, status: 'current', category: [{ coding: [{ system: 'http://loinc.org', code: kind }] }],
        author: [{ display: 'Ivana Babić, KBC Zagreb' }], content: [{ attachment: { contentType, title, creation } }],
      } as fhir4.DocumentReference,
    });
    const search: fhir4.Bundle = {
      resourceType: 'Bundle', type: 'searchset', entry: [
        orcd('h1.lab-000000000001', '11502-2', 'Nalaz <b>laboratorijskih</b> pretraga', '2024-03-11T09:15:00Z'),
        orcd('h1.lab-000000000002', '11502-2', 'Nalaz laboratorijskih pretraga', '2025-09-02T07:30:00Z'),
        orcd('h1.img-000000000003', 'x-clinical-image', 'RTG pluća PA', '2023-04-15T08:15:00Z', 'image/png'),
        orcd('h1.hdr-000000000004', '34105-7', 'Otpusno pismo', '1999-07-24'),
      ],
    };
    const links = summaryLinksFrom(search, (id) => `/portal/patients/h1/documents/${id.slice(3)}`);
    expect(links.originals?.map((o) => [o.kind, o.mediaType, o.href])).toEqual([
      ['11502-2', 'application/pdf', '/portal/patients/h1/documents/lab-000000000001'],
      ['11502-2', 'application/pdf', '/portal/patients/h1/documents/lab-000000000002'],
      ['x-clinical-image', 'image/png', '/portal/patients/h1/documents/img-000000000003'],
      ['34105-7', 'application/pdf', '/portal/patients/h1/documents/hdr-000000000004'],
    ]);
    const html = summaryView(bundleOf('hr-marija-bozicevic'), links);
    const root = parse(html);
    const block = all(root, 'section').find((x) => x.getAttribute('class') === 'summary-block original-documents')!;
    expect(all(block, 'h2').map((h) => h.textContent)).toEqual(['Documents d’origine']);
    expect(all(block, 'h3').map((h) => h.textContent)).toEqual(['Comptes rendus d’examens biologiques', 'Comptes rendus d’hospitalisation', 'Images médicales']);
    const anchors = all(block, 'a');
    expect(anchors.map((a) => a.getAttribute('href'))).toEqual(['lab-000000000002', 'lab-000000000001', 'hdr-000000000004', 'img-000000000003'].map((d) => `/portal/patients/h1/documents/${d}`));
    expect(anchors[0].textContent).toBe('Nalaz laboratorijskih pretraga — 02/09/2025 (PDF) (nouvel onglet)');
    expect(anchors[3].getAttribute('type')).toBe('image/png');
    expect(anchors.every((a) => a.getAttribute('target') === '_blank' && a.getAttribute('rel') === 'noopener')).toBe(true);
    // Text from the country is escaped, never markup.
    expect(html).toContain('Nalaz &lt;b&gt;laboratorijskih&lt;/b&gt; pretraga');
    // Under the summary, announced above it.
    expect(html.indexOf('original-documents')).toBeGreaterThan(html.indexOf('summary-sections'));
    expect(all(root, 'p').find((x) => x.getAttribute('class') === 'originals-notice no-print')!.textContent).toMatch(/^Le pays a aussi transmis 4 documents d’origine/);
    // No block, no notice, without originals (or with only unsafe links).
    expect(summaryView(bundleOf('hr-marija-bozicevic'), {})).not.toContain('Documents d’origine');
    expect(summaryView(bundleOf('hr-marija-bozicevic'), { originals: [{ kind: '11502-2', authors: [], mediaType: 'application/pdf', href: 'javascript:alert(1)' }] })).not.toContain('Documents d’origine');
  });
});

describe('summaryView over a hostile Bundle', () => {
  const HOSTILE_DIV =
    '<div xmlns="http://www.w3.org/1999/xhtml" xml:lang="fr-FR" onload="alert(0)">' +
    '<p onclick="alert(1)" style="color:red" class="legend evil">Bonjour<script>alert(2)</script></p>' +
    '<img src="x" onerror="alert(3)"/>' +
    '<a href="javascript:alert(4)" onmouseover="alert(5)">cliquez</a>' +
    '<table style="position:fixed" width="100%"><tr><td colspan="2&quot; onmouseover=&quot;alert(6)" rowspan="3" style="x">case</td></tr></table>' +
    '<p id="x&quot; onfocus=&quot;alert(7)">&lt;script&gt;alert(8)&lt;/script&gt;</p>' +
    '<h1>Titre de la source</h1>' +
    '<div class="original-narrative"><p>Texte original :</p>' +
    '<div class="original" lang="hr-HR" style="display:none">' +
    '<span class="untranslated proposed" onclick="alert(9)">faux</span>' +
    '<iframe src="javascript:alert(10)"/>' +
    '<svg onload="alert(11)"><script>alert(12)</script></svg>' +
    '<style>body{display:none}</style>' +
    '<object data="x.swf"/><embed src="x"/><form action="https://evil.example"><input name="pin"/><button>ok</button></form>' +
    '<link rel="stylesheet" href="https://evil.example/x.css"/>' +
    '<SCRIPT>alert(13)</SCRIPT><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(14)</h:script>' +
    '<b><![CDATA[<script>alert(15)</script>]]></b>' +
    '</div></div></div>';

  function hostileBundle(): fhir4.Bundle {
    const bundle = bundleOf('hr-marija-bozicevic');
    const c = composition(bundle);
    c.section![0].title = 'Traitements <img src=x onerror=alert(16)>';
    c.section![0].text = { status: 'additional', div: HOSTILE_DIV };
    c.section![1].text = { status: 'additional', div: '<div><p>pas du XML<script>alert(17)</script></div>' };
    c.section![2].text = { status: 'additional', div: '<!DOCTYPE div [<!ENTITY x "y">]><div>&x;</div>' };
    const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as fhir4.Patient;
    patient.name = [{ family: '<script>alert(18)</script>', given: ['"><img src=x onerror=alert(19)>'] }];
    patient.identifier = [{ system: 'javascript:alert(20)', value: '<b>1</b>' }];
    return bundle;
  }

  it('renders no script, handler, style, link, image or frame; text is text', () => {
    const html = summaryView(hostileBundle(), {});
    const root = parse(html);
    checkSafe(root, html);
    expect(html).not.toMatch(/\son\w+="/i);
    const first = all(root, 'section').find((s) => s.getAttribute('aria-labelledby') === 'synthese-section-1')!;
    expect(text(children(first)[0])).toBe('Traitements <img src=x onerror=alert(16)>');
    expect(text(first)).toContain('<script>alert(8)</script>');
    expect(text(first)).toContain('cliquez');
    expect(text(first)).not.toMatch(/alert\((2|12|13|14)\)|body\{display/);
    // the source cannot pass for our marks: its classes are prefixed, our unknown classes dropped
    const fake = all(first, 'span').find((s) => text(s) === 'faux')!;
    expect(fake.getAttribute('class')).toBe('cda-untranslated cda-proposed');
    expect(first.getAttribute('class')).not.toContain('has-untranslated');
    expect(all(first, 'p')[0].getAttribute('class')).toBe('legend');
    // attributes smuggled inside values stay inside them
    const td = all(first, 'td')[0];
    expect(td.hasAttribute('colspan')).toBe(false);
    expect(td.getAttribute('rowspan')).toBe('3');
    expect(all(first, 'h3').map(text)).toEqual(['Titre de la source']);
    // CDATA is text
    expect(text(all(first, 'b').pop())).toBe('<script>alert(15)</script>');
    // not XML, or a DOCTYPE: not shown, said so
    for (const n of [2, 3]) {
      const s = all(root, 'section').find((x) => x.getAttribute('aria-labelledby') === `synthese-section-${n}`)!;
      expect(text(s)).toContain('n’a pas pu être affiché');
    }
    const p = facts(root, 'Informations administratives du patient');
    expect(p['Nom et prénom']).toBe('<script>alert(18)</script> "><img src=x onerror=alert(19)>');
    expect(p['Identifiant(s)']).toBe('<b>1</b> — javascript:alert(20)');
  });

  it('an absent address, birth date or sex is "Information indisponible"; no Composition is said so', () => {
    const bundle = bundleOf('it-niccolo-rossi');
    const patient = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as fhir4.Patient;
    delete patient.address;
    delete patient.birthDate;
    delete patient.gender;
    const p = facts(parse(summaryView(bundle, {})), 'Informations administratives du patient');
    expect([p['Adresse de résidence'], p['Date de naissance'], p.Sexe]).toEqual(['Information indisponible', 'Information indisponible', 'Information indisponible']);
    expect(summaryView({ resourceType: 'Bundle', type: 'document' }, {})).toContain('ne peut pas être affichée');
  });
});
