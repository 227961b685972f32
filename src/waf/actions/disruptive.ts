/**
 * Disruptive actions: deny, drop, redirect, allow, pass, block. One per rule (the last one written
 * wins, as in ModSecurity); `block` takes the SecDefaultAction's disruptive action of the phase,
 * resolved when the rule set is finalised.
 */
import type { AllowScope } from "../engine/rule.js";
import { WafError } from "../errors.js";
import { compileMacro } from "../macro.js";
import { requireParam } from "./meta.js";
import type { ActionDefinition } from "./types.js";

const ALLOW_SCOPES: Record<string, AllowScope> = { "": "all", phase: "phase", request: "request" };

export const disruptiveActions: ActionDefinition[] = [
  {
    name: "deny",
    allowedInChain: false,
    apply: (r) => {
      r.disruptive = { kind: "deny" };
      r.block = false;
    },
  },
  {
    name: "drop",
    allowedInChain: false,
    apply: (r) => {
      r.disruptive = { kind: "drop" };
      r.block = false;
    },
  },
  {
    name: "pass",
    allowedInChain: false,
    apply: (r) => {
      r.disruptive = { kind: "pass" };
      r.block = false;
    },
  },
  {
    name: "block",
    allowedInChain: false,
    apply: (r) => {
      r.disruptive = undefined;
      r.block = true;
    },
  },
  {
    name: "redirect",
    allowedInChain: false,
    apply: (r, a, ctx) => {
      r.disruptive = { kind: "redirect", url: compileMacro(requireParam(a, ctx.loc)) };
      r.block = false;
    },
  },
  {
    name: "allow",
    allowedInChain: false,
    apply: (r, a, ctx) => {
      const scope = ALLOW_SCOPES[(a.param ?? "").trim().toLowerCase()];
      if (scope === undefined) {
        throw new WafError(
          "WAF_ACTION_PARAM",
          `allow takes no parameter, "phase" or "request", got "${a.param}"`,
          ctx.loc,
        );
      }
      r.disruptive = { kind: "allow", scope };
      r.block = false;
    },
  },
];
