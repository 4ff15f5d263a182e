import { IMPLEMENTED, JOURNEY_CANONICALS, requireConsentedPatient, type Journey } from '../../journey/index.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

/**
 * GET|POST /fhir/Patient/{id}/$summary (IPS) → XCA ITI-38 + ITI-39: the
 * patient summary of the country of residence as an IPS document Bundle in
 * French. Needs an active Consent of this professional for this patient
 * (403 before any eHDSI call otherwise); served from the bounded in-memory
 * cache while the consent lasts.
 */
export function registerPatientSummary(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Patient',
    interaction: 'operation',
    operation: {
      name: 'summary',
      level: 'instance',
      methods: ['GET', 'POST'],
      definition: JOURNEY_CANONICALS.summaryOperation,
      // At the instance level the patient is the URL's: the IPS $summary's identifier and profile are not taken.
      urlParameters: [],
      documentation: 'IPS $summary of a discovered patient with an active Consent: the country\'s patient summary translated into French (Bundle type document).',
    },
    supportedProfiles: [IMPLEMENTED.ipsBundle],
    instantiates: [IMPLEMENTED.ipsServer],
    audit: 'summary-read',
    handler: async (ctx, audit, pro) => {
      audit.patientHandle = ctx.id;
      if (ctx.body && ctx.body.resourceType !== 'Parameters') throw FhirError.badRequest('$summary takes no body or a Parameters resource', ['Parameters'], 'structure');
      for (const p of (ctx.body as fhir4.Parameters | undefined)?.parameter ?? []) {
        throw FhirError.badRequest(`$summary parameter "${p.name}" is not supported at the instance level`, [`Parameters.parameter.${p.name}`], 'not-supported');
      }
      const consented = await requireConsentedPatient(journey.deps, pro, ctx.id!, audit, journey.now());
      return { resource: await journey.documents.summary(consented, audit, ctx.baseUrl) };
    },
  });
}
