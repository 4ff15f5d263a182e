/**
 * The project's own French catalogue as a CSV for a terminologist:
 *   npm run terminology:review [-- --out review.csv] [--value-sets <folder of eHDSI FSH value sets>] [--delimiter ';']
 * One line per designation: system, code, English display, French proposal,
 * review status, where the code is used (project maps, eHDSI value sets,
 * fixture CDA documents) and the catalogue file to correct.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { DESIGNATION_STATUS_EXT, normaliseLanguage } from '../terminology/catalogue.js';
import { canonicalSystem } from '../terminology/code-systems.js';
import { readFshValueSets } from '../terminology/fsh-value-sets.js';
import { projectPath, projectRoot } from '../util/project.js';

export interface ReviewRow {
  system: string;
  code: string;
  display?: string;
  french: string;
  status: string;
  /** "map <file>", "eHDSI <value set>", "fixture <file>" (or a count of fixtures), one per line in the CSV. */
  usedIn: string[];
  /** The catalogue file, relative to the project. */
  file: string;
}

export interface ReviewOptions {
  /** Default: mappings/terminology/fr-FR. */
  catalogueDir?: string;
  /** Default: mappings. */
  mappingsDir?: string;
  /** Default: fixtures. */
  fixturesDir?: string;
  /** eHDSI value sets as FSH (…/mvc/*.fsh); none when undefined. */
  valueSetsDir?: string;
  language?: string;
}

export const REVIEW_HEADER = ['system', 'code', 'English display', 'French proposal', 'status', 'where used', 'catalogue file'];

/** More fixture documents than this are counted, not listed. */
const LISTED_FIXTURES = 3;

const key = (system: string, code: string): string => `${canonicalSystem(system)}|${code}`;

function relative(file: string): string {
  return path.relative(projectRoot(), file).split(path.sep).join('/');
}

function filesUnder(dir: string, extension: RegExp): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...filesUnder(file, extension));
    else if (extension.test(name)) out.push(file);
  }
  return out;
}

interface FhirConcept {
  code: string;
  display?: string;
  designation?: Array<{ language?: string; value?: string; extension?: Array<{ url: string; valueCode?: string }> }>;
  concept?: FhirConcept[];
}

/** The designations of the catalogue files as written (the loaded catalogue keeps no English display for them). */
function catalogueRows(dir: string, language: string): ReviewRow[] {
  const rows: ReviewRow[] = [];
  const add = (system: string, concepts: FhirConcept[], file: string): void => {
    for (const c of concepts) {
      for (const d of c.designation ?? []) {
        if (!d.language || !d.value || normaliseLanguage(d.language) !== language) continue;
        const status = d.extension?.find((e) => e.url === DESIGNATION_STATUS_EXT)?.valueCode ?? 'proposed';
        rows.push({ system, code: c.code, display: c.display, french: d.value, status, usedIn: [], file: relative(file) });
      }
      if (c.concept) add(system, c.concept, file);
    }
  };
  for (const file of filesUnder(dir, /\.json$/i)) {
    const r = JSON.parse(readFileSync(file, 'utf8')) as { resourceType?: string; url?: string; concept?: FhirConcept[]; compose?: { include?: Array<{ system?: string; concept?: FhirConcept[] }> } };
    if (r.resourceType === 'CodeSystem' && r.url) add(r.url, r.concept ?? [], file);
    for (const inc of r.compose?.include ?? []) if (inc.system) add(inc.system, inc.concept ?? [], file);
  }
  return rows;
}

/**
 * Codes the maps name: codings ({system, code}), the right side of value maps
 * with a system, section codes (LOINC) and known-absence replacements (SNOMED CT).
 */
function mapUsages(dir: string, wanted: Set<string>, record: (k: string, where: string) => void): void {
  for (const file of filesUnder(dir, /\.ya?ml$/i)) {
    if (relative(file).startsWith('mappings/terminology/')) continue;
    const where = `map ${relative(file)}`;
    const use = (system: unknown, code: unknown): void => {
      if (typeof system !== 'string' || (typeof code !== 'string' && typeof code !== 'number')) return;
      const k = key(system, String(code));
      if (wanted.has(k)) record(k, where);
    };
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      use(o.system, o.code);
      if (typeof o.system === 'string' && o.codes && typeof o.codes === 'object') for (const v of Object.values(o.codes)) use(o.system, v);
      // IPS 2.0's "no known X" concepts are SNOMED CT (docs/references.md#translation-of-the-patient-summary)
      if (o.replacedBy !== undefined) use('http://snomed.info/sct', o.replacedBy);
      Object.values(o).forEach(walk);
    };
    const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null;
    if (doc?.kind === 'section') use('http://loinc.org', doc.code);
    walk(doc);
  }
}

/** Codes the eHDSI value sets list (the FSH files of the MVC). */
function valueSetUsages(dir: string, wanted: Set<string>, record: (k: string, where: string) => void): void {
  for (const vs of readFshValueSets(dir)) {
    for (const c of vs.concepts) {
      const k = key(c.system, c.code);
      if (wanted.has(k)) record(k, `eHDSI ${vs.name}`);
    }
  }
}

const ATTRIBUTE = (name: string): RegExp => new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);
const CODE_ATTRIBUTE = ATTRIBUTE('code');
const CODE_SYSTEM_ATTRIBUTE = ATTRIBUTE('codeSystem');

/** Codes the fixture CDA documents use: any element with code and codeSystem (an OID). */
function fixtureUsages(dir: string, wanted: Set<string>, record: (k: string, where: string) => void): void {
  for (const file of filesUnder(dir, /\.xml$/i)) {
    const where = relative(file);
    for (const [tag] of readFileSync(file, 'utf8').matchAll(/<[A-Za-z][^>]*>/g)) {
      const code = CODE_ATTRIBUTE.exec(tag);
      const system = code && CODE_SYSTEM_ATTRIBUTE.exec(tag);
      if (!code || !system) continue;
      const k = key(system[1] ?? system[2], code[1] ?? code[2]);
      if (wanted.has(k)) record(k, where);
    }
  }
}

/** The catalogue's designations, each with where its code is used. */
export function reviewRows(opts: ReviewOptions = {}): ReviewRow[] {
  const language = normaliseLanguage(opts.language ?? 'fr-FR');
  const rows = catalogueRows(opts.catalogueDir ?? projectPath('mappings', 'terminology', language), language);
  const wanted = new Set(rows.map((r) => key(r.system, r.code)));
  const uses = new Map<string, { maps: Set<string>; valueSets: Set<string>; fixtures: Set<string> }>();
  const recorder = (kind: 'maps' | 'valueSets' | 'fixtures') => (k: string, where: string): void => {
    let u = uses.get(k);
    if (!u) uses.set(k, (u = { maps: new Set(), valueSets: new Set(), fixtures: new Set() }));
    u[kind].add(where);
  };
  mapUsages(opts.mappingsDir ?? projectPath('mappings'), wanted, recorder('maps'));
  if (opts.valueSetsDir) valueSetUsages(opts.valueSetsDir, wanted, recorder('valueSets'));
  fixtureUsages(opts.fixturesDir ?? projectPath('fixtures'), wanted, recorder('fixtures'));
  for (const row of rows) {
    const u = uses.get(key(row.system, row.code));
    if (!u) continue;
    const fixtures = [...u.fixtures];
    row.usedIn = [
      ...u.maps,
      ...u.valueSets,
      ...(fixtures.length > LISTED_FIXTURES
        ? [`fixtures: ${fixtures.length} documents (${fixtures.slice(0, LISTED_FIXTURES).join(', ')}, …)`]
        : fixtures.map((f) => `fixture ${f}`)),
    ];
  }
  return rows;
}

/** RFC 4180: a field with the delimiter, a quote or a line break is quoted, its quotes doubled; records end with CRLF. */
export function toCsv(records: string[][], delimiter = ','): string {
  const field = (v: string): string => (v.includes(delimiter) || /["\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return records.map((r) => r.map(field).join(delimiter) + '\r\n').join('');
}

export function reviewCsv(opts: ReviewOptions = {}, delimiter = ','): string {
  const rows = reviewRows(opts).map((r) => [r.system, r.code, r.display ?? '', r.french, r.status, r.usedIn.join('\n'), r.file]);
  return toCsv([REVIEW_HEADER, ...rows], delimiter);
}

const USAGE = `usage: npm run terminology:review [-- --out <file.csv>] [--value-sets <folder>] [--delimiter <char>]

Writes the project's French catalogue (mappings/terminology/fr-FR) as CSV for a terminologist:
system, code, English display, French proposal, status (reviewed | proposed), where used
(project maps, eHDSI value sets, fixture CDA documents), catalogue file.

  --out <file>          write there (default: standard output)
  --value-sets <folder> eHDSI value sets as FSH files (default: ../shared/ehdsi-samples/mvc
                        next to the project, when present)
  --delimiter <char>    field delimiter (default ","; ";" for Excel set to French)

CSV as in RFC 4180 (quoted fields, CRLF), UTF-8 with a byte order mark so that Excel shows the
French accents right.
`;

function main(argv: string[]): number {
  const args = [...argv];
  const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    args.splice(i, 2);
    return v ?? '';
  };
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const out = option('--out');
  const valueSets = option('--value-sets');
  const delimiter = option('--delimiter') ?? ',';
  if (args.length || out === '' || valueSets === '' || delimiter.length !== 1 || /["\r\n]/.test(delimiter)) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (valueSets !== undefined && !existsSync(valueSets)) {
    process.stderr.write(`value sets folder not found: ${valueSets}\n`);
    return 2;
  }
  // Checked before the catalogue is read, so that a typo does not cost the whole review first.
  if (out !== undefined && !isDirectory(path.dirname(path.resolve(out)))) {
    process.stderr.write(`terminology:review: cannot write ${out}: the folder ${path.dirname(path.resolve(out))} does not exist\n`);
    return 2;
  }
  const besideProject = path.resolve(projectRoot(), '..', 'shared', 'ehdsi-samples', 'mvc');
  const valueSetsDir = valueSets ?? (existsSync(besideProject) ? besideProject : undefined);
  if (!valueSetsDir) process.stderr.write('no eHDSI value sets folder: "where used" names the maps and fixtures only\n');
  const csv = '\uFEFF' + reviewCsv({ valueSetsDir }, delimiter);
  if (!out) {
    process.stdout.write(csv);
    return 0;
  }
  try {
    writeFileSync(out, csv, 'utf8');
  } catch (err) {
    process.stderr.write(`terminology:review: cannot write ${out}: ${writeFailure(err)}\n`);
    return 2;
  }
  return 0;
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Why a file could not be written, in words (the path is already in the message). */
function writeFailure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'its folder does not exist';
  if (code === 'EROFS') return 'read-only file system';
  if (code === 'ENOSPC') return 'no space left on the device';
  return err instanceof Error ? err.message : String(err);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
