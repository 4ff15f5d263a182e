import { randomUUID } from 'node:crypto';
import type { ProfessionalContext } from '../auth/professional-context.js';
import { isAuthenticatedProfessional } from '../auth/professional.js';
import {
  AuditTrail, auditableAddress, auditableClientId, outcomeOfStatus, type AuditContext, type AuditEntry, type AuditSubtype,
} from '../audit/index.js';
import type { FhirContext } from '../fhir/registry.js';
import { auditAgentOf } from './professional.js';
import { GatewayFhirError, toFhirError } from './errors.js';

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** The facts a journey step tells its audit record while it runs. */
export type JourneyAuditContext = AuditContext;

function statusOf(error: unknown): number {
  const status = (error as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? status : 500;
}

/**
 * Runs each journey step under the audit trail. The record's outcome is the
 * outcome of the HTTP answer: it is written once the router knows the final
 * status (after serialisation, content negotiation, anything that can still
 * fail after the step), and before the answer leaves — an answer that cannot
 * be audited becomes a 503. The step's own facts (patient, country, eHDSI
 * transaction, eHDSI error code) are kept; the code of the failure is the
 * step's when the answer is the step's failure, else `http-<status>`.
 */
export class JourneyAudit {
  constructor(readonly trail: AuditTrail) {}

  async run<T>(ctx: FhirContext, pro: ProfessionalContext, subtype: AuditSubtype, work: (audit: JourneyAuditContext) => Promise<T>): Promise<T> {
    const facts: AuditContext = {};
    let result: T;
    try {
      result = await work(facts);
    } catch (e) {
      const error = toFhirError(e);
      if (error instanceof GatewayFhirError) {
        facts.outcomeDetail = error.ehdsiCode;
        facts.country ??= error.country;
      }
      await this.recordWhenAnswered(ctx, this.entryOf(ctx, pro, subtype), facts, error);
      throw error;
    }
    await this.recordWhenAnswered(ctx, this.entryOf(ctx, pro, subtype), facts);
    return result;
  }

  /** One more record of the same call (e.g. each further patient a search returned), with the call's final outcome. */
  async also(ctx: FhirContext, pro: ProfessionalContext, subtype: AuditSubtype, facts: AuditContext): Promise<void> {
    await this.recordWhenAnswered(ctx, this.entryOf(ctx, pro, subtype), { ...facts });
  }

  private entryOf(ctx: FhirContext, pro: ProfessionalContext, subtype: AuditSubtype): Omit<AuditEntry, 'outcome'> {
    const principal = ctx.principal;
    return {
      owner: pro.nationalId,
      agent: auditAgentOf(pro),
      subtype,
      requestId: ctx.requestId || randomUUID(),
      clientId: isAuthenticatedProfessional(principal) ? auditableClientId(principal.token.clientId) : undefined,
      sourceAddress: auditableAddress(ctx.req?.ip),
    };
  }

  /**
   * Writes the record with the final status of the answer: through the
   * router's hook when there is one, else at once with the step's own status.
   */
  private async recordWhenAnswered(ctx: FhirContext, entry: Omit<AuditEntry, 'outcome'>, facts: AuditContext, error?: unknown): Promise<void> {
    const stepStatus = error === undefined ? 200 : statusOf(error);
    const write = async (status: number) => {
      const outcome = outcomeOfStatus(status);
      const detail = status === stepStatus ? facts.outcomeDetail ?? (outcome === 'success' ? undefined : `http-${status}`) : `http-${status}`;
      await this.trail.record({ ...entry, ...facts, outcome, outcomeDetail: detail });
    };
    if (ctx.whenAnswered) {
      ctx.whenAnswered(write);
      return;
    }
    try {
      await write(stepStatus);
    } catch (e) {
      throw toFhirError(e);
    }
  }
}

/** A patient id from a URL or a search parameter, kept in the audit record only when it is a valid FHIR id. */
export function auditablePatient(id: string | undefined): string | undefined {
  return id !== undefined && FHIR_ID.test(id) ? id : undefined;
}

/** Records one more access in the same call (e.g. each further patient a search returned). */
export async function auditAlso(audit: JourneyAudit, ctx: FhirContext, pro: ProfessionalContext, subtype: AuditSubtype, facts: AuditContext): Promise<void> {
  await audit.also(ctx, pro, subtype, facts);
}
