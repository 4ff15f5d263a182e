import type { CatalogueSource, DesignationSink } from '../designation.js';
import { type ChunkRead, own } from './chunks.js';
import type { FileReport } from './report.js';

export interface LoadOptions {
  /** Language the rows are kept for (default fr-FR); rows in other languages are skipped and counted. */
  language?: string;
  /** Largest file read whole (FHIR JSON, package archives, and a package's unpacked content), in bytes. */
  maxWholeFileBytes?: number;
}

export const DEFAULT_LANGUAGE = 'fr-FR';
export const DEFAULT_MAX_WHOLE_FILE_BYTES = 512 * 1024 * 1024;

/** What every importer is given. */
export class ImportContext {
  readonly language: string;
  readonly maxWholeFileBytes: number;
  private readonly sources = new Map<string, CatalogueSource>();
  /** Answers of isTargetLanguage: a file has few distinct tags and millions of rows. */
  private readonly targetTags = new Map<string, boolean>();

  constructor(
    readonly catalogue: DesignationSink,
    options: LoadOptions = {},
  ) {
    this.language = options.language ?? DEFAULT_LANGUAGE;
    this.maxWholeFileBytes = options.maxWholeFileBytes ?? DEFAULT_MAX_WHOLE_FILE_BYTES;
  }

  /** The official source of that id, one object per id (the catalogue lists sources by identity). */
  officialSource(id: string, name: string, version: string | undefined, location: string): CatalogueSource {
    let s = this.sources.get(id);
    if (!s) this.sources.set(id, (s = { id, name, ...(version ? { version } : {}), official: true, location }));
    return s;
  }

  /** Whether a tag ("fr", "fr-FR", "fr_CA") is the target language: same primary language, and same region when both name one. */
  isTargetLanguage(tag: string): boolean {
    let answer = this.targetTags.get(tag);
    if (answer === undefined) {
      const [p1, r1] = tag.toLowerCase().split(/[-_]/);
      const [p2, r2] = this.language.toLowerCase().split(/[-_]/);
      answer = p1 === p2 && (!r1 || !r2 || r1 === r2);
      if (this.targetTags.size < 1000) this.targetTags.set(own(tag), answer);
    }
    return answer;
  }
}

/** One planned import: the files it reads, in order, then its report. */
export interface FileImport {
  reads: ChunkRead[];
  finish(): FileReport;
}

/** The report's view of sources. */
export function sourceSummaries(sources: Iterable<CatalogueSource>): FileReport['sources'] {
  return [...new Set(sources)].map(({ id, name, version }) => ({ id, name, ...(version ? { version } : {}) }));
}
