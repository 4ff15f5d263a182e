import { auditFilterFromSearch } from '../../audit/index.js';
import { auditablePatient, type Journey } from '../../journey/index.js';
import { searchPage } from '../paging.js';
import { pagedSearchset } from '../searchset.js';
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
      const page = searchPage(ctx, 'AuditEvent', pro.nationalId);
      const filter = auditFilterFromSearch({ patient: page.params.getAll('patient'), date: page.params.getAll('date'), agent: page.params.getAll('agent') });
      audit.patientHandle = auditablePatient(filter.patientHandle);
      const events = await journey.audit.trail.events(pro.nationalId, ctx.baseUrl, filter);
      return { resource: pagedSearchset(page, events.map((resource) => ({ resource })), journey.now()) };
    },
  });
}
