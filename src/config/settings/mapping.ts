import type { SettingDef } from '../setting-def.js';

/** Settings of the mapping layer (see src/config/settings.ts). */
export const MAPPING_SETTINGS: readonly SettingDef[] = [
  { key: 'mapping.language', env: 'MAPPING_LANGUAGE', type: 'string', default: 'fr-FR', description: 'Language the patient summaries are translated into (designations from the terminology catalogues).' },
  { key: 'mapping.terminologyPath', env: 'MAPPING_TERMINOLOGY_PATH', type: 'path', optional: true, description: "Operator's official terminology (a file, or a folder mixing formats): FHIR CodeSystem/supplement/ValueSet/Bundle JSON, FHIR NPM package (.tgz or unpacked, e.g. the eHDSI MTC), SNOMED CT RF2 description and language refset snapshots, LOINC linguistic variant CSV, or a system,code,display CSV. Added to the project's own catalogue, its designations win (see npm run terminology:load)." },
  { key: 'mapping.maxDocumentBytes', env: 'MAPPING_MAX_DOCUMENT_BYTES', type: 'int', default: 20971520, min: 1024, max: 209715200, description: 'Largest CDA document the converter accepts (bytes); larger ones are refused.' },
];
