import { DESIGNATION_SOURCE_EXT, UNTRANSLATED_EXT } from '../terminology/designation-source.js';

/** The URLs of the extensions the conversion writes (FHIR core ones and the facade's own). */
export const EXT = {
  dataAbsentReason: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason',
  originalText: 'http://hl7.org/fhir/StructureDefinition/originalText',
  translation: 'http://hl7.org/fhir/StructureDefinition/translation',
  untranslated: UNTRANSLATED_EXT,
  designationSource: DESIGNATION_SOURCE_EXT,
  translatedFrom: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translated-from',
  sourceConcept: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/source-concept',
  productName: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/medication-product-name',
  translationCounts: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/translation-counts',
  cdaSource: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/cda-source',
  cdaQualifier: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/cda-qualifier',
  unmappedCoding: 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/cda-unmapped-coding',
} as const;
