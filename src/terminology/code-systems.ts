import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { projectPath } from '../util/project.js';
import { ISO_3166_SYSTEM } from './icu-names.js';

interface CodeSystemRow {
  oid: string;
  uri: string;
  name: string;
}

/**
 * What is wrong with a row of the table (mappings/terminology/code-systems.yaml),
 * if anything: each row gives an OID, a URI and a name.
 */
export function codeSystemRowProblem(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return 'a row is { oid, uri, name }';
  const r = row as Partial<Record<keyof CodeSystemRow, unknown>>;
  const text = (v: unknown): boolean => typeof v === 'string' && v !== '';
  // (YAML reads an OID of one dot as a number: the table keeps its String())
  const given = { oid: text(r.oid) || typeof r.oid === 'number', uri: text(r.uri), name: text(r.name) };
  const missing = Object.keys(given).filter((k) => !given[k as keyof typeof given]);
  return missing.length ? `a row without ${missing.join(', ')}` : undefined;
}

let byOid: Map<string, string> | undefined;
let byUri: Map<string, string> | undefined;
let nameByUri: Map<string, string> | undefined;

function load(): void {
  if (byOid) return;
  const rows = parse(readFileSync(projectPath('mappings', 'terminology', 'code-systems.yaml'), 'utf8')) as CodeSystemRow[];
  byOid = new Map();
  byUri = new Map();
  nameByUri = new Map();
  for (const r of rows) {
    byOid.set(String(r.oid), r.uri);
    if (!byUri.has(r.uri)) byUri.set(r.uri, String(r.oid));
    if (!nameByUri.has(r.uri)) nameByUri.set(r.uri, r.name);
  }
}

/** FHIR system URI of a CDA code system OID (urn:oid: for unknown ones, urn:uuid for UUIDs). */
export function systemUri(oid: string): string {
  load();
  const known = byOid!.get(oid);
  if (known) return known;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(oid)) return 'urn:uuid:' + oid.toLowerCase();
  return 'urn:oid:' + oid;
}

/** CDA OID of a FHIR system URI, when known. */
export function systemOid(uri: string): string | undefined {
  load();
  if (uri.startsWith('urn:oid:')) return uri.slice(8);
  return byUri!.get(uri);
}

/** Name of a known code system ("SNOMED CT"), by FHIR system URI or urn:oid:. */
export function systemName(uri: string): string | undefined {
  load();
  return nameByUri!.get(uri.startsWith('urn:oid:') ? systemUri(uri.slice(8)) : uri);
}

/**
 * Code systems some sources write under another name than the one the
 * converter gives them (the eHDSI MVC writes ISO 3166 as the web page of an
 * HL7 terminology release).
 */
const SYSTEM_MISNOMERS: Record<string, string> = {
  'http://terminology.hl7.org/5.3.0/CodeSystem-ISO3166Part1.html': ISO_3166_SYSTEM,
};

/** One name per code system, however a source writes it: a known misnomer, urn:oid:…, a bare OID. */
export function canonicalSystem(system: string): string {
  const s = SYSTEM_MISNOMERS[system] ?? system;
  if (s.startsWith('urn:oid:')) return systemUri(s.slice('urn:oid:'.length));
  if (/^[0-2](\.\d+)+$/.test(s)) return systemUri(s);
  return s;
}
