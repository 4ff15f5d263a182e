// The IPS 2.0 conformance harness (test/conformance) calibrated on the IG's own examples, and shown
// to catch each rule medplum alone misses. Run by `npm run test:corpus -- <ehdsi-samples folder>`;
// the IG folder is IPS_IG, or fhir-ig/hl7.fhir.uv.ips-2.0.0-ballot beside the samples.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/util/project.js';
import { loadDefinitions, type Definitions } from '../conformance/definitions.js';
import { findCdaDocuments, validateCdaDocument, validateIgExamples } from '../conformance/documents.js';
import type { Issue, Json } from '../conformance/issues.js';
import { IPS_BUNDLE, validateBundle } from '../conformance/validate-bundle.js';

const samples = process.env.EHDSI_SAMPLES;
if (!samples) throw new Error('EHDSI_SAMPLES is not set: run npm run test:corpus -- <ehdsi-samples folder>');
const IG = process.env.IPS_IG ?? path.join(samples, '../fhir-ig/hl7.fhir.uv.ips-2.0.0-ballot');
if (!existsSync(path.join(IG, 'StructureDefinition-Bundle-uv-ips.json'))) throw new Error(`no IPS 2.0.0 IG at ${IG}: set IPS_IG to the IG package folder`);

const IPS = 'http://hl7.org/fhir/uv/ips/StructureDefinition/';
const LOINC = 'http://loinc.org';
const NARRATIVE = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">text</div>' };

let defs: Definitions;
beforeAll(() => {
  defs = loadDefinitions(IG, projectRoot());
}, 60_000);

const readJson = (file: string): Json => JSON.parse(readFileSync(path.join(IG, file), 'utf8')) as Json;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutations reach deep into FHIR JSON
type Any = any;

/** A fresh copy of the IG's example IPS document Bundle-01 (20 entries, 6 sections). */
function exampleBundle(): Any {
  return readJson('Bundle-IPS-examples-Bundle-01.json');
}

function entry(bundle: Any, type: string, which = 0): { fullUrl: string; resource: Any } {
  const found = bundle.entry.filter((e: Any) => e.resource.resourceType === type)[which];
  if (!found) throw new Error(`no ${type} #${which} in the example`);
  return found;
}

function section(bundle: Any, code: string): Any {
  return bundle.entry[0].resource.section.find((s: Any) => s.code.coding.some((c: Any) => c.code === code));
}

/** Adds the IG's tobacco-use example (it declares Observation-tobaccouse-uv-ips) to the social history section. */
function addTobaccoUse(bundle: Any, fullUrl: string): Any {
  const obs = readJson('examples/Observation-tobacco-use-example.json') as Any;
  const patient = entry(bundle, 'Patient').fullUrl;
  obs.id = fullUrl.slice(fullUrl.lastIndexOf('-') + 1);
  obs.subject = { reference: patient };
  obs.performer = [{ reference: patient }];
  bundle.entry.push({ fullUrl, resource: obs });
  const composition = bundle.entry[0].resource;
  let social = section(bundle, '29762-2');
  if (!social) {
    social = { title: 'Social History', code: { coding: [{ system: LOINC, code: '29762-2' }] }, text: NARRATIVE, entry: [] };
    composition.section.push(social);
  }
  social.entry.push({ reference: fullUrl });
  return obs;
}

function errors(bundle: Any): Issue[] {
  return validateBundle(bundle, defs, { extraProfiles: [IPS_BUNDLE] }).issues.filter((i) => i.severity === 'error');
}

const brief = (issues: Issue[]): string[] => issues.map((i) => `[${i.rule}] ${i.resource ?? ''} ${i.path}: ${i.message}`);

describe('the conformance harness on the IPS 2.0.0 IG examples', () => {
  it('finds no error in the example Bundles and example resources', () => {
    const results = validateIgExamples(defs, IG);
    expect(results.filter((r) => r.document.includes('Bundle-')).length).toBeGreaterThanOrEqual(4);
    expect(results.length).toBeGreaterThanOrEqual(30);
    const found = results.flatMap((r) => brief(r.issues.filter((i) => i.severity === 'error')).map((m) => `${r.document}: ${m}`));
    expect(found).toEqual([]);
  });

  it('starts the mutations below from a valid document', () => {
    const bundle = exampleBundle();
    addTobaccoUse(bundle, 'urn:uuid:00000000-0000-4000-8000-0000000000a1');
    expect(brief(errors(bundle))).toEqual([]);
  });
});

describe('the conformance harness on CDA documents', () => {
  it('takes the CDA documents of a folder and skips, saying why, the other XML files', () => {
    const cda = findCdaDocuments([path.join(samples, 'cda')]);
    expect(cda.length).toBeGreaterThanOrEqual(10);
    expect(cda.filter((d) => d.skipped)).toEqual([]);
    const soap = findCdaDocuments([path.join(samples, 'soap')]);
    expect(soap.length).toBeGreaterThan(0);
    for (const d of soap) expect(d.skipped).toMatch(/not a CDA ClinicalDocument/);
  });

  it('converts a document with the project converter and validates every entry', () => {
    const result = validateCdaDocument(path.join(samples, 'cda', 'PS_L3_W6.xml'), defs);
    expect(result.issues.filter((i) => i.rule === 'conversion')).toEqual([]);
    expect(result.resources).toBeGreaterThan(20);
  });
});

describe('the conformance harness catches', () => {
  /** Expects an error of the rule, at a path matching `path`, whose message matches `message`. */
  function expectError(bundle: Any, rule: string, path: RegExp, message?: RegExp): void {
    const found = errors(bundle);
    const hit = found.find((i) => i.rule === rule && path.test(i.path) && (!message || message.test(i.message)));
    if (!hit) throw new Error(`no [${rule}] error at ${path}; found:\n${brief(found).join('\n') || '(no error)'}`);
    expect(hit.severity).toBe('error');
  }

  it('two variants of one choice element (medicationReference and medicationCodeableConcept)', () => {
    const bundle = exampleBundle();
    const statement = entry(bundle, 'MedicationStatement').resource;
    expect(statement.medicationReference).toBeDefined();
    statement.medicationCodeableConcept = { text: 'Anastrozole 1 mg' };
    expectError(bundle, 'choice-type', /^MedicationStatement\.medication\[x\]$/, /medicationReference, medicationCodeableConcept/);
  });

  it('a choice variant in the underscore form of a complex type (_medicationCodeableConcept)', () => {
    const bundle = exampleBundle();
    entry(bundle, 'MedicationStatement').resource._medicationCodeableConcept = { extension: [] };
    expectError(bundle, 'choice-type', /^MedicationStatement\.medication\[x\]$/, /_medicationCodeableConcept/);
  });

  it('an AllergyIntolerance without clinicalStatus (ait-1)', () => {
    const bundle = exampleBundle();
    delete entry(bundle, 'AllergyIntolerance').resource.clinicalStatus;
    expectError(bundle, 'ait-1', /^AllergyIntolerance$/);
  });

  it('an Observation in the Functional status section (47420-5 allows Condition, ClinicalImpression, DocumentReference)', () => {
    const bundle = exampleBundle();
    const obs = entry(bundle, 'Observation');
    bundle.entry[0].resource.section.push({ title: 'Functional status', code: { coding: [{ system: LOINC, code: '47420-5' }] }, text: NARRATIVE, entry: [{ reference: obs.fullUrl }] });
    expectError(bundle, 'reference-target-type', /^Composition\.section\[6\]\.entry\[0\]$/, /Observation.*Condition, ClinicalImpression, DocumentReference/);
  });

  it('a section entry pointing outside the Bundle', () => {
    const bundle = exampleBundle();
    section(bundle, '11450-4').entry.push({ reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' });
    expectError(bundle, 'reference-unresolved', /^Composition\.section\[0\]\.entry\[1\]$/);
  });

  it('an extension whose URL has no definition', () => {
    const bundle = exampleBundle();
    entry(bundle, 'Condition').resource.extension = [{ url: 'https://example.org/fhir/StructureDefinition/nowhere', valueString: 'x' }];
    expectError(bundle, 'extension-unknown', /^Condition\.extension\[0\]$/, /nowhere/);
  });

  it('an extension outside its context (flag-priority on a Patient)', () => {
    const bundle = exampleBundle();
    entry(bundle, 'Patient').resource.extension = [{ url: 'http://hl7.org/fhir/StructureDefinition/flag-priority', valueCodeableConcept: { text: 'high' } }];
    expectError(bundle, 'extension-context', /^Patient\.extension\[0\]$/, /only on Flag/);
  });

  it('an extension value of the wrong type (data-absent-reason as a string)', () => {
    const bundle = exampleBundle();
    entry(bundle, 'Patient').resource._birthDate = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueString: 'unknown' }] };
    expectError(bundle, 'type', /^Patient\.birthDate\.extension\[0\]\.valueString$/);
  });

  it('a meta.profile that IPS 2.0 does not define (IPS 1.x Observation-results-uv-ips)', () => {
    const bundle = exampleBundle();
    entry(bundle, 'Observation').resource.meta = { profile: [`${IPS}Observation-results-uv-ips`] };
    expectError(bundle, 'profile-unknown', /meta\.profile$/, /Observation-results-uv-ips/);
  });

  it('a condition-clinical code that does not exist (foo)', () => {
    const bundle = exampleBundle();
    entry(bundle, 'Condition').resource.clinicalStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'foo' }] };
    expectError(bundle, 'code-unknown', /^Condition\.clinicalStatus\.coding\[0\]$/, /'foo'/);
    expectError(bundle, 'binding', /^Condition\.clinicalStatus$/, /condition-clinical/);
  });

  it('a tobacco-use entry whose code is not LOINC 72166-2', () => {
    const bundle = exampleBundle();
    const obs = addTobaccoUse(bundle, 'urn:uuid:00000000-0000-4000-8000-0000000000a1');
    obs.code = { coding: [{ system: LOINC, code: '11367-0' }] };
    expectError(bundle, 'pattern', /^Observation\.code$/, /72166-2/);
  });

  it('more tobacco-use entries in the social history section than its slice allows (0..1)', () => {
    const bundle = exampleBundle();
    addTobaccoUse(bundle, 'urn:uuid:00000000-0000-4000-8000-0000000000a1');
    addTobaccoUse(bundle, 'urn:uuid:00000000-0000-4000-8000-0000000000a2');
    expectError(bundle, 'slice-cardinality', /^Composition\.section\[6\]\.entry$/, /smokingTobaccoUse: 2 matching/);
  });

  it('a missing required section (problems, 11450-4)', () => {
    const bundle = exampleBundle();
    const composition = bundle.entry[0].resource;
    composition.section = composition.section.filter((s: Any) => s.code.coding[0].code !== '11450-4');
    expectError(bundle, 'slice-cardinality', /^Composition\.section$/, /sectionProblems: 0 matching/);
  });

  it('an active Condition with abatementDateTime (con-4)', () => {
    const bundle = exampleBundle();
    const condition = entry(bundle, 'Condition').resource;
    condition.clinicalStatus = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] };
    condition.abatementDateTime = '2020-01-01';
    expectError(bundle, 'con-4', /^Condition$/);
  });

  it('a Patient that does not conform to Patient-uv-ips (no birthDate), required by the Bundle', () => {
    const bundle = exampleBundle();
    delete entry(bundle, 'Patient').resource.birthDate;
    expectError(bundle, 'slice-cardinality', /^Bundle\.entry$/, /Bundle\.entry:patient: 0 matching/);
    expectError(bundle, 'cardinality', /^Patient\.birthDate$/);
  });

  it('a reference whose target does not conform to the IPS profile the element names (subject → Patient-uv-ips)', () => {
    const bundle = exampleBundle();
    delete entry(bundle, 'Patient').resource.birthDate;
    entry(bundle, 'Condition').resource.meta = { profile: [`${IPS}Condition-uv-ips`] };
    expectError(bundle, 'reference-target-profile', /^Condition\.subject$/, /Patient-uv-ips/);
  });

  it('a UCUM quantity with a malformed code', () => {
    const bundle = exampleBundle();
    const obs = bundle.entry.find((e: Any) => e.resource.valueQuantity?.system === 'http://unitsofmeasure.org').resource;
    obs.valueQuantity.code = 'mg /dL';
    expectError(bundle, 'ucum', /valueQuantity\.code$/, /white space/);
  });

  it('a narrative with a script element (txt-1)', () => {
    const bundle = exampleBundle();
    bundle.entry[0].resource.section[0].text.div = '<div xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script>Problems</div>';
    expectError(bundle, 'txt-1', /^Composition\.section\[0\]\.text\.div$/, /script/);
  });

  it('a datatype invariant inside a resource (per-1, a Period ending before it starts)', () => {
    const bundle = exampleBundle();
    const condition = entry(bundle, 'Condition').resource;
    delete condition.onsetDateTime;
    condition.onsetPeriod = { start: '2020-01-01', end: '2019-01-01' };
    expectError(bundle, 'per-1', /^Condition\.onsetPeriod$/);
  });

  it('an element base R4 does not define (found by medplum)', () => {
    const bundle = exampleBundle();
    entry(bundle, 'Patient').resource.nickname = 'Anna';
    expectError(bundle, 'structure', /^Patient\.nickname$/);
  });
});
