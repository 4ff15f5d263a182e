import { auditFilterFromSearch } from '../../audit/index.js';
import { auditablePatient, countParam, JOURNEY_CANONICALS, searchset, type Journey } from '../../journey/index.js';
import type { HandlerRegistry } from '../registry.js';

const sp = JOURNEY_CANONICALS.searchParameter;

/** GET /fhir/AuditEvent?patient=&date=&agent=: your own audit events, newest first. */
export function registerAuditEventSearch(registry: HandlerRegistry, journey: Journey): void {
  registry.register({
    resourceType: 'AuditEvent',
    interaction: 'search-type',
    searchParams: [
      { name: 'patient', type: 'reference', definition: sp('AuditEvent-patient'), documentation: 'Patient/<id> concerned' },
      { name: 'date', type: 'date', definition: sp('AuditEvent-date'), documentation: 'When the access was recorded (prefixes eq, ge, gt, le, lt, sa, eb; repeat to AND)' },
      { name: 'agent', type: 'reference', definition: sp('AuditEvent-agent'), documentation: 'The professional (Practitioner/<national id> or urn:oid:1.2.250.1.71.4.2.1|<national id>); only yours are ever returned' },
    ],
    documentation: 'The trail of your own accesses (refused ones included), newest first.',
    handler: async (ctx) => {
      const pro = journey.professionalOf(ctx);
      return journey.audit.run(ctx, pro, 'audit-read', async (audit) => {
        const filter = auditFilterFromSearch({ patient: ctx.params.getAll('patient'), date: ctx.params.getAll('date'), agent: ctx.params.getAll('agent') });
        audit.patientHandle = auditablePatient(filter.patientHandle);
        const count = countParam(ctx.params);
        const events = await journey.audit.trail.events(pro.nationalId, ctx.baseUrl, filter);
        const shown = events.slice(0, count ?? events.length);
        return { resource: searchset(ctx.baseUrl, 'AuditEvent', ctx.params, shown.map((resource) => ({ resource })), journey.now(), events.length) };
      });
    },
  });
}
