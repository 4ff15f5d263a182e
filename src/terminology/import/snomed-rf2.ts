import path from 'node:path';
import { type ChunkSink, lineSink, own } from './chunks.js';
import { type FileImport, type ImportContext, sourceSummaries } from './context.js';
import { SkipTally, TerminologyImportError } from './report.js';

/**
 * SNOMED CT RF2 snapshot: the description file of a language edition
 * (sct2_Description_Snapshot-fr_…), with the language reference set of the
 * same release (der2_cRefset_LanguageSnapshot-fr_…) choosing each concept's
 * preferred synonym. Only active rows count; the fully specified name is
 * never a display. Both files are streamed; what is kept is the set of
 * preferred description ids and one term per concept.
 */

export const SNOMED_CT = 'http://snomed.info/sct';
const FSN = '900000000000003001';
const SYNONYM = '900000000000013009';
const PREFERRED = '900000000000548007';

const DESCRIPTION_HEADER = 'id\teffectiveTime\tactive\tmoduleId\tconceptId\tlanguageCode\ttypeId\tterm\tcaseSignificanceId';
const REFSET_HEADER = 'id\teffectiveTime\tactive\tmoduleId\trefsetId\treferencedComponentId\tacceptabilityId';

/** Rule applied without a language reference set (said in the report, and in the README). */
export const NO_REFSET_RULE =
  'no language reference set of this release beside it: for each concept, the active synonym with the latest effectiveTime is taken (equal times: the smallest description id)';

export interface Rf2FileName {
  kind: 'descriptions' | 'language-refset';
  /** Language tag of the file name ("fr"), empty when absent. */
  tag: string;
  /** Namespace/edition part ("FR1000315", "INT"). */
  edition: string;
  /** effectiveTime of the release (YYYYMMDD). */
  date: string;
  /** Files of one release share it: a description file is paired with the language refset of the same key. */
  release: string;
}

const NAMES: Array<[Rf2FileName['kind'], RegExp]> = [
  ['descriptions', /^sct2_Description_Snapshot(?:-([^_]+))?_(.+)_(\d{8})\.txt$/i],
  ['language-refset', /^der2_cRefset_LanguageSnapshot(?:-([^_]+))?_(.+)_(\d{8})\.txt$/i],
];

/** What an RF2 file name says, for the two files read; undefined for any other. */
export function rf2FileName(file: string): Rf2FileName | undefined {
  const base = path.basename(file);
  for (const [kind, re] of NAMES) {
    const m = re.exec(base);
    if (m) return { kind, tag: m[1] ?? '', edition: m[2], date: m[3], release: `${m[1] ?? ''}_${m[2]}_${m[3]}`.toLowerCase() };
  }
  return undefined;
}

interface Candidate {
  id: string;
  effectiveTime: string;
  term: string;
  language: string;
  line: number;
}

/** Later effectiveTime first, then the smallest id (ids are decimal strings of any length). */
function better(a: Candidate, b: Candidate): boolean {
  if (a.effectiveTime !== b.effectiveTime) return a.effectiveTime > b.effectiveTime;
  return a.id.length !== b.id.length ? a.id.length < b.id.length : a.id < b.id;
}

export function snomedRf2Import(ctx: ImportContext, descriptions: string, refsets: string[]): FileImport {
  const name = rf2FileName(descriptions)!;
  const source = ctx.officialSource(
    `snomed-ct:${name.tag || 'rf2'}:${name.edition}:${name.date}`,
    `SNOMED CT (${[name.tag, name.edition].filter(Boolean).join(', ')})`,
    name.date,
    descriptions,
  );
  const tally = new SkipTally();
  const preferred = new Set<string>();
  const refsetMembers = new Map<string, number>();
  const chosen = new Map<string, Candidate>();
  const otherLanguage = `language other than ${ctx.language}`;

  const readRefset = (row: string[], line: number, file: string): void => {
    if (row[2] !== '1') return tally.skipLine('language refset: inactive member', file, line);
    if (row[6] !== PREFERRED) return tally.skipLine('language refset: acceptable, not preferred', file, line);
    preferred.add(own(row[5]));
    refsetMembers.set(own(row[4]), (refsetMembers.get(row[4]) ?? 0) + 1);
  };

  const readDescription = (row: string[], line: number, file: string): void => {
    const [id, effectiveTime, active, , conceptId, languageCode, typeId, term] = row;
    if (active !== '1') return tally.skipLine('inactive description', file, line);
    if (typeId === FSN) return tally.skipLine('fully specified name (never the display)', file, line);
    if (typeId !== SYNONYM) return tally.skipLine('description type other than synonym', file, line);
    if (!ctx.isTargetLanguage(languageCode)) return tally.skipLine(otherLanguage, file, line);
    if (refsets.length && !preferred.has(id)) return tally.skipLine('synonym not preferred in the language reference set', file, line);
    const candidate = { id: own(id), effectiveTime: own(effectiveTime), term: own(term), language: own(languageCode), line };
    const have = chosen.get(conceptId);
    if (have && !better(candidate, have)) return tally.skipLine('another synonym of the same concept taken', file, line);
    if (have) tally.skipLine('another synonym of the same concept taken', file, have.line);
    chosen.set(own(conceptId), candidate);
  };

  return {
    reads: [...refsets.map((file) => ({ file, sink: rf2Sink(file, REFSET_HEADER, readRefset, tally) })), { file: descriptions, sink: rf2Sink(descriptions, DESCRIPTION_HEADER, readDescription, tally) }],
    finish() {
      let designations = 0;
      for (const [conceptId, c] of chosen) if (ctx.catalogue.add(c.language, SNOMED_CT, conceptId, c.term, source)) designations++;
      const notes = refsets.length
        ? [`language reference set: ${refsets.map((f) => path.basename(f)).join(', ')} (preferred members by refset: ${[...refsetMembers].map(([id, n]) => `${id}: ${n}`).join(', ') || 'none'})`]
        : [NO_REFSET_RULE];
      return { file: descriptions, format: 'snomed-rf2', sources: sourceSummaries([source]), designations, skipped: tally.list, notes };
    },
  };
}

/** Lines of an RF2 file: the header checked, then rows of exactly its number of tab-separated fields. */
function rf2Sink(file: string, header: string, onRow: (row: string[], line: number, file: string) => void, tally: SkipTally): ChunkSink {
  const columns = header.split('\t').length;
  return lineSink((line, lineNo) => {
    if (lineNo === 1) {
      if (line !== header) throw new TerminologyImportError(file, `not an RF2 file of this kind: header should be "${header.replace(/\t/g, ' ')}"`);
      return;
    }
    if (!line) return;
    const row = line.split('\t');
    if (row.length !== columns) return tally.skipLine(`malformed row (not ${columns} tab-separated fields)`, file, lineNo);
    onRow(row, lineNo, file);
  });
}
