import path from 'node:path';
import type { CatalogueSource } from '../designation.js';
import { own } from './chunks.js';
import { csvSink } from './csv.js';
import { type FileImport, type ImportContext, sourceSummaries } from './context.js';
import { SkipTally, TerminologyImportError } from './report.js';

/**
 * A plain table of designations, for terminologies with no distribution
 * format of their own (EDQM translations, a national list…): RFC 4180 CSV
 * with a header naming the columns `system,code,display` (the display being
 * the text in the row's language), and optionally `language` (default: the
 * target language) and `version`. Lines starting with `#` are comments;
 * `# name: …` and `# version: …` name the source, which is otherwise named
 * after the file (without .csv).
 */

const REQUIRED = ['system', 'code', 'display'] as const;

/** Whether a header record is this format's. */
export function isPlainCsvHeader(fields: string[]): boolean {
  const names = new Set(fields.map((f) => f.trim().toLowerCase()));
  return REQUIRED.every((c) => names.has(c));
}

export function plainCsvImport(ctx: ImportContext, file: string): FileImport {
  const tally = new SkipTally();
  const meta: { name?: string; version?: string } = {};
  const used = new Set<CatalogueSource>();
  let columns: Map<string, number> | undefined;
  let designations = 0;

  const sourceOf = (version: string | undefined): CatalogueSource => {
    const name = meta.name ?? path.basename(file).replace(/\.csv$/i, '');
    return ctx.officialSource(`csv:${name}:${version ?? ''}`, name, version, file);
  };

  const onComment = (text: string): void => {
    const m = /^(name|version)\s*:\s*(.+)$/i.exec(text);
    if (m && !columns) meta[m[1].toLowerCase() as 'name' | 'version'] = m[2].trim();
  };

  const onRecord = (fields: string[], line: number): void => {
    if (!columns) {
      if (!isPlainCsvHeader(fields)) throw new TerminologyImportError(file, `the header must name the columns ${REQUIRED.join(',')} (optional: language, version)`);
      columns = new Map(fields.map((f, i) => [f.trim().toLowerCase(), i]));
      return;
    }
    const get = (column: string): string => (fields[columns!.get(column) ?? -1] ?? '').trim();
    const [system, code, display] = REQUIRED.map(get);
    if (!system || !code || !display) return tally.skipLine('system, code or display empty', file, line);
    const language = get('language') || ctx.language;
    if (!ctx.isTargetLanguage(language)) return tally.skipLine(`language other than ${ctx.language}`, file, line);
    const source = sourceOf(get('version') || meta.version);
    used.add(source);
    if (ctx.catalogue.add(language, own(system), own(code), own(display), source)) designations++;
  };

  return {
    reads: [{ file, sink: csvSink(onRecord, { onComment }) }],
    finish() {
      if (!columns) throw new TerminologyImportError(file, 'empty (no header)');
      return { file, format: 'csv', sources: sourceSummaries(used.size ? used : [sourceOf(meta.version)]), designations, skipped: tally.list, notes: [] };
    },
  };
}
