import type { Designation } from './designation.js';

/** Extension giving the provenance of a designation: catalogue, version, status, language. */
export const DESIGNATION_SOURCE_EXT = 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/designation-source';

/** Flag of a concept shown in the source's own words: no designation in the asked language. */
export const UNTRANSLATED_EXT = 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/untranslated';

/**
 * Where a designation comes from (extension designation-source): the
 * catalogue, its version, the designation's status and its language.
 */
export function designationSourceExtension(d: Designation, language: string): fhir4.Extension {
  const parts: fhir4.Extension[] = [{ url: 'catalogue', valueString: d.source.name }];
  if (d.source.version) parts.push({ url: 'version', valueString: d.source.version });
  parts.push({ url: 'status', valueCode: d.status }, { url: 'language', valueCode: language });
  return { url: DESIGNATION_SOURCE_EXT, extension: parts };
}

/** The flag of a concept that has no designation in `language`. */
export function untranslatedExtension(language: string): fhir4.Extension {
  return { url: UNTRANSLATED_EXT, valueCode: language };
}
