/**
 * Engine settings the Sec* directives set. Defaults follow the ModSecurity v3 reference manual,
 * except SecRuleEngine, which defaults to On: a rule set that silently does nothing is the failure
 * Rampart exists to prevent (seed/postmortem.md), and Coraza defaults the same way.
 */
import type { EngineMode } from "../actions/types.js";
import type { Transform } from "../types.js";
import type { DisruptiveAction, Phase } from "./rule.js";

export type LimitAction = "Reject" | "ProcessPartial";

/** What SecDefaultAction sets for one phase. */
export interface DefaultActions {
  readonly disruptive: DisruptiveAction;
  readonly status: number | undefined;
  readonly transformNames: readonly string[];
  readonly transforms: readonly Transform[];
  readonly log: boolean;
  readonly auditlog: boolean;
}

export interface EngineSettings {
  ruleEngine: EngineMode;
  requestBodyAccess: boolean;
  requestBodyLimit: number;
  requestBodyNoFilesLimit: number;
  requestBodyLimitAction: LimitAction;
  requestBodyInMemoryLimit: number;
  /** SecArgumentsLimit: most arguments a body processor keeps. */
  argumentsLimit: number;
  /** SecRequestBodyJsonDepthLimit. */
  jsonDepthLimit: number;
  responseBodyAccess: boolean;
  responseBodyMimeTypes: string[];
  responseBodyLimit: number;
  responseBodyLimitAction: LimitAction;
  argumentSeparator: string;
  componentSignatures: string[];
  collectionTimeout: number;
  /** SecAuditEngine, SecAuditLog*: recorded so the gateway's audit sink can honour them. */
  audit: Record<string, string>;
  /** Directives accepted for compatibility and recorded (SecTmpDir, SecPcreMatchLimit, ...). */
  recorded: Record<string, string>;
  defaultActions: Partial<Record<Phase, DefaultActions>>;
}

/**
 * Engine time one transaction may spend in phases 1-4 (rules and body parsing), in ms:
 * `baseMs + perKbMs × KB inspected` (URI, headers, bodies as stored). Past it the transaction
 * stops evaluating and is refused (see Transaction, "time budget"). Not a SecLang setting: the
 * embedder chooses it (the gateway uses the config's waf.timeBudget, by default this one, after warming the rule set up).
 */
export interface TimeBudget {
  readonly baseMs: number;
  readonly perKbMs: number;
}

/**
 * Typical CRS PL1 cost is 0.1-1 ms per request and ~0.4 ms per KB of body (bench/waf/engine-cpu.ts);
 * a cold process needs up to ~200 ms for its first requests (V8 compiles each pattern's code on
 * first use), which the gateway's warm-up takes out of the request path. 100 ms plus 2 ms per KB
 * leaves warm benign traffic two orders of magnitude of headroom, on a loaded machine too.
 */
export const DEFAULT_TIME_BUDGET: TimeBudget = { baseMs: 100, perKbMs: 2 };

export function defaultSettings(): EngineSettings {
  return {
    ruleEngine: "On",
    requestBodyAccess: false,
    requestBodyLimit: 134217728,
    requestBodyNoFilesLimit: 1048576,
    requestBodyLimitAction: "Reject",
    requestBodyInMemoryLimit: 131072,
    argumentsLimit: 1000,
    jsonDepthLimit: 10000,
    responseBodyAccess: false,
    responseBodyMimeTypes: ["text/plain", "text/html"],
    responseBodyLimit: 524288,
    responseBodyLimitAction: "Reject",
    argumentSeparator: "&",
    componentSignatures: [],
    collectionTimeout: 3600,
    audit: {},
    recorded: {},
    defaultActions: {},
  };
}

/** Without SecDefaultAction, v3 behaves as `phase:N,log,auditlog,pass`. */
export const BUILTIN_DEFAULT: DefaultActions = {
  disruptive: { kind: "pass" },
  status: undefined,
  transformNames: [],
  transforms: [],
  log: true,
  auditlog: true,
};
