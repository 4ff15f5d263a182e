import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertPatientSummary, loadMaps, MapFileError } from '../../src/mapping/index.js';
import { projectPath } from '../../src/util/project.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const full = readFileSync(path.join(here, 'cda', 'full-summary.xml'), 'utf8');

/** A private copy of mappings/ to change in a test. */
function copyOfMappings(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'maps-'));
  cpSync(projectPath('mappings'), path.join(dir, 'mappings'), { recursive: true });
  return path.join(dir, 'mappings');
}

function loadError(root: string): MapFileError {
  try {
    loadMaps(root);
  } catch (err) {
    if (err instanceof MapFileError) return err;
    throw err;
  }
  throw new Error('the maps loaded');
}

describe('map files', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(path.dirname(d), { recursive: true, force: true })));
  const copy = (): string => {
    const d = copyOfMappings();
    dirs.push(d);
    return d;
  };

  it('the project maps load: a header map, every section of the design, entry maps', () => {
    const maps = loadMaps();
    expect(maps.sections.map((s) => s.code)).toEqual(['10160-0', '48765-2', '11450-4', '46264-8', '47519-4', '11348-0', '11369-6', '29762-2', '10162-6', '8716-3', '30954-2', '47420-5', '18776-5', '42348-3']);
    expect(maps.sections.filter((s) => s.required).map((s) => s.code)).toEqual(['10160-0', '48765-2', '11450-4']);
    expect(maps.entries.size).toBeGreaterThanOrEqual(15);
  });

  it('names the file and the line of a schema error', () => {
    const root = copy();
    const file = path.join(root, 'entries', 'procedure.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace("  - { to: code, from: code, as: CodeableConcept }", '  - { to: code, from: code, as: CodableConcept }'));
    const err = loadError(root);
    expect(err.file).toBe(path.join('mappings', 'entries', 'procedure.yaml'));
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes('CodableConcept')) + 1;
    expect(err.line).toBe(line);
    expect(err.message).toMatch(/procedure\.yaml:\d+: .*as/);
  });

  it('names the file and the line of a YAML syntax error and of a bad path', () => {
    const root = copy();
    writeFileSync(path.join(root, 'entries', 'broken.yaml'), 'kind: entry\nid: broken\ntemplates: [1.2.3\n');
    expect(loadError(root).message).toMatch(/^mappings\/entries\/broken\.yaml:\d+: /);
    rmSync(path.join(root, 'entries', 'broken.yaml'));
    writeFileSync(
      path.join(root, 'entries', 'bad-path.yaml'),
      ['kind: entry', 'id: bad-path', 'templates: [1.2.3]', 'resource: Observation', 'fields:', '  - { to: code, from: "code[@code=", as: CodeableConcept }', ''].join('\n'),
    );
    const err = loadError(root);
    expect(err.file).toBe(path.join('mappings', 'entries', 'bad-path.yaml'));
    expect(err.line).toBe(6);
  });

  it('refuses a section that names an unknown entry map', () => {
    const root = copy();
    const file = path.join(root, 'sections', 'procedures.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('entries: [procedure]', 'entries: [procedure, no-such-map]'));
    expect(loadError(root).message).toMatch(/procedures\.yaml: unknown entry map "no-such-map"/);
  });

  it('supports a new entry template with a change in mappings/ only', () => {
    const before = convertPatientSummary(full);
    expect(before.report.narrativeOnly.map((e) => e.templateIds)).toEqual([['2.999.99.1']]);
    const root = copy();
    writeFileSync(
      path.join(root, 'entries', 'heart-rate.yaml'),
      [
        'kind: entry',
        'id: heart-rate',
        'description: A national heart-rate observation template.',
        'templates: [2.999.99.1]',
        'resource: Observation',
        'patient: subject',
        'fields:',
        '  - { to: status, value: final }',
        '  - { to: code, from: code, as: CodeableConcept }',
        "  - { to: 'effective[x]', from: effectiveTime, as: effective, absent: unknown }",
        "  - { to: 'value[x]', from: value, as: value }",
        '',
      ].join('\n'),
    );
    const { bundle, report } = convertPatientSummary(full, { maps: loadMaps(root) });
    expect(report.entries.narrativeOnly).toBe(0);
    const hr = bundle.entry!.map((e) => e.resource as fhir4.Observation).find((r) => r.code?.coding?.[0].code === '8867-4')!;
    expect(hr.valueQuantity).toMatchObject({ value: 72, unit: '/min' });
    expect(hr.code.text).toBe('Fréquence cardiaque');
  });

  it('checks every to: against the FHIR R4 elements of the resource', () => {
    const root = copy();
    const file = path.join(root, 'entries', 'procedure.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace("- { to: code, from: code, as: CodeableConcept }", "- { to: codde, from: code, as: CodeableConcept }"));
    expect(loadError(root).message).toMatch(/procedure\.yaml: entry map procedure: to "codde": Procedure\.codde is not an element of Procedure/);
    writeFileSync(file, original.replace("- { to: 'bodySite[]', from: targetSiteCode", "- { to: bodySite, from: targetSiteCode"));
    expect(loadError(root).message).toMatch(/Procedure\.bodySite is a list: write bodySite\[\]/);
    writeFileSync(file, original.replace("- { to: 'performed[x]', from: effectiveTime, as: effective, absent: unknown }", "- { to: 'performed[x]', from: effectiveTime, as: Coding }"));
    expect(loadError(root).message).toMatch(/to "performed\[x\]" \(as Coding\) matches none of its types: dateTime, Period, string, Age, Range/);
  });

  it('refuses two variants of one choice element in a rule list (the first rule that yields must win across them)', () => {
    const root = copy();
    const file = path.join(root, 'entries', 'procedure.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace("- { to: 'performed[x]', from: effectiveTime, as: effective, absent: unknown }", "- { to: performedDateTime, from: effectiveTime/@value, as: dateTime }\n  - { to: performedPeriod, from: effectiveTime, as: Period }"));
    expect(loadError(root).message).toMatch(/Procedure\.performed\[x\] is written as performedDateTime and performedPeriod: write performed\[x\]/);
  });

  it('expands rule sets where they are included, and refuses an unknown or self-including one', () => {
    const maps = loadMaps();
    const problem = maps.entries.get('problem-concern')!;
    const past = maps.entries.get('past-illness-observation')!;
    // the Condition rules live once: both maps run the same rule objects
    const codeRule = problem.fields.find((r) => r.to === 'code' && r.from === 'value');
    expect(codeRule).toBeDefined();
    expect(past.fields).toContain(codeRule);
    expect(JSON.stringify(maps.entries.get('allergy-concern')!.fields)).not.toMatch(/"include"/);
    const root = copy();
    const file = path.join(root, 'rule-sets', 'condition.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('fields:\n', 'fields:\n  - include: condition\n'));
    expect(loadError(root).message).toMatch(/rule set "condition" includes itself \(condition → condition\)/);
    writeFileSync(file, readFileSync(file, 'utf8').replace('  - include: condition\n', '  - include: no-such-set\n'));
    expect(loadError(root).message).toMatch(/unknown rule set "no-such-set"/);
  });

  it('checks the absent/unknown table: statements named by the entry maps, displays of every concept', () => {
    const root = copy();
    const file = path.join(root, 'absence', 'absent-unknown.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace("  '787482006': No known immunizations (situation)\n", ''));
    expect(loadError(root).message).toMatch(/absent-unknown\.yaml: .*787482006 has no display in concepts/);
    writeFileSync(file, original);
    const entry = path.join(root, 'entries', 'procedure.yaml');
    writeFileSync(entry, readFileSync(entry, 'utf8').replace('statement: procedure', 'statement: surgery'));
    expect(loadError(root).message).toMatch(/procedure\.yaml: absence: unknown statement "surgery"/);
  });
});
