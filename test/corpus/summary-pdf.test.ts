// The French PDF of the public eHDSI samples (EHDSI_SAMPLES/cda), read back with pdf.js; run by `npm run test:corpus -- <folder>`.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { renderSummaryPdf } from '../../src/documents/index.js';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { pdfPages } from '../helpers/pdf-text.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run npm run test:corpus -- <ehdsi-samples folder>');
const folder = path.join(samples, 'cda');
const files = readdirSync(folder).filter((f) => f.endsWith('.xml') && !/-L1\.xml$/.test(f)).sort();
const flat = (s: string): string => s.replace(/\s+/g, ' ');

describe('the French PDF of the public eHDSI samples', () => {
  it.each(files)('%s: every section in French, its entries, the untranslated flagged, a footer on every page', async (file) => {
    const { bundle } = convertPatientSummary(readFileSync(path.join(folder, file)));
    const pages = await pdfPages(await renderSummaryPdf(bundle, { generatedAt: new Date('2026-11-30T08:00:00Z') }));
    const text = flat(pages.join('\n'));
    const composition = bundle.entry![0].resource as fhir4.Composition;
    for (const section of composition.section ?? []) expect(text).toContain(flat(section.title!));
    const resources = (bundle.entry ?? []).map((e) => e.resource!);
    for (const r of resources) {
      const term = r.resourceType === 'AllergyIntolerance' ? (r as fhir4.AllergyIntolerance).code?.text
        : r.resourceType === 'Condition' ? (r as fhir4.Condition).code?.text
          : r.resourceType === 'Medication' ? (r as fhir4.Medication).code?.text : undefined;
      if (term) expect(text).toContain(flat(term));
    }
    const provenance = resources.find((r) => r.resourceType === 'Provenance') as fhir4.Provenance;
    const counts = provenance.extension?.find((x) => x.url.endsWith('/translation-counts'))?.extension ?? [];
    const untranslated = counts.find((x) => x.url === 'untranslated')?.valueInteger;
    expect(untranslated).toBeDefined();
    if (untranslated! > 0) expect(text).toContain('[non traduit]');
    pages.forEach((page, i) => expect(flat(page)).toContain(`page ${i + 1} / ${pages.length}`));
  });
});
