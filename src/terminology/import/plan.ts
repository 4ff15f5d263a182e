import { closeSync, existsSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { Utf8Chunks } from './chunks.js';
import type { FileImport, ImportContext } from './context.js';
import { CsvReader } from './csv.js';
import { fhirFileImport, fhirPackageArchiveImport, fhirPackageFolderImport, isFhirFileName, isPackageArchiveName } from './fhir.js';
import { loincVariantImport, loincVariantName } from './loinc.js';
import { isPlainCsvHeader, plainCsvImport } from './plain-csv.js';
import type { IgnoredFile } from './report.js';
import { TerminologyImportError } from './report.js';
import { rf2FileName, snomedRf2Import } from './snomed-rf2.js';

/**
 * Which importer reads which file: by name first (RF2, LOINC variants, package
 * archives, .json/.yaml), by the header for CSV. A folder is read down to
 * MAX_DEPTH levels (a SNOMED CT release keeps its language refset three
 * levels under the release folder); an unpacked FHIR package (a `package`
 * folder with its package.json) is read as one. Hidden files are passed over;
 * anything else not recognised is listed as ignored, with the reason.
 */

export const MAX_DEPTH = 4;
const CSV_PEEK_BYTES = 64 * 1024;

export interface Plan {
  imports: FileImport[];
  ignored: IgnoredFile[];
}

type Found = { file: string } | { packageFolder: string };

function isPackageFolder(dir: string): boolean {
  return path.basename(dir) === 'package' && existsSync(path.join(dir, 'package.json'));
}

function walk(dir: string, depth: number, found: Found[], ignored: IgnoredFile[]): void {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isFile()) found.push({ file: p });
    else if (!st.isDirectory()) ignored.push({ file: p, reason: 'not a regular file' });
    else if (isPackageFolder(p)) found.push({ packageFolder: p });
    else if (depth < MAX_DEPTH) walk(p, depth + 1, found, ignored);
    else ignored.push({ file: p, reason: `folder more than ${MAX_DEPTH} levels below the catalogue path, not read` });
  }
}

/** The first record of a CSV file (comments passed over), read from its first bytes only. */
function csvHeader(file: string): string[] | undefined {
  const buf = Buffer.alloc(CSV_PEEK_BYTES);
  const fd = openSync(file, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, CSV_PEEK_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  let header: string[] | undefined;
  try {
    new CsvReader((fields) => (header ??= fields), { onComment: () => undefined }).push(new Utf8Chunks().decode(buf.subarray(0, n)));
  } catch {
    // A header longer than the peek is no header of ours.
  }
  return header;
}

/** The importer of a CSV file, or why it is not read. */
function csvImport(ctx: ImportContext, file: string): FileImport | string {
  const header = csvHeader(file);
  if (header?.some((f) => f.trim().toUpperCase() === 'LOINC_NUM')) {
    const name = loincVariantName(file);
    if (!name) return 'LOINC table that is not a linguistic variant (<language><COUNTRY><n>LinguisticVariant.csv)';
    if (!ctx.isTargetLanguage(name.language)) return `LOINC linguistic variant ${name.language}, not ${ctx.language}`;
    return loincVariantImport(ctx, file);
  }
  if (header && isPlainCsvHeader(header)) return plainCsvImport(ctx, file);
  return 'CSV whose header has neither system,code,display nor LOINC_NUM';
}

/** Language refset snapshots of the same release beside a description file (same folder, or the release's Refset/Language). */
function companionRefsets(descriptions: string): string[] {
  const dir = path.dirname(descriptions);
  const release = rf2FileName(descriptions)!.release;
  return [dir, path.join(dir, '..', '..', 'Refset', 'Language')]
    .filter((d) => existsSync(d) && statSync(d).isDirectory())
    .flatMap((d) => readdirSync(d).map((f) => path.join(d, f)))
    .filter((f) => rf2FileName(f)?.kind === 'language-refset' && rf2FileName(f)!.release === release);
}

export function planImports(ctx: ImportContext, location: string): Plan {
  if (!existsSync(location)) throw new TerminologyImportError(location, 'not found');
  const ignored: IgnoredFile[] = [];
  const single = statSync(location).isFile();
  const found: Found[] = [];
  if (single) found.push({ file: location });
  else if (isPackageFolder(location)) found.push({ packageFolder: location });
  else walk(location, 0, found, ignored);

  const files = found.flatMap((f) => ('file' in f ? [f.file] : []));
  const refsets = files.filter((f) => rf2FileName(f)?.kind === 'language-refset');
  const pairedRefsets = new Set<string>();
  const imports: FileImport[] = [];

  for (const item of found) {
    if ('packageFolder' in item) {
      imports.push(fhirPackageFolderImport(ctx, item.packageFolder));
      continue;
    }
    const file = item.file;
    const rf2 = rf2FileName(file);
    let plan: FileImport | string;
    if (rf2?.kind === 'language-refset') continue; // read with its description file
    if (rf2) {
      const own = single ? companionRefsets(file) : refsets.filter((r) => rf2FileName(r)!.release === rf2.release);
      own.forEach((r) => pairedRefsets.add(r));
      plan = snomedRf2Import(ctx, file, own);
    } else if (/^(sct2|der2)_/i.test(path.basename(file))) plan = 'SNOMED CT file not used (only the description and language refset snapshots are read)';
    else if (isPackageArchiveName(file)) plan = fhirPackageArchiveImport(ctx, file);
    else if (isFhirFileName(file)) plan = fhirFileImport(ctx, file);
    else if (/\.csv$/i.test(file)) plan = csvImport(ctx, file);
    else plan = 'not a terminology distribution format read here';
    if (typeof plan === 'string') ignored.push({ file, reason: plan });
    else imports.push(plan);
  }
  for (const r of refsets) if (!pairedRefsets.has(r)) ignored.push({ file: r, reason: 'language reference set without the description snapshot of its release' });

  if (single && !imports.length) throw new TerminologyImportError(location, ignored[0]?.reason ?? 'nothing to read');
  return { imports, ignored };
}
