/**
 * What actions need from the outside. A compiled action gets a small context at load, and at match
 * time an ActionTransaction: the engine's Transaction implements it, so actions stay testable and
 * never import the engine.
 */
import type { KeySelector, Rule } from "../engine/rule.js";
import type { ActionNode, MacroResolver, SourceLocation, Transform, VariableRef } from "../types.js";
import type { TxData } from "../variables/index.js";

export type EngineMode = "On" | "Off" | "DetectionOnly";

/** A target removal of ctl:ruleRemoveTarget*: the variable and an optional key selector. */
export interface TargetRemoval {
  readonly variable: string;
  readonly selector: KeySelector;
}

/** ctl:... compiled at load. */
export type CtlOp =
  | { readonly op: "ruleEngine"; readonly mode: EngineMode }
  | { readonly op: "ruleRemoveById"; readonly ranges: ReadonlyArray<readonly [number, number]> }
  | { readonly op: "ruleRemoveByTag"; readonly tag: string }
  | {
      readonly op: "ruleRemoveTargetById";
      readonly ranges: ReadonlyArray<readonly [number, number]>;
      readonly targets: readonly TargetRemoval[];
    }
  | { readonly op: "ruleRemoveTargetByTag"; readonly tag: string; readonly targets: readonly TargetRemoval[] }
  | { readonly op: "requestBodyProcessor"; readonly processor: string }
  | { readonly op: "requestBodyAccess"; readonly on: boolean }
  | { readonly op: "forceRequestBodyVariable"; readonly on: boolean }
  | { readonly op: "auditEngine"; readonly value: string }
  | { readonly op: "auditLogParts"; readonly value: string };

export interface ActionTransaction extends MacroResolver {
  readonly data: TxData;
  applyCtl(op: CtlOp, rule: Rule): void;
}

/** What an action may use while it is compiled. */
export interface ActionContext {
  readonly loc: SourceLocation;
  transform(name: string): Transform | undefined;
  parseVariables(text: string, loc: SourceLocation): VariableRef[];
  /** Resolves a key selector for the given variable (lower-cases keys, compiles regexes). */
  selector(ref: VariableRef): KeySelector;
}

/** One action name: what it does to the rule being compiled. */
export interface ActionDefinition {
  readonly name: string;
  /** Actions that may appear on chain links other than the first (ModSecurity manual, "chain"). */
  readonly allowedInChain: boolean;
  apply(rule: Rule, action: ActionNode, ctx: ActionContext): void;
}
