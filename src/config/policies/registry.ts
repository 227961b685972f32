/**
 * The registry of built-in policies. Each policy is one file that registers itself; builtins.ts
 * imports them. Evaluation never lists policies by name, so adding one is adding one file.
 */
import type { Policy } from "./types.js";

const policies = new Map<string, Policy>();

export function registerPolicy(policy: Policy): Policy {
  if (policies.has(policy.name)) throw new Error(`policy ${policy.name} is registered twice`);
  policies.set(policy.name, policy);
  return policy;
}

/** Built-in policies in registration order. */
export function builtinPolicies(): readonly Policy[] {
  return [...policies.values()];
}

export function findPolicy(name: string): Policy | undefined {
  return policies.get(name);
}
