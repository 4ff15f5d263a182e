import { toAuditEvent } from '../../audit/index.js';
import type { Journey } from '../../journey/index.js';
import { FhirError } from '../../kernel/errors.js';
import type { HandlerRegistry } from '../registry.js';

const DOCUMENTATION = {
  read: 'One of your own audit events, as the search lists it.',
  vread: 'A version of one of your own audit events (never changed: version 1).',
};

/**
 * GET /fhir/AuditEvent/{id} and /fhir/AuditEvent/{id}/_history/1: one of your
 * own audit events (so that a searchset's fullUrl resolves); 404 for any
 * other id, another professional's or the operator's included. Reading the
 * trail is an access of its own: audited as audit-read, like the search. A
 * record is never changed: version 1 is the event itself.
 */
export function registerAuditEventRead(registry: HandlerRegistry, journey: Journey): void {
  for (const interaction of ['read', 'vread'] as const) {
    registry.register({
      resourceType: 'AuditEvent',
      interaction,
      documentation: DOCUMENTATION[interaction],
      audit: 'audit-read',
      handler: async (ctx, audit, pro) => {
        const record = await journey.audit.trail.get(pro.nationalId, ctx.id!);
        if (!record) throw FhirError.notFound(`AuditEvent/${ctx.id} n'est pas une de vos traces d'accès (unknown audit event)`);
        audit.patientHandle = record.patientHandle;
        if (interaction === 'vread' && ctx.versionId !== '1') throw FhirError.notFound(`AuditEvent/${ctx.id}/_history/${ctx.versionId} does not exist`);
        return { resource: toAuditEvent(record, ctx.baseUrl) };
      },
    });
  }
}
