import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { projectPath } from '../util/project.js';

/**
 * Designations by target language: system → code → text. Filled from the
 * project's own catalogue (mappings/terminology/<lang>/) and from an
 * operator's full catalogue (FHIR CodeSystem/ValueSet/Bundle JSON with
 * `designation` in the target language).
 */
export class TerminologyCatalogue {
  /** language → system → code → designation */
  private readonly designations = new Map<string, Map<string, Map<string, string>>>();

  /** French (or other) designation of a code, if the catalogue has it. */
  designation(system: string, code: string, language: string): string | undefined {
    return this.designations.get(language)?.get(system)?.get(code) ?? this.designations.get(normalised(language))?.get(system)?.get(code);
  }

  add(language: string, system: string, code: string, text: string): void {
    const lang = normalised(language);
    let systems = this.designations.get(lang);
    if (!systems) this.designations.set(lang, (systems = new Map()));
    let codes = systems.get(system);
    if (!codes) systems.set(system, (codes = new Map()));
    codes.set(code, text);
  }

  get size(): number {
    let n = 0;
    for (const systems of this.designations.values()) for (const codes of systems.values()) n += codes.size;
    return n;
  }

  /** Loads FHIR terminology resources (CodeSystem, ValueSet, Bundle of them). */
  addFhirResource(resource: unknown, source: string): void {
    const r = resource as FhirTerminologyResource;
    if (r?.resourceType === 'Bundle') {
      for (const e of r.entry ?? []) this.addFhirResource(e.resource, source);
      return;
    }
    if (r?.resourceType === 'CodeSystem') {
      if (!r.url) throw new Error(`${source}: CodeSystem without url`);
      this.addConcepts(r.url, r.concept ?? [], r.language);
      return;
    }
    if (r?.resourceType === 'ValueSet') {
      for (const inc of r.compose?.include ?? []) if (inc.system) this.addConcepts(inc.system, inc.concept ?? [], r.language);
      for (const c of r.expansion?.contains ?? []) if (c.system) this.addConcepts(c.system, [c], r.language);
      return;
    }
    throw new Error(`${source}: not a FHIR CodeSystem, ValueSet or Bundle`);
  }

  private addConcepts(system: string, concepts: FhirConcept[], resourceLanguage?: string): void {
    for (const c of concepts) {
      for (const d of c.designation ?? []) if (d.language && d.value) this.add(normaliseLanguage(d.language), system, c.code, d.value);
      // A catalogue written in the target language may carry the text as display.
      if (resourceLanguage && c.display && !(c.designation ?? []).some((d) => d.language === resourceLanguage)) {
        this.add(normaliseLanguage(resourceLanguage), system, c.code, c.display);
      }
      if (c.concept) this.addConcepts(system, c.concept, resourceLanguage);
    }
  }
}

interface FhirConcept {
  code: string;
  display?: string;
  system?: string;
  designation?: Array<{ language?: string; value?: string }>;
  concept?: FhirConcept[];
}
interface FhirTerminologyResource {
  resourceType: string;
  url?: string;
  language?: string;
  concept?: FhirConcept[];
  compose?: { include?: Array<{ system?: string; concept?: FhirConcept[] }> };
  expansion?: { contains?: FhirConcept[] };
  entry?: Array<{ resource?: unknown }>;
}

const normalisedLanguages = new Map<string, string>();

function normalised(language: string): string {
  let lang = normalisedLanguages.get(language);
  if (lang === undefined) normalisedLanguages.set(language, (lang = normaliseLanguage(language)));
  return lang;
}

/** fr, fr-fr, fr-FR → fr-FR; the catalogue is keyed by the primary tag + region. */
export function normaliseLanguage(lang: string): string {
  const [primary, region] = lang.split(/[-_]/);
  const p = primary.toLowerCase();
  if (p === 'fr' && !region) return 'fr-FR';
  return region ? `${p}-${region.toUpperCase()}` : p;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir)
    .filter((f) => /\.(json|ya?ml)$/i.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Loads every catalogue file of a folder (or one file). */
export function loadCatalogueFiles(catalogue: TerminologyCatalogue, dirOrFile: string): number {
  const files = filesUnder(dirOrFile);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let data: unknown;
    try {
      data = /\.json$/i.test(file) ? JSON.parse(text) : parse(text);
    } catch (err) {
      throw new Error(`${file}: ${(err as Error).message}`);
    }
    catalogue.addFhirResource(data, file);
  }
  return files.length;
}

const cached = new Map<string, TerminologyCatalogue>();

/**
 * The catalogue used by conversions: the project's own, then the operator's
 * (from `mapping.terminologyPath`), whose entries win.
 */
export function defaultCatalogue(operatorPath?: string): TerminologyCatalogue {
  const k = operatorPath ?? '';
  let c = cached.get(k);
  if (!c) {
    c = new TerminologyCatalogue();
    loadCatalogueFiles(c, projectPath('mappings', 'terminology', 'fr-FR'));
    if (operatorPath) {
      if (!existsSync(operatorPath)) throw new Error(`terminology catalogue not found: ${operatorPath}`);
      loadCatalogueFiles(c, operatorPath);
    }
    cached.set(k, c);
  }
  return c;
}
