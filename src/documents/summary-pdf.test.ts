import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import { convertPatientSummary } from '../mapping/index.js';
import { packageInfo, projectPath } from '../util/project.js';
import { ORIGINAL_LIMITS, renderSummaryPdf } from './summary-pdf.js';

/**
 * The PDF is read back with an independent reader (Mozilla's pdf.js): its
 * text, metadata, tagging and the position of every piece of text.
 */

const GENERATED_AT = new Date('2026-11-30T06:45:00Z');
const A4_WIDTH = 595.28;
const A4_HEIGHT = 841.89;
const EXT_ORIGINAL_TEXT = 'http://hl7.org/fhir/StructureDefinition/originalText';

interface ReadPdf {
  pages: string[];
  text: string;
  info: Record<string, unknown>;
  marked: boolean;
  structRoles: string[];
  /** Text pieces lying (partly) outside the page's printable area. */
  outside: string[];
}

async function readPdf(pdf: Buffer): Promise<ReadPdf> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    const outside: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : ' ');
        const [x, y] = [item.transform[4], item.transform[5]];
        if (item.str.trim() && (x < 20 || x + item.width > A4_WIDTH - 20 || y < 10 || y > A4_HEIGHT - 10)) outside.push(`p${i} x=${x.toFixed(1)} w=${item.width.toFixed(1)} "${item.str.slice(0, 40)}"`);
      }
      pages.push(text);
    }
    const meta = await doc.getMetadata();
    const markInfo = (await doc.getMarkInfo()) as { Marked?: boolean } | null;
    const tree = (await (await doc.getPage(1)).getStructTree()) as { role: string; children?: Array<{ role?: string }> } | null;
    return {
      pages,
      text: pages.join('\n'),
      info: meta.info as Record<string, unknown>,
      marked: markInfo?.Marked === true,
      structRoles: (tree?.children ?? []).map((c) => c.role ?? ''),
      outside,
    };
  } finally {
    await doc.destroy();
  }
}

/** Whitespace differs between the Bundle and the laid-out lines (wrapping): compare without it. */
const squash = (s: string): string => s.replace(/\s+/g, '');

function resources<T extends fhir4.FhirResource>(bundle: fhir4.Bundle, type: T['resourceType']): T[] {
  return (bundle.entry ?? []).map((e) => e.resource as fhir4.FhirResource).filter((r): r is T => r?.resourceType === type);
}

/** The term a narrative shows for a concept: its French text, else the source's words. */
function term(c: fhir4.CodeableConcept | undefined): string | undefined {
  if (!c) return undefined;
  return c.text ?? c.extension?.find((e) => e.url === EXT_ORIGINAL_TEXT)?.valueString ?? c.coding?.find((x) => x.display)?.display;
}

function expectedTerms(bundle: fhir4.Bundle): { allergies: string[]; medications: string[] } {
  const allergies = resources<fhir4.AllergyIntolerance>(bundle, 'AllergyIntolerance')
    .map((a) => term(a.code))
    .filter((t): t is string => !!t);
  const medications: string[] = [];
  for (const ms of resources<fhir4.MedicationStatement>(bundle, 'MedicationStatement')) {
    const t = term(ms.medicationCodeableConcept);
    if (t) medications.push(t);
  }
  for (const m of resources<fhir4.Medication>(bundle, 'Medication')) {
    const t = term(m.code);
    if (t) medications.push(t);
    for (const i of m.ingredient ?? []) {
      const it = term(i.itemCodeableConcept);
      if (it) medications.push(it);
    }
  }
  return { allergies, medications };
}

function untranslatedCount(bundle: fhir4.Bundle): number {
  const prov = resources<fhir4.Provenance>(bundle, 'Provenance')[0];
  const counts = prov?.extension?.find((e) => e.url.endsWith('/translation-counts'));
  return counts?.extension?.find((e) => e.url === 'untranslated')?.valueInteger ?? 0;
}

function expectFooter(read: ReadPdf, bundle: fhir4.Bundle): void {
  const composition = resources<fhir4.Composition>(bundle, 'Composition')[0];
  const sourceId = composition.relatesTo?.find((r) => r.code === 'transforms')?.targetIdentifier?.value;
  const { name } = packageInfo();
  read.pages.forEach((page, i) => {
    const p = squash(page);
    expect(p).toContain(squash(`page ${i + 1} / ${read.pages.length}`));
    expect(p).toContain(squash(`Traduction automatique générée le 30/11/2026 à 07:45 (heure de Paris) par ${name}`));
    expect(p).toContain(squash('Document d’origine :'));
    if (sourceId) expect(p).toContain(squash(sourceId));
  });
}

const fixtureDir = projectPath('fixtures', 'patients');
const fixtures = readdirSync(fixtureDir).filter((d) => {
  try {
    readFileSync(path.join(fixtureDir, d, 'L3.xml'));
    return true;
  } catch {
    return false;
  }
});

describe('renderSummaryPdf, fixture patients (L3), read back with pdf.js', () => {
  it('has fixtures, Greek ones among them', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(10);
    expect(fixtures.some((f) => f.startsWith('gr-'))).toBe(true);
  });

  it.each(fixtures)('%s', async (fixture) => {
    const { bundle } = convertPatientSummary(readFileSync(path.join(fixtureDir, fixture, 'L3.xml')), { now: GENERATED_AT });
    const pdf = await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT });
    expect(pdf.subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
    const read = await readPdf(pdf);
    const text = squash(read.text);
    expect(read.pages.length).toBeGreaterThanOrEqual(1);

    // Title, patient, the sections in French.
    const composition = resources<fhir4.Composition>(bundle, 'Composition')[0];
    expect(text).toContain(squash('Synthèse médicale du patient (traduction française)'));
    const patient = resources<fhir4.Patient>(bundle, 'Patient')[0];
    for (const n of patient.name ?? []) {
      if (n.family) expect(text).toContain(squash(n.family));
      for (const g of n.given ?? []) expect(text).toContain(squash(g));
    }
    expect(text).toContain(squash(`Date de naissance ${patient.birthDate!.split('-').reverse().join('/')}`));
    for (const s of composition.section ?? []) expect(text).toContain(squash(s.title!));

    // Every allergy's and medication's term, as the narrative shows it.
    const { allergies, medications } = expectedTerms(bundle);
    for (const t of [...allergies, ...medications]) expect(text).toContain(squash(t));

    // Untranslated terms are flagged; the legend is printed.
    if (untranslatedCount(bundle) > 0) expect(text).toContain(squash('[non traduit]'));
    expect(text).toContain(squash('* traduction du projet, non validée par un terminologue'));

    // The source's words (Greek, Croatian, Latvian… letters) survive: every original text of the Bundle.
    for (const e of bundle.entry ?? []) {
      const json = JSON.stringify(e.resource);
      for (const m of json.matchAll(/"url":"http:\/\/hl7\.org\/fhir\/StructureDefinition\/originalText","valueString":"((?:[^"\\]|\\.)*)"/g)) {
        expect(text).toContain(squash(JSON.parse(`"${m[1]}"`) as string));
      }
    }
    if (fixture.startsWith('gr-') || fixture.startsWith('cy-')) expect(read.text).toMatch(/[\u0391-\u03c9]{4,}/);

    expectFooter(read, bundle);
    expect(read.info.Title).toEqual(expect.stringContaining('Synthèse médicale du patient'));
    expect(read.info.Language).toBe('fr-FR');
    expect(read.info.CreationDate).toBe('D:20261130064500Z');
    expect(read.marked).toBe(true);
    expect(read.structRoles).toEqual(['Document']);
    expect(read.outside).toEqual([]);
  });

  it('keeps Croatian letters and the source narrative (hr-marija-bozicevic)', async () => {
    const { bundle } = convertPatientSummary(readFileSync(path.join(fixtureDir, 'hr-marija-bozicevic', 'L3.xml')), { now: GENERATED_AT });
    const read = await readPdf(await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT }));
    const text = squash(read.text);
    for (const s of ['MARIJA BOŽIČEVIĆ', 'Pays d’origine Croatie', 'Langue d’origine Croate (Croatie)', 'Sexe féminin', 'Date de création 04/11/2025 à 10:15 (UTC+01:00)', 'Ana Perić', 'Texte original du document (croate), non traduit', 'stlačeni inhalat, suspenzija', 'Konzumacija alkoholnih pića', 'phénoxyméthylpénicilline*(fenoksimetilpenicilin)', 'Actif†(Active)']) {
      expect(text).toContain(squash(s));
    }
  });

  it('says which sections have no data (hr-josip-kovacic-split)', async () => {
    const { bundle } = convertPatientSummary(readFileSync(path.join(fixtureDir, 'hr-josip-kovacic-split', 'L3.xml')), { now: GENERATED_AT });
    const read = await readPdf(await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT }));
    expect(squash(read.text)).toContain(squash('Aucune donnée structurée : Information non disponible'));
  });

  it('prints a level-1 summary (content only in the source PDF) saying where the content is', async () => {
    const { bundle } = convertPatientSummary(readFileSync(path.join(fixtureDir, 'hr-marija-bozicevic', 'L1.xml')), { now: GENERATED_AT });
    const read = await readPdf(await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT }));
    const text = squash(read.text);
    expect(text).toContain(squash('MARIJA BOŽIČEVIĆ'));
    expect(text).toContain(squash('Section sans données : Dans le document PDF d’origine, non structuré.'));
    expect(text).toContain(squash('figurent dans le document d’origine au format PDF (niveau 1)'));
    expectFooter(read, bundle);
  });

  it('keeps Cyrillic letters in a summary made after a Greek one (fonts shared between documents)', async () => {
    const { bundle: greek } = convertPatientSummary(readFileSync(path.join(fixtureDir, 'gr-dimitrios-papadopoulos', 'L3.xml')), { now: GENERATED_AT });
    await renderSummaryPdf(greek, { generatedAt: GENERATED_AT });
    const cyrillic = syntheticBundle([{ title: 'Traitements', text: div('<p>Пеницилин ПП Пункт Πάπια</p>') }]);
    const read = await readPdf(await renderSummaryPdf(cyrillic, { generatedAt: GENERATED_AT }));
    expect(squash(read.text)).toContain(squash('Пеницилин ПП Пункт Πάπια'));
  });

  it('gives the same bytes for the same Bundle and date', async () => {
    const { bundle } = convertPatientSummary(readFileSync(path.join(fixtureDir, 'lv-janis-berzins', 'L3.xml')), { now: GENERATED_AT });
    const a = await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT });
    const b = await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT });
    expect(a.equals(b)).toBe(true);
    const c = await renderSummaryPdf(bundle, { generatedAt: new Date('2027-01-02T03:04:05Z') });
    expect(c.equals(a)).toBe(false);
  });
});

/** A small translated Bundle, as the conversion makes them. */
function syntheticBundle(sections: fhir4.CompositionSection[]): fhir4.Bundle {
  const composition: fhir4.Composition = {
    resourceType: 'Composition',
    status: 'final',
    language: 'fr-FR',
    type: { text: 'Synthèse médicale du patient', coding: [{ system: 'http://loinc.org', code: '60591-5' }] },
    subject: { reference: 'urn:uuid:p' },
    date: '2025-10-01T08:30:00+03:00',
    author: [{ reference: 'urn:uuid:a' }],
    title: 'Synthèse médicale du patient',
    extension: [
      {
        url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translated-from',
        extension: [
          { url: 'language', valueCode: 'lt-LT' },
          { url: 'country', valueCode: 'LT' },
        ],
      },
    ],
    relatesTo: [{ code: 'transforms', targetIdentifier: { system: 'urn:oid:1.2.3', value: 'LT-DOC-42' } }],
    section: sections,
  };
  const patient: fhir4.Patient = { resourceType: 'Patient', name: [{ family: 'ŽEMAITĖ', given: ['ŪLA'] }], gender: 'female', birthDate: '1970-05-06' };
  const author: fhir4.Practitioner = { resourceType: 'Practitioner', name: [{ family: 'Šėrys', given: ['Ąžuolas'] }] };
  return {
    resourceType: 'Bundle',
    type: 'document',
    entry: [
      { fullUrl: 'urn:uuid:c', resource: composition },
      { fullUrl: 'urn:uuid:p', resource: patient },
      { fullUrl: 'urn:uuid:a', resource: author },
    ],
  };
}

const div = (inner: string): { status: 'additional'; div: string } => ({ status: 'additional', div: `<div xmlns="http://www.w3.org/1999/xhtml" lang="fr-FR">${inner}</div>` });

describe('renderSummaryPdf, synthetic Bundles', () => {
  it('prints Cyrillic, Latvian and Lithuanian letters, empty sections and metadata', async () => {
    const bundle = syntheticBundle([
      {
        title: 'Allergies et intolérances',
        text: div(
          '<table class="entries"><thead><tr><th>Agent</th><th>Réaction(s)</th></tr></thead><tbody>' +
            '<tr><td>Pénicilline<sup class="proposed">*</sup> <span class="original" lang="bg">(Пеницилин)</span></td><td>Urticaire <span class="original">(Уртикария)</span></td></tr>' +
            '<tr><td>Ibuprofène <span class="original">(Ибупрофен; ёжик ЁЖИК)</span></td><td>Œdème <span class="original">(tinsls — ąčęėįšųūž ĄČĘĖĮŠŲŪŽ)</span></td></tr>' +
            '<tr><td>Ūdens <span class="untranslated">[non traduit]</span></td><td>āēīūčšžņļķģŗ ĀĒĪŪČŠŽŅĻĶĢŖ</td></tr>' +
            '</tbody></table><p class="legend">* traduction du projet, non validée par un terminologue</p>' +
            '<div class="original-narrative"><p><b>Texte original du document (lituanien), non traduit</b></p><div class="original" lang="lt-LT"><p>Alergija penicilinui: dilgėlinė, 2019 m.</p><ul><li>Пункт один</li><li>Žiedadulkės</li></ul></div></div>',
        ),
      },
      { title: 'Dispositifs médicaux', emptyReason: { text: 'Information non disponible' } },
      { title: 'Vaccinations' },
    ]);
    const read = await readPdf(await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT, title: 'Synthèse de ŪLA ŽEMAITĖ' }));
    const text = squash(read.text);
    for (const s of [
      'ŪLA ŽEMAITĖ',
      'Pays d’origine Lituanie',
      'Langue d’origine Lituanien (Lituanie)',
      'Ąžuolas Šėrys',
      'Пеницилин',
      'Уртикария',
      'Ибупрофен; ёжик ЁЖИК',
      'ąčęėįšųūž ĄČĘĖĮŠŲŪŽ',
      'āēīūčšžņļķģŗ ĀĒĪŪČŠŽŅĻĶĢŖ',
      'Ūdens [non traduit]',
      'Pénicilline*(Пеницилин)',
      'Alergija penicilinui: dilgėlinė, 2019 m.',
      '• Пункт один',
      '• Žiedadulkės',
      'Section sans données : Information non disponible.',
      'Aucune information dans cette section.',
      'Document d’origine : Lituanie, identifiant LT-DOC-42, du 01/10/2025',
      'Date de création 01/10/2025 à 08:30 (UTC+03:00)',
      'page 1 / 1',
    ]) {
      expect(text).toContain(squash(s));
    }
    expect(read.info.Title).toBe('Synthèse de ŪLA ŽEMAITĖ');
    expect(read.info.Language).toBe('fr-FR');
    expect(read.marked).toBe(true);
    expect(read.outside).toEqual([]);
  });

  it('keeps wide tables and unbreakable words inside the page', async () => {
    const long = 'X'.repeat(3000);
    const head = `<tr>${Array.from({ length: 8 }, (_, i) => `<th>Colonne numéro ${i + 1} au titre très long</th>`).join('')}</tr>`;
    const rows = Array.from({ length: 40 }, (_, r) => `<tr>${Array.from({ length: 8 }, (_, c) => `<td>${c === 3 && r === 5 ? long : `valeur ${r}.${c} Ελληνικά`}</td>`).join('')}</tr>`).join('');
    const wide = `<table><tbody>${Array.from({ length: 3 }, () => `<tr>${Array.from({ length: 20 }, (_, c) => `<td>c${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
    const bundle = syntheticBundle([{ title: 'Traitements', text: div(`<table><thead>${head}</thead><tbody>${rows}</tbody></table>${wide}`) }]);
    const read = await readPdf(await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT }));
    expect(read.outside).toEqual([]);
    // The long word is cut between lines (and here pages), never lost.
    expect(read.text.match(/X/g)?.length).toBe(long.length);
    expect(squash(read.text)).toContain('valeur39.7Ελληνικά');
    expect(squash(read.text)).toContain(squash('c0 | c1 | c2'));
    // The header row is repeated on the pages the table continues on.
    const continued = read.pages.filter((p) => p.includes('valeur'));
    expect(continued.length).toBeGreaterThan(1);
    for (const p of continued) expect(squash(p)).toContain(squash('Colonne numéro 8'));
  });

  it('bounds a hostile source narrative (5,000 rows, 2 MB of text) to a few pages, with a French notice', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => `<tr><td>ligne ${i}</td><td>${'texte libre '.repeat(30)}</td></tr>`).join('');
    const huge = 'mot '.repeat(500_000);
    const bundle = syntheticBundle([
      {
        title: 'Traitements',
        text: div(`<p>Tableau traduit.</p><div class="original-narrative"><p><b>Texte original</b></p><div class="original" lang="lt-LT"><table><tbody>${rows}</tbody></table></div></div>`),
      },
      { title: 'Problèmes actifs', text: div(`<div class="original" lang="lt-LT"><p>${huge}</p>${'<p>x</p>'.repeat(10000)}</div>`) },
      { title: 'Vaccinations', text: div('<p>Après les sections hostiles.</p>') },
    ]);
    const started = Date.now();
    const pdf = await renderSummaryPdf(bundle, { generatedAt: GENERATED_AT });
    const elapsed = Date.now() - started;
    const read = await readPdf(pdf);
    const text = squash(read.text);
    expect(read.pages.length).toBeLessThanOrEqual(30);
    expect(text).toContain(squash('ligne 0'));
    expect(text).not.toContain(squash('ligne 4999'));
    expect(text.split(squash('[Texte d’origine tronqué')).length - 1).toBe(2);
    expect(text).toContain(squash(`limite de ${ORIGINAL_LIMITS.chars.toLocaleString('fr-FR').replace(/\s/g, ' ')} caractères`));
    expect(text).toContain(squash('Après les sections hostiles.'));
    expect(read.outside).toEqual([]);
    expect(elapsed).toBeLessThan(15_000);
  });

  it('refuses what is no document Bundle', async () => {
    await expect(renderSummaryPdf({ resourceType: 'Patient' } as unknown as fhir4.Bundle, { generatedAt: GENERATED_AT })).rejects.toThrow(TypeError);
    await expect(renderSummaryPdf({ resourceType: 'Bundle', type: 'document', entry: [] }, { generatedAt: GENERATED_AT })).rejects.toThrow(/Composition/);
  });
});
