/** XCPD ITI-55 request: PRPA_IN201305UV02 as eHDSI sends it (docs/references.md#xcpd-iti-55-patient-discovery). */
import { randomUUID } from 'node:crypto';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces.js';
import { NS } from '../soap/namespaces.js';

/** One identity trait of the country's search mask, filled in. */
export interface TraitValue {
  /** Assigning authority OID of the identifier (livingSubjectId/value/@root). */
  domainOid: string;
  value: string;
}

export interface Demographics {
  family?: string;
  given?: string;
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  birthDate?: string;
  gender?: 'male' | 'female' | 'other' | 'unknown';
  street?: string;
  postalCode?: string;
  city?: string;
}

export interface XcpdRequestInit {
  /** ISO alpha-2 code of the country searched (patientAddress/country). */
  country: string;
  senderHomeCommunityId: string;
  receiverHomeCommunityId: string;
  traits: readonly TraitValue[];
  demographics?: Demographics;
  now?: Date;
}

export class XcpdRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XcpdRequestError';
  }
}

export const INTERACTION_ID_ROOT = '2.16.840.1.113883.1.6';

export function hl7Timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const GENDER: Record<NonNullable<Demographics['gender']>, string> = { male: 'M', female: 'F', other: 'UN', unknown: 'UN' };

function device(parent: XMLBuilder, typeCode: 'RCV' | 'SND', homeCommunityId: string): void {
  const d = parent.ele(typeCode === 'RCV' ? 'receiver' : 'sender', { typeCode }).ele('device', { classCode: 'DEV', determinerCode: 'INSTANCE' });
  d.ele('id', { root: homeCommunityId });
  d.ele('asAgent', { classCode: 'AGNT' }).ele('representedOrganization', { classCode: 'ORG', determinerCode: 'INSTANCE' }).ele('id', { root: homeCommunityId });
}

function parameter(list: XMLBuilder, name: string, semantics: string, fill: (value: XMLBuilder) => void): void {
  const p = list.ele(name);
  fill(p.ele('value'));
  p.ele('semanticsText').txt(semantics);
}

/** The PRPA_IN201305UV02 body. A query without any identifier is refused (eHDSI forbids demographic-only queries). */
export function buildXcpdRequest(init: XcpdRequestInit): string {
  const traits = init.traits.filter((t) => t.value.trim() !== '');
  if (traits.length === 0) throw new XcpdRequestError('an XCPD query needs at least one identifier (DemographicsQueryNotAllowed)');
  const demo = init.demographics ?? {};
  const now = init.now ?? new Date();

  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.hl7, 'PRPA_IN201305UV02', { ITSVersion: 'XML_1.0' });
  // Message id: the sender's OID as root, a fresh UUID as extension.
  root.ele('id', { extension: randomUUID(), root: init.senderHomeCommunityId });
  root.ele('creationTime', { value: hl7Timestamp(now) });
  root.ele('versionCode', { code: 'V3PR1' });
  root.ele('interactionId', { extension: 'PRPA_IN201305UV02', root: INTERACTION_ID_ROOT });
  root.ele('processingCode', { code: 'P' });
  root.ele('processingModeCode', { code: 'T' });
  root.ele('acceptAckCode', { code: 'AL' });
  device(root, 'RCV', init.receiverHomeCommunityId);
  device(root, 'SND', init.senderHomeCommunityId);
  const cap = root.ele('controlActProcess', { classCode: 'CACT', moodCode: 'EVN' });
  cap.ele('code', { code: 'PRPA_TE201305UV02', codeSystemName: INTERACTION_ID_ROOT });
  cap.ele('authorOrPerformer', { typeCode: 'AUT' }).ele('assignedPerson', { classCode: 'ASSIGNED' });
  const q = cap.ele('queryByParameter');
  q.ele('queryId', { root: randomUUID() });
  q.ele('statusCode', { code: 'new' });
  q.ele('responseModalityCode', { code: 'R' });
  q.ele('responsePriorityCode', { code: 'I' });
  q.ele('matchCriterionList');
  const list = q.ele('parameterList');
  // Schema order of PRPA_MT201306UV02.ParameterList.
  if (demo.gender) parameter(list, 'livingSubjectAdministrativeGender', 'LivingSubject.administrativeGender', (v) => v.att('code', GENDER[demo.gender!]));
  if (demo.birthDate) {
    if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(demo.birthDate)) throw new XcpdRequestError('birth date must be YYYY, YYYY-MM or YYYY-MM-DD');
    parameter(list, 'livingSubjectBirthTime', 'LivingSubject.birthTime', (v) => v.att('value', demo.birthDate!.replace(/-/g, '')));
  }
  for (const t of traits) parameter(list, 'livingSubjectId', 'LivingSubject.id', (v) => v.att({ extension: t.value.trim(), root: t.domainOid }));
  if (demo.family || demo.given) {
    parameter(list, 'livingSubjectName', 'LivingSubject.name', (v) => {
      if (demo.given) v.ele('given').txt(demo.given);
      if (demo.family) v.ele('family').txt(demo.family);
    });
  }
  parameter(list, 'patientAddress', 'Patient.addr', (v) => {
    if (demo.street) v.ele('streetAddressLine').txt(demo.street);
    if (demo.city) v.ele('city').txt(demo.city);
    if (demo.postalCode) v.ele('postalCode').txt(demo.postalCode);
    v.ele('country').txt(init.country.toUpperCase());
  });
  return root.end({ headless: true });
}
