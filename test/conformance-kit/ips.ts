/** The $summary's Bundle against the IPS implementation guide given (the project's IPS 2.0 conformance harness). */
import { projectRoot } from '../../src/util/project.js';
import { loadDefinitions } from '../conformance/definitions.js';
import { IPS_BUNDLE, validateBundle } from '../conformance/validate-bundle.js';
import { expect, type Report } from './report.js';

export async function checkIps(report: Report, summary: fhir4.Bundle | undefined, igFolder: string): Promise<void> {
  if (!summary) {
    report.skipped('IPS', `valid against ${igFolder}`, 'no $summary Bundle');
    return;
  }
  await report.check('IPS', `the $summary Bundle is valid against the IG in ${igFolder} (0 errors)`, async () => {
    const defs = loadDefinitions(igFolder, projectRoot());
    const result = validateBundle(summary as unknown as Parameters<typeof validateBundle>[0], defs, { extraProfiles: [IPS_BUNDLE] });
    const errors = result.issues.filter((i) => i.severity === 'error');
    expect(!errors.length, `${errors.length} errors: ${errors.slice(0, 5).map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    return `${result.resources} resources, ${result.issues.length} warnings`;
  });
}
