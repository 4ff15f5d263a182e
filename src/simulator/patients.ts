/**
 * The synthetic patients each simulated country serves, read from the
 * fixtures folder: `<slug>/patient.json` (identity), `L3.xml` (pivot CDA)
 * and `L1.xml` (CDA wrapping the PDF), either document may be absent, and
 * the original clinical documents patient.json lists (`originals`: CDA
 * wrappers of a PDF or an image, their facts read from the CDA itself).
 * Document ids come from patient.json (documentIds) or the slug, so they are
 * stable across restarts and the id of an absent PDF is still known (→ 4201).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { attr, child, parseXml, path as xmlPath, text, type Element } from '../ehdsi/soap/xml.js';
import type { PatientId } from '../ehdsi/saml/types.js';
import { orcdKindOfClassCode, ORCD_FORMATS, type OrcdFormatCode } from '../ehdsi/xca-query/orcd.js';
import { hl7ToUtcTimestamp, stableUuidUrn } from './hl7.js';

export type DocumentLevel = 'L3' | 'L1';

/** What the registry says of an original clinical document beyond what every document has. */
export interface SimulatedOrcd {
  classCode: string;
  formatCode: OrcdFormatCode;
  serviceStartTime?: string;
  serviceStopTime?: string;
  /** XDS authorPerson (XCN) and authorInstitution (XON) of its author. */
  authorPerson?: string;
  authorInstitution?: string;
}

export interface SimulatedDocument {
  /** L3 pivot, L1 PDF of the patient summary, or an original clinical document. */
  level: DocumentLevel | 'OrCD';
  /** XDS uniqueId (root^extension of the CDA id). */
  uniqueId: string;
  /** ebRIM id of the document entry. */
  entryUuid: string;
  /** The CDA bytes; absent when the country "has" no such document for the patient. */
  data?: Buffer;
  /** XDS DTM (UTC) of the CDA effectiveTime. */
  creationTime?: string;
  languageCode?: string;
  title?: string;
  /** An original clinical document (level OrCD). */
  orcd?: SimulatedOrcd;
}

export interface SimulatedAddress {
  lines: string[];
  city?: string;
  postalCode?: string;
  country?: string;
}

export interface SimulatedPatient {
  slug: string;
  country: string;
  identifiers: PatientId[];
  given: string[];
  family: string[];
  /** HL7 administrative gender: M, F or UN. */
  gender?: string;
  /** HL7 TS date, YYYYMMDD. */
  birthTime?: string;
  address?: SimulatedAddress;
  documents: Record<DocumentLevel, SimulatedDocument>;
  /** Original clinical documents, in the order patient.json lists them. */
  originals: SimulatedDocument[];
}

export interface SimulatedCountry {
  code: string;
  homeCommunityId: string;
  /** Repository of the country's documents (XDS repositoryUniqueId). */
  repositoryUniqueId: string;
}

export class PatientFixtureError extends Error {
  constructor(file: string, message: string) {
    super(`patient fixture ${file}: ${message}`);
    this.name = 'PatientFixtureError';
  }
}

/** The repository of a simulated country: a fixed arc under its home community id. */
export function repositoryIdFor(homeCommunityId: string): string {
  return `${homeCommunityId}.2`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  if (typeof v === 'string') return v.trim() ? [v.trim()] : [];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string' && x.trim() !== '').map((x) => x.trim());
  return [];
}

const GENDERS: Record<string, string> = { m: 'M', male: 'M', f: 'F', female: 'F', un: 'UN', other: 'UN', unknown: 'UN' };

function readIdentity(file: string, json: unknown): Omit<SimulatedPatient, 'slug' | 'documents' | 'originals'> {
  if (!isRecord(json)) throw new PatientFixtureError(file, 'not a JSON object');
  const country = typeof json.country === 'string' ? json.country.toUpperCase() : undefined;
  if (!country || !/^[A-Z]{2}$/.test(country)) throw new PatientFixtureError(file, '"country" must be a two-letter code');
  const rawIds = Array.isArray(json.identifiers) ? json.identifiers : [];
  const identifiers: PatientId[] = rawIds.flatMap((i): PatientId[] => {
    if (!isRecord(i)) return [];
    const root = i.root ?? i.domainOid ?? i.system;
    const extension = i.extension ?? i.value;
    return typeof root === 'string' && typeof extension === 'string' ? [{ root: root.replace(/^urn:oid:/, ''), extension }] : [];
  });
  if (identifiers.length === 0) throw new PatientFixtureError(file, '"identifiers" must list at least one {root, extension}');
  const name = isRecord(json.name) ? json.name : Array.isArray(json.name) && isRecord(json.name[0]) ? json.name[0] : {};
  const gender = typeof json.gender === 'string' ? GENDERS[json.gender.toLowerCase()] : undefined;
  const birth = typeof json.birthDate === 'string' ? json.birthDate : typeof json.birthTime === 'string' ? json.birthTime : undefined;
  const addr = isRecord(json.address) ? json.address : Array.isArray(json.address) && isRecord(json.address[0]) ? json.address[0] : undefined;
  return {
    country,
    identifiers,
    given: strings(name.given),
    family: strings(name.family),
    gender,
    birthTime: birth?.replace(/-/g, ''),
    address: addr
      ? {
          lines: strings(addr.lines ?? addr.line ?? addr.streetAddressLine ?? addr.street),
          city: strings(addr.city)[0],
          postalCode: strings(addr.postalCode)[0],
          country: strings(addr.country)[0],
        }
      : undefined,
  };
}

function cdaRoot(file: string, data: Buffer): Element {
  let root: Element;
  try {
    root = parseXml(data.toString('utf8')).documentElement as Element;
  } catch (e) {
    throw new PatientFixtureError(file, `unreadable CDA: ${(e as Error).message}`);
  }
  if (root.localName !== 'ClinicalDocument') throw new PatientFixtureError(file, 'not a CDA ClinicalDocument');
  return root;
}

function cdaFacts(file: string, data: Buffer, root = cdaRoot(file, data)): Pick<SimulatedDocument, 'creationTime' | 'languageCode' | 'title'> {
  return {
    creationTime: hl7ToUtcTimestamp(attr(child(root, 'effectiveTime'), 'value') ?? ''),
    languageCode: attr(child(root, 'languageCode'), 'code'),
    title: text(child(root, 'title')),
  };
}

/**
 * The XDS uniqueId of a document: the id patient.json gives (documentIds,
 * the CDA's own root^extension), else `<repository>^<slug>.<level>`, the
 * same scheme, so an absent document still has a stable id.
 */
function documentUniqueId(country: SimulatedCountry, slug: string, level: DocumentLevel, json: Record<string, unknown>): string {
  const ids = isRecord(json.documentIds) ? json.documentIds : {};
  const given = ids[level];
  if (isRecord(given) && typeof given.root === 'string' && typeof given.extension === 'string') return `${given.root}^${given.extension}`;
  return `${country.repositoryUniqueId}^${slug}.${level}`;
}

function document(country: SimulatedCountry, slug: string, level: DocumentLevel, file: string, json: Record<string, unknown>): SimulatedDocument {
  const uniqueId = documentUniqueId(country, slug, level, json);
  const doc: SimulatedDocument = { level, uniqueId, entryUuid: stableUuidUrn(`${country.code}|${uniqueId}`) };
  if (existsSync(file)) {
    doc.data = readFileSync(file);
    Object.assign(doc, cdaFacts(file, doc.data));
  }
  return doc;
}

/** An XDS time of a CDA TS: a day as it is (YYYYMMDD), a timestamp in UTC. */
function xdsTime(ts: string | undefined): string | undefined {
  if (!ts) return undefined;
  return /^\d{8}$/.test(ts) ? ts : hl7ToUtcTimestamp(ts);
}

/**
 * One original clinical document of patient.json's `originals` ({ file }):
 * its id, class code (the CDA code), format (the nonXMLBody media type),
 * service period and author, all read from the CDA wrapper.
 */
function original(country: SimulatedCountry, folder: string, item: unknown, jsonFile: string): SimulatedDocument {
  const name = isRecord(item) && typeof item.file === 'string' ? item.file : undefined;
  if (!name || path.basename(name) !== name) throw new PatientFixtureError(jsonFile, '"originals" must list { "file": "<name in the patient folder>" }');
  const file = path.join(folder, name);
  if (!existsSync(file)) throw new PatientFixtureError(file, 'missing original clinical document');
  const data = readFileSync(file);
  const root = cdaRoot(file, data);
  const id = child(root, 'id');
  const uniqueId = attr(id, 'extension') ? `${attr(id, 'root')}^${attr(id, 'extension')}` : attr(id, 'root');
  const classCode = attr(child(root, 'code'), 'code');
  const mediaType = attr(xmlPath(root, 'component', 'nonXMLBody', 'text'), 'mediaType');
  const formatCode = (Object.keys(ORCD_FORMATS) as OrcdFormatCode[]).find((f) => ORCD_FORMATS[f] === mediaType);
  if (!uniqueId) throw new PatientFixtureError(file, 'no document id');
  if (!orcdKindOfClassCode(classCode)) throw new PatientFixtureError(file, `code ${classCode ?? '(none)'} is not a kind of original clinical document`);
  if (!formatCode) throw new PatientFixtureError(file, `nonXMLBody media type ${mediaType ?? '(none)'} is not one of original clinical documents`);
  const period = xmlPath(root, 'documentationOf', 'serviceEvent', 'effectiveTime');
  const author = xmlPath(root, 'author', 'assignedAuthor');
  const personName = xmlPath(author, 'assignedPerson', 'name');
  const family = text(child(personName, 'family'));
  const given = text(child(personName, 'given'));
  return {
    level: 'OrCD',
    uniqueId,
    entryUuid: stableUuidUrn(`${country.code}|${uniqueId}`),
    data,
    ...cdaFacts(file, data, root),
    orcd: {
      classCode: classCode as string,
      formatCode,
      serviceStartTime: xdsTime(attr(child(period, 'low'), 'value')),
      serviceStopTime: xdsTime(attr(child(period, 'high'), 'value')),
      authorPerson: family || given ? `^${family ?? ''}^${given ?? ''}` : undefined,
      authorInstitution: text(xmlPath(author, 'representedOrganization', 'name')),
    },
  };
}

export interface PatientStore {
  /** The patients of one country (copies are not made: treat as read-only). */
  ofCountry(code: string): readonly SimulatedPatient[];
  /** The patient and document with this XDS uniqueId in a country, if any. */
  findDocument(code: string, uniqueId: string): { patient: SimulatedPatient; document: SimulatedDocument } | undefined;
  size(): number;
}

/**
 * Reads every `<slug>/patient.json` under `dir` for the given countries;
 * patients of other countries are ignored. A malformed fixture stops the
 * start with a message naming the file (a broken test bed must not pass silently).
 */
export function loadPatients(dir: string, countries: readonly SimulatedCountry[]): PatientStore {
  const byCode = new Map(countries.map((c) => [c.code, c]));
  const patients = new Map<string, SimulatedPatient[]>();
  const documents = new Map<string, { patient: SimulatedPatient; document: SimulatedDocument }>();
  const slugs = existsSync(dir) ? readdirSync(dir).filter((s) => statSync(path.join(dir, s)).isDirectory()).sort() : [];
  for (const slug of slugs) {
    const folder = path.join(dir, slug);
    const file = path.join(folder, 'patient.json');
    if (!existsSync(file)) continue;
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new PatientFixtureError(file, `not readable JSON: ${(e as Error).message}`);
    }
    const identity = readIdentity(file, json);
    const country = byCode.get(identity.country);
    if (!country) continue;
    const patient: SimulatedPatient = {
      ...identity,
      slug,
      documents: {
        L3: document(country, slug, 'L3', path.join(folder, 'L3.xml'), json as Record<string, unknown>),
        L1: document(country, slug, 'L1', path.join(folder, 'L1.xml'), json as Record<string, unknown>),
      },
      originals: (Array.isArray((json as Record<string, unknown>).originals) ? ((json as Record<string, unknown>).originals as unknown[]) : []).map((o) => original(country, folder, o, file)),
    };
    patients.set(country.code, [...(patients.get(country.code) ?? []), patient]);
    for (const d of [...Object.values(patient.documents), ...patient.originals]) documents.set(`${country.code}|${d.uniqueId}`, { patient, document: d });
  }
  return {
    ofCountry: (code) => patients.get(code) ?? [],
    findDocument: (code, uniqueId) => documents.get(`${code}|${uniqueId}`),
    size: () => [...patients.values()].reduce((n, list) => n + list.length, 0),
  };
}

/** SHA-1 (hex) of a document, as XDS `hash` carries it. */
export function sha1Hex(data: Buffer): string {
  return createHash('sha1').update(data).digest('hex');
}
