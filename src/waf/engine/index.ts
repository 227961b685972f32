/** The WAF engine core: compile SecLang statements into a RuleSet, evaluate Transactions. */
export { type CompileDeps, compileRuleSet } from "./compile.js";
export { type AuditRecord, auditRecord, errorLogLine, operatorLogName, toHexIfNeeded } from "./log-format.js";
export {
  enableProfile,
  type NamedTime,
  type ProfileRequest,
  RuleProfile,
  type RuleProfileEntry,
  runRequest,
  typicalRequests,
  warmUp,
} from "./profile.js";
export type { DisruptiveAction, Phase, Rule } from "./rule.js";
export { RuleSet, type Step } from "./ruleset.js";
export {
  DEFAULT_TIME_BUDGET,
  type DefaultActions,
  type EngineSettings,
  type LimitAction,
  type TimeBudget,
} from "./settings.js";
export {
  type AnomalyScores,
  BUDGET_CHECK_BYTES,
  BUDGET_CHECK_EVERY,
  BUDGET_CONFIRM_SHARE,
  type BudgetExceeded,
  type Intervention,
  type MatchedRule,
  type NewTransaction,
  type RuleMatchValue,
  Transaction,
} from "./transaction.js";
