/**
 * Config versions as the control plane handles them: canonical JSON and hash of a validated config,
 * and the propose / apply / rollback steps the API and CLI call. Each apply parses the document,
 * runs the policies against the latest stored version and the control plane's settings, decides
 * overrides, and appends a version together with its event in one transaction. Nothing is
 * overwritten: a rollback appends a new version equal to an old one, and passes the same policies
 * (a rollback to a version that turned a critical module off needs the same override again).
 */
import { createHash } from "node:crypto";
import { StoreError } from "../store/errors.js";
import type { Store } from "../store/store.js";
import type { ConfigVersion, ConfigVersionKind } from "../store/versions.js";
import { parseConfig } from "./load.js";
import { type Plan, planChange } from "./plan.js";
import { PolicyRefusedError } from "./policies/errors.js";
import { evaluatePolicies } from "./policies/evaluate.js";
import { KNOWN_MODULES } from "./policies/facts.js";
import {
  type Actor,
  decideOverrides,
  type OverrideDecision,
  type OverrideRequest,
} from "./policies/overrides.js";
import { DEFAULT_POLICY_SETTINGS, type PolicySettings, type PolicyVerdict } from "./policies/types.js";
import { type RampartConfig, rampartConfigSchema } from "./schema.js";

/**
 * Canonical JSON after RFC 8785 (JSON Canonicalization Scheme): object keys sorted by UTF-16 code
 * units, no whitespace, numbers and strings as ECMAScript's JSON.stringify writes them (which is
 * what JCS specifies). Undefined members are left out, as JSON.stringify does. Two configs that mean
 * the same thing get the same text, whatever the YAML's key order, comments or quoting.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${value} has no JSON form`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined || typeof v === "function" ? "null" : canonicalJson(v))).join(",")}]`;
  }
  if (typeof value === "object") {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined && typeof obj[k] !== "function")
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
  }
  throw new TypeError(`a ${typeof value} has no JSON form`);
}

/** sha256 of the canonical JSON, lowercase hex: the identity of a config, as gateways attest it. */
export function configHash(config: RampartConfig): string {
  return createHash("sha256").update(canonicalJson(config), "utf8").digest("hex");
}

/** Store setting keys read by the policies. */
export const SETTING_CRITICAL_MODULES = "critical_modules";
export const SETTING_MAX_LOOSEN_FACTOR = "max_loosen_factor";

/**
 * The policy settings stored by the control plane, defaults where unset. A stored value of the
 * wrong shape is an error, not a silent fallback: a broken guardrail setting must be seen.
 */
export function policySettings(store: Store): PolicySettings {
  const critical = store.settings.get(SETTING_CRITICAL_MODULES);
  const factor = store.settings.get(SETTING_MAX_LOOSEN_FACTOR);
  if (critical !== undefined && !(Array.isArray(critical) && critical.every((x) => typeof x === "string"))) {
    throw new StoreError(
      "STORE_INVALID",
      `setting ${SETTING_CRITICAL_MODULES} must be a list of module names`,
      {
        hint: `rampart settings set ${SETTING_CRITICAL_MODULES} '["sqli","xss"]'`,
      },
    );
  }
  // A misspelt module name would make the guardrail hold vacuously: refuse it.
  const unknown = Array.isArray(critical) ? critical.filter((m) => !KNOWN_MODULES.includes(String(m))) : [];
  if (unknown.length > 0) {
    throw new StoreError(
      "STORE_INVALID",
      `setting ${SETTING_CRITICAL_MODULES} names unknown WAF modules: ${unknown.join(", ")}`,
      { hint: `known modules: ${KNOWN_MODULES.join(", ")}` },
    );
  }
  if (factor !== undefined && !(typeof factor === "number" && factor >= 1 && Number.isFinite(factor))) {
    throw new StoreError("STORE_INVALID", `setting ${SETTING_MAX_LOOSEN_FACTOR} must be a number >= 1`);
  }
  return {
    criticalModules: (critical as string[] | undefined) ?? DEFAULT_POLICY_SETTINGS.criticalModules,
    maxLoosenFactor: (factor as number | undefined) ?? DEFAULT_POLICY_SETTINGS.maxLoosenFactor,
  };
}

export interface ProposeInput {
  /** The YAML text. */
  readonly document: string;
  /** Names the document in error messages. */
  readonly file?: string;
  /** Tags of the gateways the version is for (see waf-blocking-in-production). */
  readonly gatewayTags?: readonly string[];
}

export interface Proposal {
  readonly config: RampartConfig;
  readonly canonical: string;
  readonly hash: string;
  /** The latest stored version, which the plan compares against. */
  readonly previous: ConfigVersion | undefined;
  readonly verdicts: readonly PolicyVerdict[];
  readonly plan: Plan;
  /** Same hash as the latest version: applying would change nothing. */
  readonly unchanged: boolean;
}

/** A stored version's config under today's schema; undefined if it no longer validates. */
function configOf(version: ConfigVersion | undefined): RampartConfig | undefined {
  if (version === undefined) return undefined;
  try {
    return parseConfig(version.document, `version ${version.id}`);
  } catch {
    // The YAML no longer validates (the schema changed): the canonical JSON, with today's defaults.
    const parsed = rampartConfigSchema.safeParse(JSON.parse(version.canonical));
    return parsed.success ? parsed.data : undefined;
  }
}

/** Parses and evaluates a document against the latest version: what `rampart plan` shows. */
export function proposeConfig(store: Store, input: ProposeInput): Proposal {
  const config = parseConfig(input.document, input.file ?? "rampart.yaml");
  const previous = store.versions.latest();
  const previousConfig = configOf(previous);
  const verdicts = evaluatePolicies(config, {
    previous: previousConfig,
    settings: policySettings(store),
    gatewayTags: input.gatewayTags,
  });
  const canonical = canonicalJson(config);
  const hash = createHash("sha256").update(canonical, "utf8").digest("hex");
  return {
    config,
    canonical,
    hash,
    previous,
    verdicts,
    plan: planChange(previousConfig, config, verdicts),
    unchanged: previous?.hash === hash,
  };
}

export interface ApplyInput extends ProposeInput {
  readonly actor: Actor;
  readonly message: string;
  readonly overrides?: readonly OverrideRequest[];
  /**
   * The version id the user reviewed the plan against (null: none). Defaults to the latest at the
   * time of the call; give it when a plan was shown first, so a change made meanwhile is not missed.
   */
  readonly expectParent?: number | null;
}

export interface ApplyResult {
  /** The new version, or the latest one when nothing changed. */
  readonly version: ConfigVersion;
  readonly plan: Plan;
  readonly decision: OverrideDecision;
  /** True when the document equals the latest version: nothing was stored. */
  readonly unchanged: boolean;
}

function commit(
  store: Store,
  proposal: Proposal,
  input: ApplyInput,
  kind: "apply" | "rollback",
  document: string,
  rollbackOf?: number,
): ApplyResult {
  const decision = decideOverrides(proposal.verdicts, input.overrides ?? [], input.actor);
  // Re-applying what is already live stores nothing, so there is nothing for a policy to refuse.
  if (proposal.unchanged && proposal.previous !== undefined) {
    return { version: proposal.previous, plan: proposal.plan, decision, unchanged: true };
  }
  if (!decision.allowed || decision.refused.length > 0) {
    store.events.append({
      kind: "config.refused",
      severity: "warning",
      source: "control-plane",
      subject: proposal.previous === undefined ? "config" : `config:${proposal.previous.id}`,
      data: {
        hash: proposal.hash,
        author: input.actor.name,
        policies: decision.blocking.map((v) => ({ policy: v.policy, path: v.path, message: v.message })),
        refusedOverrides: [...decision.refused],
      },
    });
    throw new PolicyRefusedError(decision.blocking, decision.refused);
  }
  const versionKind: ConfigVersionKind =
    kind === "rollback" ? "rollback" : decision.applied.length > 0 ? "override" : "apply";
  const expectParent =
    input.expectParent !== undefined ? input.expectParent : (proposal.previous?.id ?? null);
  const version = store.db
    .transaction(() => {
      const v = store.versions.append({
        author: input.actor.name,
        message: input.message,
        document,
        canonical: proposal.canonical,
        kind: versionKind,
        overrides: decision.applied,
        expectParent,
        ...(rollbackOf === undefined ? {} : { rollbackOf }),
      });
      store.events.append({
        kind: kind === "rollback" ? "config.rolled-back" : "config.applied",
        severity: decision.applied.length > 0 || proposal.plan.summary.loosened > 0 ? "warning" : "info",
        source: "control-plane",
        subject: `config:${v.id}`,
        data: {
          version: v.id,
          parent: v.parentId,
          hash: v.hash,
          author: v.author,
          message: v.message,
          overrides: decision.applied.map((o) => ({ ...o })),
          changes: proposal.plan.changes.length,
          loosened: proposal.plan.changes.filter((c) => c.direction === "loosened").map((c) => c.path),
          ...(rollbackOf === undefined ? {} : { rollbackOf }),
        },
      });
      return v;
    })
    .immediate();
  return { version, plan: proposal.plan, decision, unchanged: false };
}

/**
 * Applies a document: parse, policies, overrides, then append the version and its event. Throws
 * ConfigError (invalid document), PolicyRefusedError (a policy refuses it; a `config.refused`
 * event is logged), or StoreError (STORE_CONFLICT when another version landed meanwhile).
 */
export function applyConfig(store: Store, input: ApplyInput): ApplyResult {
  return commit(store, proposeConfig(store, input), input, "apply", input.document);
}

export interface RollbackInput {
  readonly actor: Actor;
  readonly message?: string;
  readonly overrides?: readonly OverrideRequest[];
  readonly gatewayTags?: readonly string[];
  readonly expectParent?: number | null;
}

/** Appends a new version whose document is that of version `id`, through the same policies. */
export function rollbackTo(store: Store, id: number, input: RollbackInput): ApplyResult {
  const target = store.versions.get(id);
  if (target === undefined) {
    throw new StoreError("STORE_NOT_FOUND", `no config version ${id}`, {
      hint: "rampart versions lists them",
    });
  }
  const applyInput: ApplyInput = {
    document: target.document,
    file: `version ${id}`,
    actor: input.actor,
    message: input.message ?? `roll back to version ${id}`,
    ...(input.overrides === undefined ? {} : { overrides: input.overrides }),
    ...(input.gatewayTags === undefined ? {} : { gatewayTags: input.gatewayTags }),
    ...(input.expectParent === undefined ? {} : { expectParent: input.expectParent }),
  };
  return commit(store, proposeConfig(store, applyInput), applyInput, "rollback", target.document, id);
}
