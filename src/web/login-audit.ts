import { OPERATOR_OWNER, UNIDENTIFIED_AGENT, auditableAddress, auditableClientId, outcomeOfStatus, type AuditTrail } from '../audit/index.js';
import { auditAgentOf, refusedAgentOf } from '../journey/index.js';
import { sourceAddressOf } from '../util/source-address.js';
import type { PortalLoginAudit } from './portal/index.js';

/**
 * The audit of the portal's logins (security events, DICOM 110114 / Login):
 * a login that did not complete belongs to the operator (nobody identified,
 * the reason and the source address); a professional's login, successful or
 * refused by eligibility (with the rules), is theirs.
 */
export function portalLoginAuditor(trail: AuditTrail): PortalLoginAudit {
  return async (event) => {
    const common = {
      subtype: 'authentication' as const,
      requestId: String(event.req.res?.locals.requestId ?? 'unknown'),
      clientId: auditableClientId(event.clientId),
      sourceAddress: auditableAddress(sourceAddressOf(event.req)),
    };
    if (event.outcome === 'success' && event.professional) {
      const pro = event.professional.context;
      await trail.record({ ...common, owner: pro.nationalId, agent: auditAgentOf(pro), outcome: 'success' });
    } else if (event.outcome === 'refused' && event.userInfo) {
      await trail.record({
        ...common, owner: event.userInfo.SubjectNameID, agent: refusedAgentOf(event.userInfo), outcome: 'refused',
        outcomeDetail: (event.refusals ?? []).map((r) => r.code).join('|') || undefined,
      });
    } else {
      const outcome = outcomeOfStatus(event.status);
      await trail.record({
        ...common, owner: OPERATOR_OWNER, agent: UNIDENTIFIED_AGENT, outcome: outcome === 'success' ? 'refused' : outcome, outcomeDetail: event.reason,
      });
    }
  };
}
