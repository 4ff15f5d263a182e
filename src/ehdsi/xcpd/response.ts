/** XCPD ITI-55 response (PRPA_IN201306UV02) → matches, no match, or the errors the responder gave. */
import { payloadOf, type SoapAnswer } from '../soap/envelope.js';
import { attr, child, children, descendants, path, text, type Element } from '../soap/xml.js';

export interface InstanceId {
  root: string;
  extension: string;
}

export interface PersonName {
  family: string[];
  given: string[];
  prefix: string[];
  use?: string;
}

export interface PostalAddress {
  lines: string[];
  city?: string;
  postalCode?: string;
  state?: string;
  country?: string;
}

export interface MatchedPatient {
  /** The identifier to reuse in XCA and in the TRC (first patient/id with an extension). */
  id: InstanceId;
  otherIds: InstanceId[];
  names: PersonName[];
  gender?: 'male' | 'female' | 'unknown';
  /** YYYY, YYYY-MM or YYYY-MM-DD. */
  birthDate?: string;
  addresses: PostalAddress[];
}

export interface DetectedIssue {
  code: string;
  codeSystem?: string;
  text?: string;
}

export interface AcknowledgementDetail {
  code: string;
  codeSystem?: string;
  typeCode?: string;
  text?: string;
}

export type XcpdOutcome =
  | { kind: 'matches'; patients: MatchedPatient[]; ackDetails: AcknowledgementDetail[] }
  | { kind: 'no-match'; issues: DetectedIssue[]; ackDetails: AcknowledgementDetail[] }
  | { kind: 'error'; ackTypeCode?: string; queryResponseCode?: string; issues: DetectedIssue[]; ackDetails: AcknowledgementDetail[] };

/** HL7 TS (YYYYMMDD…) → ISO date of the same precision. */
export function hl7DateToIso(ts: string | undefined): string | undefined {
  const m = ts ? /^(\d{4})(\d{2})?(\d{2})?/.exec(ts) : null;
  if (!m) return undefined;
  return [m[1], m[2], m[3]].filter(Boolean).join('-');
}

function instanceIds(els: Element[]): InstanceId[] {
  return els
    .map((e) => ({ root: attr(e, 'root') ?? '', extension: attr(e, 'extension') ?? '' }))
    .filter((i) => i.root !== '' && i.extension !== '');
}

function names(person: Element | undefined): PersonName[] {
  return children(person, 'name').map((n) => ({
    family: children(n, 'family').map((e) => text(e) ?? '').filter(Boolean),
    given: children(n, 'given').map((e) => text(e) ?? '').filter(Boolean),
    prefix: children(n, 'prefix').map((e) => text(e) ?? '').filter(Boolean),
    use: attr(n, 'use'),
  }));
}

function addresses(person: Element | undefined): PostalAddress[] {
  return children(person, 'addr').map((a) => ({
    lines: children(a, 'streetAddressLine').map((e) => text(e) ?? '').filter(Boolean),
    city: text(child(a, 'city')),
    postalCode: text(child(a, 'postalCode')),
    state: text(child(a, 'state')),
    country: text(child(a, 'country')),
  }));
}

function gender(code: string | undefined): MatchedPatient['gender'] {
  if (code === 'M') return 'male';
  if (code === 'F') return 'female';
  return code ? 'unknown' : undefined;
}

function patient(el: Element): MatchedPatient | undefined {
  const ids = instanceIds(children(el, 'id'));
  if (ids.length === 0) return undefined;
  const person = child(el, 'patientPerson');
  const other = children(person, 'asOtherIDs').flatMap((o) => instanceIds(children(o, 'id')));
  return {
    id: ids[0],
    otherIds: [...ids.slice(1), ...other],
    names: names(person),
    gender: gender(attr(child(person, 'administrativeGenderCode'), 'code')),
    birthDate: hl7DateToIso(attr(child(person, 'birthTime'), 'value')),
    addresses: addresses(person),
  };
}

export class XcpdResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XcpdResponseError';
  }
}

/**
 * Reads a PRPA_IN201306UV02: the envelope the SOAP client parsed, or XML text
 * (whole envelope or bare). Throws XcpdResponseError when it is not one.
 */
export function parseXcpdResponse(answer: SoapAnswer): XcpdOutcome {
  const msg = payloadOf(answer, 'PRPA_IN201306UV02', (m) => new XcpdResponseError(m));
  const ack = child(msg, 'acknowledgement');
  const ackTypeCode = attr(child(ack, 'typeCode'), 'code');
  const ackDetails: AcknowledgementDetail[] = children(ack, 'acknowledgementDetail').map((d) => ({
    code: attr(child(d, 'code'), 'code') ?? '',
    codeSystem: attr(child(d, 'code'), 'codeSystem'),
    typeCode: attr(d, 'typeCode'),
    text: text(child(d, 'text')),
  }));
  const cap = child(msg, 'controlActProcess');
  const queryResponseCode = attr(path(cap, 'queryAck', 'queryResponseCode'), 'code');
  const issues: DetectedIssue[] = descendants(cap, 'detectedIssueEvent').map((d) => ({
    code: attr(child(d, 'code'), 'code') ?? '',
    codeSystem: attr(child(d, 'code'), 'codeSystem'),
    text: text(child(d, 'text')) ?? attr(child(d, 'code'), 'displayName'),
  }));
  const patients = children(cap, 'subject')
    .map((s) => path(s, 'registrationEvent', 'subject1', 'patient'))
    .filter((p): p is Element => p !== undefined)
    .map(patient)
    .filter((p): p is MatchedPatient => p !== undefined);

  if (!ackTypeCode && !queryResponseCode) throw new XcpdResponseError('PRPA_IN201306UV02 without acknowledgement nor queryAck');
  if (ackTypeCode === 'AA' && queryResponseCode === 'OK' && patients.length > 0) return { kind: 'matches', patients, ackDetails };
  if (queryResponseCode === 'NF' && ackTypeCode !== 'AR') {
    // NF comes with AnswerNotAvailable / ERROR_PI_NO_MATCH; a genuine error code next to NF (e.g. AdditionalDemographicsRequested) is not a plain "no match".
    const plain = issues.every((i) => i.code === 'AnswerNotAvailable') && ackDetails.every((d) => d.code === '' || d.code === 'ERROR_PI_NO_MATCH');
    if (plain) return { kind: 'no-match', issues, ackDetails };
  }
  if (ackTypeCode === 'AA' && queryResponseCode === 'OK') return { kind: 'no-match', issues, ackDetails };
  return { kind: 'error', ackTypeCode, queryResponseCode, issues, ackDetails };
}
