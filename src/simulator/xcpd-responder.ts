/**
 * The XCPD ITI-55 responding side of a simulated country: reads
 * PRPA_IN201305UV02, matches the country's synthetic patients, answers
 * PRPA_IN201306UV02 (matches, NF + AnswerNotAvailable, or AE with the code).
 */
import { randomUUID } from 'node:crypto';
import { XMLSerializer } from '@xmldom/xmldom';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { EHDSI_CODE_SYSTEM, IHE_XCPD_CODE_SYSTEM } from '../ehdsi/errors/ehdsi-errors.js';
import type { PatientId } from '../ehdsi/saml/types.js';
import { NS } from '../ehdsi/soap/namespaces.js';
import { attr, child, children, path, text, type Element } from '../ehdsi/soap/xml.js';
import { foldName, hl7Timestamp } from './hl7.js';
import type { SimulatedCountry, SimulatedPatient } from './patients.js';
import { RequestError } from './request-error.js';

const INTERACTION_ROOT = '2.16.840.1.113883.1.6';
const bareSystem = (urn: string): string => urn.replace(/^urn:oid:/, '');

export interface InstanceIdentifier {
  root: string;
  extension?: string;
}

export interface XcpdQuery {
  messageId?: InstanceIdentifier;
  senderHomeCommunityId?: string;
  queryId?: InstanceIdentifier;
  ids: PatientId[];
  given: string[];
  family: string[];
  gender?: string;
  birthTime?: string;
  /** The queryByParameter element, echoed in the response as ITI-55 requires. */
  queryByParameter?: Element;
}

export type XcpdAnswer =
  | { kind: 'matches'; patients: SimulatedPatient[] }
  | { kind: 'no-match' }
  /** An application error: detectedIssueEvent code (eHDSI or IHE) and acknowledgementDetail code. */
  | { kind: 'error'; code: string; text: string };

function instanceId(el: Element | undefined): InstanceIdentifier | undefined {
  const root = attr(el, 'root');
  return root ? { root, extension: attr(el, 'extension') } : undefined;
}

/** Reads the parts of PRPA_IN201305UV02 the responder needs; throws RequestError when it is not one. */
export function readXcpdQuery(payload: Element | undefined): XcpdQuery {
  if (!payload || payload.localName !== 'PRPA_IN201305UV02' || payload.namespaceURI !== NS.hl7) throw new RequestError('the XCPD body must be an HL7 v3 PRPA_IN201305UV02');
  const q = path(payload, 'controlActProcess', 'queryByParameter');
  if (!q) throw new RequestError('PRPA_IN201305UV02 without controlActProcess/queryByParameter');
  const list = child(q, 'parameterList');
  const ids = children(list, 'livingSubjectId').flatMap((p) =>
    children(p, 'value').flatMap((v): PatientId[] => {
      const root = attr(v, 'root');
      const extension = attr(v, 'extension');
      return root && extension ? [{ root, extension }] : [];
    }),
  );
  const nameValues = children(list, 'livingSubjectName').flatMap((n) => children(n, 'value'));
  return {
    messageId: instanceId(child(payload, 'id')),
    senderHomeCommunityId: attr(path(payload, 'sender', 'device', 'id'), 'root'),
    queryId: instanceId(child(q, 'queryId')),
    ids,
    given: nameValues.flatMap((v) => children(v, 'given').map((g) => text(g) ?? '')).filter(Boolean),
    family: nameValues.flatMap((v) => children(v, 'family').map((f) => text(f) ?? '')).filter(Boolean),
    gender: attr(path(list, 'livingSubjectAdministrativeGender', 'value'), 'code'),
    birthTime: attr(path(list, 'livingSubjectBirthTime', 'value'), 'value'),
    queryByParameter: q,
  };
}

const hasId = (p: SimulatedPatient, id: PatientId): boolean => p.identifiers.some((i) => i.root === id.root && i.extension === id.extension);

/** The words of names, accents and case aside ("Maria Inês" → maria, ines). */
const nameWords = (names: string[]): string[] => names.flatMap((n) => foldName(n).split(/[\s-]+/)).filter(Boolean);

/**
 * True when every demographic criterion given in the query agrees with the
 * patient: each word of the names asked is one of the patient's (a query may
 * give both given names in one element, or only the first family name).
 */
function demographicsAgree(p: SimulatedPatient, q: XcpdQuery): boolean {
  const names = (wanted: string[], have: string[]): boolean => {
    const known = nameWords(have);
    return nameWords(wanted).every((w) => known.includes(w));
  };
  if (q.family.length && !names(q.family, p.family)) return false;
  if (q.given.length && !names(q.given, p.given)) return false;
  if (q.gender && q.gender !== 'UN' && p.gender && p.gender !== q.gender) return false;
  // A partial birth time (YYYY or YYYYMM) matches the dates it covers.
  if (q.birthTime && !(p.birthTime ?? '').startsWith(q.birthTime.slice(0, 8))) return false;
  return true;
}

/**
 * The matching rule of the simulated countries:
 * - no identifier → DemographicsQueryNotAllowed (eHDSI forbids demographic-only queries);
 * - patients holding every queried identifier, kept when the demographics given agree;
 *   several such patients (an identifier shared by a family's insurance card, say) → several subjects;
 * - no patient holds the identifier, but the name AND birth date given designate
 *   two patients or more → those subjects (the country cannot tell them apart and
 *   lets the professional choose); a single demographic match is not disclosed;
 * - otherwise NF.
 */
export function answerXcpd(query: XcpdQuery, patients: readonly SimulatedPatient[]): XcpdAnswer {
  if (query.ids.length === 0) return { kind: 'error', code: 'DemographicsQueryNotAllowed', text: 'A query without livingSubjectId is not allowed' };
  const byId = patients.filter((p) => query.ids.every((id) => hasId(p, id)));
  if (byId.length > 0) {
    const agreeing = byId.filter((p) => demographicsAgree(p, query));
    return agreeing.length > 0 ? { kind: 'matches', patients: agreeing } : { kind: 'no-match' };
  }
  if (query.family.length > 0 && query.birthTime) {
    const byDemographics = patients.filter((p) => demographicsAgree(p, query));
    if (byDemographics.length >= 2) return { kind: 'matches', patients: byDemographics };
  }
  return { kind: 'no-match' };
}

function device(parent: XMLBuilder, element: 'receiver' | 'sender', root: string | undefined): void {
  const id = root ? { root } : { nullFlavor: 'UNK' };
  const d = parent.ele(element, { typeCode: element === 'receiver' ? 'RCV' : 'SND' }).ele('device', { classCode: 'DEV', determinerCode: 'INSTANCE' });
  d.ele('id', id);
  d.ele('asAgent', { classCode: 'AGNT' }).ele('representedOrganization', { classCode: 'ORG', determinerCode: 'INSTANCE' }).ele('id', id);
}

function idAttrs(id: InstanceIdentifier | undefined): Record<string, string> {
  if (!id) return { nullFlavor: 'NI' };
  return id.extension ? { root: id.root, extension: id.extension } : { root: id.root };
}

function subject(cap: XMLBuilder, country: SimulatedCountry, patient: SimulatedPatient, query: XcpdQuery): void {
  // The identifier in the queried domain comes first: it is the one reused in XCA and the TRC.
  const queriedRoots = new Set(query.ids.map((i) => i.root));
  const ordered = [...patient.identifiers].sort((a, b) => Number(queriedRoots.has(b.root)) - Number(queriedRoots.has(a.root)));
  const reg = cap.ele('subject', { typeCode: 'SUBJ', contextConductionInd: 'false' }).ele('registrationEvent', { classCode: 'REG', moodCode: 'EVN' });
  reg.ele('id', { nullFlavor: 'NA' });
  reg.ele('statusCode', { code: 'active' });
  const p = reg.ele('subject1', { typeCode: 'SBJ' }).ele('patient', { classCode: 'PAT' });
  p.ele('id', { root: ordered[0].root, extension: ordered[0].extension });
  p.ele('statusCode', { code: 'active' });
  const person = p.ele('patientPerson', { classCode: 'PSN', determinerCode: 'INSTANCE' });
  const name = person.ele('name');
  for (const g of patient.given) name.ele('given').txt(g);
  for (const f of patient.family) name.ele('family').txt(f);
  person.ele('administrativeGenderCode', patient.gender ? { code: patient.gender, codeSystem: '2.16.840.1.113883.5.1' } : { nullFlavor: 'UNK' });
  person.ele('birthTime', patient.birthTime ? { value: patient.birthTime } : { nullFlavor: 'UNK' });
  if (patient.address) {
    const addr = person.ele('addr');
    for (const line of patient.address.lines) addr.ele('streetAddressLine').txt(line);
    if (patient.address.city) addr.ele('city').txt(patient.address.city);
    if (patient.address.postalCode) addr.ele('postalCode').txt(patient.address.postalCode);
    addr.ele('country').txt(patient.address.country ?? country.code);
  }
  for (const other of ordered.slice(1)) {
    const o = person.ele('asOtherIDs', { classCode: 'PAT' });
    o.ele('id', { root: other.root, extension: other.extension });
    o.ele('scopingOrganization', { classCode: 'ORG', determinerCode: 'INSTANCE' }).ele('id', { root: other.root });
  }
  p.ele('providerOrganization', { classCode: 'ORG', determinerCode: 'INSTANCE' }).ele('id', { root: country.homeCommunityId }).up().ele('contactParty', { classCode: 'CON' });
  const obs = p.ele('subjectOf1').ele('queryMatchObservation', { classCode: 'COND', moodCode: 'EVN' });
  obs.ele('code', { code: 'IHE_PDQ' });
  obs.ele('value', { value: '100' }).att(NS.xsi, 'xsi:type', 'INT');
  const custodian = reg.ele('custodian', { typeCode: 'CST' }).ele('assignedEntity', { classCode: 'ASSIGNED' });
  custodian.ele('id', { root: country.homeCommunityId });
  custodian.ele('code', { code: 'NotHealthDataLocator', codeSystem: '1.3.6.1.4.1.19376.1.2.27.2' });
}

function issue(cap: XMLBuilder, code: string, system: string, description: string): void {
  const event = cap.ele('reasonOf', { typeCode: 'RSON' }).ele('detectedIssueEvent', { classCode: 'ALRT', moodCode: 'EVN' });
  event.ele('code', { code, codeSystem: system, displayName: description });
}

const IHE_ISSUES = new Set(['AnswerNotAvailable', 'ResponderBusy', 'InternalError']);

/** The PRPA_IN201306UV02 body answering `query` (undefined when the request could not be read). */
export function buildXcpdResponse(country: SimulatedCountry, query: XcpdQuery | undefined, answer: XcpdAnswer, now = new Date()): string {
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.hl7, 'PRPA_IN201306UV02', { ITSVersion: 'XML_1.0' });
  root.att('http://www.w3.org/2000/xmlns/', 'xmlns:xsi', NS.xsi);
  root.ele('id', { root: randomUUID() });
  root.ele('creationTime', { value: hl7Timestamp(now) });
  root.ele('interactionId', { root: INTERACTION_ROOT, extension: 'PRPA_IN201306UV02' });
  root.ele('processingCode', { code: 'P' });
  root.ele('processingModeCode', { code: 'T' });
  root.ele('acceptAckCode', { code: 'NE' });
  device(root, 'receiver', query?.senderHomeCommunityId);
  device(root, 'sender', country.homeCommunityId);

  const ack = root.ele('acknowledgement');
  ack.ele('typeCode', { code: answer.kind === 'error' ? 'AE' : 'AA' });
  ack.ele('targetMessage').ele('id', idAttrs(query?.messageId));
  if (answer.kind === 'no-match') {
    const d = ack.ele('acknowledgementDetail', { typeCode: 'E' });
    d.ele('code', { code: 'ERROR_PI_NO_MATCH', codeSystem: bareSystem(EHDSI_CODE_SYSTEM), displayName: 'No patient matches the identity traits' });
    d.ele('text').txt('Patient Identification Error');
    d.ele('location').txt("It was not possible to localise the patient's health record in the national system.");
  } else if (answer.kind === 'error') {
    const d = ack.ele('acknowledgementDetail', { typeCode: 'E' });
    d.ele('code', { code: answer.code, codeSystem: bareSystem(IHE_ISSUES.has(answer.code) ? IHE_XCPD_CODE_SYSTEM : EHDSI_CODE_SYSTEM) });
    d.ele('text').txt(answer.text);
  }

  const cap = root.ele('controlActProcess', { classCode: 'CACT', moodCode: 'EVN' });
  cap.ele('code', { code: 'PRPA_TE201306UV02', codeSystem: INTERACTION_ROOT });
  const matches = answer.kind === 'matches' ? answer.patients : [];
  if (query) for (const p of matches) subject(cap, country, p, query);
  if (answer.kind === 'no-match') issue(cap, 'AnswerNotAvailable', bareSystem(IHE_XCPD_CODE_SYSTEM), 'No patient matches the query');
  if (answer.kind === 'error') issue(cap, answer.code, bareSystem(IHE_ISSUES.has(answer.code) ? IHE_XCPD_CODE_SYSTEM : EHDSI_CODE_SYSTEM), answer.text);
  const queryAck = cap.ele('queryAck');
  queryAck.ele('queryId', idAttrs(query?.queryId));
  queryAck.ele('queryResponseCode', { code: answer.kind === 'matches' ? 'OK' : answer.kind === 'no-match' ? 'NF' : 'AE' });
  queryAck.ele('resultTotalQuantity', { value: String(matches.length) });
  queryAck.ele('resultCurrentQuantity', { value: String(matches.length) });
  queryAck.ele('resultRemainingQuantity', { value: '0' });
  if (query?.queryByParameter) cap.import(create(new XMLSerializer().serializeToString(query.queryByParameter)));
  return root.end({ headless: true });
}
