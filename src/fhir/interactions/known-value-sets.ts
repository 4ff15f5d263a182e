import type { TerminologyCatalogue } from '../../terminology/catalogue.js';

/** A value set whose expansion the server computes itself (the reachable countries), served as it is. */
export interface ServedValueSet {
  id: string;
  url: string;
  expansion: (now: Date) => fhir4.ValueSet;
}

/**
 * The value sets the server knows, for $expand, search and read: those it
 * computes (ValueSet/countries), the terminology catalogue's enumerated ones
 * and the ones published under conformance/ValueSet/. The operator's
 * catalogue is read after the project's: its value set wins an id or a url
 * they share.
 */
export class KnownValueSets {
  constructor(
    readonly served: readonly ServedValueSet[],
    private readonly catalogue: () => TerminologyCatalogue,
    private readonly published: readonly fhir4.ValueSet[] = [],
  ) {}

  /** The definitions, the one that wins a shared id first. */
  private definitions(): fhir4.ValueSet[] {
    return [...[...this.catalogue().valueSets.values()].reverse().map((v) => v.resource), ...this.published];
  }

  servedById(id: string): ServedValueSet | undefined {
    return this.served.find((s) => s.id === id);
  }

  servedByUrl(url: string): ServedValueSet | undefined {
    return this.served.find((s) => s.url === url);
  }

  definitionById(id: string): fhir4.ValueSet | undefined {
    return this.definitions().find((v) => v.id === id);
  }

  definitionByUrl(url: string): fhir4.ValueSet | undefined {
    return this.catalogue().valueSets.get(url)?.resource ?? this.published.find((v) => v.url === url);
  }

  /** A value set as read answers it: a served one as computed now, else its definition. */
  read(id: string, now: Date): fhir4.ValueSet | undefined {
    return this.servedById(id)?.expansion(now) ?? this.definitionById(id);
  }

  /** Every value set once (a shared id is the winner's): the served ones, then the definitions by url. */
  list(now: Date): fhir4.ValueSet[] {
    const ids = new Set(this.served.map((s) => s.id));
    const definitions = this.definitions().filter((v) => {
      if (v.id === undefined) return true;
      if (ids.has(v.id)) return false;
      ids.add(v.id);
      return true;
    });
    definitions.sort((a, b) => (a.url ?? '').localeCompare(b.url ?? ''));
    return [...this.served.map((s) => s.expansion(now)), ...definitions];
  }
}
