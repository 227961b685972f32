/**
 * A rule as the engine runs it: everything resolved at load (targets to accessors, operator
 * compiled, transformations to functions, macros pre-split, default actions merged), so evaluation
 * only reads fields.
 */

import type { ActionTransaction } from "../actions/types.js";
import type { Macro, Operator, SourceLocation, Transform } from "../types.js";
import type { VariableDefinition } from "../variables/index.js";

export type Phase = 1 | 2 | 3 | 4 | 5;

/** Which phases `allow` lets through (ModSecurity v3 reference manual, "allow"). */
export type AllowScope = "all" | "phase" | "request";

export type DisruptiveAction =
  | { readonly kind: "pass" }
  | { readonly kind: "deny" }
  | { readonly kind: "drop" }
  | { readonly kind: "redirect"; readonly url: Macro }
  | { readonly kind: "allow"; readonly scope: AllowScope };

/** A key selector or exclusion: `ARGS:foo` (key lower-cased) or `ARGS:/^foo/`. */
export interface KeySelector {
  readonly key: string | undefined;
  readonly regex: RegExp | undefined;
}

export interface Target {
  readonly def: VariableDefinition;
  /** variableSlot(def): where a transaction caches the value of a scalar. */
  readonly slot: number;
  /** Upper-case variable name. */
  readonly name: string;
  readonly selector: KeySelector;
  readonly count: boolean;
  /** `!ARGS:foo` written in the rule or added by SecRuleUpdateTarget*. */
  readonly exclusions: KeySelector[];
  /**
   * Where a transaction keeps the values this target selects for the rest of the phase; shared
   * by every target with the same variable, selector and exclusions. -1 when the variable can
   * change between two rules (TX, MATCHED_*, ...): set when the rule set is finished (compile.ts).
   */
  cacheSlot: number;
}

/** A non-disruptive action run each time the rule matches a value (setvar, ctl, initcol, ...). */
export interface RuleAction {
  readonly name: string;
  run(tx: ActionTransaction, rule: Rule): void;
}

export class Rule {
  /** Position among all rules and links of the set, for per-transaction arrays. */
  readonly seq: number;
  /** 0 for chain links and SecActions without id. */
  id = 0;
  phase: Phase = 2;
  readonly loc: SourceLocation;
  /** The chain starter this link belongs to (undefined for a starter). */
  parent: Rule | undefined;
  /** Next link when the rule has `chain`. */
  chain: Rule | undefined;
  hasChainAction = false;

  targets: Target[] = [];
  operator: Operator | undefined;
  /** Name as written (`rx`), for logs. */
  operatorName = "unconditionalMatch";
  operatorParam = "";
  negated = false;

  /** Transformations named in the rule after the last `t:none` (defaults are merged at finalize). */
  transformNames: string[] = [];
  transforms: Transform[] = [];
  /** Cache key of each prefix of `transforms` (see transform-cache.ts). */
  transformPrefixIds: number[] = [];
  hasTNone = false;
  /** Default transformations were merged (SecRuleUpdateActionById must not merge twice). */
  transformNamesMerged = false;
  multiMatch = false;
  capture = false;

  actions: RuleAction[] = [];
  /** Undefined until finalize: the rule's own or its phase's default. */
  disruptive: DisruptiveAction | undefined;
  /** `block` was written: the disruptive action comes from SecDefaultAction. */
  block = false;
  status: number | undefined;
  skip = 0;
  skipAfter: string | undefined;
  /** Index in the phase's step list to continue after, resolved at finalize (-1: end of phase). */
  skipAfterIndex = -1;

  msg: Macro | undefined;
  logdata: Macro | undefined;
  tags: string[] = [];
  /** `tags` as a set, built when the rule set is finalised (ctl:ruleRemove*ByTag look-ups). */
  tagSet: ReadonlySet<string> = new Set();
  severity: number | undefined;
  ver = "";
  rev = "";
  maturity = 0;
  accuracy = 0;
  log: boolean | undefined;
  auditlog: boolean | undefined;
  /** Action names in order, for SecRuleUpdateActionById and error messages. */
  readonly actionNames: string[] = [];

  constructor(loc: SourceLocation, seq = 0) {
    this.loc = loc;
    this.seq = seq;
  }

  /** The chain starter (itself for a starter). */
  get head(): Rule {
    return this.parent ?? this;
  }
}
