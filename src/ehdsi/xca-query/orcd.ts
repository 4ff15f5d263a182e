/**
 * Original Clinical Documents (OrCD, eHDSI wave 7+): the countries' own
 * laboratory reports, hospital discharge reports, imaging reports (PDF) and
 * medical images (PNG, JPEG), each wrapped in a CDA document and shared over
 * XCA like the patient summary (docs/references.md#original-clinical-documents-orcd).
 */

/** LOINC, the code system of the four eHDSI OrCD value sets (x-clinical-image included, an eHDSI code in that system). */
export const LOINC_OID = '2.16.840.1.113883.6.1';

export type OrcdKind = 'laboratory' | 'discharge' | 'imaging-report' | 'image';

/** The file formats of OrCD: XDS formatCode of the wrapper → media type of what it wraps. */
export const ORCD_FORMATS = {
  'urn:eHDSI:orcd:pdf:2021': 'application/pdf',
  'urn:eHDSI:orcd:png:2021': 'image/png',
  'urn:eHDSI:orcd:jpeg:2021': 'image/jpeg',
} as const;

export type OrcdFormatCode = keyof typeof ORCD_FORMATS;
export type OrcdMediaType = (typeof ORCD_FORMATS)[OrcdFormatCode];

export interface OrcdKindDef {
  kind: OrcdKind;
  /** XDS classCode (and typeCode) of the kind, LOINC. */
  classCode: string;
  /** English designation, as the eHDSI value set gives it. */
  display: string;
  /** eHDSI value set of the kind (Master Value Set Catalogue). */
  valueSet: string;
  /** The formats a document of this kind may come in. */
  formats: readonly OrcdFormatCode[];
}

/** The four kinds, in the order the facade lists them. */
export const ORCD_KINDS: readonly OrcdKindDef[] = [
  { kind: 'laboratory', classCode: '11502-2', display: 'Laboratory report', valueSet: 'eHDSILaboratoryReportType', formats: ['urn:eHDSI:orcd:pdf:2021'] },
  { kind: 'discharge', classCode: '34105-7', display: 'Hospital Discharge summary', valueSet: 'eHDSIHospitalDischargeReportType', formats: ['urn:eHDSI:orcd:pdf:2021'] },
  { kind: 'imaging-report', classCode: '18748-4', display: 'Diagnostic imaging study', valueSet: 'eHDSIMedicalImagingReportType', formats: ['urn:eHDSI:orcd:pdf:2021'] },
  { kind: 'image', classCode: 'x-clinical-image', display: 'Medical Images', valueSet: 'eHDSIMedicalImagesType', formats: ['urn:eHDSI:orcd:png:2021', 'urn:eHDSI:orcd:jpeg:2021'] },
];

/** eHDSI 1104: no original clinical document of the requested type for the patient (a warning: an empty answer). */
export const NO_ORIGINAL_DOCUMENT = '1104';

/** The template of the CDA wrapping an original clinical document. */
export const ORCD_TEMPLATE_ID = '1.3.6.1.4.1.12559.11.10.1.3.1.1.8';

export function orcdKind(kind: OrcdKind): OrcdKindDef {
  return ORCD_KINDS.find((k) => k.kind === kind) as OrcdKindDef;
}

/** The kind of a class code (LOINC code, with or without ^^system); undefined for any other. */
export function orcdKindOfClassCode(code: string | undefined): OrcdKindDef | undefined {
  const bare = code?.split('^')[0];
  return ORCD_KINDS.find((k) => k.classCode === bare);
}

/** The media type an OrCD format code stands for; undefined for a format that is not an OrCD one. */
export function orcdMediaType(formatCode: string | undefined): OrcdMediaType | undefined {
  return formatCode !== undefined && Object.hasOwn(ORCD_FORMATS, formatCode) ? ORCD_FORMATS[formatCode as OrcdFormatCode] : undefined;
}
