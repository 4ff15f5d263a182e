import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertPatientSummary } from '../mapping/index.js';
import { CdaInputError } from '../mapping/errors.js';
import { parseXml } from '../mapping/xml-tree.js';
import { defaultCatalogue, PROJECT_SOURCE, TerminologyCatalogue } from '../terminology/catalogue.js';
import type { CatalogueSource } from '../terminology/designation.js';
import { systemUri } from '../terminology/code-systems.js';
import { translateCda } from './translated-cda.js';
import { checkTranslatedCda, disagreements, elementsOf, parseForCheck } from './translated-cda-check.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const patientsDir = path.join(here, '..', '..', 'fixtures', 'patients');

const LOINC = '2.16.840.1.113883.6.1';
const SNOMED = '2.16.840.1.113883.6.96';
const EDQM = '0.4.0.127.0.16.1.1.2.1';
const OFFICIAL: CatalogueSource = { id: 'test-official', name: 'Catalogue officiel de test', version: '1', official: true };

/** A small catalogue: every code the snippets use, each with a known French text and status. */
function testCatalogue(): TerminologyCatalogue {
  const c = new TerminologyCatalogue();
  c.add('fr-FR', systemUri(LOINC), '60591-5', 'Synthèse médicale du patient', PROJECT_SOURCE, 'reviewed');
  c.add('fr-FR', systemUri(SNOMED), '38341003', 'Hypertension artérielle', OFFICIAL);
  c.add('fr-FR', systemUri(SNOMED), '7771000', 'Gauche');
  c.add('fr-FR', systemUri(SNOMED), '272741003', 'Latéralité');
  c.add('fr-FR', systemUri(SNOMED), '24028007', 'Droite');
  c.add('fr-FR', systemUri(EDQM), '10219000', 'Comprimé');
  c.add('fr-FR', systemUri('2.16.840.1.113883.5.14'), 'completed', 'Terminé');
  c.add('fr-FR', systemUri('1.0.639.1'), 'en', 'anglais');
  c.add('fr-FR', systemUri('2.16.840.1.113883.5.1'), 'M', 'Masculin');
  c.add('fr-FR', systemUri('1.2.3'), 'esc', 'Crème "E&B" <forte> \u00e0 l\u2019ancienne');
  return c;
}
const catalogue = testCatalogue();

const doc = (body: string): string =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:pharm="urn:hl7-org:pharm">\n${body}\n</ClinicalDocument>`;
const translate = (xml: string, language = 'fr-FR') => translateCda(xml, { catalogue, language });
const text = (xml: string, language?: string): string => translate(xml, language).xml.toString('utf8');
const noProblems = (src: string, out: string | Buffer): void => expect(checkTranslatedCda(src, out).problems).toEqual([]);

describe('translateCda on coded elements', () => {
  it('gives the French designation as displayName and keeps the source coding in a new translation child', () => {
    const src = doc(`<code code="60591-5" codeSystem="${LOINC}" codeSystemName="LOINC" codeSystemVersion="2.72" displayName="Patient summary Document"/>`);
    const r = translate(src);
    expect(r.xml.toString()).toBe(
      doc(
        `<code code="60591-5" codeSystem="${LOINC}" codeSystemName="LOINC" codeSystemVersion="2.72" displayName="Synthèse médicale du patient">` +
          `<translation code="60591-5" codeSystem="${LOINC}" codeSystemName="LOINC" codeSystemVersion="2.72" displayName="Patient summary Document"/></code>`,
      ),
    );
    expect(r.counts).toEqual({ translated: 1, untranslated: 0, official: 0, reviewed: 1, proposed: 0 });
    noProblems(src, r.xml);
  });

  it('adds a displayName when the source had none, and the translation then carries none', () => {
    const src = doc(`<code code="60591-5" codeSystem="${LOINC}"/>`);
    expect(text(src)).toContain(`<code code="60591-5" codeSystem="${LOINC}" displayName="Synthèse médicale du patient"><translation code="60591-5" codeSystem="${LOINC}"/></code>`);
    noProblems(src, text(src));
  });

  it('puts the new translation after originalText and qualifiers, with the earlier translations nested in it (each translated in turn)', () => {
    const src = doc(`<value xsi:type="CD" code="38341003" codeSystem="${SNOMED}" displayName="Hypertension">
      <originalText>Hochdruck &amp; mehr</originalText>
      <qualifier><name code="272741003" codeSystem="${SNOMED}" displayName="Laterality"/><value code="24028007" codeSystem="${SNOMED}" displayName="Right"/></qualifier>
      <translation code="I10" codeSystem="1.3.6.1.4.1.12559.11.10.1.3.1.44.2" displayName="Essential hypertension"/>
      <translation code="7771000" codeSystem="${SNOMED}" displayName="Left"><translation displayName="links"/></translation>
    </value>`);
    const out = text(src);
    expect(out).toBe(
      doc(`<value xsi:type="CD" code="38341003" codeSystem="${SNOMED}" displayName="Hypertension artérielle">
      <originalText>Hochdruck &amp; mehr</originalText>
      <qualifier><name code="272741003" codeSystem="${SNOMED}" displayName="Laterality"/><value code="24028007" codeSystem="${SNOMED}" displayName="Droite"><translation code="24028007" codeSystem="${SNOMED}" displayName="Right"/></value></qualifier>
      <translation code="38341003" codeSystem="${SNOMED}" displayName="Hypertension"><translation code="I10" codeSystem="1.3.6.1.4.1.12559.11.10.1.3.1.44.2" displayName="Essential hypertension"/>
      <translation code="7771000" codeSystem="${SNOMED}" displayName="Gauche"><translation code="7771000" codeSystem="${SNOMED}" displayName="Left"><translation displayName="links"/></translation></translation>
    </translation></value>`),
    );
    const check = checkTranslatedCda(src, out);
    expect(check.problems).toEqual([]);
    expect(check.translated.map((t) => t.displayName)).toEqual(['Hypertension artérielle', 'Droite', 'Gauche']);
  });

  it('translates a qualifier value whose code system is implied by the qualified concept, writing that system out on the translation', () => {
    const src = doc(`<targetSiteCode code="76552005" codeSystem="${SNOMED}" displayName="skin structure of shoulder">
      <qualifier><name code="272741003" displayName="Laterality"/><value code="7771000" displayName="Left"/></qualifier>
    </targetSiteCode>`);
    const r = translate(src);
    expect(r.xml.toString()).toContain(`<value code="7771000" displayName="Gauche"><translation code="7771000" codeSystem="${SNOMED}" displayName="Left"/></value>`);
    // the qualifier's name is a CV; the shoulder is not in the catalogue
    expect(r.xml.toString()).toContain('<name code="272741003" displayName="Laterality"/>');
    expect(r.counts).toMatchObject({ translated: 1, untranslated: 1 });
    noProblems(src, r.xml);
  });

  it('translates the translation of a CD that has no code of its own (nullFlavor OTH)', () => {
    const src = doc(`<value xsi:type="CD" nullFlavor="OTH"><originalText>x</originalText><translation code="38341003" codeSystem="${SNOMED}" displayName="Hypertension"/></value>`);
    const r = translate(src);
    expect(r.xml.toString()).toContain(
      `<originalText>x</originalText><translation code="38341003" codeSystem="${SNOMED}" displayName="Hypertension artérielle"><translation code="38341003" codeSystem="${SNOMED}" displayName="Hypertension"/></translation></value>`,
    );
    noProblems(src, r.xml);
  });

  it('stays linear when nearly everything is translated (the output outgrows its first buffer)', () => {
    const n = 300;
    const src = doc(Array.from({ length: n }, (_, i) => `<code code="60591-5" codeSystem="${LOINC}" displayName="PS ${i}"/>`).join('\n'));
    const r = translate(src);
    expect(r.counts.translated).toBe(n);
    expect(r.xml.byteLength).toBeGreaterThan(Buffer.byteLength(src) * 2);
    const check = checkTranslatedCda(src, r.xml);
    expect(check.problems).toEqual([]);
    expect(check.translated.map((t) => t.previousDisplayName)).toEqual(Array.from({ length: n }, (_, i) => `PS ${i}`));
  });

  it('leaves alone, and counts as translated, an element already showing the designation', () => {
    const src = doc(`<code code="60591-5" codeSystem="${LOINC}" displayName="Synthèse médicale du patient"/>`);
    const r = translate(src);
    expect(r.xml.toString()).toBe(src);
    expect(r.counts.translated).toBe(1);
  });

  it('leaves untouched, and counts, codes the catalogue does not translate', () => {
    const src = doc(`<code code="999000001" codeSystem="${SNOMED}" displayName="Made-up disorder"/><routeCode code="x" codeSystem="1.2.3.999"/>`);
    const r = translate(src);
    expect(r.xml.toString()).toBe(src);
    expect(r.counts).toEqual({ translated: 0, untranslated: 2, official: 0, reviewed: 0, proposed: 0 });
  });

  it('counts designations by status', () => {
    const r = translate(doc(`<code code="60591-5" codeSystem="${LOINC}"/><value xsi:type="CD" code="38341003" codeSystem="${SNOMED}"/><pharm:formCode code="10219000" codeSystem="${EDQM}"/>`));
    expect(r.counts).toEqual({ translated: 3, untranslated: 0, official: 1, reviewed: 1, proposed: 1 });
  });

  it('skips the datatypes that cannot hold a translation: CS, CV, CO, PQ/PQR, qualifier names', () => {
    // every code here is in the catalogue: only the datatype keeps it as it is
    const src = doc(`<realmCode code="en" codeSystem="1.0.639.1"/>
<languageCode code="en" codeSystem="1.0.639.1"/>
<statusCode code="completed" codeSystem="2.16.840.1.113883.5.14"/>
<signatureCode code="completed" codeSystem="2.16.840.1.113883.5.14"/>
<value xsi:type="CV" code="7771000" codeSystem="${SNOMED}" displayName="Left"/>
<value xsi:type="CS" code="7771000" codeSystem="${SNOMED}"/>
<value xsi:type="CO" code="7771000" codeSystem="${SNOMED}"/>
<value xsi:type="PQ" value="1" unit="1"><translation value="1" code="10219000" codeSystem="${EDQM}" displayName="Tablet"/></value>
<doseQuantity value="2"><translation code="10219000" codeSystem="${EDQM}" displayName="Tablet"/></doseQuantity>
<regionOfInterest><code code="7771000" codeSystem="${SNOMED}"/></regionOfInterest>
<qualifier><name code="272741003" codeSystem="${SNOMED}" displayName="Laterality"/></qualifier>`);
    const r = translate(src);
    expect(r.xml.toString()).toBe(src);
    expect(r.counts).toEqual({ translated: 0, untranslated: 0, official: 0, reviewed: 0, proposed: 0 });
  });

  it('leaves the document languageCode as it was', () => {
    const src = doc(`<languageCode code="en-GB"/><administrativeGenderCode code="M" codeSystem="2.16.840.1.113883.5.1" displayName="Male"/>`);
    const out = text(src);
    expect(out).toContain('<languageCode code="en-GB"/>');
    expect(out).toContain('displayName="Masculin"');
  });

  it('escapes the designation in the attribute and keeps non-ASCII text as UTF-8', () => {
    const src = doc(`<code code="esc" codeSystem="1.2.3" displayName="Cr&#232;me"/>`);
    const r = translate(src);
    expect(r.xml.toString('utf8')).toContain('displayName="Crème &quot;E&amp;B&quot; &lt;forte&gt; à l’ancienne"');
    // the source's own spelling, decoded, in the translation
    expect(r.xml.toString('utf8')).toContain('<translation code="esc" codeSystem="1.2.3" displayName="Crème"/>');
    const check = checkTranslatedCda(src, r.xml);
    expect(check.problems).toEqual([]);
    expect(check.translated[0].displayName).toBe('Crème "E&B" <forte> à l’ancienne');
  });

  it('returns the pivot as it is to an English reader', () => {
    const src = doc(`<code code="60591-5" codeSystem="${LOINC}" displayName="Patient summary Document"/>`);
    const r = translate(src, 'en-GB');
    expect(r.xml.toString()).toBe(src);
    expect(r.counts.translated + r.counts.untranslated).toBe(0);
  });
});

describe('translateCda namespaces', () => {
  it('writes the translation unprefixed inside pharm: elements when HL7 v3 is the default namespace', () => {
    const src = doc(`<pharm:formCode code="10219000" codeSystem="${EDQM}" displayName="Tablet"/>`);
    const out = text(src);
    expect(out).toContain(`<pharm:formCode code="10219000" codeSystem="${EDQM}" displayName="Comprimé"><translation code="10219000" codeSystem="${EDQM}" displayName="Tablet"/></pharm:formCode>`);
    noProblems(src, out);
  });

  it('uses the prefix the document binds to HL7 v3', () => {
    const src = `<v3:ClinicalDocument xmlns:v3="urn:hl7-org:v3"><v3:code code="60591-5" codeSystem="${LOINC}"/></v3:ClinicalDocument>`;
    const out = text(src);
    expect(out).toBe(`<v3:ClinicalDocument xmlns:v3="urn:hl7-org:v3"><v3:code code="60591-5" codeSystem="${LOINC}" displayName="Synthèse médicale du patient"><v3:translation code="60591-5" codeSystem="${LOINC}"/></v3:code></v3:ClinicalDocument>`);
    noProblems(src, out);
  });

  it('declares HL7 v3 on the translation, under a prefix of its own, where nothing binds it', () => {
    const src = doc(
      `<entry><pharm:formCode xmlns="urn:hl7-org:pharm" code="10219000" codeSystem="${EDQM}" displayName="Tablet"><translation code="x" codeSystem="1.2.3.4" displayName="not HL7's"/></pharm:formCode></entry>`,
    ).replace('xmlns:pharm=', 'xmlns:hl7="urn:example:taken" xmlns:pharm=');
    const out = text(src);
    // the pharm-namespace <translation> is not a CD translation: it stays where it was
    expect(out).toContain(
      `displayName="Comprimé"><translation code="x" codeSystem="1.2.3.4" displayName="not HL7's"/><hl7_1:translation xmlns:hl7_1="urn:hl7-org:v3" code="10219000" codeSystem="${EDQM}" displayName="Tablet"/></pharm:formCode>`,
    );
    const el = [...elementsOf(parseForCheck(out))].filter((e) => e.local === 'translation');
    expect(el.map((e) => e.ns)).toEqual(['urn:hl7-org:pharm', 'urn:hl7-org:v3']);
  });
});

describe('translateCda passes everything else through', () => {
  const rich =
    '\ufeff<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<?xml-stylesheet type="text/xsl" href="cda.xsl"?>\r\n' +
    `<!-- <code code="60591-5" codeSystem="${LOINC}"/> in a comment -->\r\n` +
    `<ClinicalDocument xmlns='urn:hl7-org:v3' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\r\n` +
    '  <title>R&#233;sum&eacute;</title>\r\n'.replace('&eacute;', 'é') +
    `  <code code='60591-5' codeSystem="${LOINC}" displayName='Patient &amp; "summary"'   />\r\n` +
    '  <text><![CDATA[<b>not markup</b> & so on]]><?pi data?>Żółć — 日本</text>\r\n' +
    '</ClinicalDocument>\r\n<!-- trailing -->\r\n';

  it('copies a document with nothing to translate byte for byte (BOM, declaration, PIs, comments, CDATA, references, quoting, CRLF)', () => {
    const plain = rich.replaceAll('60591-5', '999');
    const r = translateCda(Buffer.from(plain, 'utf8'), { catalogue, language: 'fr-FR' });
    expect(r.xml.equals(Buffer.from(plain, 'utf8'))).toBe(true);
  });

  it('changes only the translated start tag and adds the translation', () => {
    const r = translateCda(Buffer.from(rich, 'utf8'), { catalogue, language: 'fr-FR' });
    const expected = rich.replace(
      `<code code='60591-5' codeSystem="${LOINC}" displayName='Patient &amp; "summary"'   />`,
      `<code code="60591-5" codeSystem="${LOINC}" displayName="Synthèse médicale du patient"><translation code="60591-5" codeSystem="${LOINC}" displayName="Patient &amp; &quot;summary&quot;"/></code>`,
    );
    expect(r.xml.toString('utf8')).toBe(expected);
    noProblems(rich, r.xml);
  });
});

describe('translateCda refuses what the conversion refuses', () => {
  const deep = `<ClinicalDocument xmlns="urn:hl7-org:v3">${'<a>'.repeat(300)}${'</a>'.repeat(300)}</ClinicalDocument>`;
  const cases: Array<[string, string, number | undefined]> = [
    ['empty', '', undefined],
    ['doctype', '<!DOCTYPE ClinicalDocument [<!ENTITY e "x">]><ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>', undefined],
    ['not-xml', '<ClinicalDocument xmlns="urn:hl7-org:v3"><code>', undefined],
    ['not-xml', '<ClinicalDocument xmlns="urn:hl7-org:v3">&undefined;</ClinicalDocument>', undefined],
    ['not-xml', '<ClinicalDocument xmlns="urn:hl7-org:v3"><x:code/></ClinicalDocument>', undefined],
    ['not-xml', 'not XML at all', undefined],
    ['too-deep', deep, undefined],
    ['too-large', doc('<code/>'), 100],
  ];
  it.each(cases)('%s: %s', (problem, input, maxBytes) => {
    const attempt = (): unknown => translateCda(input, { catalogue, language: 'fr-FR', maxBytes });
    expect(attempt).toThrow(CdaInputError);
    try {
      attempt();
    } catch (err) {
      expect((err as CdaInputError).problem).toBe(problem);
    }
    // the same problem as the conversion's parser
    let parsed: string | undefined;
    try {
      parseXml(input, { maxBytes });
    } catch (err) {
      parsed = (err as CdaInputError).problem;
    }
    expect(parsed).toBe(problem);
  });

  it('not-cda: another root element', () => {
    expect(() => translateCda('<Bundle xmlns="http://hl7.org/fhir"/>', { catalogue, language: 'fr-FR' })).toThrow(expect.objectContaining({ problem: 'not-cda' }));
  });
});

describe('the structural checker', () => {
  const src = doc(`<code code="60591-5" codeSystem="${LOINC}" displayName="Patient summary Document"><originalText>x</originalText></code>
<statusCode code="completed" codeSystem="2.16.840.1.113883.5.14"/>`);
  const good = text(src);

  it('accepts the translation', () => {
    expect(checkTranslatedCda(src, good).problems).toEqual([]);
  });

  const withComment = src.replace('<statusCode', '<!-- c --><statusCode');
  it.each([
    ['a changed code', src, good.replace('<code code="60591-5"', '<code code="60591-6"')],
    ['a wrong old value on the translation', src, good.replace('displayName="Patient summary Document"', 'displayName="Patient summary"')],
    ['a displayName changed without translation', src, src.replace('displayName="Patient summary Document"', 'displayName="Autre"')],
    ['the translation before originalText', src, good.replace(/<originalText>x<\/originalText>(<translation[^>]*\/>)/, '$1<originalText>x</originalText>')],
    ['a translation under a CS', src, src.replace('codeSystem="2.16.840.1.113883.5.14"/>', 'codeSystem="2.16.840.1.113883.5.14" displayName="Terminé"><translation code="completed" codeSystem="2.16.840.1.113883.5.14"/></statusCode>')],
    ['a translation outside the HL7 namespace', src, good.replace('<translation ', '<translation xmlns="urn:other" ')],
    ['changed text', src, good.replace('<originalText>x<', '<originalText>y<')],
    ['a dropped comment', withComment, good],
    ['a malformed document', src, good.replace('</ClinicalDocument>', '')],
  ])('finds %s', (_what, source, bad) => {
    expect(checkTranslatedCda(source, bad).problems).not.toEqual([]);
  });
});

const patients = existsSync(patientsDir) ? readdirSync(patientsDir).filter((p) => existsSync(path.join(patientsDir, p, 'L3.xml'))).sort() : [];

describe('the project fixtures, with the project catalogue', () => {
  const project = defaultCatalogue();

  it('are there', () => {
    expect(patients.length).toBeGreaterThanOrEqual(10);
  });

  it.each(patients)('%s: translated CDA well-formed, structurally sound, in agreement with the FHIR Bundle', (patient) => {
    const src = readFileSync(path.join(patientsDir, patient, 'L3.xml'));
    const r = translateCda(src, { catalogue: project, language: 'fr-FR' });
    const check = checkTranslatedCda(src, r.xml);
    expect(check.problems).toEqual([]);
    expect(r.counts.translated).toBeGreaterThan(0);
    expect(r.counts.translated).toBe(r.counts.official + r.counts.reviewed + r.counts.proposed);
    // every rewritten element shows its code's designation
    expect(check.translated.length).toBeGreaterThan(0);
    expect(check.translated.length).toBeLessThanOrEqual(r.counts.translated);
    for (const t of check.translated) expect(t.displayName).toBe(project.designation(systemUri(t.codeSystem), t.code, 'fr-FR'));
    // every code of the document the Bundle translated shows, in the translated CDA, the same French text
    const { bundle } = convertPatientSummary(src, { catalogue: project });
    const agreement = disagreements(src, r.xml, bundle, project, 'fr-FR');
    expect(agreement.checked).toBeGreaterThan(0);
    expect(agreement.missing).toEqual([]);
  });
});
