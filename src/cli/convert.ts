/**
 * Command-line converter for analysts and testers:
 *   npm run convert -- <file.xml> [--report] [--language fr-FR] [--terminology <path>]
 *                      [--pdf <out.pdf>] [--translated-cda <out.xml>]
 * Prints the IPS Bundle JSON (and with --report the conversion report as an
 * OperationOutcome); --pdf writes the French summary as a PDF and
 * --translated-cda the CDA with French designations, the documents the
 * server lists beside the originals.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderSummaryPdf, translateCda } from '../documents/index.js';
import { CdaInputError, convertPatientSummary, reportOperationOutcome } from '../mapping/index.js';
import { defaultCatalogue } from '../terminology/catalogue.js';

const USAGE = 'usage: npm run convert -- <file.xml> [--report] [--language fr-FR] [--terminology <catalogue path>] [--pdf <out.pdf>] [--translated-cda <out.xml>]\n';

async function main(argv: string[]): Promise<number> {
  const args = [...argv];
  const flag = (name: string): boolean => {
    const i = args.indexOf(name);
    if (i >= 0) args.splice(i, 1);
    return i >= 0;
  };
  let missingValue = false;
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    if (v === undefined || v.startsWith('--')) missingValue = true;
    return v;
  };
  const withReport = flag('--report');
  const language = option('--language');
  const terminologyPath = option('--terminology');
  const pdfOut = option('--pdf');
  const cdaOut = option('--translated-cda');
  const file = args[0];
  if (!file || args.length > 1 || missingValue || args.some((a) => a.startsWith('--'))) {
    process.stderr.write(USAGE);
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
    try {
      if (pdfOut) {
        writeFileSync(pdfOut, await renderSummaryPdf(bundle, { generatedAt: new Date() }));
        process.stderr.write(`${pdfOut}: the French summary as PDF\n`);
      }
      if (cdaOut) {
        const { xml, counts } = translateCda(bytes, { catalogue: defaultCatalogue(terminologyPath), language: language ?? 'fr-FR' });
        writeFileSync(cdaOut, xml);
        process.stderr.write(`${cdaOut}: the CDA with French designations (${counts.translated} coded elements given their French designation, ${counts.untranslated} left as sent)\n`);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === undefined) throw err;
      process.stderr.write(`cannot write ${(err as NodeJS.ErrnoException).path ?? 'the output'}: ${(err as Error).message}\n`);
      return 2;
    }
    if ((pdfOut || cdaOut) && !withReport) return 0;
    // (with the documents written, --report prints the report alone)
    const out = withReport ? (pdfOut || cdaOut ? { report: reportOperationOutcome(report), summary: report } : { bundle, report: reportOperationOutcome(report), summary: report }) : bundle;
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

process.exitCode = await main(process.argv.slice(2));
