import type { TerminologyCatalogue } from './catalogue.js';
import type { FshValueSet } from './fsh-value-sets.js';

/**
 * How much of a set of value sets a catalogue translates: per code, an
 * official designation (operator's catalogue, or ICU for countries and
 * languages), the project's own only, or none.
 */

export interface CoverageCounts {
  codes: number;
  official: number;
  project: number;
  none: number;
}

export interface ValueSetCoverage extends CoverageCounts {
  name: string;
  title?: string;
  url?: string;
  version?: string;
  /** Rules (`codes from`) whose codes are not listed, so not counted. */
  rules: number;
}

export interface CoverageReport {
  language: string;
  valueSets: ValueSetCoverage[];
  /** Over distinct codes (a code in several value sets counts once). */
  total: CoverageCounts;
}

const empty = (): CoverageCounts => ({ codes: 0, official: 0, project: 0, none: 0 });

export function valueSetCoverage(catalogue: TerminologyCatalogue, valueSets: FshValueSet[], language: string): CoverageReport {
  const total = empty();
  const seen = new Set<string>();
  const kindOf = (system: string, code: string): keyof Omit<CoverageCounts, 'codes'> => {
    const d = catalogue.lookup(system, code, language);
    return !d ? 'none' : d.source.official ? 'official' : 'project';
  };
  const report = valueSets.map((vs) => {
    const counts = empty();
    const inSet = new Set<string>();
    for (const { system, code } of vs.concepts) {
      const key = `${system}|${code}`;
      if (inSet.has(key)) continue;
      inSet.add(key);
      const kind = kindOf(system, code);
      counts.codes++;
      counts[kind]++;
      if (!seen.has(key)) {
        seen.add(key);
        total.codes++;
        total[kind]++;
      }
    }
    return { name: vs.name, ...(vs.title ? { title: vs.title } : {}), ...(vs.url ? { url: vs.url } : {}), ...(vs.version ? { version: vs.version } : {}), ...counts, rules: vs.rules };
  });
  return { language, valueSets: report, total };
}
