import type { SettingDef } from '../settings.js';

/** Settings of the mapping layer (see src/config/settings.ts). */
export const MAPPING_SETTINGS: readonly SettingDef[] = [
  { key: 'mapping.language', env: 'MAPPING_LANGUAGE', type: 'string', default: 'fr-FR', description: 'Language the patient summaries are translated into (designations from the terminology catalogues).' },
  { key: 'mapping.terminologyPath', env: 'MAPPING_TERMINOLOGY_PATH', type: 'path', optional: true, description: "Operator's full terminology catalogue (a FHIR CodeSystem/ValueSet/Bundle JSON file, or a folder of them) with designations in the target language; added to the project's own catalogue, its entries win." },
  { key: 'mapping.maxDocumentBytes', env: 'MAPPING_MAX_DOCUMENT_BYTES', type: 'int', default: 20971520, min: 1024, max: 209715200, description: 'Largest CDA document the converter accepts (bytes); larger ones are refused.' },
];
