import { auditFilterFromSearch } from '../../audit/index.js';
import { auditablePatient, type Journey } from '../../journey/index.js';
import { countParam, searchset } from '../searchset.js';
import type { ConformanceResources } from '../conformance-resources.js';
import type { HandlerRegistry } from '../registry.js';

/** GET /fhir/AuditEvent?patient=&date=&agent=: your own audit events, newest first. */
export function registerAuditEventSearch(registry: HandlerRegistry, journey: Journey, published: ConformanceResources): void {
  registry.register({
    resourceType: 'AuditEvent',
    interaction: 'search-type',
    searchParams: published.searchParams('AuditEvent', 'patient', 'date', 'agent'),
    documentation: 'The trail of your own accesses (refused ones included), newest first.',
    audit: 'audit-read',
    handler: async (ctx, audit, pro) => {
      const filter = auditFilterFromSearch({ patient: ctx.params.getAll('patient'), date: ctx.params.getAll('date'), agent: ctx.params.getAll('agent') });
      audit.patientHandle = auditablePatient(filter.patientHandle);
      const count = countParam(ctx.params);
      const events = await journey.audit.trail.events(pro.nationalId, ctx.baseUrl, filter);
      const shown = events.slice(0, count ?? events.length);
      return { resource: searchset(ctx.baseUrl, 'AuditEvent', ctx.params, shown.map((resource) => ({ resource })), journey.now(), events.length) };
    },
  });
}
