import { randomUUID } from 'node:crypto';
import type { TerminologyCatalogue } from './catalogue.js';
import type { Designation } from './designation.js';
import { designationSourceExtension, untranslatedExtension } from './designation-source.js';
import { TerminologyError } from './errors.js';
import { hasDesignations, isSourceLanguage, SOURCE_LANGUAGE } from './language.js';
import { enumerateConcepts, type DefinedConcept } from './value-set-concepts.js';

/**
 * ValueSet $expand over the catalogue: the enumerated concepts of a value
 * set, displayed in the asked language when the catalogue has a designation
 * (with its provenance), else in the source's words flagged untranslated;
 * filtered by a plain substring and paged, at a bounded cost.
 */

/** Most concepts returned by one expansion (the page size when `count` is not given). */
export const MAX_EXPANSION_COUNT = 1000;
/** Longest `filter` accepted. */
export const MAX_FILTER_LENGTH = 200;
/** Expansion parameter telling that no catalogue has the asked display language (the displays are the source's). */
export const DISPLAY_LANGUAGE_WARNING = 'warning-displayLanguage';

export interface ExpansionRequest {
  /** Language of the displays; undefined or the source language: the displays as defined. */
  displayLanguage?: string;
  /** Language whose designations are listed and searched when the displays are the defined ones (the server's translation language). */
  translationLanguage: string;
  /** List each concept's designations (default: when a display language is asked, so that the provenance is shown). */
  includeDesignations?: boolean;
  /** Case-insensitive substring of the code, the defined display or the designation. */
  filter?: string;
  offset?: number;
  /** Concepts wanted (capped at MAX_EXPANSION_COUNT); 0 asks for the total only. */
  count?: number;
  now: Date;
}

interface Candidate {
  concept: DefinedConcept;
  designation?: Designation;
}

export function expandValueSet(vs: fhir4.ValueSet, catalogue: TerminologyCatalogue, req: ExpansionRequest): fhir4.ValueSet {
  const translating = req.displayLanguage !== undefined && !isSourceLanguage(req.displayLanguage);
  const language = translating ? req.displayLanguage! : req.translationLanguage;
  const includeDesignations = req.includeDesignations ?? translating;
  const filter = filterOf(req.filter);
  const offset = req.offset ?? 0;
  const count = Math.min(req.count ?? MAX_EXPANSION_COUNT, MAX_EXPANSION_COUNT);

  const concepts = enumerateConcepts(vs);
  const candidate = (concept: DefinedConcept): Candidate => ({ concept, designation: catalogue.lookup(concept.system, concept.code, language) });
  // Designations are looked up for the page only, unless the filter searches them.
  const matches = filter ? concepts.map(candidate).filter((c) => matchesFilter(c, filter)) : undefined;
  const total = matches?.length ?? concepts.length;
  const page = matches?.slice(offset, offset + count) ?? concepts.slice(offset, offset + count).map(candidate);
  const contains = page.map((c) => containsOf(c, language, translating, includeDesignations));

  const parameter: fhir4.ValueSetExpansionParameter[] = [];
  if (req.displayLanguage) parameter.push({ name: 'displayLanguage', valueCode: req.displayLanguage });
  // FHIR: displays the server cannot give in the asked language come in the default one; say so when none can be.
  if (translating && !hasDesignations(catalogue, language)) {
    parameter.push({
      name: DISPLAY_LANGUAGE_WARNING,
      valueString: `No terminology catalogue of this server is in ${language}: a concept without a designation in it keeps the display the value set defines, flagged untranslated.`,
    });
  }
  parameter.push({ name: 'includeDesignations', valueBoolean: includeDesignations });
  if (filter) parameter.push({ name: 'filter', valueString: req.filter });
  parameter.push({ name: 'offset', valueInteger: offset }, { name: 'count', valueInteger: count });

  // The resource claims a language only when some of its displays are designations in it.
  const displaysInLanguage = translating && page.some((c) => c.designation !== undefined);
  return {
    resourceType: 'ValueSet',
    ...(vs.id ? { id: vs.id } : {}),
    ...(displaysInLanguage ? { language } : {}),
    ...(vs.url ? { url: vs.url } : {}),
    ...(vs.version ? { version: vs.version } : {}),
    ...(vs.name ? { name: vs.name } : {}),
    ...(vs.title ? { title: vs.title } : {}),
    status: vs.status ?? 'unknown',
    expansion: {
      identifier: `urn:uuid:${randomUUID()}`,
      timestamp: req.now.toISOString(),
      total,
      offset,
      parameter,
      ...(contains.length ? { contains } : {}),
    },
  };
}

function filterOf(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (raw.length > MAX_FILTER_LENGTH) {
    throw new TerminologyError('invalid',
      `Le filtre dépasse ${MAX_FILTER_LENGTH} caractères.`,
      `filter is longer than ${MAX_FILTER_LENGTH} characters.`, 'filter');
  }
  return folded(raw.trim());
}

function folded(text: string): string {
  return text.normalize('NFC').toLocaleLowerCase('fr');
}

function matchesFilter({ concept, designation }: Candidate, filter: string): boolean {
  return [concept.code, concept.display, designation?.text].some((text) => text !== undefined && folded(text).includes(filter));
}

function containsOf({ concept, designation }: Candidate, language: string, translating: boolean, includeDesignations: boolean): fhir4.ValueSetExpansionContains {
  const untranslated = translating && !designation;
  const display = translating && designation ? designation.text : concept.display;
  const designations: fhir4.ValueSetComposeIncludeConceptDesignation[] = [];
  if (includeDesignations && designation) {
    designations.push({ extension: [designationSourceExtension(designation, language)], language, value: designation.text });
    // The source's words stay reachable when the display replaced them.
    if (translating && concept.display && concept.display !== designation.text) designations.push({ language: SOURCE_LANGUAGE, value: concept.display });
  }
  return {
    ...(untranslated ? { extension: [untranslatedExtension(language)] } : {}),
    system: concept.system,
    ...(concept.version ? { version: concept.version } : {}),
    code: concept.code,
    ...(display ? { display } : {}),
    ...(designations.length ? { designation: designations } : {}),
  };
}
