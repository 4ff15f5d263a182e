import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TerminologyCatalogue } from '../../src/terminology/catalogue.js';
import { loadOperatorCatalogue, loadOperatorCatalogueAsync, type LoadReport, TerminologyImportError } from '../../src/terminology/import/index.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SCT = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const EDQM = 'http://standardterms.edqm.eu';

function load(location: string, language?: string): { c: TerminologyCatalogue; report: LoadReport } {
  const c = new TerminologyCatalogue();
  return { c, report: loadOperatorCatalogue(c, path.join(fixtures, location), language ? { language } : undefined) };
}
const skipped = (report: LoadReport, i = 0): Record<string, number> => Object.fromEntries(report.files[i].skipped.map((s) => [s.reason, s.count]));

describe('SNOMED CT RF2 snapshot', () => {
  it('takes the preferred synonym of the language refset: not the acceptable one, not an inactive row, never the FSN', () => {
    const { c, report } = load('snomed-rf2');
    expect(c.designation(SCT, '195967001', 'fr-FR')).toBe('Asthme — terme RF2 de test');
    expect(c.designation(SCT, '59621000', 'fr-FR')).toBe('Hypertension essentielle — terme RF2 de test');
    // 1000021 is preferred only by a retired refset member: 1000022 is the term.
    expect(c.designation(SCT, '999000001', 'fr-FR')).toBe('Trouble inventé — terme RF2 de test');
    expect(c.lookup(SCT, '195967001', 'fr-FR')).toEqual({
      text: 'Asthme — terme RF2 de test',
      status: 'official',
      source: expect.objectContaining({ id: 'snomed-ct:fr:FR9999999:20990131', name: 'SNOMED CT (fr, FR9999999)', version: '20990131', official: true }),
    });
    expect(report.files).toHaveLength(1);
    expect(report.files[0]).toMatchObject({ format: 'snomed-rf2', designations: 3, sources: [{ name: 'SNOMED CT (fr, FR9999999)', version: '20990131' }] });
    expect(skipped(report)).toEqual({
      'language refset: acceptable, not preferred': 1,
      'language refset: inactive member': 1,
      'synonym not preferred in the language reference set': 2,
      'inactive description': 1,
      'fully specified name (never the display)': 1,
      'language other than fr-FR': 1,
      'malformed row (not 9 tab-separated fields)': 1,
    });
    expect(report.files[0].skipped.find((s) => s.reason === 'inactive description')!.examples).toEqual(['sct2_Description_Snapshot-fr_FR9999999_20990131.txt line 4']);
    expect(report.ignored).toEqual([]);
  });

  it('finds the language refset of the release beside a description file given alone', () => {
    const { c } = load('snomed-rf2/sct2_Description_Snapshot-fr_FR9999999_20990131.txt');
    expect(c.designation(SCT, '195967001', 'fr-FR')).toBe('Asthme — terme RF2 de test');
  });

  it('without a language refset, says so and takes the latest active synonym (equal dates: smallest id)', () => {
    const { c, report } = load('snomed-rf2-no-refset');
    expect(c.designation(SCT, '195967001', 'fr-FR')).toBe('Asthme (terme le plus récent)');
    expect(report.files[0].notes).toEqual([expect.stringMatching(/^no language reference set.*latest effectiveTime.*smallest description id/)]);
    expect(skipped(report)).toMatchObject({ 'another synonym of the same concept taken': 2, 'fully specified name (never the display)': 1, 'inactive description': 1 });
  });

  it('refuses a file named like a description snapshot that is not one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rf2-'));
    try {
      writeFileSync(path.join(dir, 'sct2_Description_Snapshot-fr_FR9999999_20990131.txt'), 'conceptId,term\n1,x\n');
      expect(() => loadOperatorCatalogue(new TerminologyCatalogue(), dir)).toThrow(/sct2_Description_Snapshot-fr_FR9999999_20990131\.txt: not an RF2 file of this kind/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LOINC linguistic variant', () => {
  it('reads the quoted CSV, takes LONG_COMMON_NAME, else the display name, else the parts; language and release from the path', () => {
    const { c, report } = load('loinc');
    expect(c.designation(LOINC, '8480-6', 'fr-FR')).toBe('Pression artérielle systolique, "test" synthétique');
    expect(c.designation(LOINC, '8462-4', 'fr-FR')).toBe("Pression diastolique (nom d'affichage de test)");
    expect(c.designation(LOINC, '2345-7', 'fr-FR')).toBe('Glucose:Masse/Volume:Ponctuel:Sérum/Plasma:Quantitatif');
    expect(c.designation(LOINC, '99999-9', 'fr-FR')).toBeUndefined();
    expect(c.lookup(LOINC, '8480-6', 'fr-FR')!.source).toMatchObject({ name: 'LOINC (fr-FR, variante linguistique 18)', version: '2.99', official: true });
    expect(report.files.map((f) => path.basename(f.file))).toEqual(['frFR18LinguisticVariant.csv']);
    expect(skipped(report)).toEqual({ 'no translated text (LONG_COMMON_NAME, LinguisticVariantDisplayName and COMPONENT empty)': 1, 'no LOINC_NUM': 1 });
    expect(report.ignored.map((i) => [path.basename(i.file), i.reason])).toEqual([
      ['LinguisticVariants.csv', 'CSV whose header has neither system,code,display nor LOINC_NUM'],
      ['deDE15LinguisticVariant.csv', 'LOINC linguistic variant de-DE, not fr-FR'],
    ]);
  });

  it('reads another language when asked', () => {
    const { c } = load('loinc', 'de-DE');
    expect(c.designation(LOINC, '8480-6', 'de-DE')).toBe('Systolischer Blutdruck (Test)');
    expect(c.designation(LOINC, '8480-6', 'fr-FR')).toBeUndefined();
  });
});

describe('plain system,code,display CSV', () => {
  it('names the source from "# name:" or the file, takes the version from the comment or the column, defaults the language', () => {
    const { c, report } = load('csv');
    expect(c.designation(EDQM, '20053000', 'fr-FR')).toBe('Voie orale, "test"');
    expect(c.designation(EDQM, '10219000', 'fr-FR')).toBe('Comprimé\n(sur deux lignes)');
    expect(c.lookup(EDQM, '10221000', 'fr-FR')!.source).toMatchObject({ name: "Traductions EDQM de l'opérateur (test)", version: '2099-01', official: true });
    expect(c.designation(EDQM, '20066000', 'fr-FR')).toBeUndefined();
    expect(c.lookup('http://www.whocc.no/atc', 'A01AA02', 'fr-FR')!.source).toMatchObject({ name: 'atc-fr', version: '2100' });
    const edqm = report.files.find((f) => f.file.endsWith('edqm-operateur.csv'))!;
    expect(edqm).toMatchObject({ format: 'csv', designations: 3 });
    expect(Object.fromEntries(edqm.skipped.map((s) => [s.reason, s.examples]))).toEqual({ 'language other than fr-FR': ['edqm-operateur.csv line 8'], 'system, code or display empty': ['edqm-operateur.csv line 9'] });
    expect(report.ignored.map((i) => path.basename(i.file))).toEqual(['not-terminology.csv']);
  });
});

describe('FHIR terminology', () => {
  it('reads CodeSystem supplements, ValueSets with designations and Bundles, each resource its own source', () => {
    const { c, report } = load('fhir');
    expect(c.designation(SCT, '39579001', 'fr-FR')).toBe('Anaphylaxie (supplément de test)');
    expect(c.lookup(SCT, '39579001', 'fr-FR')!.source).toMatchObject({ name: 'Supplément SNOMED CT synthétique', version: '1.0.0', official: true });
    expect(c.designation(LOINC, '8867-4', 'fr-FR')).toBe('Fréquence cardiaque (jeu de valeurs de test)');
    expect(c.lookup('https://example.org/fhir/CodeSystem/synthetic', 'b', 'fr-FR')!.source).toMatchObject({ name: 'SyntheticCodes', version: '3' });
    const bundle = report.files.find((f) => f.file.endsWith('bundle.json'))!;
    expect(bundle).toMatchObject({ format: 'fhir', designations: 2 });
    expect(bundle.skipped.map((s) => [s.reason, s.examples])).toEqual([
      ['Patient: not terminology', ['bundle.json entry 1']],
      ['CodeSystem without url', ['bundle.json entry 2']],
    ]);
  });

  it.each([
    ['unpacked', 'fhir-package'],
    ['as an npm .tgz', 'fhir-package-tgz'],
  ])('reads a FHIR NPM package %s: the package folder only, sourced by package.json', (_how, dir) => {
    const { c, report } = load(dir);
    expect(c.designation(EDQM, '20053000', 'fr-FR')).toBe('Voie orale (paquet de test)');
    expect(c.lookup(EDQM, '10219000', 'fr-FR')!.source).toMatchObject({ id: 'fhir-package:synthetic.fhir.terminology.fr|0.1.0', name: 'synthetic.fhir.terminology.fr', version: '0.1.0', official: true });
    expect(report.files).toEqual([
      expect.objectContaining({ format: 'fhir-npm-package', designations: 2, skipped: [{ reason: 'StructureDefinition: not terminology', count: 1, examples: ['StructureDefinition-synthetic.json'] }] }),
    ]);
  });

  it('stops on a file that is not valid JSON, naming it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fhir-'));
    try {
      writeFileSync(path.join(dir, 'broken.json'), '{"resourceType": "CodeSystem",');
      expect(() => loadOperatorCatalogue(new TerminologyCatalogue(), dir)).toThrow(/broken\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a folder of mixed formats', () => {
  it('detects each file, reads sub-folders, lists what it ignores and why; the stream reader gives the same', async () => {
    const sync = load('.');
    const c = new TerminologyCatalogue();
    const streamed = await loadOperatorCatalogueAsync(c, path.join(fixtures, '.'));
    expect(streamed).toEqual(sync.report);
    expect([...c.entries('fr-FR')]).toEqual([...sync.c.entries('fr-FR')]);
    expect(sync.report.files.map((f) => f.format).sort()).toEqual(['csv', 'csv', 'fhir', 'fhir', 'fhir', 'fhir-npm-package', 'fhir-npm-package', 'loinc-linguistic-variant', 'snomed-rf2', 'snomed-rf2']);
    expect(sync.report.ignored.map((i) => path.basename(i.file)).sort()).toEqual(['LinguisticVariants.csv', 'deDE15LinguisticVariant.csv', 'not-a-terminology.txt', 'not-terminology.csv', 'other.fsh', 'synthetic.fsh']);
    expect(sync.report.designations).toBe(sync.report.files.reduce((n, f) => n + f.designations, 0));
  });

  it('names a missing path, and an unrecognised file given alone', () => {
    expect(() => loadOperatorCatalogue(new TerminologyCatalogue(), '/no/such/terminology')).toThrow(TerminologyImportError);
    expect(() => loadOperatorCatalogue(new TerminologyCatalogue(), '/no/such/terminology')).toThrow('/no/such/terminology: not found');
    expect(() => loadOperatorCatalogue(new TerminologyCatalogue(), path.join(fixtures, 'not-a-terminology.txt'))).toThrow(/not-a-terminology\.txt: not a terminology distribution format/);
  });

  it('goes no deeper than a release needs', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deep-'));
    try {
      const deep = path.join(dir, 'a', 'b', 'c', 'd', 'e');
      cpSync(path.join(fixtures, 'csv'), deep, { recursive: true });
      const report = loadOperatorCatalogue(new TerminologyCatalogue(), dir);
      expect(report.files).toEqual([]);
      expect(report.ignored).toEqual([{ file: deep, reason: 'folder more than 4 levels below the catalogue path, not read' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
