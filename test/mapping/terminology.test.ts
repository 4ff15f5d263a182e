import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { defaultCatalogue, normaliseLanguage, TerminologyCatalogue } from '../../src/terminology/catalogue.js';
import { systemOid, systemUri } from '../../src/terminology/code-systems.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const full = readFileSync(path.join(here, 'cda', 'full-summary.xml'), 'utf8');

const withProblem = (code: string, system: string, display: string): string =>
  full.replace('<hl7:value i:type="CD" code="195967001" codeSystem="2.16.840.1.113883.6.96" displayName="Asthma"/>', `<hl7:value i:type="CD" code="${code}" codeSystem="${system}" displayName="${display}"/>`);
const asthmaCondition = (b: fhir4.Bundle, code: string): fhir4.Condition =>
  b.entry!.map((e) => e.resource as fhir4.Condition).find((r) => r.resourceType === 'Condition' && r.code?.coding?.[0].code === code)!;

describe('code systems', () => {
  it('turns CDA OIDs into FHIR system URIs and back', () => {
    expect(systemUri('2.16.840.1.113883.6.96')).toBe('http://snomed.info/sct');
    expect(systemUri('1.3.6.1.4.1.12559.11.10.1.3.1.44.2')).toBe('http://hl7.org/fhir/sid/icd-10');
    expect(systemUri('2.16.840.1.113883.5.1150.1')).toBe('http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips');
    expect(systemUri('1.2.3.4.5')).toBe('urn:oid:1.2.3.4.5');
    expect(systemOid('http://loinc.org')).toBe('2.16.840.1.113883.6.1');
  });
});

describe('French catalogue', () => {
  it('ships correct French designations for the small value sets', () => {
    const c = defaultCatalogue();
    const fr = (system: string, code: string): string | undefined => c.designation(system, code, 'fr-FR');
    expect(fr('http://snomed.info/sct', '278149003')).toBe('A Rh+');
    expect(fr('http://snomed.info/sct', '278148006')).toBe('O Rh-');
    expect(fr('http://loinc.org', '8480-6')).toBe('Pression artérielle systolique');
    expect(fr('http://snomed.info/sct', '39579001')).toBe('Anaphylaxie');
    expect(fr('http://snomed.info/sct', '782197009')).toBe('Intolérance à une substance');
    expect(fr('http://hl7.org/fhir/allergy-intolerance-criticality', 'high')).toBe('Risque élevé');
    expect(fr('http://snomed.info/sct', '24484000')).toBe('Sévère');
    expect(fr('http://terminology.hl7.org/CodeSystem/condition-clinical', 'resolved')).toBe('Résolu');
    expect(fr('http://snomed.info/sct', '77386006')).toBe('Enceinte');
    expect(fr('http://snomed.info/sct', '229819007')).toBe('Consommation de tabac et exposition au tabac');
    expect(fr('http://standardterms.edqm.eu', '10221000')).toBe('Comprimé pelliculé');
    expect(fr('http://standardterms.edqm.eu', '20066000')).toBe('Voie sous-cutanée');
    expect(fr('http://snomed.info/sct', '764146007')).toBe('Pénicilline');
    expect(fr('http://snomed.info/sct', '195967001')).toBe('Asthme');
    expect(fr('http://snomed.info/sct', '59621000')).toBe('Hypertension artérielle essentielle');
    expect(normaliseLanguage('fr')).toBe('fr-FR');
  });

  it('flags and counts a code without French designation, keeping it in its original language', () => {
    const { bundle, report } = convertPatientSummary(withProblem('999000001', '2.16.840.1.113883.6.96', 'Made-up disorder'));
    const c = asthmaCondition(bundle, '999000001');
    expect(c.code!.text).toBe('Made-up disorder');
    expect(c.code!.coding![0]).toEqual({ system: 'http://snomed.info/sct', code: '999000001', display: 'Made-up disorder' });
    expect(c.code!.extension).toEqual([{ url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/untranslated', valueCode: 'fr-FR' }]);
    expect(report.codes.untranslated).toBe(1);
    expect(report.untranslated).toEqual([expect.objectContaining({ system: 'http://snomed.info/sct', code: '999000001' })]);
  });

  it("adds an operator's catalogue (FHIR CodeSystem with fr-FR designations) from a configured path", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mtc-'));
    try {
      const file = path.join(dir, 'mtc.json');
      writeFileSync(
        file,
        JSON.stringify({
          resourceType: 'CodeSystem',
          url: 'http://snomed.info/sct',
          status: 'active',
          content: 'fragment',
          concept: [
            { code: '999000001', display: 'Made-up disorder', designation: [{ language: 'fr-FR', value: 'Trouble inventé' }] },
            { code: '195967001', display: 'Asthma', designation: [{ language: 'fr-FR', value: 'Asthme (catalogue opérateur)' }] },
          ],
        }),
      );
      const { bundle, report } = convertPatientSummary(withProblem('999000001', '2.16.840.1.113883.6.96', 'Made-up disorder'), { terminologyPath: file });
      expect(asthmaCondition(bundle, '999000001').code!.text).toBe('Trouble inventé');
      expect(report.codes.untranslated).toBe(0);
      expect(asthmaCondition(convertPatientSummary(full, { terminologyPath: dir }).bundle, '195967001').code!.text).toBe('Asthme (catalogue opérateur)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads ValueSets with designations too, and refuses what is not FHIR terminology', () => {
    const c = new TerminologyCatalogue();
    c.addFhirResource({ resourceType: 'ValueSet', compose: { include: [{ system: 'http://loinc.org', concept: [{ code: '8867-4', designation: [{ language: 'fr', value: 'Pouls' }] }] }] } }, 'x');
    expect(c.designation('http://loinc.org', '8867-4', 'fr-FR')).toBe('Pouls');
    expect(() => c.addFhirResource({ resourceType: 'Patient' }, 'p.json')).toThrow(/p\.json/);
  });

  it('translates nothing for an English reader', () => {
    const { bundle, report } = convertPatientSummary(full, { language: 'en' });
    expect(asthmaCondition(bundle, '195967001').code!.text).toBe('Asthma');
    expect(report.codes).toEqual({ translated: 0, official: 0, reviewed: 0, proposed: 0, untranslated: 0, bySource: {} });
    expect(bundle.language).toBe('en');
    const allergies = (bundle.entry![0].resource as fhir4.Composition).section!.find((s) => s.code?.coding?.[0].code === '48765-2')!;
    expect(allergies.title).toBe('Allergies');
  });
});

describe('preloadConversion', () => {
  it('loads the maps and the catalogues up front, and names a wrong catalogue path', async () => {
    const { preloadConversion } = await import('../../src/mapping/index.js');
    const { maps, designations } = preloadConversion();
    expect(maps.sections.length).toBeGreaterThan(10);
    expect(designations).toBeGreaterThan(400);
    expect(() => preloadConversion({ terminologyPath: '/no/such/catalogue.json' })).toThrow(/\/no\/such\/catalogue\.json/);
  });
});
