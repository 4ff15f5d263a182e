/** XCA ITI-38 AdhocQueryResponse → document entries, XFRM links and registry errors. */
import { payloadOf, type SoapAnswer } from '../soap/envelope.js';
import { bareOid } from '../soap/target.js';
import { attr, child, children, descendants, text, type Element } from '../soap/xml.js';
import { patientIdFromCx, type PatientId } from '../saml/types.js';
import { registryErrors, RegistryResponseError, registryStatus, type RegistryError, type RegistryStatus } from './registry.js';

export const SCHEMES = {
  uniqueId: 'urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab',
  patientId: 'urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427',
  formatCode: 'urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d',
  classCode: 'urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a',
  typeCode: 'urn:uuid:f0306f51-975f-434e-a61c-c59651d33983',
  author: 'urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d',
} as const;

export const FORMAT_CODES = { L3: 'urn:epSOS:ps:ps:2010', L1: 'urn:ihe:iti:xds-sd:pdf:2008' } as const;
export const XFRM = 'urn:ihe:iti:2007:AssociationType:XFRM';

export interface DocumentEntry {
  /** ebRIM id of the ExtrinsicObject (urn:uuid:…), used by associations. */
  entryUuid: string;
  uniqueId: string;
  repositoryUniqueId: string;
  /** Without the urn:oid: prefix. */
  homeCommunityId: string;
  patientId?: PatientId;
  formatCode?: string;
  /** L3 structured pivot document, L1 PDF, or undefined for another format. */
  level?: 'L3' | 'L1';
  mimeType: string;
  /** XDS DTM as sent (YYYYMMDDhhmmss). */
  creationTime?: string;
  languageCode?: string;
  size?: number;
  hash?: string;
  title?: string;
  classCode?: string;
  typeCode?: string;
  /** XDS DTM of the care the document reports (serviceStartTime / serviceStopTime slots), when given. */
  serviceStartTime?: string;
  serviceStopTime?: string;
  /** Its authors (author classifications), when given. */
  authors?: DocumentAuthor[];
  /** entryUuids of the documents linked to this one by an XFRM (transformation) association. */
  xfrm: string[];
}

/** An author of a document entry (XDS author classification): the values of its slots. */
export interface DocumentAuthor {
  /** XCN (id^family^given^…) or plain text. */
  person?: string;
  /** XON (name^^^^^^^^^id) or plain text. */
  institutions: string[];
  roles: string[];
  specialties: string[];
}

export interface AdhocQueryResult {
  status: RegistryStatus;
  entries: DocumentEntry[];
  errors: RegistryError[];
}

function slotValues(el: Element, name: string): string[] {
  const slot = children(el, 'Slot').find((s) => attr(s, 'name') === name);
  return children(child(slot, 'ValueList'), 'Value').map((v) => text(v) ?? '');
}

function externalId(el: Element, scheme: string): string | undefined {
  return attr(children(el, 'ExternalIdentifier').find((e) => attr(e, 'identificationScheme') === scheme), 'value');
}

function classification(el: Element, scheme: string): string | undefined {
  return attr(children(el, 'Classification').find((c) => attr(c, 'classificationScheme') === scheme), 'nodeRepresentation');
}

/** The author classifications of an entry, their slots read as given (empty ones left out). */
function authors(el: Element): DocumentAuthor[] {
  return children(el, 'Classification')
    .filter((c) => attr(c, 'classificationScheme') === SCHEMES.author)
    .map((c) => {
      const values = (name: string) => slotValues(c, name).map((v) => v.trim()).filter(Boolean);
      return { person: values('authorPerson')[0], institutions: values('authorInstitution'), roles: values('authorRole'), specialties: values('authorSpecialty') };
    })
    .filter((a) => a.person || a.institutions.length || a.roles.length || a.specialties.length);
}

function entry(el: Element): DocumentEntry {
  const entryUuid = attr(el, 'id') ?? '';
  const uniqueId = externalId(el, SCHEMES.uniqueId);
  const repositoryUniqueId = slotValues(el, 'repositoryUniqueId')[0];
  const home = attr(el, 'home');
  if (!uniqueId || !repositoryUniqueId) throw new RegistryResponseError('document entry without uniqueId or repositoryUniqueId');
  const formatCode = classification(el, SCHEMES.formatCode);
  const size = slotValues(el, 'size')[0];
  const patient = externalId(el, SCHEMES.patientId);
  const written = authors(el);
  return {
    entryUuid,
    uniqueId,
    repositoryUniqueId,
    homeCommunityId: home ? bareOid(home) : '',
    patientId: patient ? patientIdFromCx(patient) : undefined,
    formatCode,
    level: formatCode === FORMAT_CODES.L3 ? 'L3' : formatCode === FORMAT_CODES.L1 ? 'L1' : undefined,
    mimeType: attr(el, 'mimeType') ?? 'application/octet-stream',
    creationTime: slotValues(el, 'creationTime')[0],
    languageCode: slotValues(el, 'languageCode')[0],
    size: size && /^\d+$/.test(size) ? Number(size) : undefined,
    hash: slotValues(el, 'hash')[0],
    title: attr(descendants(child(el, 'Name'), 'LocalizedString')[0], 'value'),
    classCode: classification(el, SCHEMES.classCode),
    typeCode: classification(el, SCHEMES.typeCode),
    serviceStartTime: slotValues(el, 'serviceStartTime')[0],
    serviceStopTime: slotValues(el, 'serviceStopTime')[0],
    authors: written.length ? written : undefined,
    xfrm: [],
  };
}

/**
 * Reads an AdhocQueryResponse: the envelope the SOAP client parsed, or XML
 * text (whole envelope or bare). Throws RegistryResponseError on a malformed one.
 */
export function parseAdhocQueryResponse(answer: SoapAnswer): AdhocQueryResult {
  const res = payloadOf(answer, 'AdhocQueryResponse', (m) => new RegistryResponseError(m));
  const status = registryStatus(res);
  const list = child(res, 'RegistryObjectList');
  const entries = children(list, 'ExtrinsicObject').map(entry);
  const byUuid = new Map(entries.map((e) => [e.entryUuid, e]));
  for (const a of children(list, 'Association')) {
    if (attr(a, 'associationType') !== XFRM) continue;
    const source = byUuid.get(attr(a, 'sourceObject') ?? '');
    const target = byUuid.get(attr(a, 'targetObject') ?? '');
    if (source && target) {
      source.xfrm.push(target.entryUuid);
      target.xfrm.push(source.entryUuid);
    }
  }
  return { status, entries, errors: registryErrors(res) };
}
