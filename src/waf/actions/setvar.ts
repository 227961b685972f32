/**
 * Variable actions: setvar (=, =+, =-, !delete, flag form), expirevar, initcol, setenv, setuid,
 * setsid. Collections other than TX live for the transaction only: Rampart keeps no persistent
 * store, which CRS 4 does not need (its IP/GLOBAL use is opt-in, tx.enable_default_collections).
 */
import type { Rule, RuleAction } from "../engine/rule.js";
import { WafError } from "../errors.js";
import { compileMacro } from "../macro.js";
import type { ByteString, Macro, SourceLocation } from "../types.js";
import { requireParam } from "./meta.js";
import type { ActionDefinition, ActionTransaction } from "./types.js";

const WRITABLE = new Set(["TX", "IP", "SESSION", "USER", "GLOBAL", "RESOURCE"]);

type SetOp = "set" | "add" | "sub" | "delete";

/**
 * ModSecurity v3 parses both operands with std::stoi and treats a failure as 0; parseInt keeps the
 * same leading-digits behaviour ("5abc" is 5).
 */
function toInt(v: ByteString | undefined): number {
  if (v === undefined) return 0;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? 0 : n;
}

export interface SetVar {
  readonly collection: string;
  readonly key: Macro;
  readonly op: SetOp;
  readonly value: Macro;
}

/** Parses a setvar parameter: `tx.a=1`, `tx.a=+%{tx.b}`, `tx.a=-1`, `!tx.a`, `tx.a`. */
export function parseSetVar(param: string, loc: SourceLocation): SetVar {
  let text = param.trim();
  let op: SetOp = "set";
  if (text.startsWith("!")) {
    op = "delete";
    text = text.slice(1);
  }
  const eq = text.indexOf("=");
  const name = eq === -1 ? text : text.slice(0, eq);
  let value = eq === -1 ? (op === "delete" ? "" : "1") : text.slice(eq + 1);
  if (op !== "delete" && eq !== -1) {
    if (value.startsWith("+")) {
      op = "add";
      value = value.slice(1);
    } else if (value.startsWith("-")) {
      op = "sub";
      value = value.slice(1);
    }
  }
  const dot = name.indexOf(".");
  const collection = (dot === -1 ? name : name.slice(0, dot)).trim().toUpperCase();
  const key = dot === -1 ? "" : name.slice(dot + 1).trim();
  if (!WRITABLE.has(collection) || key === "") {
    throw new WafError(
      "WAF_ACTION_PARAM",
      `setvar needs COLLECTION.key with a writable collection (TX, IP, ...), got "${param}"`,
      loc,
    );
  }
  return { collection, key: compileMacro(key), op, value: compileMacro(value) };
}

export function runSetVar(sv: SetVar, tx: ActionTransaction): void {
  const col = tx.data.writable(sv.collection);
  if (col === undefined) return;
  const key = sv.key.constant ? sv.key.source : sv.key.expand(tx);
  switch (sv.op) {
    case "delete":
      col.remove(key);
      return;
    case "set":
      col.set(key, sv.value.constant ? sv.value.source : sv.value.expand(tx));
      return;
    default: {
      const current = toInt(col.first(key.toLowerCase())?.value);
      const delta = toInt(sv.value.expand(tx));
      col.set(key, String(sv.op === "add" ? current + delta : current - delta));
    }
  }
}

function action(name: string, run: (tx: ActionTransaction, rule: Rule) => void): RuleAction {
  return { name, run };
}

export const setvarActions: ActionDefinition[] = [
  {
    name: "setvar",
    allowedInChain: true,
    apply: (r, a, ctx) => {
      const sv = parseSetVar(requireParam(a, ctx.loc), ctx.loc);
      r.actions.push(action("setvar", (tx) => runSetVar(sv, tx)));
    },
  },
  {
    // Expiry needs a persistent store; within one transaction nothing expires. Validated, then kept.
    name: "expirevar",
    allowedInChain: true,
    apply: (_r, a, ctx) => {
      const p = requireParam(a, ctx.loc);
      if (!/^[A-Za-z]+\.[^=]+=\s*\S+/.test(p))
        throw new WafError(
          "WAF_ACTION_PARAM",
          `expirevar expects COLLECTION.key=seconds, got "${p}"`,
          ctx.loc,
        );
    },
  },
  {
    name: "initcol",
    allowedInChain: true,
    apply: (r, a, ctx) => {
      const p = requireParam(a, ctx.loc);
      const eq = p.indexOf("=");
      const name = (eq === -1 ? p : p.slice(0, eq)).trim().toUpperCase();
      if (eq === -1 || !WRITABLE.has(name) || name === "TX") {
        throw new WafError(
          "WAF_ACTION_PARAM",
          `initcol expects IP|SESSION|USER|GLOBAL|RESOURCE=key, got "${p}"`,
          ctx.loc,
        );
      }
      r.actions.push(action("initcol", (tx) => void tx.data.persistentCollection(name)));
    },
  },
  ...[
    ["setuid", "USER"],
    ["setsid", "SESSION"],
    ["setrsc", "RESOURCE"],
  ].map(
    ([n, col]): ActionDefinition => ({
      name: n!,
      allowedInChain: true,
      apply: (r, a, ctx) => {
        requireParam(a, ctx.loc);
        r.actions.push(action(n!, (tx) => void tx.data.persistentCollection(col!)));
      },
    }),
  ),
  {
    name: "setenv",
    allowedInChain: true,
    apply: (r, a, ctx) => {
      const p = requireParam(a, ctx.loc);
      const eq = p.indexOf("=");
      const key = compileMacro(eq === -1 ? p : p.slice(0, eq));
      const value = compileMacro(eq === -1 ? "1" : p.slice(eq + 1));
      r.actions.push(action("setenv", (tx) => void tx.data.env.set(key.expand(tx), value.expand(tx))));
    },
  },
];
