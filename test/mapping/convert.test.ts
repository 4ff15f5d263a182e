import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateResource } from '../../src/fhir/validation.js';
import { CdaInputError, convertPatientSummary, reportCounts, reportOperationOutcome } from '../../src/mapping/index.js';
import { checkIpsBundle } from '../../src/mapping/ips-checks.js';
import { projectMaps } from '../../src/mapping/map-loader.js';
import { lostCodes } from './coverage.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const full = readFileSync(path.join(here, 'cda', 'full-summary.xml'), 'utf8');
const now = new Date('2024-03-20T08:00:00Z');

type AnyRes = fhir4.FhirResource & Record<string, unknown>;
const resources = (b: fhir4.Bundle): AnyRes[] => (b.entry ?? []).map((e) => e.resource as AnyRes);
const ofType = (b: fhir4.Bundle, t: string): AnyRes[] => resources(b).filter((r) => r.resourceType === t);
const composition = (b: fhir4.Bundle): fhir4.Composition => b.entry![0].resource as fhir4.Composition;
const section = (b: fhir4.Bundle, loinc: string): fhir4.CompositionSection =>
  composition(b).section!.find((s) => s.code?.coding?.some((c) => c.code === loinc))!;
const byRef = (b: fhir4.Bundle, ref: string): AnyRes => b.entry!.find((e) => e.fullUrl === ref)!.resource as AnyRes;

/** A minimal CDA with one section, for focused cases. */
function cda(body: string, header = ''): string {
  return `<?xml version="1.0"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.1.3"/>
  <id root="2.999.8" extension="${Math.random().toString(36).slice(2)}"/>
  <code code="60591-5" codeSystem="2.16.840.1.113883.6.1"/>
  <effectiveTime value="20240101"/>
  <recordTarget><patientRole><id root="2.999.9" extension="X"/><patient><name><family>Test</family></name></patient></patientRole></recordTarget>
  ${header}
  <component><structuredBody>${body}</structuredBody></component>
</ClinicalDocument>`;
}

describe('convertPatientSummary on a document with every seed section', () => {
  const { bundle, report } = convertPatientSummary(full, { now });

  it('builds an IPS document Bundle that validates against the R4 schema and the IPS checks', () => {
    expect(bundle.type).toBe('document');
    // A translation is a new document: its own identifier; it was assembled now
    expect(bundle.identifier).toEqual({ system: 'urn:ietf:rfc:3986', value: expect.stringMatching(/^urn:uuid:[0-9a-f-]{36}$/) });
    expect(bundle.identifier).not.toEqual({ system: 'urn:oid:2.999.7.1', value: 'TEST-PS-1' });
    expect(bundle.timestamp).toBe(now.toISOString());
    expect((bundle.entry![0].resource as fhir4.Composition).identifier).toEqual(bundle.identifier);
    expect(bundle.language).toBe('fr-FR');
    expect(bundle.entry![0].resource!.resourceType).toBe('Composition');
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
  });

  it('fills the Composition from the header', () => {
    const c = composition(bundle);
    expect(c.type.coding![0]).toMatchObject({ system: 'http://loinc.org', code: '60591-5' });
    expect(c.subject!.reference).toBe(bundle.entry![1].fullUrl);
    expect(bundle.entry![1].resource!.resourceType).toBe('Patient');
    expect(c.date).toBe('2024-03-15T10:30:00+01:00');
    expect(c.confidentiality).toBe('N');
    // A French document: French title, the source's beside it, its language and country recorded
    expect(c.title).toBe('Synthèse médicale du patient');
    expect((c as { _title?: fhir4.Element })._title?.extension).toEqual([{ url: 'http://hl7.org/fhir/StructureDefinition/originalText', valueString: 'Patient Summary' }]);
    expect(c.language).toBe('fr-FR');
    // (this document's custodian gives no country: only the language)
    expect(c.extension).toContainEqual({ url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translated-from', extension: [{ url: 'language', valueCode: 'en-GB' }] });
    expect(c.relatesTo).toContainEqual({ code: 'transforms', targetIdentifier: expect.objectContaining({ value: expect.any(String) }) });
    const author = byRef(bundle, c.author[0].reference!);
    expect(author.resourceType).toBe('Practitioner');
    expect(byRef(bundle, c.custodian!.reference!).resourceType).toBe('Organization');
    const patient = bundle.entry![1].resource as fhir4.Patient;
    expect(patient).toMatchObject({ gender: 'female', birthDate: '1980-01-02', name: [{ family: 'Testova', given: ['Ana'] }] });
    expect(patient.identifier).toEqual([{ system: 'urn:oid:2.999.7.2', value: 'P-0001' }]);
  });

  it('shows French designations first in every seed section, keeping the original codings', () => {
    const text = (cc: fhir4.CodeableConcept | undefined): string | undefined => cc?.text;
    const entriesOf = (loinc: string): AnyRes[] => (section(bundle, loinc).entry ?? []).map((r) => byRef(bundle, r.reference!));
    // allergies
    const allergy = entriesOf('48765-2')[0] as unknown as fhir4.AllergyIntolerance;
    expect(text(allergy.code)).toBe('Pénicilline');
    expect(allergy.code!.coding![0]).toMatchObject({ system: 'http://snomed.info/sct', code: '764146007', display: 'Penicillin' });
    expect(text(allergy.reaction![0].manifestation[0])).toBe('Urticaire');
    expect(allergy.criticality).toBe('high');
    expect(text(allergy.clinicalStatus)).toBe('Active');
    // active problems: the ICD-10 code and its SNOMED translations all kept, the narrative original text too
    const [htn, asthma] = entriesOf('11450-4') as unknown as fhir4.Condition[];
    expect(text(htn.code)).toBe('Hypertension essentielle (primitive)');
    expect(htn.code!.coding!.map((c) => c.code)).toEqual(['I10', '59621000', '38341003']);
    expect(htn.code!.extension).toContainEqual({ url: 'http://hl7.org/fhir/StructureDefinition/originalText', valueString: 'Essential hypertension' });
    expect(htn.onsetDateTime).toBe('2015-03');
    expect(text(asthma.code)).toBe('Asthme');
    // treatments
    const statement = entriesOf('10160-0')[0] as unknown as fhir4.MedicationStatement;
    const medication = byRef(bundle, statement.medicationReference!.reference!) as unknown as fhir4.Medication;
    expect(text(medication.ingredient![0].itemCodeableConcept)).toBe('ramipril');
    expect(text(medication.form)).toBe('Comprimé');
    expect(text(statement.dosage![0].route)).toBe('Voie orale');
    expect(statement.dosage![0].timing!.repeat).toMatchObject({ period: 1, periodUnit: 'd' });
    expect(statement.effectivePeriod).toEqual({ start: '2020-01-01' });
    // surgical history, devices, past illness, vaccinations
    expect(text((entriesOf('47519-4')[0] as unknown as fhir4.Procedure).code)).toBe('Appendicectomie');
    const use = entriesOf('46264-8')[0] as unknown as fhir4.DeviceUseStatement;
    expect(text((byRef(bundle, use.device.reference!) as unknown as fhir4.Device).type)).toBe('Stimulateur cardiaque');
    const past = entriesOf('11348-0')[0] as unknown as fhir4.Condition;
    expect(text(past.code)).toBe('Pneumonie');
    expect(past.clinicalStatus!.coding![0].code).toBe('resolved');
    expect(text((entriesOf('11369-6')[0] as unknown as fhir4.Immunization).vaccineCode)).toBe('Vaccin contre la grippe');
    // social history, pregnancy, blood pressure, blood group
    const tobacco = entriesOf('29762-2')[0] as unknown as fhir4.Observation;
    // An amount of tobacco is not a smoking status (LOINC 72166-2 takes a coded finding): the
    // source's code alone; "since 2000" is a period, and the IPS tobacco-use profile takes a point in time
    expect(tobacco.code.coding!.map((c) => c.code)).toEqual(['229819007']);
    expect(tobacco.effectivePeriod).toEqual({ start: '2000' });
    expect(tobacco.meta).toBeUndefined();
    expect(tobacco.valueQuantity).toMatchObject({ value: 10, code: '{cigarette}/d' });
    const pregnancy = entriesOf('10162-6')[0] as unknown as fhir4.Observation;
    expect(text(pregnancy.valueCodeableConcept)).toBe('Enceinte');
    const edd = byRef(bundle, pregnancy.hasMember![0].reference!) as unknown as fhir4.Observation;
    expect(text(edd.code)).toBe('Date prévue d’accouchement');
    expect(edd.valueDateTime).toBe('2024-06-01');
    const vitals = entriesOf('8716-3') as unknown as fhir4.Observation[];
    expect(vitals.map((o) => text(o.code))).toEqual(['Pression artérielle systolique', 'Pression artérielle diastolique']);
    expect(vitals[0].valueQuantity).toMatchObject({ value: 130, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org' });
    expect(vitals[0].effectiveDateTime).toBe('2024-03-14T10:15:00+01:00');
    const group = entriesOf('30954-2')[0] as unknown as fhir4.Observation;
    expect(text(group.valueCodeableConcept)).toBe('A Rh+');
    // section titles and codes in French
    expect(section(bundle, '48765-2').title).toBe('Allergies et intolérances');
    expect((section(bundle, '48765-2') as { _title?: fhir4.Element })._title!.extension![0].valueString).toBe('Allergies');
    expect(section(bundle, '10160-0').code!.text).toBe('Traitements');
  });

  it('keeps the section narrative as safe XHTML beside the French one generated from the entries', () => {
    const meds = section(bundle, '10160-0');
    const original = meds.text!.div.slice(meds.text!.div.indexOf('<div class="original"'));
    // the source's narrative, in the source's language
    expect(original).toMatch(/^<div class="original" lang="en-GB" xml:lang="en-GB">/);
    expect(original).toContain('<span id="med-1">ramipril</span>');
    expect(original).not.toContain('<script');
    // what the reader sees: generated in French from the entries, then the original as it came
    // (it may say more than the entries), hence "additional"
    expect(meds.text!.status).toBe('additional');
    expect(meds.text!.div).toMatch(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml" lang="fr-FR" xml:lang="fr-FR">/);
    expect(meds.text!.div).toContain('<th>Médicament</th>');
    expect(meds.text!.div).toContain('Texte original du document (anglais), non traduit');
    expect(meds.text!.div).toContain('<div class="original" lang="en-GB" xml:lang="en-GB">');
    expect(meds.text!.div.indexOf('<th>Médicament</th>')).toBeLessThan(meds.text!.div.indexOf('<span id="med-1">ramipril</span>'));
  });

  it('says in French that a section without entries has only its original text, and shows it', () => {
    const doc = cda(
      `<component><section><code code="18776-5" codeSystem="2.16.840.1.113883.6.1"/><title>Plan skrbi</title>
        <text><paragraph>Kontrola za <content ID="c1">tri mjeseca</content>.</paragraph></text></section></component>`,
      '<languageCode code="hr-HR"/>',
    );
    const plan = section(convertPatientSummary(doc, { now }).bundle, '18776-5');
    expect(plan.entry).toBeUndefined();
    expect(plan.text!.status).toBe('additional');
    expect(plan.text!.div).toMatch(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml" lang="fr-FR" xml:lang="fr-FR"><p>Cette section ne contient que du texte libre/);
    expect(plan.text!.div).toContain('Texte original (croate), non traduit');
    expect(plan.text!.div).toContain('<div class="original" lang="hr-HR" xml:lang="hr-HR"><p>Kontrola za <span id="c1">tri mjeseca</span>.</p></div>');
  });

  it('links every entry resource to the CDA element it came from', () => {
    // (the Provenance of the whole document comes from no one element)
    for (const r of resources(bundle).slice(1).filter((x) => x.resourceType !== 'Provenance')) {
      const source = (r as { extension?: fhir4.Extension[] }).extension?.find((e) => e.url.endsWith('/cda-source'));
      expect(source?.valueString).toMatch(/^\/ClinicalDocument\//);
    }
    const allergy = ofType(bundle, 'AllergyIntolerance')[0] as { extension: fhir4.Extension[] };
    expect(allergy.extension[0].valueString).toBe('/ClinicalDocument/component/structuredBody/component[2]/section/entry/act/entryRelationship/observation');
  });

  it('keeps an entry of unknown template as narrative only, with its codes in the report', () => {
    expect(report.entries).toEqual({ seen: 12, mapped: 11, narrativeOnly: 1 });
    expect(report.narrativeOnly[0]).toMatchObject({ section: '11450-4', templateIds: ['2.999.99.1'] });
    expect(report.narrativeOnly[0].codings).toEqual([{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }]);
    const oo = reportOperationOutcome(report);
    expect(validateResource(oo, 'OperationOutcome')).toEqual([]);
    expect(oo.issue.some((i) => i.severity === 'warning' && /narrative only/.test(i.diagnostics ?? '') && i.details?.coding?.[0].code === '8867-4')).toBe(true);
    expect(report.entryOutcomes.find((o) => o.outcome === 'narrative-only')).toMatchObject({ section: '11450-4', reason: 'no map for template(s) 2.999.99.1' });
    // a concern act with two problems is one entry and two outcomes
    expect(report.entryOutcomes.filter((o) => o.outcome === 'resource').length).toBeGreaterThanOrEqual(report.entries.mapped);
    // criticality "high" went into AllergyIntolerance.criticality; its coding is kept as an extension and reported as such
    expect(report.unmappedCodings).toContainEqual(expect.objectContaining({ code: 'high', mappedAsCode: true }));
    const allergy = ofType(bundle, 'AllergyIntolerance')[0] as { extension: fhir4.Extension[] };
    expect(allergy.extension).toContainEqual({ url: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/cda-unmapped-coding', valueCoding: expect.objectContaining({ code: 'high' }) });
  });

  it('loses no coded entry element', () => {
    expect(lostCodes(full, bundle, report)).toEqual([]);
  });

  it('counts translated codes and logs counts only', () => {
    expect(report.codes.untranslated).toBe(0);
    expect(report.codes.translated).toBeGreaterThan(30);
    const logged: unknown[] = [];
    convertPatientSummary(full, { now, logger: { info: (obj: unknown) => logged.push(obj) } as never });
    expect(logged).toEqual([{ conversion: reportCounts(report) }]);
    expect(JSON.stringify(logged)).not.toMatch(/Testova|P-0001|764146007|Penicillin|2\.999/);
    expect(reportCounts(report)).toMatchObject({ entriesSeen: 12, entriesMapped: 11, entriesNarrativeOnly: 1 });
  });

  it('gives the same Bundle for the same document', () => {
    expect(convertPatientSummary(full, { now }).bundle).toEqual(bundle);
  });
});

describe('required sections and absent/unknown information', () => {
  it('adds the missing required sections with an emptyReason and a narrative, never "nil known"', () => {
    const { bundle, report } = convertPatientSummary(cda(''), { now });
    for (const code of ['10160-0', '48765-2', '11450-4']) {
      const s = section(bundle, code);
      // the document does not have the section: nothing is known either way
      expect(s.emptyReason!.coding![0]).toMatchObject({ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'unavailable' });
      expect(s.text!.div).toContain('Section absente');
      expect(s.entry).toBeUndefined();
    }
    expect(report.sections.map((s) => s.emptyReason)).toEqual(['unavailable', 'unavailable', 'unavailable']);
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
  });

  it('says a known absence with the IPS 2.0 SNOMED CT situation, and no information with the section emptyReason', () => {
    const xml = cda(`
      <component><section><code code="10160-0" codeSystem="2.16.840.1.113883.6.1"/><text>None</text>
        <entry><substanceAdministration classCode="SBADM" moodCode="INT">
          <templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.3.4"/>
          <code code="no-known-medications" codeSystem="2.16.840.1.113883.5.1150.1" displayName="No known medications"/>
          <statusCode code="completed"/><effectiveTime nullFlavor="NA"/>
          <consumable><manufacturedProduct><manufacturedMaterial nullFlavor="NA"/></manufacturedProduct></consumable>
        </substanceAdministration></entry></section></component>
      <component><section><code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/><text>No information</text>
        <entry><act classCode="ACT" moodCode="EVN"><templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.3.16"/><code code="CONC" codeSystem="2.16.840.1.113883.5.6"/><statusCode code="active"/>
          <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN"><templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.3.17"/>
            <code code="420134006" codeSystem="2.16.840.1.113883.6.96"/>
            <value xsi:type="CD" code="no-allergy-info" codeSystem="2.16.840.1.113883.5.1150.1" displayName="No information about allergies"/>
          </observation></entryRelationship></act></entry></section></component>`);
    const { bundle, report } = convertPatientSummary(xml, { now });
    const ms = ofType(bundle, 'MedicationStatement')[0] as unknown as fhir4.MedicationStatement;
    // the IPS 2.0 concept first, the source's IPS 1.x code kept after it
    expect(ms.medicationCodeableConcept!.coding).toEqual([
      { system: 'http://snomed.info/sct', code: '787481004', display: 'No known medications (situation)' },
      { system: 'http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips', code: 'no-known-medications', display: 'No known medications' },
    ]);
    expect(ms.medicationReference).toBeUndefined();
    expect(ms.status).toBe('active');
    expect(ms._effectiveDateTime).toEqual({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'not-applicable' }] });
    expect(ofType(bundle, 'Medication')).toEqual([]);
    // "no information about allergies": no AllergyIntolerance at all, the section says it
    expect(ofType(bundle, 'AllergyIntolerance')).toEqual([]);
    expect(section(bundle, '48765-2').emptyReason!.coding![0].code).toBe('unavailable');
    expect(report.entryOutcomes.map((o) => [o.section, o.outcome, o.code?.code])).toEqual([
      ['10160-0', 'known-absence', '787481004'],
      ['48765-2', 'no-information', 'unavailable'],
    ]);
    expect(lostCodes(xml, bundle, report)).toEqual([]);
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
  });

  it('converts a level 1 document (PDF in nonXMLBody) to a Bundle with the required sections, reported as L1', () => {
    const xml = `<ClinicalDocument xmlns="urn:hl7-org:v3"><templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.1.7"/><id root="2.999" extension="L1"/>
      <code code="60591-5" codeSystem="2.16.840.1.113883.6.1"/><effectiveTime value="20240101120000+0000"/>
      <recordTarget><patientRole><id root="2.999.9" extension="X"/><patient><name><family>Test</family></name></patient></patientRole></recordTarget>
      <component><nonXMLBody><text mediaType="application/pdf" representation="B64">JVBERi0xLjQK</text></nonXMLBody></component></ClinicalDocument>`;
    const { bundle, report } = convertPatientSummary(xml, { now });
    expect(report.documentLevel).toBe('L1');
    expect(report.notes[0]).toMatch(/level 1/);
    expect(composition(bundle).section!.map((s) => s.emptyReason?.coding?.[0].code)).toEqual(['unavailable', 'unavailable', 'unavailable']);
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
  });
});

describe('a header with missing data', () => {
  it('keeps the required elements with a data-absent-reason', () => {
    const xml = cda('').replace('<patient><name><family>Test</family></name></patient>', '<patient/>');
    const { bundle } = convertPatientSummary(xml, { now });
    const patient = bundle.entry!.find((e) => e.resource!.resourceType === 'Patient')!.resource as fhir4.Patient;
    const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    expect(patient.name).toEqual([absent]);
    expect((patient as { _birthDate?: unknown })._birthDate).toEqual(absent);
    expect(validateResource(bundle, 'Bundle')).toEqual([]);
    expect(checkIpsBundle(bundle, projectMaps())).toEqual([]);
  });
});

describe('input the converter refuses', () => {
  const refused = (input: string | Buffer, problem: string): void => {
    let caught: unknown;
    try {
      convertPatientSummary(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CdaInputError);
    expect((caught as CdaInputError).problem).toBe(problem);
  };
  it('refuses empty input, non-XML, non-CDA, DOCTYPE/entities and oversize documents with a typed error', () => {
    refused('', 'empty');
    refused('{"resourceType":"Bundle"}', 'not-xml');
    refused('<ClinicalDocument xmlns="urn:hl7-org:v3"><unclosed></ClinicalDocument>', 'not-xml');
    refused('<Bundle xmlns="http://hl7.org/fhir"/>', 'not-cda');
    refused('<ClinicalDocument/>', 'not-cda');
    refused('<!DOCTYPE x [<!ENTITY a "aaaa">]><ClinicalDocument xmlns="urn:hl7-org:v3">&a;</ClinicalDocument>', 'doctype');
    refused('<x:ClinicalDocument xmlns="urn:hl7-org:v3"/>', 'not-xml');
    refused(`<ClinicalDocument xmlns="urn:hl7-org:v3">${'<a>'.repeat(100000)}${'</a>'.repeat(100000)}</ClinicalDocument>`, 'too-deep');
    let caught: unknown;
    try {
      convertPatientSummary(Buffer.alloc(4096, 32), { maxBytes: 1024 });
    } catch (err) {
      caught = err;
    }
    expect((caught as CdaInputError).problem).toBe('too-large');
  });
});

describe('a coded tobacco status', () => {
  it('is the IPS tobacco-use observation: LOINC 72166-2 first, the source coding after it, a point in time', () => {
    const xml = cda(`
      <component><section><code code="29762-2" codeSystem="2.16.840.1.113883.6.1"/><text>Ex-smoker</text>
        <entry><observation classCode="OBS" moodCode="EVN"><templateId root="1.3.6.1.4.1.12559.11.10.1.3.1.3.23"/>
          <code code="229819007" codeSystem="2.16.840.1.113883.6.96" displayName="Tobacco use and exposure"/>
          <statusCode code="completed"/><effectiveTime value="20240301"/>
          <value xsi:type="CD" code="8517006" codeSystem="2.16.840.1.113883.6.96" displayName="Ex-smoker"/>
        </observation></entry></section></component>`);
    const { bundle } = convertPatientSummary(xml, { now });
    const obs = ofType(bundle, 'Observation')[0] as unknown as fhir4.Observation;
    expect(obs.meta!.profile).toEqual(['http://hl7.org/fhir/uv/ips/StructureDefinition/Observation-tobaccouse-uv-ips']);
    expect(obs.code.coding!.map((c) => c.code)).toEqual(['72166-2', '229819007']);
    expect(obs.effectiveDateTime).toBe('2024-03-01');
    expect(obs.valueCodeableConcept!.coding![0].code).toBe('8517006');
  });
});
