/** Public surface of config policies: built-ins, the user policy language, override decisions. */
export { PolicyRefusedError } from "./errors.js";
export { evaluatePolicies, failingErrors } from "./evaluate.js";
export { effectiveModules, isLoopbackHost, KNOWN_MODULES, perSecond } from "./facts.js";
export { type Actor, decideOverrides, type OverrideDecision, type OverrideRequest } from "./overrides.js";
export {
  joinElement,
  joinKey,
  type PathStep,
  PathSyntaxError,
  parsePath,
  pathSegments,
  resolvePath,
} from "./path.js";
export { builtinPolicies, findPolicy, registerPolicy } from "./registry.js";
export {
  DEFAULT_POLICY_SETTINGS,
  type Policy,
  type PolicyContext,
  type PolicyFinding,
  type PolicySettings,
  type PolicySeverity,
  type PolicyVerdict,
} from "./types.js";
export {
  evaluateUserPolicies,
  policyView,
  USER_POLICY_OPS,
  type UserPolicy,
  type UserPolicyInput,
  type UserPolicyOp,
  unsafeRegexReason,
  userPoliciesSchema,
  userPolicySchema,
} from "./user.js";
