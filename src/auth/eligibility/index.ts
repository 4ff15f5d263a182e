export { evaluateEligibility, isoDay, type EligibilityDecision, type PracticeSituation, type Refusal } from './evaluate.js';
export { ELIGIBILITY_RULES, ELIGIBILITY_SYSTEM, ruleByCode, type EligibilityRule, type RuleMessages } from './rules.js';
