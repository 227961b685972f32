/**
 * Contracts of config policies: what a policy sees (the next config, the previous one, the control
 * plane's settings) and what it answers (verdicts that name a YAML path). Policies are pure: data
 * in, verdicts out, so the API, the CLI and tests call them alike.
 */
import type { RampartConfig } from "../schema.js";
import type { UserPolicy } from "./user.js";

export type PolicySeverity = "error" | "warning";

export interface PolicyVerdict {
  readonly policy: string;
  readonly ok: boolean;
  /** An error refuses the version (unless overridden); a warning is shown and lets it through. */
  readonly severity: PolicySeverity;
  /** Where in the config, e.g. `waf.modules.sqli`, `routes[name=checkout].rateLimits`; "" for the whole config. */
  readonly path: string;
  readonly message: string;
  /** Whether an admin may apply the version anyway, with a reason that is stored with it. */
  readonly overridable: boolean;
  /** What to do about it. */
  readonly hint: string;
}

/** The control plane's own settings (store `settings`), which the config cannot change. */
export interface PolicySettings {
  /** WAF modules that must stay on (see src/waf/crs/modules.ts for names). */
  readonly criticalModules: readonly string[];
  /** A limit may grow by at most this factor from one version to the next without an override. */
  readonly maxLoosenFactor: number;
}

export interface PolicyContext {
  /** The version currently applied; undefined for the first version. */
  readonly previous?: RampartConfig | undefined;
  readonly settings: PolicySettings;
  /**
   * Tags of the gateways the config goes to (e.g. "production"). The config schema has no tags;
   * the rollout part knows its fleet and passes them (see waf-blocking-in-production).
   */
  readonly gatewayTags?: readonly string[] | undefined;
  /** User policies to apply; by default those of the next config's `policies:` key, if it has one. */
  readonly userPolicies?: readonly UserPolicy[] | undefined;
}

/** A problem found by a built-in policy. */
export interface PolicyFinding {
  readonly path: string;
  readonly message: string;
}

/** A built-in policy: one file each, registered in registry.ts. */
export interface Policy {
  readonly name: string;
  readonly description: string;
  readonly severity: PolicySeverity;
  readonly overridable: boolean;
  /** What to do when it fails. */
  readonly hint: string;
  check(next: RampartConfig, ctx: PolicyContext): readonly PolicyFinding[];
}

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  // The request-attack families whose loss opened the door in seed/postmortem.md.
  criticalModules: ["protocol-attack", "lfi", "rfi", "rce", "xss", "sqli"],
  maxLoosenFactor: 2,
};
