import type { TerminologyCatalogue } from './catalogue.js';
import { systemName, systemUri } from './code-systems.js';
import { designationSourceExtension } from './designation-source.js';
import { TerminologyError } from './errors.js';
import { isSourceLanguage, SOURCE_LANGUAGE } from './language.js';
import { listedConcepts } from './value-set-concepts.js';

/**
 * CodeSystem $lookup over the catalogue: the name of the code system, the
 * display in the asked language when the catalogue has it, the designation
 * with its provenance, and "non traduit" when there is none.
 */

export interface LookupRequest {
  /** FHIR system URI, or urn:oid: of a CDA code system. */
  system: string;
  code: string;
  /** Language of the display; undefined or the source language: the source's display. */
  displayLanguage?: string;
  /** Language whose designation is listed when the display is the source's (the server's translation language). */
  translationLanguage: string;
  /** Properties asked for (designation, untranslated); all when none. */
  properties?: string[];
}

/** Property of a concept that has no designation in the language (value: that language). */
export const UNTRANSLATED_PROPERTY = 'untranslated';

export function lookupCode(catalogue: TerminologyCatalogue, req: LookupRequest): fhir4.Parameters {
  const system = req.system.startsWith('urn:oid:') ? systemUri(req.system.slice(8)) : req.system;
  const translating = req.displayLanguage !== undefined && !isSourceLanguage(req.displayLanguage);
  const language = translating ? req.displayLanguage! : req.translationLanguage;
  const designation = catalogue.lookup(system, req.code, language);
  const defined = definedDisplays(catalogue).get(keyOf(system, req.code));
  const sourceDisplay = catalogue.display(system, req.code, language) ?? defined?.display;
  if (!designation && !defined) {
    const name = systemName(system) ?? system;
    throw new TerminologyError('not-found',
      `Le code ${req.code} du système ${name} n'a aucune désignation dans les catalogues de ce serveur.`,
      `Code ${req.code} of ${name} has no designation in this server's catalogues.`);
  }
  const wants = (property: string) => !req.properties?.length || req.properties.includes(property);

  const parameter: fhir4.ParametersParameter[] = [
    { name: 'name', valueString: systemName(system) ?? system },
    { name: 'display', valueString: (translating && designation ? designation.text : sourceDisplay ?? designation?.text) ?? req.code },
  ];
  if (designation && wants('designation')) {
    parameter.push({
      name: 'designation',
      extension: [designationSourceExtension(designation, language)],
      part: [{ name: 'language', valueCode: language }, { name: 'value', valueString: designation.text }],
    });
    if (sourceDisplay && sourceDisplay !== designation.text) {
      parameter.push({ name: 'designation', part: [{ name: 'language', valueCode: SOURCE_LANGUAGE }, { name: 'value', valueString: sourceDisplay }] });
    }
  }
  if (!designation && wants(UNTRANSLATED_PROPERTY)) {
    parameter.push({
      name: 'property',
      part: [{ name: 'code', valueCode: UNTRANSLATED_PROPERTY }, { name: 'value', valueCode: language }, { name: 'description', valueString: 'non traduit' }],
    });
  }
  return { resourceType: 'Parameters', parameter };
}

function keyOf(system: string, code: string): string {
  return `${system}|${code}`;
}

/** Concepts the catalogue's ValueSets list, with their source display: found by $lookup even when untranslated. */
const indexes = new WeakMap<TerminologyCatalogue, Map<string, { display?: string }>>();

function definedDisplays(catalogue: TerminologyCatalogue): Map<string, { display?: string }> {
  let index = indexes.get(catalogue);
  if (!index) {
    index = new Map();
    for (const { resource } of catalogue.valueSets.values()) {
      for (const c of listedConcepts(resource)) {
        const key = keyOf(c.system, c.code);
        if (!index.get(key)?.display) index.set(key, { display: c.display });
      }
    }
    indexes.set(catalogue, index);
  }
  return index;
}
