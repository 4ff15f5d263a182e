// "No known X" and "no information" over the project's fixtures, checked by an audit independent
// of the engine (test/mapping/absence-audit.ts), plus the cases the audit cannot see.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { convertPatientSummary } from '../../src/mapping/index.js';
import { projectPath } from '../../src/util/project.js';
import { absenceViolations, absentUnknownStatements } from './absence-audit.js';

const cdaDir = projectPath('fixtures', 'cda');
const patientsDir = projectPath('fixtures', 'patients');
const files = [
  ...readdirSync(cdaDir).filter((f) => f.endsWith('.xml')).map((f) => path.join(cdaDir, f)),
  ...readdirSync(patientsDir).map((d) => path.join(patientsDir, d, 'L3.xml')).filter((f) => { try { readFileSync(f); return true; } catch { return false; } }),
];
const convert = (name: string): { xml: string; bundle: fhir4.Bundle } => {
  const xml = readFileSync(path.join(cdaDir, name), 'utf8');
  return { xml, bundle: convertPatientSummary(xml).bundle };
};
type Res = Record<string, unknown> & { resourceType: string };
const resources = (b: fhir4.Bundle): Res[] => (b.entry ?? []).map((e) => e.resource as unknown as Res);
const codes = (cc: unknown): string[] => ((cc as fhir4.CodeableConcept | undefined)?.coding ?? []).map((c) => c.code ?? '');

describe('absent and unknown information in the fixtures', () => {
  it.each(files.map((f) => [path.relative(projectPath(), f), f]))('%s says exactly what its source says', (_name, file) => {
    const xml = readFileSync(file, 'utf8');
    expect(absenceViolations(xml, convertPatientSummary(xml).bundle)).toEqual([]);
  });

  it('the audit sees the statements of the absent/unknown fixtures', () => {
    expect(absentUnknownStatements(readFileSync(path.join(cdaDir, 'known-absence.xml'), 'utf8')).map((s) => s.says)).toEqual(Array(6).fill('known-absence'));
    expect(absentUnknownStatements(readFileSync(path.join(cdaDir, 'no-information.xml'), 'utf8')).map((s) => s.says)).toEqual(Array(5).fill('no-information'));
  });

  it('a negated allergy to a named agent is refuted, never an active allergy, and has no onset', () => {
    const { bundle } = convert('known-absence-variants.xml');
    const penicillin = resources(bundle).find((r) => r.resourceType === 'AllergyIntolerance' && codes(r.code).includes('764146007'))!;
    expect(codes(penicillin.verificationStatus)).toEqual(['refuted']);
    expect(codes(penicillin.clinicalStatus)).toEqual(['inactive']);
    expect(penicillin.onsetDateTime).toBeUndefined();
  });

  it('a negated generic statement is the "no known" situation, without the generic code as an equivalent coding', () => {
    const { bundle } = convert('known-absence-variants.xml');
    const conditions = resources(bundle).filter((r) => r.resourceType === 'Condition');
    expect(conditions.map((c) => codes(c.code))).toContainEqual(['160245001']);
    // "Problem" (55607006) says the opposite of "no current problems": never a coding of the same concept
    expect(conditions.flatMap((c) => codes(c.code))).not.toContain('55607006');
    const procedure = resources(bundle).find((r) => r.resourceType === 'Procedure')!;
    expect(codes(procedure.code)).toEqual(['787480003']);
    // "completed" would read as a performed procedure
    expect(procedure.status).toBe('unknown');
  });

  it('a null-flavored subject with an originalText is no information, and NASK says "not asked"', () => {
    const { bundle } = convert('no-information-variants.xml');
    expect(resources(bundle).slice(1).filter((r) => !['Patient', 'Practitioner', 'Organization', 'Device', 'Provenance'].includes(r.resourceType))).toEqual([]);
    const problems = (resources(bundle)[0] as unknown as fhir4.Composition).section!.find((s) => s.code!.coding![0].code === '11450-4')!;
    expect(problems.emptyReason!.coding![0].code).toBe('notasked');
  });
});
