/**
 * The XCA ITI-38 responding side of a simulated country: FindDocuments for
 * the patient summary → one ExtrinsicObject per document the country holds
 * (L3 pivot, L1 PDF) linked by an XFRM association; for a kind of original
 * clinical document → one per original of that kind; or the eHDSI errors.
 */
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { patientIdFromCx, patientIdToCx, type PatientId } from '../ehdsi/saml/types.js';
import { NS } from '../ehdsi/soap/namespaces.js';
import { attr, child, children, text, type Element } from '../ehdsi/soap/xml.js';
import { LOINC_OID, orcdKindOfClassCode } from '../ehdsi/xca-query/orcd.js';
import { FIND_DOCUMENTS_QUERY_ID, PATIENT_SUMMARY_CLASS_CODE } from '../ehdsi/xca-query/query.js';
import { FORMAT_CODES, SCHEMES, XFRM } from '../ehdsi/xca-query/response.js';
import { stableUuidUrn } from './hl7.js';
import { sha1Hex, type SimulatedCountry, type SimulatedDocument, type SimulatedPatient } from './patients.js';
import { appendRegistryErrors, ehdsiRegistryError, RESPONSE_STATUS, statusFor, type RegistryErrorInit } from './registry-response.js';
import { RequestError } from './request-error.js';

const DOCUMENT_ENTRY_TYPE = 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1';
const APPROVED = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
const CLASSIFICATION_TYPE = 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification';
const EXTERNAL_ID_TYPE = 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier';
const ASSOCIATION_TYPE = 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association';
const FORMAT_CODING_SCHEME = { L3: 'eHDSI formatCodes', L1: '1.3.6.1.4.1.19376.1.2.3' } as const;

export interface FindDocumentsQuery {
  patientId: PatientId;
  /** Class codes asked for (code^^scheme, code only), empty when the slot is absent. */
  classCodes: string[];
}

/** The values of an XDS query slot list: ('a','b') or 'a' → [a, b]. */
function slotList(value: string): string[] {
  const inner = value.trim().replace(/^\(/, '').replace(/\)$/, '');
  return [...inner.matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1].replace(/''/g, "'").trim());
}

/** Reads an AdhocQueryRequest for FindDocuments; throws RequestError when it is not one we can answer. */
export function readFindDocumentsQuery(payload: Element | undefined): FindDocumentsQuery {
  if (!payload || payload.localName !== 'AdhocQueryRequest' || payload.namespaceURI !== NS.query) throw new RequestError('the XCA query body must be a query:AdhocQueryRequest');
  const query = child(payload, 'AdhocQuery');
  if (!query) throw new RequestError('AdhocQueryRequest without AdhocQuery');
  if (attr(query, 'id') !== FIND_DOCUMENTS_QUERY_ID) throw new RequestError(`stored query ${attr(query, 'id') ?? '(none)'} is not supported: only FindDocuments`, 'XDSUnknownStoredQuery');
  const slot = (name: string): string[] =>
    children(query, 'Slot')
      .filter((s) => attr(s, 'name') === name)
      .flatMap((s) => children(child(s, 'ValueList'), 'Value').map((v) => text(v) ?? ''));
  const patientValues = slot('$XDSDocumentEntryPatientId');
  const patientId = patientValues.length === 1 ? patientIdFromCx(patientValues[0]) : undefined;
  if (!patientId) throw new RequestError('FindDocuments needs one $XDSDocumentEntryPatientId of the form \'ext^^^&root&ISO\'', 'XDSStoredQueryParamNumber');
  return { patientId, classCodes: slot('$XDSDocumentEntryClassCode').flatMap(slotList) };
}

/** The class code of a slot value (code^^scheme, or the code alone); undefined for a code of another system. */
function classCodeOf(value: string): string | undefined {
  const [code, , scheme] = value.split('^');
  return !scheme || scheme === LOINC_OID ? code : undefined;
}

export interface FindDocumentsAnswer {
  patient?: SimulatedPatient;
  documents: SimulatedDocument[];
  errors: RegistryErrorInit[];
}

/**
 * The kinds of original clinical documents a country offers: those at least
 * one of its patients holds. Another kind is not supported (4202), as a
 * country that does not take part in that service answers.
 */
function offersOriginals(patients: readonly SimulatedPatient[], classCode: string): boolean {
  return patients.some((p) => p.originals.some((o) => o.orcd?.classCode === classCode));
}

/**
 * What the country answers, class code by class code (none given: the patient
 * summary): its documents for the patient; 1102 when there is no summary,
 * 1104 when there is no original of an offered kind; 4202 for a class it
 * does not offer.
 */
export function answerFindDocuments(query: FindDocumentsQuery, patients: readonly SimulatedPatient[]): FindDocumentsAnswer {
  const asked = query.classCodes.length ? query.classCodes : [PATIENT_SUMMARY_CLASS_CODE.code];
  const supported = asked.map(classCodeOf).filter((c): c is string => c === PATIENT_SUMMARY_CLASS_CODE.code || (c !== undefined && orcdKindOfClassCode(c) !== undefined && offersOriginals(patients, c)));
  const refused = asked.filter((c) => !supported.includes(classCodeOf(c) ?? ''));
  const errors: RegistryErrorInit[] = refused.length
    ? [ehdsiRegistryError('4202', `Class code not supported: ${refused.join(', ')}; only ${[PATIENT_SUMMARY_CLASS_CODE.code, ...new Set(patients.flatMap((p) => p.originals.map((o) => o.orcd?.classCode)))].join(', ')}`)]
    : [];
  if (!supported.length) return { documents: [], errors };
  const patient = patients.find((p) => p.identifiers.some((i) => i.root === query.patientId.root && i.extension === query.patientId.extension));
  if (!patient) return { documents: [], errors: [...errors, { errorCode: 'XDSUnknownPatientId', codeContext: 'The patient identifier is not known by this community', severity: 'error' }] };
  const documents: SimulatedDocument[] = [];
  for (const classCode of new Set(supported)) {
    if (classCode === PATIENT_SUMMARY_CLASS_CODE.code) {
      documents.push(...[patient.documents.L3, patient.documents.L1].filter((d) => d.data !== undefined));
      if (!patient.documents.L3.data) errors.push(ehdsiRegistryError('1102', 'No patient summary is registered for the given patient'));
      continue;
    }
    const originals = patient.originals.filter((o) => o.orcd?.classCode === classCode);
    documents.push(...originals);
    if (!originals.length) errors.push(ehdsiRegistryError('1104', `No original clinical document of type ${classCode} is registered for the given patient`));
  }
  return { patient, documents, errors };
}

function slot(parent: XMLBuilder, name: string, values: readonly string[]): void {
  const list = parent.ele(NS.rim, 'rim:Slot', { name }).ele(NS.rim, 'rim:ValueList');
  for (const v of values) list.ele(NS.rim, 'rim:Value').txt(v);
}

function localized(parent: XMLBuilder, element: 'rim:Name' | 'rim:Description', value: string): void {
  parent.ele(NS.rim, element).ele(NS.rim, 'rim:LocalizedString', { value });
}

function classification(eo: XMLBuilder, entryUuid: string, scheme: string, code: string, codingScheme: string, display: string): void {
  const c = eo.ele(NS.rim, 'rim:Classification', {
    classificationScheme: scheme,
    classifiedObject: entryUuid,
    nodeRepresentation: code,
    id: stableUuidUrn(`${entryUuid}|${scheme}`),
    objectType: CLASSIFICATION_TYPE,
  });
  slot(c, 'codingScheme', [codingScheme]);
  localized(c, 'rim:Name', display);
}

function externalIdentifier(eo: XMLBuilder, entryUuid: string, scheme: string, value: string, name: string): void {
  const e = eo.ele(NS.rim, 'rim:ExternalIdentifier', { identificationScheme: scheme, value, id: stableUuidUrn(`${entryUuid}|${scheme}`), objectType: EXTERNAL_ID_TYPE, registryObject: entryUuid });
  localized(e, 'rim:Name', name);
}

/** XDS author classification of an entry (authorPerson, authorInstitution). */
function author(eo: XMLBuilder, entryUuid: string, person: string | undefined, institution: string | undefined): void {
  if (!person && !institution) return;
  const c = eo.ele(NS.rim, 'rim:Classification', {
    classificationScheme: SCHEMES.author,
    classifiedObject: entryUuid,
    nodeRepresentation: '',
    id: stableUuidUrn(`${entryUuid}|${SCHEMES.author}`),
    objectType: CLASSIFICATION_TYPE,
  });
  if (person) slot(c, 'authorPerson', [person]);
  if (institution) slot(c, 'authorInstitution', [institution]);
}

/** How each level of document is described and classified. */
function describe(doc: SimulatedDocument): { classCode: string; display: string; formatCode: string; formatScheme: string; formatDisplay: string; name: string; description: string } {
  if (doc.level === 'OrCD' && doc.orcd) {
    const kind = orcdKindOfClassCode(doc.orcd.classCode);
    const display = kind?.display ?? doc.orcd.classCode;
    return { classCode: doc.orcd.classCode, display, formatCode: doc.orcd.formatCode, formatScheme: 'eHDSI formatCodes', formatDisplay: `${display} (original clinical document)`, name: doc.title ?? display, description: `Original clinical document: ${display}` };
  }
  const l3 = doc.level === 'L3';
  return {
    classCode: PATIENT_SUMMARY_CLASS_CODE.code,
    display: 'Patient summary Document',
    formatCode: l3 ? FORMAT_CODES.L3 : FORMAT_CODES.L1,
    formatScheme: l3 ? FORMAT_CODING_SCHEME.L3 : FORMAT_CODING_SCHEME.L1,
    formatDisplay: l3 ? 'epSOS pivot' : 'PDF/A coded document',
    name: doc.title ?? (l3 ? 'Patient Summary' : 'Patient Summary (PDF)'),
    description: l3 ? 'Patient summary, structured pivot document (level 3)' : 'Patient summary, PDF of the original document (level 1)',
  };
}

function extrinsicObject(list: XMLBuilder, country: SimulatedCountry, patientId: PatientId, doc: SimulatedDocument): void {
  const data = doc.data as Buffer;
  const d = describe(doc);
  const eo = list.ele(NS.rim, 'rim:ExtrinsicObject', { id: doc.entryUuid, mimeType: 'text/xml', objectType: DOCUMENT_ENTRY_TYPE, status: APPROVED, home: `urn:oid:${country.homeCommunityId}` });
  if (doc.creationTime) slot(eo, 'creationTime', [doc.creationTime]);
  slot(eo, 'languageCode', [doc.languageCode ?? 'en-GB']);
  slot(eo, 'repositoryUniqueId', [country.repositoryUniqueId]);
  slot(eo, 'size', [String(data.length)]);
  slot(eo, 'hash', [sha1Hex(data)]);
  slot(eo, 'sourcePatientId', [patientIdToCx(patientId)]);
  if (doc.orcd?.serviceStartTime) slot(eo, 'serviceStartTime', [doc.orcd.serviceStartTime]);
  if (doc.orcd?.serviceStopTime) slot(eo, 'serviceStopTime', [doc.orcd.serviceStopTime]);
  localized(eo, 'rim:Name', d.name);
  localized(eo, 'rim:Description', d.description);
  classification(eo, doc.entryUuid, SCHEMES.classCode, d.classCode, PATIENT_SUMMARY_CLASS_CODE.codeSystem, d.display);
  classification(eo, doc.entryUuid, SCHEMES.typeCode, d.classCode, PATIENT_SUMMARY_CLASS_CODE.codeSystem, d.display);
  classification(eo, doc.entryUuid, SCHEMES.formatCode, d.formatCode, d.formatScheme, d.formatDisplay);
  author(eo, doc.entryUuid, doc.orcd?.authorPerson, doc.orcd?.authorInstitution);
  externalIdentifier(eo, doc.entryUuid, SCHEMES.patientId, patientIdToCx(patientId), 'XDSDocumentEntry.patientId');
  externalIdentifier(eo, doc.entryUuid, SCHEMES.uniqueId, doc.uniqueId, 'XDSDocumentEntry.uniqueId');
}

/** The query:AdhocQueryResponse body for an answer (documents and/or errors). */
export function buildAdhocQueryResponse(country: SimulatedCountry, patientId: PatientId | undefined, answer: Pick<FindDocumentsAnswer, 'documents' | 'errors'>): string {
  const res = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.query, 'query:AdhocQueryResponse', { status: RESPONSE_STATUS[statusFor(answer.errors, answer.documents.length)] });
  appendRegistryErrors(res, answer.errors, `${country.code} responding gateway`);
  const list = res.ele(NS.rim, 'rim:RegistryObjectList');
  if (patientId) for (const doc of answer.documents) extrinsicObject(list, country, patientId, doc);
  const l3 = answer.documents.find((d) => d.level === 'L3');
  const l1 = answer.documents.find((d) => d.level === 'L1');
  if (l3 && l1) {
    // The pivot (L3) is a transformation of the original document the PDF (L1) renders.
    list.ele(NS.rim, 'rim:Association', { associationType: XFRM, sourceObject: l3.entryUuid, targetObject: l1.entryUuid, id: stableUuidUrn(`${l3.entryUuid}|XFRM|${l1.entryUuid}`), objectType: ASSOCIATION_TYPE });
  }
  return res.end({ headless: true });
}
