import { randomUUID } from 'node:crypto';
import type { ProfessionalContext } from '../kernel/professional.js';
import type { RequestContext } from '../kernel/request.js';
import { isAuthenticatedProfessional } from '../auth/professional.js';
import {
  AuditTrail, auditableAddress, auditableClientId, outcomeOfStatus, type AuditContext, type AuditEntry, type AuditSubtype,
} from '../audit/index.js';
import { failureCodeOf, isGatewayFailure } from '../ehdsi/errors/index.js';
import { auditAgentOf, type ProfessionalResolver } from './professional.js';

const FHIR_ID = /^[A-Za-z0-9.-]{1,64}$/;

/** The facts a journey step tells its audit record while it runs. */
export type JourneyAuditContext = AuditContext;

/**
 * Runs each journey step under the audit trail, for the professional the
 * request acts for. The record's outcome is the outcome of the HTTP answer:
 * it is written once the final status is known (after serialisation,
 * content negotiation, anything that can still fail after the step), and
 * before the answer leaves — an answer that cannot be audited becomes a 503.
 * The step's own facts (patient, country, eHDSI transaction, eHDSI error
 * code) are kept; the code of the failure is the step's when the answer
 * reports the step's failure, else `http-<status>`.
 */
export class JourneyAudit {
  constructor(readonly trail: AuditTrail, private readonly professionalOf: ProfessionalResolver) {}

  async run<T>(ctx: RequestContext, subtype: AuditSubtype, work: (audit: JourneyAuditContext, professional: ProfessionalContext) => Promise<T>): Promise<T> {
    const professional = this.professionalOf(ctx);
    const entry = this.entryOf(ctx, professional, subtype);
    const facts: AuditContext = {};
    let result: T;
    try {
      result = await work(facts, professional);
    } catch (e) {
      if (isGatewayFailure(e)) {
        facts.outcomeDetail = failureCodeOf(e);
        facts.country ??= e.country;
      }
      this.recordWhenAnswered(ctx, entry, facts, e);
      throw e;
    }
    this.recordWhenAnswered(ctx, entry, facts);
    return result;
  }

  /** One more record of the same call (e.g. each further patient a search returned), with the call's final outcome. */
  also(ctx: RequestContext, subtype: AuditSubtype, facts: AuditContext): void {
    this.recordWhenAnswered(ctx, this.entryOf(ctx, this.professionalOf(ctx), subtype), { ...facts });
  }

  private entryOf(ctx: RequestContext, pro: ProfessionalContext, subtype: AuditSubtype): Omit<AuditEntry, 'outcome'> {
    const principal = ctx.principal;
    return {
      owner: pro.nationalId,
      agent: auditAgentOf(pro),
      subtype,
      requestId: ctx.requestId || randomUUID(),
      clientId: isAuthenticatedProfessional(principal) ? auditableClientId(principal.token.clientId) : undefined,
      sourceAddress: auditableAddress(ctx.sourceAddress),
    };
  }

  /** Writes the record with the final status of the answer, before it is sent. */
  private recordWhenAnswered(ctx: RequestContext, entry: Omit<AuditEntry, 'outcome'>, facts: AuditContext, thrown?: unknown): void {
    ctx.whenAnswered(async (status, answered) => {
      const outcome = outcomeOfStatus(status);
      // The answer reports this step's own outcome: keep its detail (the eHDSI code).
      const own = answered === thrown;
      const detail = own ? facts.outcomeDetail ?? (outcome === 'success' ? undefined : `http-${status}`) : `http-${status}`;
      await this.trail.record({ ...entry, ...facts, outcome, outcomeDetail: detail });
    });
  }
}

/** A patient id from a URL or a search parameter, kept in the audit record only when it is a valid FHIR id. */
export function auditablePatient(id: string | undefined): string | undefined {
  return id !== undefined && FHIR_ID.test(id) ? id : undefined;
}
