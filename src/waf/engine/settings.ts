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
