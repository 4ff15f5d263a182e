import { auditMatches, discover, IMPLEMENTED, JOURNEY_CANONICALS, queryFromPatient, SYSTEMS, type Journey } from '../../journey/index.js';
import { outcomeEntry, searchset, type SearchEntry } from '../searchset.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

interface MatchInput {
  patient: fhir4.Patient;
  onlyCertainMatches: boolean;
  count?: number;
}

function matchInput(body: fhir4.Resource | undefined): MatchInput {
  if (!body || body.resourceType !== 'Parameters') {
    throw FhirError.badRequest('$match takes a Parameters resource with a "resource" parameter holding a Patient', ['Parameters'], 'required');
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

const grade = (code: 'certain' | 'probable'): fhir4.Extension[] => [{ url: SYSTEMS.matchGrade, valueCode: code }];

/**
 * POST /fhir/Patient/$match (PDQm ITI-119) → XCPD ITI-55. The country matches
 * on the identity traits: a single match is certain, several (a shared
 * number, e.g. a family card) are probable and need the professional's choice.
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
      documentation: 'PDQm $match: Parameters with a Patient (identifiers of the country\'s mask, address.country), onlyCertainMatches, count.',
    },
    supportedProfiles: [IMPLEMENTED.pdqmPatient],
    instantiates: [IMPLEMENTED.pdqmSupplier],
    audit: 'match-patient',
    handler: async (ctx, audit, pro) => {
      const input = matchInput(ctx.body);
      const query = queryFromPatient(journey.deps.countries, input.patient, (code) => { audit.country = code; });
      const matches = await discover(journey.deps, pro, query, audit);
      const certain = matches.length === 1;
      const kept = (input.onlyCertainMatches && !certain ? [] : matches).slice(0, input.count ?? matches.length);
      auditMatches(kept, audit, (handle) => journey.audit.also(ctx, 'match-patient', { patientHandle: handle, country: query.country.code, ehdsiTransaction: 'ITI-55' }));
      const entries: SearchEntry[] = kept.map((m) => ({ resource: m.patient, score: certain ? 1 : 0.5, extension: grade(certain ? 'certain' : 'probable') }));
      if (!kept.length) {
        entries.push(matches.length
          ? outcomeEntry('information', 'multiple-matches', `Plusieurs patients correspondent (${matches.length}) : aucun n'est certain ; précisez les traits d'identité`)
          : outcomeEntry('information', 'not-found', `Aucun patient ne correspond aux traits d'identité saisis (${query.country.nameFr})`));
      }
      return { resource: searchset(ctx.baseUrl, 'Patient/$match', new URLSearchParams(), entries, journey.now()) };
    },
  });
}
