/**
 * Command-line converter for analysts and testers:
 *   npm run convert -- <file.xml> [--report] [--language fr-FR] [--terminology <path>]
 * Prints the IPS Bundle JSON (and with --report the conversion report as an OperationOutcome).
 */
import { readFileSync } from 'node:fs';
import { CdaInputError, convertPatientSummary, reportOperationOutcome } from '../mapping/index.js';

function main(argv: string[]): number {
  const args = [...argv];
  const flag = (name: string): boolean => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v;
  };
  const withReport = flag('--report');
  const language = option('--language');
  const terminologyPath = option('--terminology');
  const file = args[0];
  if (!file || args.length > 1) {
    process.stderr.write('usage: npm run convert -- <file.xml> [--report] [--language fr-FR] [--terminology <catalogue path>]\n');
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    process.stderr.write(`cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  try {
    const { bundle, report } = convertPatientSummary(bytes, { language, terminologyPath });
    const out = withReport ? { bundle, report: reportOperationOutcome(report), summary: report } : bundle;
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof CdaInputError) {
      process.stderr.write(`${file}: not converted (${err.problem}): ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = main(process.argv.slice(2));
