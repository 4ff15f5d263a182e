// The translated CDA of the public eHDSI samples (EHDSI_SAMPLES/cda), run by `npm run test:corpus -- <folder>`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { translateCda } from '../../src/documents/translated-cda.js';
import { checkTranslatedCda, disagreements } from '../../src/documents/translated-cda-check.js';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { defaultCatalogue } from '../../src/terminology/catalogue.js';
import { systemUri } from '../../src/terminology/code-systems.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run npm run test:corpus -- <ehdsi-samples folder>');
const folder = path.join(samples, 'cda');
const files = readdirSync(folder).filter((f) => f.endsWith('.xml')).sort();
const catalogue = defaultCatalogue();

describe('the translated CDA of the public eHDSI samples', () => {
  it('are there', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s: well-formed, structurally sound, in agreement with the FHIR Bundle', (file) => {
    const src = readFileSync(path.join(folder, file));
    const r = translateCda(src, { catalogue, language: 'fr-FR' });
    // well-formedness is the checker's first step (a namespace-aware parse of the result)
    const check = checkTranslatedCda(src, r.xml);
    expect(check.problems).toEqual([]);
    expect(r.counts.translated).toBe(r.counts.official + r.counts.reviewed + r.counts.proposed);
    expect(check.translated.length).toBeLessThanOrEqual(r.counts.translated);
    for (const t of check.translated) expect(t.displayName).toBe(catalogue.designation(systemUri(t.codeSystem), t.code, 'fr-FR'));
    const { bundle } = convertPatientSummary(src, { catalogue });
    const agreement = disagreements(src, r.xml, bundle, catalogue, 'fr-FR');
    expect(agreement.missing).toEqual([]);
    // where the Bundle translated a code of the document, so did the translated CDA (and every level 3 sample has some)
    if (!/-L1\.xml$/.test(file)) expect(agreement.checked).toBeGreaterThan(0);
    if (agreement.checked > 0) expect(r.counts.translated).toBeGreaterThan(0);
  });
});
