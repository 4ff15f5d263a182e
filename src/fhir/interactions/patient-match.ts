import { auditMatches, discover, IMPLEMENTED, JOURNEY_CANONICALS, queryFromPatient, SYSTEMS, type DiscoveredMatch, type Journey } from '../../journey/index.js';
import { outcomeEntry, searchset, type SearchEntry } from '../searchset.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

interface MatchInput {
  patient: fhir4.Patient;
  onlyCertainMatches: boolean;
  count?: number;
}

function matchInput(body: fhir4.Resource | undefined): MatchInput {
  // PDQm ITI-119: a Patient alone may be posted without its Parameters.
  if (body?.resourceType === 'Patient') return { patient: body as fhir4.Patient, onlyCertainMatches: false };
  if (!body || body.resourceType !== 'Parameters') {
    throw FhirError.badRequest('$match takes a Parameters resource with a "resource" parameter holding a Patient (or the Patient alone)', ['Parameters'], 'required');
  }
  const params = (body as fhir4.Parameters).parameter ?? [];
  const resources = params.filter((p) => p.name === 'resource');
  if (resources.length !== 1 || resources[0].resource?.resourceType !== 'Patient') {
    throw FhirError.badRequest('Parameters.parameter "resource" must hold exactly one Patient', ['Parameters.parameter.resource'], 'required');
  }
  const only = params.find((p) => p.name === 'onlyCertainMatches');
  if (only && typeof only.valueBoolean !== 'boolean') throw FhirError.badRequest('onlyCertainMatches must be a valueBoolean', ['Parameters.parameter.onlyCertainMatches'], 'value');
  const count = params.find((p) => p.name === 'count');
  if (count && (!Number.isInteger(count.valueInteger) || (count.valueInteger as number) < 1)) {
    throw FhirError.badRequest('count must be a positive valueInteger', ['Parameters.parameter.count'], 'value');
  }
  for (const p of params) {
    if (!['resource', 'onlyCertainMatches', 'count'].includes(p.name)) throw FhirError.badRequest(`Unknown $match parameter "${p.name}"`, [`Parameters.parameter.${p.name}`], 'not-supported');
  }
  return { patient: resources[0].resource as fhir4.Patient, onlyCertainMatches: only?.valueBoolean === true, count: count?.valueInteger };
}

const grade = (code: DiscoveredMatch['grade']): fhir4.Extension[] => [{ url: SYSTEMS.matchGrade, valueCode: code }];

/**
 * POST /fhir/Patient/$match (PDQm ITI-119) → XCPD ITI-55. The country matches
 * on the identity traits; each match gets search.score and the match-grade
 * extension (journey assessMatch: certain when it is the only one, carries
 * every identifier and contradicts nothing given; probable with every
 * identifier; possible when the country matched on demographics), the best
 * first. onlyCertainMatches keeps the certain ones, count the first ones.
 */
export function registerPatientMatch(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Patient',
    interaction: 'operation',
    operation: {
      name: 'match',
      level: 'type',
      methods: ['POST'],
      definition: JOURNEY_CANONICALS.matchOperation,
      // Its parameters come in the Parameters body.
      urlParameters: [],
      documentation: 'PDQm $match: Parameters with a Patient (identifiers of the country\'s mask, address.country, the demographics the mask takes), onlyCertainMatches, count; or the Patient alone. Each match has search.score (0 to 1) and the match-grade extension.',
    },
    supportedProfiles: [IMPLEMENTED.pdqmPatient],
    instantiates: [IMPLEMENTED.pdqmSupplier],
    audit: 'match-patient',
    handler: async (ctx, audit, pro) => {
      const input = matchInput(ctx.body);
      const query = queryFromPatient(journey.deps.countries, input.patient, (code) => { audit.country = code; });
      const matches = await discover(journey.deps, pro, query, audit);
      const kept = (input.onlyCertainMatches ? matches.filter((m) => m.grade === 'certain') : matches).slice(0, input.count ?? matches.length);
      auditMatches(kept, audit, (handle) => journey.audit.also(ctx, 'match-patient', { patientHandle: handle, country: query.country.code, ehdsiTransaction: 'ITI-55' }));
      const entries: SearchEntry[] = kept.map((m) => ({ resource: m.patient, score: m.score, extension: grade(m.grade) }));
      if (!kept.length) {
        entries.push(matches.length
          ? outcomeEntry('information', matches.length > 1 ? 'multiple-matches' : 'not-found',
            `Aucune correspondance certaine parmi ${matches.length} : précisez les traits d'identité (no certain match among ${matches.length}: give more identity traits)`)
          : outcomeEntry('information', 'not-found', `Aucun patient ne correspond aux traits d'identité saisis (${query.country.nameFr})`));
      }
      return { resource: searchset(ctx.baseUrl, 'Patient/$match', new URLSearchParams(), entries, journey.now()) };
    },
  });
}
