import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { projectPath } from '../util/project.js';

interface CodeSystemRow {
  oid: string;
  uri: string;
  name: string;
}

let byOid: Map<string, string> | undefined;
let byUri: Map<string, string> | undefined;

function load(): void {
  if (byOid) return;
  const rows = parse(readFileSync(projectPath('mappings', 'terminology', 'code-systems.yaml'), 'utf8')) as CodeSystemRow[];
  byOid = new Map();
  byUri = new Map();
  for (const r of rows) {
    byOid.set(String(r.oid), r.uri);
    if (!byUri.has(r.uri)) byUri.set(r.uri, String(r.oid));
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
