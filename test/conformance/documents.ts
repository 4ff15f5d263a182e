/**
 * What the harness runs on: CDA documents converted with the project's converter, or the IG's own
 * examples (its calibration set).
 */
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { convertPatientSummary } from '../../src/mapping/index.js';
import type { Definitions } from './definitions.js';
import type { Issue, Json } from './issues.js';
import { isJsonObject } from './issues.js';
import { IPS_BUNDLE, validateBundle } from './validate-bundle.js';

export interface DocumentResult {
  document: string;
  resources: number;
  issues: Issue[];
  notChecked: number;
}

export interface FoundDocument {
  file: string;
  /** Why the file is not validated (not a CDA ClinicalDocument). */
  skipped?: string;
}

function xmlFilesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) out.push(...xmlFilesUnder(full));
    else if (name.toLowerCase().endsWith('.xml')) out.push(full);
  }
  return out;
}

/** The root element of an XML text (local name and namespace), read past the prolog without parsing the rest. */
export function xmlRoot(text: string): { name: string; namespace?: string } | undefined {
  const body = text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, '');
  const m = /<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)([^>]*)>/.exec(body);
  if (!m) return undefined;
  const prefix = m[1] ? m[1].slice(0, -1) : '';
  const ns = new RegExp(`xmlns${prefix ? `:${prefix}` : ''}\\s*=\\s*["']([^"']*)["']`).exec(m[3]);
  return { name: m[2], namespace: ns?.[1] };
}

/** The CDA documents under the given folders (searched recursively for *.xml) and files. */
export function findCdaDocuments(paths: string[]): FoundDocument[] {
  const files: string[] = [];
  for (const p of paths) {
    if (!existsSync(p)) throw new Error(`${p}: no such file or folder`);
    if (statSync(p).isDirectory()) files.push(...xmlFilesUnder(p));
    else files.push(p);
  }
  return files.map((file) => {
    const head = readFileSync(file, 'utf8').slice(0, 64 * 1024);
    const root = xmlRoot(head);
    if (root?.name === 'ClinicalDocument' && root.namespace === 'urn:hl7-org:v3') return { file };
    return { file, skipped: root ? `root element is ${root.name}${root.namespace ? ` in ${root.namespace}` : ''}, not a CDA ClinicalDocument` : 'no XML root element' };
  });
}

/** Converts a CDA document with the project's converter and validates the Bundle. */
export function validateCdaDocument(file: string, defs: Definitions, name = file): DocumentResult {
  let bundle: Json;
  try {
    bundle = convertPatientSummary(readFileSync(file)).bundle as unknown as Json;
  } catch (err) {
    return {
      document: name,
      resources: 0,
      issues: [{ severity: 'error', rule: 'conversion', path: '', message: `the converter failed: ${(err as Error).message.split('\n')[0]}` }],
      notChecked: 0,
    };
  }
  const result = validateBundle(bundle, defs, { extraProfiles: [IPS_BUNDLE] });
  return { document: name, ...result };
}

export interface IgExample {
  name: string;
  resource: Json;
}

/** The IG's example Bundles (Bundle-*.json at the top of the IG folder) and example resources (examples/*.json). */
export function igExamples(igFolder: string): { bundles: IgExample[]; resources: IgExample[] } {
  const read = (folder: string, filter: (name: string) => boolean): IgExample[] =>
    existsSync(folder)
      ? readdirSync(folder)
          .filter((n) => n.endsWith('.json') && filter(n))
          .sort()
          .map((n) => ({ name: path.join(path.basename(folder), n), resource: JSON.parse(readFileSync(path.join(folder, n), 'utf8')) as Json }))
          .filter((e) => isJsonObject(e.resource))
      : [];
  return {
    bundles: read(igFolder, (n) => n.startsWith('Bundle-')),
    resources: read(path.join(igFolder, 'examples'), () => true),
  };
}

/** Validates the IG examples: Bundles as IPS documents, single resources against what they declare (references resolved among the examples). */
export function validateIgExamples(defs: Definitions, igFolder: string): DocumentResult[] {
  const { bundles, resources } = igExamples(igFolder);
  const pool = resources.map((r) => r.resource);
  return [
    ...bundles.map((b) => ({ document: b.name, ...validateBundle(b.resource, defs, { extraProfiles: [IPS_BUNDLE] }) })),
    ...resources.map((r) => ({ document: r.name, ...validateBundle(r.resource, defs, { pool }) })),
  ];
}
