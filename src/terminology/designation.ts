/**
 * Designations and the catalogues they come from, as data: what the catalogue
 * (catalogue.ts) stores, what ICU names (icu-names.ts) and the importers of
 * an operator's catalogue (import/) produce. No module of the catalogue is
 * imported here, so that each of them can import it.
 */

/** Review status of a designation: official (an authoritative catalogue), reviewed or proposed (the project's). */
export type DesignationStatus = 'official' | 'reviewed' | 'proposed';

/** A catalogue designations come from. */
export interface CatalogueSource {
  /** Stable key (e.g. "project", "snomed-ct-fr:20250331"). */
  id: string;
  /** Human name shown with the translated term ("SNOMED CT édition française", "Catalogue du projet"). */
  name: string;
  version?: string;
  /** Loaded by the operator from an authoritative distribution (its designations are "official"). */
  official: boolean;
  /** Where it was read from (file or folder), for reports. */
  location?: string;
}

export interface Designation {
  text: string;
  source: CatalogueSource;
  status: DesignationStatus;
}

/** What the importers of an operator's catalogue (import/) add designations to: a TerminologyCatalogue. */
export interface DesignationSink {
  /** Adds one designation; false when it was not kept. */
  add(language: string, system: string, code: string, text: string, source: CatalogueSource): boolean;
  /** Adds the designations of a FHIR CodeSystem, supplement, ValueSet or Bundle of them; returns how many. */
  addFhirResource(resource: unknown, file: string, source: CatalogueSource): number;
}
