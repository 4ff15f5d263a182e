import { readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parse as parseYaml } from 'yaml';
import type { CatalogueSource } from '../designation.js';
import { bytesSink, type ChunkRead } from './chunks.js';
import { type FileImport, type ImportContext, sourceSummaries } from './context.js';
import { type FileReport, SkipTally, TerminologyImportError } from './report.js';
import { tarEntries } from './tar.js';

/**
 * FHIR terminology: CodeSystem (supplements included), ValueSet with
 * designations, Bundle of them — as a JSON (or YAML) file, or as a FHIR NPM
 * package (.tgz, or unpacked with its package/package.json), the form the
 * eHDSI MTC/MVC are published in. A standalone resource is its own source
 * (title or name, version); a package's resources share the package's
 * (package.json name and version). Resources other than terminology are
 * listed as skipped.
 */

const TERMINOLOGY_TYPES = new Set(['CodeSystem', 'ValueSet']);

interface FhirResource {
  resourceType?: string;
  id?: string;
  url?: string;
  name?: string;
  title?: string;
  version?: string;
  entry?: Array<{ resource?: unknown } | null>;
}

export function isFhirFileName(file: string): boolean {
  return /\.(json|ya?ml)$/i.test(file);
}

export function isPackageArchiveName(file: string): boolean {
  return /\.(tgz|tar\.gz)$/i.test(file);
}

function parseResource(file: string, bytes: Buffer): unknown {
  try {
    const text = bytes.toString('utf8');
    return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new TerminologyImportError(file, `not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${(err as Error).message}`);
  }
}

/** Loads what a parsed resource holds (a Bundle entry by entry), each resource with the source `sourceOf` gives it. */
class ResourceLoader {
  readonly tally = new SkipTally();
  readonly used = new Set<CatalogueSource>();
  designations = 0;

  constructor(
    private readonly ctx: ImportContext,
    private readonly sourceOf: (r: FhirResource, file: string) => CatalogueSource,
  ) {}

  add(resource: unknown, file: string, where = path.basename(file)): void {
    const r = resource as FhirResource | null;
    if (r?.resourceType === 'Bundle') {
      (r.entry ?? []).forEach((e, i) => this.add(e?.resource, file, `${where} entry ${i}`));
      return;
    }
    if (!r || typeof r !== 'object' || !TERMINOLOGY_TYPES.has(r.resourceType ?? '')) {
      this.tally.skip(`${typeof r?.resourceType === 'string' ? r.resourceType : 'not a FHIR resource'}: not terminology`, where);
      return;
    }
    const source = this.sourceOf(r, file);
    try {
      this.designations += this.ctx.catalogue.addFhirResource(r, file, source);
      this.used.add(source);
    } catch (err) {
      this.tally.skip((err as Error).message.replace(`${file}: `, ''), where);
    }
  }

  report(file: string, format: FileReport['format'], notes: string[] = []): FileReport {
    return { file, format, sources: sourceSummaries(this.used), designations: this.designations, skipped: this.tally.list, notes };
  }
}

/** A JSON or YAML file holding a CodeSystem, a ValueSet or a Bundle. */
export function fhirFileImport(ctx: ImportContext, file: string): FileImport {
  const loader = new ResourceLoader(ctx, (r, f) => {
    const label = r.title ?? r.name ?? r.id ?? path.basename(f);
    return ctx.officialSource(`fhir:${r.url ?? label}|${r.version ?? ''}`, label, r.version, f);
  });
  return {
    reads: [{ file, sink: bytesSink(ctx.maxWholeFileBytes, (bytes) => loader.add(parseResource(file, bytes), file)) }],
    finish: () => loader.report(file, 'fhir'),
  };
}

const MANIFEST = 'package.json';

/** A resource file of a package: the package folder's own JSON files (not its example/ or other/ subfolders, not its index). */
function isPackageResource(relative: string): boolean {
  return /^[^/.][^/]*\.json$/i.test(relative) && relative !== MANIFEST;
}

/** Loads a package: its manifest first (naming the source), then its resources. */
class PackageLoader {
  private source?: CatalogueSource;
  readonly resources: ResourceLoader;

  constructor(
    private readonly ctx: ImportContext,
    private readonly location: string,
  ) {
    this.resources = new ResourceLoader(ctx, () => this.source!);
  }

  manifest(file: string, bytes: Buffer): void {
    const pkg = parseResource(file, bytes) as { name?: unknown; version?: unknown };
    if (typeof pkg?.name !== 'string') throw new TerminologyImportError(file, 'package.json without a name');
    const version = typeof pkg.version === 'string' ? pkg.version : undefined;
    this.source = this.ctx.officialSource(`fhir-package:${pkg.name}|${version ?? ''}`, pkg.name, version, this.location);
  }

  resource(file: string, bytes: Buffer): void {
    this.resources.add(parseResource(file, bytes), file);
  }

  report(): FileReport {
    // A package with no terminology still names itself in the report.
    if (!this.resources.used.size && this.source) this.resources.used.add(this.source);
    return this.resources.report(this.location, 'fhir-npm-package');
  }
}

/** An unpacked FHIR package: `dir` holds package.json and the resources. */
export function fhirPackageFolderImport(ctx: ImportContext, dir: string): FileImport {
  const loader = new PackageLoader(ctx, dir);
  const read = (file: string, onBytes: (bytes: Buffer) => void): ChunkRead => ({ file, sink: bytesSink(ctx.maxWholeFileBytes, onBytes) });
  const manifest = path.join(dir, MANIFEST);
  const resources = readdirSync(dir)
    .filter(isPackageResource)
    .sort()
    .map((f) => path.join(dir, f));
  return {
    reads: [read(manifest, (b) => loader.manifest(manifest, b)), ...resources.map((f) => read(f, (b) => loader.resource(f, b)))],
    finish: () => loader.report(),
  };
}

/** A FHIR package archive (.tgz): gunzipped and read in memory, within the whole-file limit. */
export function fhirPackageArchiveImport(ctx: ImportContext, file: string): FileImport {
  const loader = new PackageLoader(ctx, file);
  const onArchive = (gz: Buffer): void => {
    const files = new Map<string, Buffer>();
    try {
      for (const e of tarEntries(gunzipSync(gz, { maxOutputLength: ctx.maxWholeFileBytes }))) {
        const relative = /^(?:\.\/)?package\/(.+)$/.exec(e.name)?.[1];
        if (relative) files.set(relative, e.data);
      }
    } catch (err) {
      throw new TerminologyImportError(file, `not a gzipped tar archive within ${ctx.maxWholeFileBytes} bytes: ${(err as Error).message}`);
    }
    const manifest = files.get(MANIFEST);
    if (!manifest) throw new TerminologyImportError(file, 'not a FHIR package (no package/package.json)');
    loader.manifest(`${file}#package/${MANIFEST}`, manifest);
    for (const relative of [...files.keys()].filter(isPackageResource).sort()) loader.resource(`${file}#package/${relative}`, files.get(relative)!);
  };
  return { reads: [{ file, sink: bytesSink(ctx.maxWholeFileBytes, onArchive) }], finish: () => loader.report() };
}
