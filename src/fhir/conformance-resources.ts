import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateResource } from './validation.js';
import type { Resource } from '../kernel/types.js';
import type { SearchParamSpec } from './registry.js';

/** Types of definitional resources the server publishes from conformance/. */
export const PUBLISHED_TYPES = ['OperationDefinition', 'SearchParameter', 'Questionnaire', 'ValueSet', 'CodeSystem', 'StructureDefinition'] as const;

type Canonical = Resource & { url?: string; id?: string };

/**
 * The definitional resources kept as files in `conformance/<Type>/*.json`,
 * checked against the R4 schema when loaded so a broken file stops the start.
 */
export class ConformanceResources {
  private readonly byKey = new Map<string, Canonical>();

  static load(dir: string): ConformanceResources {
    const store = new ConformanceResources();
    for (const type of PUBLISHED_TYPES) {
      const folder = path.join(dir, type);
      if (!existsSync(folder)) continue;
      for (const file of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
        const where = path.join(folder, file);
        let parsed: unknown;
        try {
          parsed = JSON.parse(readFileSync(where, 'utf8'));
        } catch (e) {
          throw new Error(`${where}: not JSON: ${(e as Error).message}`);
        }
        const issues = validateResource(parsed, type);
        if (issues.length) throw new Error(`${where}: ${issues.map((i) => i.diagnostics).join('; ')}`);
        store.add(parsed as Canonical);
      }
    }
    return store;
  }

  add(resource: Canonical): void {
    if (!resource.id) throw new Error(`${resource.resourceType} without id`);
    const key = `${resource.resourceType}/${resource.id}`;
    if (this.byKey.has(key)) throw new Error(`${key} is defined twice`);
    this.byKey.set(key, resource);
  }

  get(type: string, id: string): Canonical | undefined {
    return this.byKey.get(`${type}/${id}`);
  }

  byUrl(url: string): Canonical | undefined {
    return [...this.byKey.values()].find((r) => r.url === url);
  }

  types(): string[] {
    return [...new Set([...this.byKey.values()].map((r) => r.resourceType))].sort();
  }

  list(type: string): Canonical[] {
    return [...this.byKey.values()].filter((r) => r.resourceType === type);
  }

  /**
   * Search parameters of `base` as a registration declares them, from the
   * published SearchParameter resources: one source for what the server
   * does and what the CapabilityStatement says. A missing one is a start-up error.
   */
  searchParams(base: string, ...codes: string[]): SearchParamSpec[] {
    const published = this.list('SearchParameter') as fhir4.SearchParameter[];
    return codes.map((code) => {
      const sp = published.find((r) => r.code === code && r.base.includes(base as fhir4.SearchParameter['base'][number]));
      if (!sp) throw new Error(`conformance/SearchParameter has no ${base} search parameter "${code}"`);
      return { name: code, type: sp.type, definition: sp.url, documentation: sp.description };
    });
  }
}
