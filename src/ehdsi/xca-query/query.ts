/** XCA ITI-38 FindDocuments request for the patient summary (docs/references.md#xca-iti-38-iti-39-finding-and-retrieving-the-patient-summary). */
import { create } from 'xmlbuilder2';
import { NS } from '../soap/namespaces.js';
import { patientIdToCx, type PatientId } from '../saml/types.js';

export const FIND_DOCUMENTS_QUERY_ID = 'urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d';
export const APPROVED_STATUS = 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved';
/** LOINC 60591-5 Patient summary document. */
export const PATIENT_SUMMARY_CLASS_CODE = { code: '60591-5', codeSystem: '2.16.840.1.113883.6.1' };

/** XDS query string literal: quotes doubled inside single quotes. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

export interface FindDocumentsOptions {
  classCodes?: ReadonlyArray<{ code: string; codeSystem: string }>;
}

export function buildFindDocumentsQuery(patientId: PatientId, opts: FindDocumentsOptions = {}): string {
  const classCodes = opts.classCodes ?? [PATIENT_SUMMARY_CLASS_CODE];
  const req = create({ version: '1.0', encoding: 'UTF-8' }).ele(NS.query, 'query:AdhocQueryRequest');
  req.ele(NS.query, 'query:ResponseOption', { returnComposedObjects: 'true', returnType: 'LeafClass' });
  const q = req.ele(NS.rim, 'rim:AdhocQuery', { id: FIND_DOCUMENTS_QUERY_ID });
  const slot = (name: string, value: string): void => {
    q.ele(NS.rim, 'rim:Slot', { name }).ele(NS.rim, 'rim:ValueList').ele(NS.rim, 'rim:Value').txt(value);
  };
  slot('$XDSDocumentEntryPatientId', quoted(patientIdToCx(patientId)));
  slot('$XDSDocumentEntryStatus', `(${quoted(APPROVED_STATUS)})`);
  slot('$XDSDocumentEntryClassCode', `(${classCodes.map((c) => quoted(`${c.code}^^${c.codeSystem}`)).join(',')})`);
  return req.end({ headless: true });
}
