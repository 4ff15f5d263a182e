import { expandValueSet, MAX_EXPANSION_COUNT } from '../../terminology/expansion.js';
import { FhirError } from '../../kernel/errors.js';
import { OperationInput } from '../operation-input.js';
import type { FhirContext, HandlerRegistry } from '../registry.js';
import { answering, displayLanguageOf, type TerminologyDeps } from '../terminology-request.js';
import { KnownValueSets, type ServedValueSet } from './known-value-sets.js';

export type { ServedValueSet };

type Target = { served: ServedValueSet } | { definition: fhir4.ValueSet };

/**
 * GET|POST /fhir/ValueSet/$expand?url=… and /fhir/ValueSet/{id}/$expand: the
 * value sets the server knows — the terminology catalogue's enumerated ones,
 * with displays in displayLanguage (default from Accept-Language) and the
 * designations' provenance; and the served ones (ValueSet/countries).
 * Terminology holds no patient data: nothing is audited; the caller must be a
 * professional, as for the rest of the journey.
 */
export function registerValueSetExpand(registry: HandlerRegistry, deps: TerminologyDeps, served: ServedValueSet[] = [], published: fhir4.ValueSet[] = []): void {
  const known = new KnownValueSets(served, deps.catalogue, published);
  const handler = async (ctx: FhirContext) => {
    deps.requireCaller(ctx);
    const input = OperationInput.of(ctx, '$expand');
    if (input.has('valueSet')) {
      throw FhirError.badRequest('$expand expands the value sets this server knows (url, or ValueSet/{id}/$expand); a ValueSet given in the request is not expanded', ['valueSet'], 'not-supported');
    }
    const catalogue = deps.catalogue();
    const target = ctx.id !== undefined ? byId(ctx.id, known) : byUrl(input, known);
    if ('served' in target) return { resource: target.served.expansion(deps.now()) };
    const displayLanguage = displayLanguageOf(ctx, input, catalogue);
    const request = {
      displayLanguage,
      translationLanguage: deps.translationLanguage,
      includeDesignations: input.boolean('includeDesignations'),
      filter: input.get('filter'),
      offset: input.integer('offset'),
      count: input.integer('count'),
      now: deps.now(),
    };
    return { resource: answering(() => expandValueSet(target.definition, catalogue, request)) };
  };
  for (const level of ['type', 'instance'] as const) {
    registry.register({
      resourceType: 'ValueSet',
      interaction: 'operation',
      operation: {
        name: 'expand',
        level,
        methods: ['GET', 'POST'],
        definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
        documentation: 'The terminology catalogue\'s enumerated value sets (url[|version], valueSetVersion, or ValueSet/{id}): displays in displayLanguage '
          + '(default from Accept-Language), each designation with its provenance (extension designation-source), untranslated concepts flagged; '
          + `filter (substring of code, display or designation), offset, count (at most ${MAX_EXPANSION_COUNT}), includeDesignations.`
          + served.map((s) => ` ValueSet/${s.id}: computed by the server, served whole (the parameters above do not apply).`).join(''),
      },
      handler,
    });
  }
}

function byId(id: string, known: KnownValueSets): Target {
  const own = known.servedById(id);
  if (own) return { served: own };
  const definition = known.definitionById(id);
  if (!definition) throw FhirError.notFound(`ValueSet/${id} is not known to this server (GET ValueSet lists the value sets it knows)`);
  return { definition };
}

function byUrl(input: OperationInput, known: KnownValueSets): Target {
  const raw = input.get('url');
  if (!raw) throw FhirError.badRequest('$expand needs the url of the value set (or use ValueSet/{id}/$expand)', ['url'], 'required');
  const [url, pinned] = raw.split('|', 2);
  const version = input.get('valueSetVersion') ?? pinned;
  const own = known.servedByUrl(url);
  if (own && version === undefined) return { served: own };
  const definition = known.definitionByUrl(url);
  if (!definition || (version !== undefined && definition.version !== version)) {
    throw FhirError.notFound(`Value set ${url}${version !== undefined ? ` version ${version}` : ''} is not known to this server (GET ValueSet lists the value sets it knows)`);
  }
  return { definition };
}
