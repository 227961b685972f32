/**
 * Whether a version may be applied given its verdicts and the overrides asked for. The rule, from
 * the control plane's issue: a failing error refuses the version; an admin may override an
 * overridable policy, with a reason that is stored with the version; nobody can override a policy
 * that is not overridable (waf-not-off).
 */
import type { PolicyOverride } from "../../store/versions.js";
import { failingErrors } from "./evaluate.js";
import type { PolicyVerdict } from "./types.js";

export interface OverrideRequest {
  readonly policy: string;
  readonly reason: string;
}

export interface Actor {
  readonly name: string;
  readonly role: "viewer" | "operator" | "admin";
}

export interface OverrideDecision {
  /** True when nothing blocks the version. */
  readonly allowed: boolean;
  /** Failing errors not covered by a valid override. */
  readonly blocking: readonly PolicyVerdict[];
  /** Overrides that let a failing policy through, to store with the version. */
  readonly applied: readonly PolicyOverride[];
  /** Why an override asked for was not accepted (non-admin, no reason, not overridable). */
  readonly refused: readonly string[];
  /** Overrides asked for policies that did not fail: not stored. */
  readonly unused: readonly string[];
}

export function decideOverrides(
  verdicts: readonly PolicyVerdict[],
  requests: readonly OverrideRequest[],
  actor: Actor,
): OverrideDecision {
  const failing = failingErrors(verdicts);
  const accepted = new Map<string, OverrideRequest>();
  const refused: string[] = [];
  const unused: string[] = [];
  const failingNames = new Set(failing.map((v) => v.policy));
  const allNames = new Set(verdicts.map((v) => v.policy));
  for (const r of requests) {
    if (!allNames.has(r.policy)) refused.push(`${r.policy}: no such policy`);
    else if (!failingNames.has(r.policy)) unused.push(r.policy);
    else if (actor.role !== "admin") refused.push(`${r.policy}: only an admin can override a policy`);
    else if (r.reason.trim() === "") refused.push(`${r.policy}: an override needs a reason`);
    else if (failing.some((v) => v.policy === r.policy && !v.overridable)) {
      refused.push(`${r.policy}: this policy cannot be overridden`);
    } else accepted.set(r.policy, r);
  }
  const blocking = failing.filter((v) => !accepted.has(v.policy));
  return {
    allowed: blocking.length === 0,
    blocking,
    applied: [...accepted.values()].map((r) => ({
      policy: r.policy,
      reason: r.reason.trim(),
      by: actor.name,
    })),
    refused,
    unused,
  };
}
