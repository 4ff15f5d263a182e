import type { PscActivity, PscExercice, PscUserInfo } from '../psc-userinfo.js';
import { ELIGIBILITY_RULES, type EligibilityRule, type RuleMessages } from './rules.js';

export interface Refusal {
  code: string;
  messages: RuleMessages;
}

/** The practice situation (exercice + activity) through which a professional is allowed. */
export interface PracticeSituation {
  exercice: PscExercice;
  activity: PscActivity;
  exerciceIndex: number;
  activityIndex: number;
}

export type EligibilityDecision =
  | { allowed: true; situation: PracticeSituation }
  | { allowed: false; refusals: Refusal[] };

function refusal(rule: EligibilityRule): Refusal {
  return { code: rule.code, messages: rule.messages };
}

/** Today as YYYY-MM-DD (UTC), the granularity of card validity dates. */
export function isoDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * Decides whether a PSC identity may use the service (pure). A professional
 * with several exercices/activities is allowed through the first one that no
 * rule refuses; when none qualifies, every rule that refused some candidate is
 * listed once, in the table's order.
 */
export function evaluateEligibility(who: PscUserInfo, now: Date = new Date()): EligibilityDecision {
  const today = isoDay(now);
  const refused = new Set<EligibilityRule>();
  for (const rule of ELIGIBILITY_RULES) {
    if (rule.scope === 'identity' && rule.refuses(who, today)) refused.add(rule);
  }
  let situation: PracticeSituation | undefined;
  const exercices = who.SubjectRefPro?.exercices ?? [];
  const candidateRefusals = new Set<EligibilityRule>();
  exercices.forEach((exercice, exerciceIndex) => {
    const exRefusals = ELIGIBILITY_RULES.filter((r) => r.scope === 'exercice' && r.refuses(exercice));
    exRefusals.forEach((r) => candidateRefusals.add(r));
    if (exRefusals.length) return;
    (exercice.activities ?? []).forEach((activity, activityIndex) => {
      const actRefusals = ELIGIBILITY_RULES.filter((r) => r.scope === 'activity' && r.refuses(activity, exercice));
      actRefusals.forEach((r) => candidateRefusals.add(r));
      if (!actRefusals.length && !situation) situation = { exercice, activity, exerciceIndex, activityIndex };
    });
  });
  if (!situation) candidateRefusals.forEach((r) => refused.add(r));
  if (refused.size === 0 && situation) return { allowed: true, situation };
  const ordered = ELIGIBILITY_RULES.filter((r) => refused.has(r));
  return { allowed: false, refusals: ordered.map(refusal) };
}
