import { randomUUID } from 'node:crypto';
import type { ProfessionalContext } from '../auth/professional-context.js';
import { AuditTrail, classifyByStatus, type AuditContext, type AuditSubtype } from '../audit/index.js';
import type { FhirContext } from '../fhir/registry.js';
import { auditAgentOf } from './professional.js';
import { GatewayFhirError, toFhirError } from './errors.js';

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** The facts a journey step tells its audit record while it runs. */
export type JourneyAuditContext = AuditContext;

/**
 * Runs one journey step under the audit trail: the record (success, refusal,
 * client error, gateway error with its eHDSI code) is durable before the
 * answer leaves; every failure comes out as a FhirError.
 */
export class JourneyAudit {
  constructor(readonly trail: AuditTrail) {}

  async run<T>(ctx: FhirContext, pro: ProfessionalContext, subtype: AuditSubtype, work: (audit: JourneyAuditContext) => Promise<T>): Promise<T> {
    let facts: AuditContext | undefined;
    const entry = {
      owner: pro.nationalId,
      agent: auditAgentOf(pro),
      subtype,
      outcome: 'success' as const,
      requestId: ctx.requestId || randomUUID(),
    };
    try {
      return await this.trail.around(entry, async (context) => {
        facts = context;
        try {
          return await work(context);
        } catch (e) {
          const error = toFhirError(e);
          if (error instanceof GatewayFhirError) {
            context.outcomeDetail = error.ehdsiCode;
            context.country ??= error.country;
          }
          throw error;
        }
      }, (error) => {
        const base = classifyByStatus(error);
        return { outcome: base.outcome, outcomeDetail: facts?.outcomeDetail ?? base.outcomeDetail };
      });
    } catch (e) {
      throw toFhirError(e);
    }
  }
}

/** A patient id from a URL or a search parameter, kept in the audit record only when it is a valid FHIR id. */
export function auditablePatient(id: string | undefined): string | undefined {
  return id !== undefined && FHIR_ID.test(id) ? id : undefined;
}

/** Records one more successful access in the same call (e.g. each further patient a search returned). */
export async function auditAlso(audit: JourneyAudit, ctx: FhirContext, pro: ProfessionalContext, subtype: AuditSubtype, facts: AuditContext): Promise<void> {
  try {
    await audit.trail.record({ owner: pro.nationalId, agent: auditAgentOf(pro), subtype, outcome: 'success', requestId: ctx.requestId || randomUUID(), ...facts });
  } catch (e) {
    throw toFhirError(e);
  }
}
