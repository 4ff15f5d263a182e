import { IMPLEMENTED, type Journey } from '../../journey/index.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/Patient/{id}: a patient this professional discovered (404 for any other id, another professional's included). */
export function registerPatientRead(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'Patient',
    interaction: 'read',
    supportedProfiles: [IMPLEMENTED.pdqmPatient],
    documentation: 'A patient returned by one of your searches, as the country described them at the last search.',
    audit: 'patient-read',
    handler: async (ctx, audit, pro) => {
      audit.patientHandle = ctx.id;
      const found = await journey.deps.store.getPatient(pro.nationalId, ctx.id!);
      if (!found) throw FhirError.notFound(`Patient/${ctx.id} n'est pas un patient que vous avez retrouvé (unknown patient)`);
      audit.country = found.country;
      const patient: fhir4.Patient = { ...found.demographics, id: found.handle, meta: { ...found.demographics.meta, lastUpdated: found.updatedAt.toISOString() } };
      return { resource: patient, headers: { 'Last-Modified': found.updatedAt.toUTCString() } };
    },
  });
}
