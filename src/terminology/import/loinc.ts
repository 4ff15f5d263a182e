import path from 'node:path';
import { own } from './chunks.js';
import { csvSink } from './csv.js';
import { type FileImport, type ImportContext, sourceSummaries } from './context.js';
import { SkipTally, TerminologyImportError } from './report.js';

/**
 * LOINC linguistic variant (AccessoryFiles/LinguisticVariants/frFR18LinguisticVariant.csv):
 * RFC 4180 CSV with a header — LOINC_NUM, COMPONENT, PROPERTY, TIME_ASPCT,
 * SYSTEM, SCALE_TYP, METHOD_TYP, CLASS, SHORTNAME, LONG_COMMON_NAME,
 * RELATEDNAMES2, LinguisticVariantDisplayName (ConsumerName in recent
 * releases) — whose fields are the translations, empty where not translated.
 *
 * The text of a code: LONG_COMMON_NAME (LOINC's name meant for people), else
 * LinguisticVariantDisplayName (the variant's own display name, given by
 * some producers only), else the translated parts as LOINC composes its
 * fully specified name, COMPONENT:PROPERTY:TIME_ASPCT:SYSTEM:SCALE_TYP[:METHOD_TYP]
 * — terse, but each part is in the target language, which beats an English
 * name; a row without even a COMPONENT is skipped.
 */

export const LOINC = 'http://loinc.org';

const TEXT_COLUMNS = ['LONG_COMMON_NAME', 'LINGUISTICVARIANTDISPLAYNAME'] as const;
const PART_COLUMNS = ['COMPONENT', 'PROPERTY', 'TIME_ASPCT', 'SYSTEM', 'SCALE_TYP', 'METHOD_TYP'] as const;
const FROM_PARTS = 'parts (COMPONENT:PROPERTY:…)';

export interface LoincVariantName {
  /** BCP 47 tag from the file name (frFR → fr-FR). */
  language: string;
  /** The number in the file name: the variant's key in LinguisticVariants.csv, not a release. */
  variant: string;
  /** LOINC release, from a folder of the path named like Loinc_2.77. */
  release?: string;
}

/** What a linguistic variant's path says; undefined when the name is not xxYY<n>LinguisticVariant.csv. */
export function loincVariantName(file: string): LoincVariantName | undefined {
  const m = /^([a-z]{2,3})([A-Z]{2})(\d*)LinguisticVariant\.csv$/.exec(path.basename(file));
  if (!m) return undefined;
  const release = path
    .resolve(file)
    .split(path.sep)
    .map((segment) => /^loinc[_-]?v?(\d+\.\d+)/i.exec(segment)?.[1])
    .filter((v) => v !== undefined)
    .pop();
  return { language: `${m[1]}-${m[2]}`, variant: m[3], ...(release ? { release } : {}) };
}

/** COMPONENT:PROPERTY:TIME_ASPCT:SYSTEM:SCALE_TYP[:METHOD_TYP], as LOINC writes a fully specified name; empty without a COMPONENT. */
function nameFromParts(parts: string[]): string {
  if (!parts[0]) return '';
  return (parts[5] ? parts : parts.slice(0, 5)).join(':');
}

export function loincVariantImport(ctx: ImportContext, file: string): FileImport {
  const name = loincVariantName(file);
  if (!name) throw new TerminologyImportError(file, 'a LOINC linguistic variant is named <language><COUNTRY><n>LinguisticVariant.csv (e.g. frFR18LinguisticVariant.csv)');
  const source = ctx.officialSource(
    `loinc:${name.language}:${name.variant}:${name.release ?? ''}`,
    `LOINC (${name.language}${name.variant ? `, variante linguistique ${name.variant}` : ''})`,
    name.release,
    file,
  );
  const tally = new SkipTally();
  const textFrom = new Map<string, number>();
  let columns: Map<string, number> | undefined;
  let designations = 0;

  const onRecord = (fields: string[], line: number): void => {
    if (!columns) {
      columns = new Map(fields.map((f, i) => [f.trim().toUpperCase(), i]));
      if (!columns.has('LOINC_NUM')) throw new TerminologyImportError(file, 'no LOINC_NUM column in the header');
      return;
    }
    const get = (column: string): string => (fields[columns!.get(column) ?? -1] ?? '').trim();
    const code = get('LOINC_NUM');
    if (!code) return tally.skipLine('no LOINC_NUM', file, line);
    const column = TEXT_COLUMNS.find((c) => get(c)) ?? FROM_PARTS;
    const text = column === FROM_PARTS ? nameFromParts(PART_COLUMNS.map(get)) : get(column);
    if (!text) return tally.skipLine('no translated text (LONG_COMMON_NAME, LinguisticVariantDisplayName and COMPONENT empty)', file, line);
    textFrom.set(column, (textFrom.get(column) ?? 0) + 1);
    if (ctx.catalogue.add(name.language, LOINC, own(code), own(text), source)) designations++;
  };

  return {
    reads: [{ file, sink: csvSink(onRecord) }],
    finish() {
      const notes = [`text taken from: ${[...textFrom].map(([c, n]) => `${c} ${n}`).join(', ') || 'no row'}`];
      if (!name.release) notes.push(`LOINC release unknown (no Loinc_<version> folder in the path); ${name.variant} in the file name is the variant's key, not a release`);
      return { file, format: 'loinc-linguistic-variant', sources: sourceSummaries([source]), designations, skipped: tally.list, notes };
    },
  };
}
