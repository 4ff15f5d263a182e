/**
 * Loads an operator's official terminology on top of the project's catalogue
 * and says what it loaded and how much of the eHDSI value sets is translated:
 *   npm run terminology:load -- [<path>] [--value-sets <folder of .fsh>] [--language fr-FR] [--documents <folder of CDA>]…
 * Without a path: the coverage of the project's catalogue alone. With
 * --documents: the share of the coded terms of those documents that the
 * catalogues translate (official / project reviewed / project proposed / none).
 * Exit codes: 0 done, 2 wrong call, missing path or unreadable file, 1 anything else.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CdaInputError, convertPatientSummary } from '../mapping/index.js';
import { projectCatalogue, type TerminologyCatalogue } from '../terminology/catalogue.js';
import { type CoverageCounts, type CoverageReport, valueSetCoverage } from '../terminology/coverage.js';
import { readFshValueSets } from '../terminology/fsh-value-sets.js';
import { type LoadReport, loadOperatorCatalogueAsync, TerminologyImportError } from '../terminology/import/index.js';
import { projectPath } from '../util/project.js';

const USAGE = 'usage: npm run terminology:load -- [<terminology path>] [--value-sets <folder of .fsh value sets>] [--language fr-FR] [--documents <folder of CDA documents>]…\n';
/** The eHDSI Master Value Set Catalogue beside the checkout (see ../shared/ehdsi-samples/README.md). */
const DEFAULT_VALUE_SETS = projectPath('..', 'shared', 'ehdsi-samples', 'mvc');

class UsageError extends Error {}

interface Args {
  location?: string;
  valueSets?: string;
  language: string;
  documents: string[];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { language: 'fr-FR', documents: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--value-sets' || a === '--language' || a === '--documents') {
      const v = argv[++i];
      if (!v) throw new UsageError(`${a} needs a value`);
      if (a === '--language') args.language = v;
      else if (a === '--documents') args.documents.push(v);
      else args.valueSets = v;
    } else if (a.startsWith('-') || args.location) throw new UsageError(`unexpected argument: ${a}`);
    else args.location = a;
  }
  return args;
}

const pct = (n: number, of: number): string => (of ? `${((100 * n) / of).toFixed(1)} %` : '—');

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => ('  ' + r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).trimEnd()).join('\n') + '\n';
}

function loadText(report: LoadReport): string {
  let out = `Loaded ${report.location} (${report.language}): ${report.designations} official designations from ${report.files.length} file(s)\n`;
  for (const f of report.files) {
    const sources = f.sources.map((s) => (s.version ? `${s.name} ${s.version}` : s.name)).join('; ') || 'no source';
    out += `  ${f.format}  ${f.file}\n    source: ${sources}\n    designations: ${f.designations}\n`;
    for (const s of f.skipped) out += `    skipped ${s.count}: ${s.reason}${s.examples.length ? ` (e.g. ${s.examples.join(', ')})` : ''}\n`;
    for (const n of f.notes) out += `    note: ${n}\n`;
  }
  for (const i of report.ignored) out += `  ignored  ${i.file}: ${i.reason}\n`;
  return out;
}

function coverageText(folder: string, coverage: CoverageReport): string {
  const row = (label: string, version: string, c: CoverageCounts, rules: string): string[] => [label, version, String(c.codes), String(c.official), String(c.project), String(c.none), pct(c.official + c.project, c.codes), rules];
  const rows = [['value set', 'version', 'codes', 'official', 'project only', 'none', 'translated', 'rules not enumerated']];
  for (const vs of coverage.valueSets) rows.push(row(vs.name, vs.version ?? '', vs, vs.rules ? String(vs.rules) : ''));
  rows.push(row('total (distinct codes)', '', coverage.total, ''));
  return `\nCoverage of the value sets in ${folder} (${coverage.language}): official designation / project's only / none\n${table(rows)}`;
}

/** The CDA documents of a folder and of its subfolders (fixtures/patients/<slug>/L3.xml), by name. */
function cdaFiles(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const file = path.join(folder, name);
    if (statSync(file).isDirectory()) out.push(...readdirSync(file).sort().filter((f) => f.endsWith('.xml')).map((f) => path.join(file, f)));
    else if (name.endsWith('.xml')) out.push(file);
  }
  return out;
}

/** Each document converted with the catalogue: how its coded terms got (or did not get) their text in the language. */
function documentsText(folders: string[], catalogue: TerminologyCatalogue, language: string): string {
  const rows = [['document', 'terms', 'official', 'project reviewed', 'project proposed', 'untranslated', 'translated']];
  const sum = { terms: 0, official: 0, reviewed: 0, proposed: 0, untranslated: 0 };
  for (const folder of folders) {
    for (const file of cdaFiles(folder)) {
      let codes;
      try {
        codes = convertPatientSummary(readFileSync(file), { catalogue, language, now: new Date(0) }).report.codes;
      } catch (err) {
        if (!(err instanceof CdaInputError)) throw err;
        continue; // not a CDA document (a PDF wrapper's sibling, a stray XML file)
      }
      const terms = codes.translated + codes.untranslated;
      rows.push([path.relative(process.cwd(), file), String(terms), String(codes.official), String(codes.reviewed), String(codes.proposed), String(codes.untranslated), pct(codes.translated, terms)]);
      sum.terms += terms;
      sum.official += codes.official;
      sum.reviewed += codes.reviewed;
      sum.proposed += codes.proposed;
      sum.untranslated += codes.untranslated;
    }
  }
  rows.push(['total', String(sum.terms), `${sum.official} (${pct(sum.official, sum.terms)})`, `${sum.reviewed} (${pct(sum.reviewed, sum.terms)})`, `${sum.proposed} (${pct(sum.proposed, sum.terms)})`, `${sum.untranslated} (${pct(sum.untranslated, sum.terms)})`, pct(sum.terms - sum.untranslated, sum.terms)]);
  return `\nCoded terms of the documents, by where their ${language} text comes from\n${table(rows)}`;
}

async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const valueSets = args.valueSets ?? (existsSync(DEFAULT_VALUE_SETS) ? DEFAULT_VALUE_SETS : undefined);
  if (args.valueSets && !(existsSync(args.valueSets) && statSync(args.valueSets).isDirectory())) {
    process.stderr.write(`terminology:load: value sets folder not found: ${args.valueSets}\n`);
    return 2;
  }
  const catalogue = projectCatalogue();
  if (args.location) {
    try {
      process.stdout.write(loadText(await loadOperatorCatalogueAsync(catalogue, path.resolve(args.location), { language: args.language })));
    } catch (err) {
      if (!(err instanceof TerminologyImportError)) throw err;
      process.stderr.write(`terminology:load: ${err.message}\n`);
      return 2;
    }
  } else {
    process.stdout.write(`No terminology path given: the project's catalogue alone (${catalogue.size} designations).\n`);
  }
  for (const folder of args.documents) {
    if (!(existsSync(folder) && statSync(folder).isDirectory())) {
      process.stderr.write(`terminology:load: documents folder not found: ${folder}\n`);
      return 2;
    }
  }
  if (args.documents.length) process.stdout.write(documentsText(args.documents, catalogue, args.language));
  if (!valueSets) {
    process.stdout.write(`\nNo value sets to measure coverage against (give --value-sets <folder of .fsh>; default ${DEFAULT_VALUE_SETS}).\n`);
    return 0;
  }
  let fsh;
  try {
    fsh = readFshValueSets(valueSets);
  } catch (err) {
    process.stderr.write(`terminology:load: cannot read the value sets in ${valueSets}: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(coverageText(valueSets, valueSetCoverage(catalogue, fsh, args.language)));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    // Never a stack trace for the operator: the message says what failed.
    process.stderr.write(`terminology:load: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
