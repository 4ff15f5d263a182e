import { searchPage } from '../paging.js';
import { pagedSearchset } from '../searchset.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry, SearchParamSpec } from '../registry.js';
import type { TerminologyDeps } from '../terminology-request.js';
import { KnownValueSets, type ServedValueSet } from './known-value-sets.js';

const CONFORMANCE_PARAM = (code: string) => `http://hl7.org/fhir/SearchParameter/conformance-${code}`;

const SEARCH_PARAMS: SearchParamSpec[] = [
  { name: 'url', type: 'uri', definition: CONFORMANCE_PARAM('url'), documentation: 'Canonical URL of the value set (exact; a comma-separated list is an OR)' },
  { name: 'name', type: 'string', definition: CONFORMANCE_PARAM('name'), documentation: 'Computable name: starts with, ignoring case and accents (:exact, :contains)', modifiers: ['exact', 'contains'] },
  { name: 'title', type: 'string', definition: CONFORMANCE_PARAM('title'), documentation: 'Title: starts with, ignoring case and accents (:exact, :contains)', modifiers: ['exact', 'contains'] },
  { name: 'version', type: 'token', definition: CONFORMANCE_PARAM('version'), documentation: 'Business version (exact)' },
  { name: 'status', type: 'token', definition: CONFORMANCE_PARAM('status'), documentation: 'draft | active | retired | unknown' },
];

type ValueSetTest = (vs: fhir4.ValueSet) => boolean;

function folded(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('fr');
}

function stringTest(element: 'name' | 'title', modifier: string | undefined, values: string[]): ValueSetTest {
  if (modifier === 'exact') return (vs) => values.includes(vs[element] ?? '\u0000');
  const wanted = values.map(folded);
  if (modifier === 'contains') return (vs) => vs[element] !== undefined && wanted.some((w) => folded(vs[element]!).includes(w));
  return (vs) => vs[element] !== undefined && wanted.some((w) => folded(vs[element]!).startsWith(w));
}

/** What the search parameters of a request ask: every parameter must hold (AND), any value of one (OR). */
function searchTests(params: URLSearchParams): ValueSetTest[] {
  const tests: ValueSetTest[] = [];
  for (const [key, raw] of params) {
    const [name, modifier] = key.split(':', 2);
    const spec = SEARCH_PARAMS.find((p) => p.name === name);
    // Other parameters (_count, _elements…, or unknown ones) are not filters; the router refuses unknown ones under Prefer: handling=strict.
    if (!spec) continue;
    const allowed = spec.type === 'string' ? ['exact', 'contains'] : [];
    if (modifier !== undefined && !allowed.includes(modifier)) {
      throw FhirError.badRequest(`ValueSet search: the modifier :${modifier} of "${name}" is not supported${allowed.length ? ` (only :${allowed.join(', :')})` : ''}`, [key], 'not-supported');
    }
    const values = raw.split(',').map((v) => v.trim()).filter(Boolean);
    if (!values.length) continue;
    if (name === 'url') tests.push((vs) => vs.url !== undefined && values.includes(vs.url));
    else if (name === 'name' || name === 'title') tests.push(stringTest(name, modifier, values));
    else {
      // A token may be written system|code; these elements have no system.
      const codes = values.map((v) => v.slice(v.indexOf('|') + 1));
      tests.push(name === 'version' ? (vs) => vs.version !== undefined && codes.includes(vs.version) : (vs) => codes.includes(vs.status));
    }
  }
  return tests;
}

/**
 * GET /fhir/ValueSet[?url=…] and GET /fhir/ValueSet/{id}: the value sets
 * the server can expand ($expand), so that their URLs can be found: the
 * computed ones (ValueSet/countries), the terminology catalogue's and those
 * of conformance/. Terminology holds no patient data: nothing is audited; the
 * caller must be a professional, as for $expand.
 */
export function registerValueSetSearch(registry: HandlerRegistry, deps: TerminologyDeps, served: ServedValueSet[] = [], published: fhir4.ValueSet[] = []): void {
  const known = new KnownValueSets(served, deps.catalogue, published);
  registry.register({
    resourceType: 'ValueSet',
    interaction: 'search-type',
    searchParams: SEARCH_PARAMS,
    documentation: 'The value sets $expand knows (the computed ones, the terminology catalogue\'s, conformance/): e.g. ?_elements=url,title to list their URLs; _count, _summary=count.',
    handler: async (ctx) => {
      deps.requireCaller(ctx);
      const page = searchPage(ctx, 'ValueSet');
      const tests = searchTests(page.params);
      const now = deps.now();
      const matches = known.list(now).filter((vs) => tests.every((test) => test(vs)));
      return { resource: pagedSearchset(page, matches.map((resource) => ({ resource })), now) };
    },
  });
  registry.register({
    resourceType: 'ValueSet',
    interaction: 'read',
    documentation: 'A value set $expand knows, as defined (ValueSet/countries as computed).',
    handler: async (ctx) => {
      deps.requireCaller(ctx);
      const resource = known.read(ctx.id!, deps.now());
      if (!resource) throw FhirError.notFound(`ValueSet/${ctx.id} is not known to this server (GET ValueSet lists the value sets it knows)`);
      return { resource };
    },
  });
}
