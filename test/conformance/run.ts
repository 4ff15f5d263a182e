/**
 * IPS 2.0 conformance harness.
 *   npm run test:conformance -- <IG folder> <folders or files of CDA documents...> [--warnings]
 *   npm run test:conformance -- <IG folder> --examples [--warnings]
 * Converts each CDA document with the project's converter, validates each Bundle against base R4
 * and the IPS profiles, prints a table per document and every error grouped by rule; exits 1 when
 * any error is found, 2 on a usage error.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../../src/util/project.js';
import { loadDefinitions } from './definitions.js';
import { findCdaDocuments, validateCdaDocument, validateIgExamples, type DocumentResult } from './documents.js';
import { documentTable, groupedIssues, ruleCounts } from './report.js';

const USAGE = 'usage: npm run test:conformance -- <IG folder> (<folders or files of CDA documents...> | --examples) [--warnings]\n';

function main(argv: string[]): number {
  const args = argv.filter((a) => !a.startsWith('--'));
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const unknown = [...flags].filter((f) => f !== '--examples' && f !== '--warnings');
  const [ig, ...inputs] = args;
  if (!ig || unknown.length || (!flags.has('--examples') && inputs.length === 0)) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!existsSync(ig)) {
    process.stderr.write(`${ig}: no such IG folder\n${USAGE}`);
    return 2;
  }
  const started = Date.now();
  const defs = loadDefinitions(ig, projectRoot());
  for (const note of defs.loadNotes) process.stdout.write(`note: ${note}\n`);

  const results: DocumentResult[] = [];
  if (flags.has('--examples')) results.push(...validateIgExamples(defs, ig));
  if (inputs.length) {
    let found;
    try {
      found = findCdaDocuments(inputs);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      return 2;
    }
    for (const doc of found) {
      const name = path.relative(process.cwd(), doc.file) || doc.file;
      if (doc.skipped) process.stdout.write(`skipped ${name}: ${doc.skipped}\n`);
      else results.push(validateCdaDocument(doc.file, defs, name));
    }
  }

  if (results.length === 0) {
    process.stderr.write('no CDA document to validate\n');
    return 2;
  }
  process.stdout.write(`\n${documentTable(results)}\n`);
  const errors = ruleCounts(results, 'error');
  if (errors.length) {
    process.stdout.write(`\nerrors by rule: ${errors.map(([rule, n]) => `${rule} ${n}`).join(', ')}\n`);
    process.stdout.write(`${groupedIssues(results, 'error')}\n`);
  }
  const warnings = ruleCounts(results, 'warning');
  if (warnings.length) {
    process.stdout.write(`\nwarnings by rule: ${warnings.map(([rule, n]) => `${rule} ${n}`).join(', ')}${flags.has('--warnings') ? '' : ' (list them with --warnings)'}\n`);
    if (flags.has('--warnings')) process.stdout.write(`${groupedIssues(results, 'warning')}\n`);
  }
  if (flags.has('--warnings') && ruleCounts(results, 'information').length) process.stdout.write(`\nnot checked:${groupedIssues(results, 'information')}\n`);
  process.stdout.write(
    `\n"not checked": required bindings whose value set needs a terminology server, extensions defined outside the held packages, invariants medplum cannot evaluate.\n` +
      `${results.length} document(s) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return errors.length ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
