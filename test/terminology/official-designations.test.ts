import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { defaultCatalogue, loadCatalogueFiles, PROJECT_SOURCE, projectCatalogue } from '../../src/terminology/catalogue.js';
import { loadOperatorCatalogue } from '../../src/terminology/import/index.js';
import { projectPath } from '../../src/util/project.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rf2 = path.join(here, 'fixtures', 'snomed-rf2');
const cda = readFileSync(path.join(here, '..', 'mapping', 'cda', 'full-summary.xml'), 'utf8');
const SCT = 'http://snomed.info/sct';
const DESIGNATION_SOURCE = 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/designation-source';

const asthma = (bundle: fhir4.Bundle): fhir4.Condition =>
  bundle.entry!.map((e) => e.resource as fhir4.Condition).find((r) => r.resourceType === 'Condition' && r.code?.coding?.some((c) => c.code === '195967001'))!;
const provenance = (cc: fhir4.CodeableConcept): Record<string, string | undefined> =>
  Object.fromEntries(cc.extension!.find((e) => e.url === DESIGNATION_SOURCE)!.extension!.map((e) => [e.url, e.valueString ?? e.valueCode]));

describe('official designations', () => {
  it('Loading a synthetic SNOMED RF2 French description file changes the French text of the affected entries and their provenance', () => {
    const before = asthma(convertPatientSummary(cda).bundle).code!;
    expect(before.text).toBe('Asthme');
    expect(provenance(before)).toMatchObject({ catalogue: PROJECT_SOURCE.name });

    const after = asthma(convertPatientSummary(cda, { terminologyPath: rf2 }).bundle).code!;
    expect(after.text).toBe('Asthme — terme RF2 de test');
    expect(after.coding![0]).toMatchObject({ system: SCT, code: '195967001', display: 'Asthma' });
    expect(provenance(after)).toEqual({ catalogue: 'SNOMED CT (fr, FR9999999)', version: '20990131', status: 'official', language: 'fr-FR' });
    expect(defaultCatalogue(rf2).lookup(SCT, '195967001', 'fr-FR')).toMatchObject({ status: 'official', source: { name: 'SNOMED CT (fr, FR9999999)', version: '20990131', official: true, location: path.join(rf2, 'sct2_Description_Snapshot-fr_FR9999999_20990131.txt') } });
  });

  it("replace the project's designation of the same code, and the project's catalogue loaded afterwards cannot override them", () => {
    const c = projectCatalogue();
    expect(c.lookup(SCT, '195967001', 'fr-FR')).toMatchObject({ text: 'Asthme', source: PROJECT_SOURCE });
    loadOperatorCatalogue(c, rf2);
    expect(c.lookup(SCT, '195967001', 'fr-FR')).toMatchObject({ text: 'Asthme — terme RF2 de test', status: 'official' });

    // The project's files read again on top, and a project designation added by hand: the official text stays.
    loadCatalogueFiles(c, projectPath('mappings', 'terminology', 'fr-FR'));
    expect(c.add('fr-FR', SCT, '195967001', 'Asthme (projet)', PROJECT_SOURCE, 'reviewed')).toBe(false);
    expect(c.lookup(SCT, '195967001', 'fr-FR')).toMatchObject({ text: 'Asthme — terme RF2 de test', status: 'official' });
    // Codes the official catalogue does not have keep the project's text.
    expect(c.lookup(SCT, '278149003', 'fr-FR')).toMatchObject({ text: 'A Rh+', source: PROJECT_SOURCE });
  });
});
