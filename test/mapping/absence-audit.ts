import { DOMParser, type Element as XmlDomElement } from '@xmldom/xmldom';

/**
 * An audit of a converted Bundle against its CDA, independent of the
 * engine's own reading of absent/unknown statements (own parser, own code
 * lists): every "no known X" statement is still there as the IPS 2.0 "no
 * known" situation, every "no information" statement became no resource and
 * an empty section, and no resource asserts anything about an unknown subject.
 */
const ABSENT_UNKNOWN_OID = '2.16.840.1.113883.5.1150.1';
const SNOMED_OID = '2.16.840.1.113883.6.96';
/** SNOMED CT "no known" situations of IPS 2.0 (and the inactive 160244002). */
const NO_KNOWN_SNOMED = new Set(['716186003', '409137002', '428607008', '429625007', '428197003', '160244002', '160245001', '787481004', '787480003', '787483001', '787482006']);
const IPS_NO_KNOWN = new Set(['716186003', '409137002', '428607008', '429625007', '428197003', '160245001', '787481004', '787480003', '787483001', '787482006']);
const CDA_SOURCE = 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/cda-source';

type Json = Record<string, unknown>;

function elements(el: XmlDomElement): XmlDomElement[] {
  const out: XmlDomElement[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as XmlDomElement);
  return out;
}

function descendants(el: XmlDomElement, out: XmlDomElement[] = []): XmlDomElement[] {
  for (const c of elements(el)) {
    out.push(c);
    descendants(c, out);
  }
  return out;
}

/** The locator the converter writes in cda-source: names, with [n] among same-name siblings. */
function locatorOf(el: XmlDomElement): string {
  const parent = el.parentNode as XmlDomElement | null;
  if (!parent || parent.nodeType !== 1) return `/${el.localName}`;
  const same = elements(parent).filter((c) => c.localName === el.localName);
  const step = same.length > 1 ? `${el.localName}[${same.indexOf(el) + 1}]` : el.localName;
  return `${locatorOf(parent)}/${step}`;
}

interface Statement {
  section: string;
  locator: string;
  says: 'known-absence' | 'no-information';
  why: string;
}

/** The statements of the document that say "no known X" or "no information", as the CDA says them. */
export function absentUnknownStatements(xml: string): Statement[] {
  const doc = new DOMParser().parseFromString(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml, 'text/xml');
  const out: Statement[] = [];
  for (const section of descendants(doc.documentElement as unknown as XmlDomElement).filter((e) => e.localName === 'section')) {
    const code = elements(section).find((e) => e.localName === 'code')?.getAttribute('code') ?? '';
    for (const entry of elements(section).filter((e) => e.localName === 'entry')) {
      const statement = elements(entry).find((e) => e.localName !== 'templateId');
      if (!statement) continue;
      const all = [statement, ...descendants(statement)];
      const absent = all.find((e) => e.getAttribute('codeSystem') === ABSENT_UNKNOWN_OID);
      const snomed = all.find((e) => e.getAttribute('codeSystem') === SNOMED_OID && NO_KNOWN_SNOMED.has(e.getAttribute('code') ?? ''));
      if (absent) {
        const c = absent.getAttribute('code') ?? '';
        out.push({ section: code, locator: locatorOf(statement), says: c.startsWith('no-known') ? 'known-absence' : 'no-information', why: c });
      } else if (snomed) out.push({ section: code, locator: locatorOf(statement), says: 'known-absence', why: snomed.getAttribute('code') ?? '' });
      else if (statement.getAttribute('nullFlavor')) out.push({ section: code, locator: locatorOf(statement), says: 'no-information', why: `nullFlavor ${statement.getAttribute('nullFlavor')}` });
    }
  }
  return out;
}

const sourceOf = (r: Json): string | undefined => (r.extension as fhir4.Extension[] | undefined)?.find((e) => e.url === CDA_SOURCE)?.valueString;

/** Codes of the element that says what a resource is about. */
function subjectCodes(r: Json, byUrl: Map<string, Json>): { codes: string[]; named: boolean } {
  const read = (cc: unknown): { codes: string[]; named: boolean } => {
    const c = cc as fhir4.CodeableConcept | undefined;
    return { codes: (c?.coding ?? []).map((x) => x.code ?? ''), named: !!(c?.coding?.length || c?.text) };
  };
  switch (r.resourceType) {
    case 'AllergyIntolerance':
    case 'Condition':
    case 'Procedure':
      return read(r.code);
    case 'Immunization':
      return read(r.vaccineCode);
    case 'MedicationStatement': {
      if (r.medicationCodeableConcept) return read(r.medicationCodeableConcept);
      const med = byUrl.get((r.medicationReference as fhir4.Reference | undefined)?.reference ?? '');
      return read(med?.code);
    }
    case 'DeviceUseStatement': {
      const device = byUrl.get((r.device as fhir4.Reference | undefined)?.reference ?? '');
      return read(device?.type);
    }
    default:
      return { codes: [], named: true };
  }
}

/** What asserts that the subject is current, happened or is confirmed. */
function asserts(r: Json): boolean {
  const code = (cc: unknown): string | undefined => (cc as fhir4.CodeableConcept | undefined)?.coding?.[0]?.code;
  return r.status === 'active' || r.status === 'completed' || code(r.clinicalStatus) === 'active' || code(r.verificationStatus) === 'confirmed';
}

/** Every way the Bundle departs from what the CDA says of absent and unknown information. */
export function absenceViolations(xml: string, bundle: fhir4.Bundle): string[] {
  const problems: string[] = [];
  const entries = (bundle.entry ?? []).map((e) => ({ fullUrl: e.fullUrl ?? '', resource: e.resource as unknown as Json }));
  const byUrl = new Map(entries.map((e) => [e.fullUrl, e.resource]));
  const composition = entries[0]?.resource as unknown as fhir4.Composition;
  const sections = composition?.section ?? [];
  for (const st of absentUnknownStatements(xml)) {
    const made = entries.filter((e) => sourceOf(e.resource)?.startsWith(st.locator));
    const section = sections.find((s) => s.code?.coding?.some((c) => c.code === st.section));
    if (st.says === 'known-absence') {
      const stated = made.filter((e) => subjectCodes(e.resource, byUrl).codes.some((c) => IPS_NO_KNOWN.has(c)));
      // "no known past illness" has no IPS 2.0 situation: the section says "nil known"
      if (!made.length && section?.emptyReason?.coding?.some((c) => c.code === 'nilknown') && !section.entry?.length) continue;
      if (!stated.length) problems.push(`${st.locator} says no known (${st.why}) but no resource says it with an IPS 2.0 "no known" concept`);
      if (made.some((e) => !subjectCodes(e.resource, byUrl).codes.some((c) => IPS_NO_KNOWN.has(c)) && e.resource.resourceType !== 'Device')) problems.push(`${st.locator} says no known (${st.why}) but also became a resource about something`);
      if (!section?.entry?.some((r) => stated.some((e) => e.fullUrl === r.reference))) problems.push(`${st.locator}: the "no known" resource is not an entry of its section ${st.section}`);
    } else {
      if (made.length) problems.push(`${st.locator} says no information (${st.why}) but became ${made.map((e) => e.resource.resourceType).join(', ')}`);
      if (section && !section.entry?.length && !section.emptyReason) problems.push(`${st.locator} says no information (${st.why}) but its empty section ${st.section} has no emptyReason`);
      if (section?.emptyReason?.coding?.some((c) => c.code === 'nilknown')) problems.push(`${st.locator} says no information but its section says "nil known"`);
    }
  }
  for (const e of entries.slice(1)) {
    const subject = subjectCodes(e.resource, byUrl);
    if (!subject.named && asserts(e.resource)) problems.push(`${String(e.resource.resourceType)} ${sourceOf(e.resource) ?? e.fullUrl} asserts an unknown subject (no code, no text)`);
  }
  return problems;
}
