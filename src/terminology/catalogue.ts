import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { packageInfo, projectPath } from '../util/project.js';
import { loadOperatorCatalogue } from './import/index.js';
import type { CatalogueSource, Designation, DesignationSink, DesignationStatus } from './designation.js';
import { icuDesignation } from './icu-names.js';

/**
 * Designations by target language, each with where it comes from: the
 * project's own catalogue (mappings/terminology/<lang>/, translations the
 * project wrote, each with its review status) or an operator's official
 * catalogue (eHDSI MTC, SNOMED CT French edition, LOINC fr-FR…, loaded from
 * its standard distribution format). An official designation always wins
 * over the project's; the provenance travels with every translated term.
 */

export interface CatalogueEntry {
  language: string;
  system: string;
  code: string;
  designation: Designation;
  /** The English (or source) display the catalogue gives for the code, if any. */
  display?: string;
}

/** The project's own catalogue: translations written by the project, to be reviewed by a terminologist. */
// Its version is the project's: a designation can be traced to the release that wrote it.
export const PROJECT_SOURCE: CatalogueSource = { id: 'project', name: 'Catalogue du projet', version: packageInfo().version, official: false };

/** Extension on a project catalogue designation giving its review status (absent: proposed). */
export const DESIGNATION_STATUS_EXT = 'https://ehdsi-fhir-facade.org/fhir/StructureDefinition/designation-status';

interface Stored {
  designation: Designation;
  display?: string;
}

export class TerminologyCatalogue implements DesignationSink {
  /** language → system → code → designation */
  private readonly designations = new Map<string, Map<string, Map<string, Stored>>>();
  private readonly sourceList: CatalogueSource[] = [];
  /** ValueSets read with their concepts listed (project and operator catalogues), by canonical url, for $expand. */
  readonly valueSets = new Map<string, { resource: fhir4.ValueSet; source: CatalogueSource }>();

  /** The designation of a code in a language, with its provenance. */
  lookup(system: string, code: string, language: string): Designation | undefined {
    // Stored under the normalised tag: the tag as given ("fr-FR") finds it at once, another spelling is normalised.
    const stored = (this.designations.get(language) ?? this.designations.get(normaliseLanguage(language)))?.get(system)?.get(code)?.designation;
    // Countries and languages: ICU's CLDR names, unless an official catalogue has its own.
    if (stored?.source.official) return stored;
    return icuDesignation(system, code, language) ?? stored;
  }

  /** French (or other) text of a code, if the catalogue has it. */
  designation(system: string, code: string, language: string): string | undefined {
    return this.lookup(system, code, language)?.text;
  }

  /** The source's display the catalogue records for a code (any language's entry), if any. */
  display(system: string, code: string, language: string): string | undefined {
    return this.designations.get(normaliseLanguage(language))?.get(system)?.get(code)?.display;
  }

  /**
   * Adds a designation. An official one replaces anything; a project one
   * never replaces an official one. Returns false when it was not kept.
   */
  add(language: string, system: string, code: string, text: string, source: CatalogueSource = PROJECT_SOURCE, status?: DesignationStatus, display?: string): boolean {
    const lang = normaliseLanguage(language);
    let systems = this.designations.get(lang);
    if (!systems) this.designations.set(lang, (systems = new Map()));
    let codes = systems.get(system);
    if (!codes) systems.set(system, (codes = new Map()));
    const have = codes.get(code);
    if (have?.designation.source.official && !source.official) return false;
    this.registerSource(source);
    codes.set(code, { designation: { text, source, status: source.official ? 'official' : (status ?? 'proposed') }, display: display ?? have?.display });
    return true;
  }

  /** Every designation of a language (review lists, coverage, $expand). */
  *entries(language: string): Iterable<CatalogueEntry> {
    const lang = normaliseLanguage(language);
    for (const [system, codes] of this.designations.get(lang) ?? []) {
      for (const [code, s] of codes) yield { language: lang, system, code, designation: s.designation, display: s.display };
    }
  }

  /** The catalogues designations were loaded from, in loading order. */
  get sources(): readonly CatalogueSource[] {
    return this.sourceList;
  }

  private registerSource(source: CatalogueSource): void {
    if (!this.sourceList.includes(source)) this.sourceList.push(source);
  }

  get size(): number {
    let n = 0;
    for (const systems of this.designations.values()) for (const codes of systems.values()) n += codes.size;
    return n;
  }

  /**
   * Loads FHIR terminology resources (CodeSystem, CodeSystem supplement,
   * ValueSet, Bundle of them) with designations in the target language.
   * @returns the number of designations added
   */
  addFhirResource(resource: unknown, file: string, source: CatalogueSource = PROJECT_SOURCE): number {
    const r = resource as FhirTerminologyResource;
    if (r?.resourceType === 'Bundle') {
      let n = 0;
      for (const e of r.entry ?? []) n += this.addFhirResource(e.resource, file, source);
      return n;
    }
    if (r?.resourceType === 'CodeSystem') {
      // A supplement adds designations to the code system it names.
      const system = r.content === 'supplement' ? r.supplements?.split('|')[0] : r.url;
      if (!system) throw new Error(`${file}: CodeSystem without url${r.content === 'supplement' ? ' (supplements)' : ''}`);
      return this.addConcepts(system, r.concept ?? [], source, r.language);
    }
    if (r?.resourceType === 'ValueSet') {
      if (r.url) this.valueSets.set(r.url, { resource: r as unknown as fhir4.ValueSet, source });
      let n = 0;
      for (const inc of r.compose?.include ?? []) if (inc.system) n += this.addConcepts(inc.system, inc.concept ?? [], source, r.language);
      for (const c of r.expansion?.contains ?? []) if (c.system) n += this.addConcepts(c.system, [c], source, r.language);
      return n;
    }
    throw new Error(`${file}: not a FHIR CodeSystem, ValueSet or Bundle`);
  }

  private addConcepts(system: string, concepts: FhirConcept[], source: CatalogueSource, resourceLanguage?: string): number {
    let n = 0;
    for (const c of concepts) {
      const lang = resourceLanguage ? normaliseLanguage(resourceLanguage) : undefined;
      for (const d of c.designation ?? []) {
        if (!d.language || !d.value) continue;
        const status = d.extension?.find((e) => e.url === DESIGNATION_STATUS_EXT)?.valueCode as DesignationStatus | undefined;
        // Beside a designation, the display is the source's own text (English for eHDSI), whatever the resource's language.
        if (this.add(normaliseLanguage(d.language), system, c.code, d.value, source, status, c.display)) n++;
      }
      // A catalogue written in the target language may carry the text as display.
      if (lang && c.display && !(c.designation ?? []).some((d) => d.language && normaliseLanguage(d.language) === lang)) {
        if (this.add(lang, system, c.code, c.display, source)) n++;
      }
      if (c.concept) n += this.addConcepts(system, c.concept, source, resourceLanguage);
    }
    return n;
  }
}

interface FhirConcept {
  code: string;
  display?: string;
  system?: string;
  designation?: Array<{ language?: string; value?: string; extension?: Array<{ url: string; valueCode?: string }> }>;
  concept?: FhirConcept[];
}
interface FhirTerminologyResource {
  resourceType: string;
  url?: string;
  content?: string;
  supplements?: string;
  language?: string;
  concept?: FhirConcept[];
  compose?: { include?: Array<{ system?: string; concept?: FhirConcept[] }> };
  expansion?: { contains?: FhirConcept[] };
  entry?: Array<{ resource?: unknown }>;
}

/** fr, fr-fr, fr-FR → fr-FR; the catalogue is keyed by the primary tag + region. */
export function normaliseLanguage(lang: string): string {
  const [primary, region] = lang.split(/[-_]/);
  const p = primary.toLowerCase();
  if (p === 'fr' && !region) return 'fr-FR';
  return region ? `${p}-${region.toUpperCase()}` : p;
}

/** The catalogue files (FHIR JSON or YAML) of a folder, in name order, or the one file given. */
export function catalogueFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir)
    .filter((f) => /\.(json|ya?ml)$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Loads every FHIR catalogue file of a folder (or one file) as designations of `source`. */
export function loadCatalogueFiles(catalogue: TerminologyCatalogue, dirOrFile: string, source: CatalogueSource = PROJECT_SOURCE): number {
  const files = catalogueFiles(dirOrFile);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let data: unknown;
    try {
      data = /\.json$/i.test(file) ? JSON.parse(text) : parse(text);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    catalogue.addFhirResource(data, file, source);
  }
  return files.length;
}

const cached = new Map<string, TerminologyCatalogue>();

/** The project's own catalogue alone. */
export function projectCatalogue(): TerminologyCatalogue {
  const c = new TerminologyCatalogue();
  loadCatalogueFiles(c, projectPath('mappings', 'terminology', 'fr-FR'));
  return c;
}

/**
 * The catalogue used by conversions: the project's own, then the operator's
 * (from `mapping.terminologyPath`, in any format terminology/import reads),
 * whose entries win.
 */
export function defaultCatalogue(operatorPath?: string): TerminologyCatalogue {
  const k = operatorPath ?? '';
  let c = cached.get(k);
  if (!c) {
    c = projectCatalogue();
    if (operatorPath) {
      if (!existsSync(operatorPath)) throw new Error(`terminology catalogue not found: ${operatorPath}`);
      loadOperatorCatalogue(c, operatorPath);
    }
    cached.set(k, c);
  }
  return c;
}
