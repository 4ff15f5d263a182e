import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { TerminologyCatalogue } from '../../src/terminology/catalogue.js';

/** The converted document as a French document: its Patient, its languages, its Provenance. */
const here = path.dirname(fileURLToPath(import.meta.url));
const full = readFileSync(path.join(here, 'cda', 'full-summary.xml'), 'utf8');
const now = new Date('2024-03-20T08:00:00Z');
const facade = {
  id: 'p7Hk2',
  fullUrl: 'https://facade.example/fhir/Patient/p7Hk2',
  identifier: [
    { system: 'urn:oid:2.16.17.710.999', value: 'NAT-42' },
    { use: 'official' as const, system: 'urn:oid:2.999.7.2', value: 'P-0001', assigner: { display: 'NCPeH Croatie' } },
  ],
};
const resources = (b: fhir4.Bundle): fhir4.FhirResource[] => b.entry!.map((e) => e.resource as fhir4.FhirResource);

describe('the document a French professional receives', () => {
  const { bundle, report } = convertPatientSummary(full, { now, patient: facade, sourceCountry: 'hr' });
  const composition = bundle.entry![0].resource as fhir4.Composition;

  it("has the facade's Patient: its id, its URL, the identifiers searched with, and every reference points at it", () => {
    const entry = bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!;
    expect(entry.fullUrl).toBe(facade.fullUrl);
    const patient = entry.resource as fhir4.Patient;
    expect(patient.id).toBe('p7Hk2');
    // the CDA's own identifiers stay, the facade's are added once
    expect(patient.identifier).toContainEqual(facade.identifier[0]);
    expect(patient.identifier!.length).toBeGreaterThan(1);
    // the identifier both know, once, with what the facade knows of it
    expect(patient.identifier!.filter((i) => i.value === 'P-0001')).toEqual([facade.identifier[1]]);
    expect(composition.subject!.reference).toBe(facade.fullUrl);
    const subjects = resources(bundle).flatMap((r) => {
      const x = r as { subject?: fhir4.Reference; patient?: fhir4.Reference };
      return [x.subject?.reference, x.patient?.reference].filter((v): v is string => !!v);
    });
    expect(subjects.length).toBeGreaterThan(5);
    expect(new Set(subjects)).toEqual(new Set([facade.fullUrl]));
  });

  it('records the source language and the sending country, and names the source document', () => {
    expect(composition.language).toBe('fr-FR');
    expect(composition.extension).toContainEqual({
      url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translated-from',
      extension: [{ url: 'language', valueCode: 'en-GB' }, { url: 'country', valueCode: 'HR' }],
    });
    // the CDA is the document this one transforms; this one has its own identity
    expect(composition.relatesTo).toEqual([{ code: 'transforms', targetIdentifier: { system: 'urn:oid:2.999.7.1', value: 'TEST-PS-1' } }]);
    expect(composition.identifier).toEqual(bundle.identifier);
    expect(bundle.identifier!.value).toMatch(/^urn:uuid:/);
  });

  it('ends with a Provenance giving the counts of translated terms by standing, equal to the report', () => {
    const provenance = resources(bundle).at(-1) as fhir4.Provenance;
    expect(provenance.resourceType).toBe('Provenance');
    expect(provenance.target).toEqual([{ reference: bundle.entry![0].fullUrl }]);
    expect(provenance.recorded).toBe(now.toISOString());
    const counts = Object.fromEntries(provenance.extension![0].extension!.map((e) => [e.url, e.valueInteger]));
    expect(counts).toEqual({ official: report.codes.official, reviewed: report.codes.reviewed, proposed: report.codes.proposed, untranslated: report.codes.untranslated });
    expect(report.codes.translated).toBe(report.codes.official + report.codes.reviewed + report.codes.proposed);
    expect(report.codes.translated).toBeGreaterThan(30);
    expect(provenance.entity![0].what.identifier).toEqual({ system: 'urn:oid:2.999.7.1', value: 'TEST-PS-1' });
    expect(provenance.entity!.map((e) => e.what.display)).toContainEqual(expect.stringContaining('Catalogue du projet'));
  });

  it('marks each translated concept with the catalogue that gave its French text', () => {
    const condition = resources(bundle).find((r) => r.resourceType === 'Condition' && r.code?.coding?.[0].code === '195967001') as fhir4.Condition;
    expect(condition.code!.text).toBe('Asthme');
    expect(condition.code!.extension).toContainEqual({
      url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/designation-source',
      extension: [
        { url: 'catalogue', valueString: 'Catalogue du projet' },
        { url: 'version', valueString: expect.stringMatching(/^\d+\.\d+\.\d+/) },
        { url: 'status', valueCode: expect.stringMatching(/^(proposed|reviewed)$/) },
        { url: 'language', valueCode: 'fr-FR' },
      ],
    });
  });

  it('counts each translated term once, and only those the Bundle holds', () => {
    let held = 0;
    const walk = (v: unknown): void => {
      if (v === null || typeof v !== 'object') return;
      const ext = (v as { extension?: fhir4.Extension[] }).extension;
      if (Array.isArray(ext) && ext.some((e) => e.url.endsWith('/designation-source') || e.url.endsWith('/untranslated'))) held++;
      for (const x of Object.values(v)) walk(x);
    };
    for (const r of resources(bundle).filter((x) => x.resourceType !== 'Provenance')) walk(r);
    expect(report.codes.translated + report.codes.untranslated).toBe(held);
  });

  it('prefers the official designation of any coding to the project one of the first coding', () => {
    const catalogue = new TerminologyCatalogue();
    catalogue.add('fr-FR', 'http://hl7.org/fhir/sid/icd-10', 'J45.9', 'Asthme, sans précision');
    catalogue.add('fr-FR', 'http://snomed.info/sct', '195967001', 'asthme (officiel)', { id: 'sct-fr', name: 'SNOMED CT édition française', version: '20250421', official: true });
    const doc = full.replace(
      '<hl7:value i:type="CD" code="195967001" codeSystem="2.16.840.1.113883.6.96" displayName="Asthma"/>',
      '<hl7:value i:type="CD" code="J45.9" codeSystem="1.3.6.1.4.1.12559.11.10.1.3.1.44.2" displayName="Asthma, unspecified"><hl7:translation code="195967001" codeSystem="2.16.840.1.113883.6.96" displayName="Asthma"/></hl7:value>',
    );
    const asthma = convertPatientSummary(doc, { now, catalogue }).bundle.entry!.map((e) => e.resource as fhir4.Condition).find((r) => r.resourceType === 'Condition' && r.code?.coding?.[0].code === 'J45.9')!;
    expect(asthma.code!.text).toBe('asthme (officiel)');
    expect(asthma.code!.extension!.find((e) => e.url.endsWith('/designation-source'))!.extension).toContainEqual({ url: 'status', valueCode: 'official' });
  });

  it('is left in the pivot language for an English reader (no French title, no translated-from)', () => {
    const en = convertPatientSummary(full, { now, language: 'en' }).bundle.entry![0].resource as fhir4.Composition;
    expect(en.title).toBe('Patient Summary');
    expect(en.extension?.some((e) => e.url.endsWith('/translated-from'))).toBeFalsy();
  });
});
