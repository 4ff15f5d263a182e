import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { canonicalSystem } from './code-systems.js';

/**
 * The value sets of a FHIR Shorthand folder (the eHDSI Master Value Set
 * Catalogue is published so): name, title, url, version and the concepts
 * they list (`* system#code "display"`). Only what coverage needs is read;
 * `codes from` rules cannot be enumerated here and are only counted.
 */

export interface FshConcept {
  system: string;
  code: string;
  display?: string;
}

export interface FshValueSet {
  name: string;
  title?: string;
  url?: string;
  version?: string;
  file: string;
  concepts: FshConcept[];
  /** `include/exclude codes from …` rules, not enumerated. */
  rules: number;
}

const QUOTED = String.raw`"((?:[^"\\]|\\.)*)"`;
const DEFINITION = /^([A-Za-z]+)\s*:\s*(\S+)/;
const ALIAS = /^Alias\s*:\s*(\S+)\s*=\s*(\S+)/;
const TITLE = new RegExp(String.raw`^Title\s*:\s*${QUOTED}`);
const CARET = new RegExp(String.raw`^\*\s+\^(url|version)\s*=\s*${QUOTED}`);
const CONCEPT = new RegExp(String.raw`^\*\s+(?:include\s+)?([^\s#"]*)#(?:${QUOTED}|([^\s"]+))(?:\s+${QUOTED})?`);
const RULE = /^\*\s+(?:(?:include|exclude)\s+)?codes\s+from\s/;

const unescaped = (s: string): string => s.replace(/\\(.)/g, '$1');

/** Reads every .fsh file of a folder (aliases are shared by all files, as in an FSH project). */
export function readFshValueSets(folder: string): FshValueSet[] {
  const files = readdirSync(folder)
    .filter((f) => /\.fsh$/i.test(f))
    .sort()
    .map((f) => path.join(folder, f));
  const aliases = new Map<string, string>();
  const valueSets: FshValueSet[] = [];
  for (const file of files) {
    let current: FshValueSet | undefined;
    for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
      const alias = ALIAS.exec(line);
      if (alias) {
        aliases.set(alias[1], alias[2]);
        continue;
      }
      const definition = DEFINITION.exec(line);
      if (definition && /^(ValueSet|CodeSystem|Profile|Extension|Logical|Resource|Instance|Invariant|Mapping|RuleSet)$/.test(definition[1])) {
        current = definition[1] === 'ValueSet' ? { name: definition[2], file, concepts: [], rules: 0 } : undefined;
        if (current) valueSets.push(current);
        continue;
      }
      if (!current) continue;
      const title = TITLE.exec(line);
      const caret = CARET.exec(line);
      const concept = CONCEPT.exec(line);
      if (title) current.title = unescaped(title[1]);
      else if (caret) current[caret[1] as 'url' | 'version'] = unescaped(caret[2]);
      else if (concept) current.concepts.push({ system: concept[1], code: unescaped(concept[2] ?? concept[3]), ...(concept[4] !== undefined ? { display: unescaped(concept[4]) } : {}) });
      else if (RULE.test(line)) current.rules++;
    }
  }
  // Aliases may be declared in any file, after their use: systems are resolved once all are read.
  for (const vs of valueSets) for (const c of vs.concepts) c.system = canonicalSystem(aliases.get(c.system) ?? c.system);
  return valueSets;
}
