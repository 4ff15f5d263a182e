// CDA-to-IPS conversion of the public eHDSI samples (EHDSI_SAMPLES/cda), run by `npm run test:corpus -- <folder>`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateResource } from '../../src/fhir/validation.js';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { checkIpsBundle } from '../../src/mapping/ips-checks.js';
import { projectMaps } from '../../src/mapping/map-loader.js';
import { defaultCatalogue } from '../../src/terminology/catalogue.js';
import { codedElementsOf } from '../mapping/coded-elements.js';
import { absenceViolations } from '../mapping/absence-audit.js';
import { lostCodes } from '../mapping/coverage.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run npm run test:corpus -- <ehdsi-samples folder>');
const folder = path.join(samples, 'cda');
const files = readdirSync(folder).filter((f) => f.endsWith('.xml')).sort();

/**
 * Codes of the samples that are not terminology and have no meaning to translate:
 * placeholders ("...") and test OIDs (1.2.3…) of the sample authors.
 */
const NOT_TRANSLATABLE = new Set(['urn:oid:1.2.3|b710.1', 'urn:oid:1.2.3.999|...', 'urn:oid:1.2.3.999|LP6406-5', 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation|...']);

describe('the public eHDSI CDA samples', () => {
  it('are there', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s converts to a valid IPS Bundle without losing a coded entry', (file) => {
    const xml = readFileSync(path.join(folder, file), 'utf8');
    const { bundle, report } = convertPatientSummary(xml);
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
    expect(lostCodes(xml, bundle, report)).toEqual([]);
    expect(report.entries.seen).toBe(report.entries.mapped + report.entries.narrativeOnly);
    expect(report.codes.untranslated).toBe(report.untranslated.length);
  });

  it('use only codes that the French catalogue translates (test placeholders aside)', () => {
    const catalogue = defaultCatalogue();
    const missing = new Set<string>();
    for (const file of files) {
      for (const c of codedElementsOf(readFileSync(path.join(folder, file)))) {
        const key = `${c.system}|${c.code}`;
        if (!NOT_TRANSLATABLE.has(key) && !catalogue.designation(c.system, c.code, 'fr-FR')) missing.add(`${key} ${c.display ?? ''}`);
      }
    }
    expect([...missing].sort()).toEqual([]);
  });

  it('the level 1 sample converts to a Bundle with the required sections, reported as L1', () => {
    const { bundle, report } = convertPatientSummary(readFileSync(path.join(folder, '0245791M-L1.xml')));
    expect(report.documentLevel).toBe('L1');
    const composition = bundle.entry![0].resource as fhir4.Composition;
    expect(composition.section!.every((s) => s.emptyReason && !s.entry)).toBe(true);
  });
});

describe('absent and unknown information in the public samples', () => {
  it.each(files)('%s: every "no known" / "no information" statement is still there as such, nothing about an unknown subject', (file) => {
    const xml = readFileSync(path.join(folder, file), 'utf8');
    expect(absenceViolations(xml, convertPatientSummary(xml).bundle)).toEqual([]);
  });
});
