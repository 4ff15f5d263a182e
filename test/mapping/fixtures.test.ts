import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateResource } from '../../src/fhir/validation.js';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { checkIpsBundle } from '../../src/mapping/ips-checks.js';
import { projectMaps } from '../../src/mapping/map-loader.js';
import { defaultCatalogue } from '../../src/terminology/catalogue.js';
import { codedElementsOf } from './coded-elements.js';
import { projectPath } from '../../src/util/project.js';
import { lostCodes } from './coverage.js';

// Whatever synthetic patients exist at run time: fixtures/patients/<slug>/{L3,L1}.xml
const root = projectPath('fixtures', 'patients');
const documents = existsSync(root)
  ? readdirSync(root).flatMap((slug) => ['L3.xml', 'L1.xml'].map((f) => path.join(root, slug, f)).filter((f) => existsSync(f)))
  : [];
const rel = (f: string): string => path.relative(root, f);

describe('the project fixtures', () => {
  it('exist', () => {
    expect(documents.length).toBeGreaterThan(0);
  });

  it.each(documents.map((f) => [rel(f), f]))('%s converts to a valid IPS Bundle without losing a coded entry', (_name, file) => {
    const xml = readFileSync(file, 'utf8');
    const { bundle, report } = convertPatientSummary(xml, { now: new Date('2024-01-01T00:00:00Z') });
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
    expect(lostCodes(xml, bundle, report)).toEqual([]);
    expect(report.documentLevel).toBe(file.endsWith('L1.xml') ? 'L1' : 'L3');
    // every statement of a level 3 document says what became of it
    if (report.documentLevel === 'L3') expect(report.entryOutcomes.length).toBeGreaterThanOrEqual(report.entries.seen);
  });

  it('use only codes the French catalogue translates', () => {
    const catalogue = defaultCatalogue();
    const missing = new Set<string>();
    for (const file of documents) {
      for (const c of codedElementsOf(readFileSync(file))) if (!catalogue.designation(c.system, c.code, 'fr-FR')) missing.add(`${c.system}|${c.code} ${c.display ?? ''}`);
    }
    expect([...missing].sort()).toEqual([]);
  });
});

describe('French designations in the fixtures, for every section of the seed', () => {
  const SEED_SECTIONS: Record<string, string> = {
    '48765-2': 'allergies',
    '11450-4': 'active problems',
    '10160-0': 'treatments',
    '47519-4': 'surgical history',
    '29762-2': 'social history',
    '30954-2': 'blood group (results)',
    '8716-3': 'blood pressure (vital signs)',
    '11369-6': 'vaccinations',
    '10162-6': 'pregnancies',
    '11348-0': 'past illness',
    '46264-8': 'medical devices',
  };
  const catalogue = defaultCatalogue();
  const converted = documents.filter((f) => f.endsWith('L3.xml')).map((f) => ({ file: f, ...convertPatientSummary(readFileSync(f)) }));

  /** The concept a reader sees first for an entry resource (following Medication/Device references). */
  function mainConcepts(bundle: fhir4.Bundle, r: Record<string, unknown>): fhir4.CodeableConcept[] {
    const get = (ref: unknown): Record<string, unknown> | undefined =>
      bundle.entry!.find((e) => e.fullUrl === (ref as fhir4.Reference | undefined)?.reference)?.resource as Record<string, unknown> | undefined;
    switch (r.resourceType) {
      case 'Immunization':
        return [r.vaccineCode as fhir4.CodeableConcept];
      case 'MedicationStatement': {
        if (r.medicationCodeableConcept) return [r.medicationCodeableConcept as fhir4.CodeableConcept];
        const med = get(r.medicationReference) as fhir4.Medication | undefined;
        return [med?.code, ...(med?.ingredient ?? []).map((i) => i.itemCodeableConcept)].filter((c): c is fhir4.CodeableConcept => !!c?.coding);
      }
      case 'DeviceUseStatement':
        return [(get(r.device) as fhir4.Device | undefined)?.type].filter((c): c is fhir4.CodeableConcept => !!c);
      case 'Observation':
        return [r.code as fhir4.CodeableConcept, r.valueCodeableConcept as fhir4.CodeableConcept].filter((c) => !!c);
      default:
        return [r.code as fhir4.CodeableConcept];
    }
  }

  it.each(Object.entries(SEED_SECTIONS))('%s (%s) reads in French', (loinc) => {
    let checked = 0;
    for (const { bundle } of converted) {
      const composition = bundle.entry![0].resource as fhir4.Composition;
      const section = composition.section!.find((s) => s.code?.coding?.some((c) => c.code === loinc));
      if (!section?.entry?.length) continue;
      expect(section.code!.text).toBe(catalogue.designation('http://loinc.org', loinc, 'fr-FR'));
      for (const ref of section.entry) {
        const r = bundle.entry!.find((e) => e.fullUrl === ref.reference)!.resource as unknown as Record<string, unknown>;
        for (const cc of mainConcepts(bundle, r)) {
          if (!cc.coding?.length) continue;
          const french = cc.coding.map((c) => catalogue.designation(c.system!, c.code!, 'fr-FR')).find(Boolean);
          expect({ coding: cc.coding[0], text: cc.text }).toEqual({ coding: cc.coding[0], text: french });
          expect(cc.extension?.some((e) => e.url.endsWith('/untranslated'))).toBeFalsy();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('blood group and blood pressure in the fixtures', () => {
  const observations = documents
    .filter((f) => f.endsWith('L3.xml'))
    .flatMap((f) => convertPatientSummary(readFileSync(f)).bundle.entry!.map((e) => e.resource as fhir4.Observation))
    .filter((r) => r.resourceType === 'Observation');

  it('blood pressure reads "Pression artérielle systolique / diastolique"', () => {
    const texts = new Set(observations.filter((o) => ['8480-6', '8462-4'].includes(o.code.coding?.[0].code ?? '')).map((o) => o.code.text));
    expect([...texts].sort()).toEqual(['Pression artérielle diastolique', 'Pression artérielle systolique']);
  });

  it('the blood group reads like "A Rh+"', () => {
    const groups = observations.map((o) => o.valueCodeableConcept?.text).filter((t): t is string => !!t && /^(A|B|AB|O) Rh[+-]$/.test(t));
    expect(groups.length).toBeGreaterThan(0);
  });
});
