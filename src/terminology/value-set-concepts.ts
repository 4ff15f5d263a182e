import { TerminologyError } from './errors.js';

/**
 * The concepts a ValueSet enumerates: its includes' concept lists (minus the
 * excluded ones), or its expansion when it has no compose. A ValueSet defined
 * by filters, by other value sets or by whole code systems is not enumerated
 * here: that needs the code systems themselves, which this server does not hold.
 */

export interface DefinedConcept {
  system: string;
  version?: string;
  code: string;
  /** The display the definition gives (the source's words). */
  display?: string;
}

/** Every concept a ValueSet lists, whether or not the ValueSet can be enumerated whole. */
export function* listedConcepts(vs: fhir4.ValueSet): Generator<DefinedConcept> {
  const includes = vs.compose?.include ?? [];
  if (includes.length) {
    for (const inc of includes) yield* includedConcepts(inc);
  } else {
    yield* expandedConcepts(vs.expansion?.contains ?? []);
  }
}

function* includedConcepts(inc: fhir4.ValueSetComposeInclude): Generator<DefinedConcept> {
  if (!inc.system) return;
  for (const c of inc.concept ?? []) yield { system: inc.system, ...(inc.version ? { version: inc.version } : {}), code: c.code, ...(c.display ? { display: c.display } : {}) };
}

function* expandedConcepts(contains: fhir4.ValueSetExpansionContains[]): Generator<DefinedConcept> {
  for (const c of contains) {
    if (c.system && c.code && !c.abstract) yield { system: c.system, ...(c.version ? { version: c.version } : {}), code: c.code, ...(c.display ? { display: c.display } : {}) };
    if (c.contains) yield* expandedConcepts(c.contains);
  }
}

const enumerated = new WeakMap<fhir4.ValueSet, DefinedConcept[]>();

/** The concepts of a ValueSet, each once; a TerminologyError when it cannot be enumerated. */
export function enumerateConcepts(vs: fhir4.ValueSet): DefinedConcept[] {
  let concepts = enumerated.get(vs);
  if (!concepts) {
    for (const part of [...(vs.compose?.include ?? []), ...(vs.compose?.exclude ?? [])]) checkEnumerable(vs, part);
    const excluded = new Set((vs.compose?.exclude ?? []).flatMap((exc) => [...includedConcepts(exc)]).map(keyOf));
    const seen = new Set<string>();
    concepts = [];
    for (const c of listedConcepts(vs)) {
      const key = keyOf(c);
      if (excluded.has(key) || seen.has(key)) continue;
      seen.add(key);
      concepts.push(c);
    }
    enumerated.set(vs, concepts);
  }
  return concepts;
}

function keyOf(c: DefinedConcept): string {
  return `${c.system}|${c.code}`;
}

function checkEnumerable(vs: fhir4.ValueSet, part: fhir4.ValueSetComposeInclude): void {
  const url = vs.url ?? vs.id ?? '';
  if (part.valueSet?.length) {
    throw new TerminologyError('not-supported',
      `Le jeu de valeurs ${url} est défini à partir d'autres jeux de valeurs (${part.valueSet.join(', ')}) : ce serveur ne développe que les listes de concepts énumérés.`,
      `Value set ${url} is defined from other value sets (${part.valueSet.join(', ')}); this server only expands enumerated concept lists.`);
  }
  if (part.filter?.length) {
    throw new TerminologyError('not-supported',
      `Le jeu de valeurs ${url} est défini par des filtres sur ${part.system ?? '?'} : ce serveur ne développe que les listes de concepts énumérés.`,
      `Value set ${url} is defined by filters on ${part.system ?? '?'}; this server only expands enumerated concept lists.`);
  }
  if (!part.concept?.length) {
    throw new TerminologyError('too-costly',
      `Le jeu de valeurs ${url} comprend tout le système de codes ${part.system ?? '?'} : trop volumineux pour être développé ici.`,
      `Value set ${url} includes the whole code system ${part.system ?? '?'}; too costly to expand here.`);
  }
}
