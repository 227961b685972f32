/**
 * ctl: changes the transaction's configuration from a rule (ModSecurity v3 reference manual,
 * "ctl"). Parsed at load into a CtlOp; the transaction applies it when the rule matches.
 */
import type { Rule } from "../engine/rule.js";
import { WafError } from "../errors.js";
import type { SourceLocation } from "../types.js";
import { requireParam } from "./meta.js";
import type { ActionContext, ActionDefinition, CtlOp, EngineMode, TargetRemoval } from "./types.js";

/** `920100`, `1-99`, `1 5 10-20`, `1,2`: inclusive id ranges. */
export function parseIdRanges(text: string, loc: SourceLocation): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const part of text.split(/[\s,]+/)) {
    if (part === "") continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) throw new WafError("WAF_ACTION_PARAM", `invalid rule id or range "${part}"`, loc);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new WafError("WAF_ACTION_PARAM", `empty rule id range "${part}"`, loc);
    out.push([from, to]);
  }
  if (out.length === 0) throw new WafError("WAF_ACTION_PARAM", "expected rule ids", loc);
  return out;
}

export function inRanges(id: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  for (const [a, b] of ranges) if (id >= a && id <= b) return true;
  return false;
}

function onOff(name: string, value: string, loc: SourceLocation): boolean {
  const v = value.trim().toLowerCase();
  if (v === "on" || v === "true" || v === "1") return true;
  if (v === "off" || v === "false" || v === "0") return false;
  throw new WafError("WAF_ACTION_PARAM", `ctl:${name} expects On or Off, got "${value}"`, loc);
}

const MODES: Record<string, EngineMode> = { on: "On", off: "Off", detectiononly: "DetectionOnly" };
const BODY_PROCESSORS = new Set(["URLENCODED", "MULTIPART", "XML", "JSON"]);

function targets(text: string, ctx: ActionContext): TargetRemoval[] {
  return ctx
    .parseVariables(text, ctx.loc)
    .map((ref) => ({ variable: ref.collection.toUpperCase(), selector: ctx.selector(ref) }));
}

function splitTarget(name: string, value: string, loc: SourceLocation): [string, string] {
  const semi = value.indexOf(";");
  if (semi === -1)
    throw new WafError("WAF_ACTION_PARAM", `ctl:${name} expects WHAT;TARGET, got "${value}"`, loc);
  return [value.slice(0, semi).trim(), value.slice(semi + 1).trim()];
}

/** Compiles the text after `ctl:`. */
export function parseCtl(param: string, ctx: ActionContext): CtlOp | undefined {
  const eq = param.indexOf("=");
  if (eq === -1) throw new WafError("WAF_ACTION_PARAM", `ctl expects name=value, got "${param}"`, ctx.loc);
  const name = param.slice(0, eq).trim();
  const value = param.slice(eq + 1).trim();
  const loc = ctx.loc;
  switch (name.toLowerCase()) {
    case "ruleengine": {
      const mode = MODES[value.toLowerCase()];
      if (mode === undefined)
        throw new WafError(
          "WAF_ACTION_PARAM",
          `ctl:ruleEngine expects On, Off or DetectionOnly, got "${value}"`,
          loc,
        );
      return { op: "ruleEngine", mode };
    }
    case "ruleremovebyid":
      return { op: "ruleRemoveById", ranges: parseIdRanges(value, loc) };
    case "ruleremovebytag":
      return { op: "ruleRemoveByTag", tag: value };
    case "ruleremovetargetbyid": {
      const [ids, target] = splitTarget(name, value, loc);
      return { op: "ruleRemoveTargetById", ranges: parseIdRanges(ids, loc), targets: targets(target, ctx) };
    }
    case "ruleremovetargetbytag": {
      const [tag, target] = splitTarget(name, value, loc);
      return { op: "ruleRemoveTargetByTag", tag, targets: targets(target, ctx) };
    }
    case "requestbodyprocessor": {
      const processor = value.toUpperCase();
      if (!BODY_PROCESSORS.has(processor)) {
        throw new WafError(
          "WAF_ACTION_PARAM",
          `ctl:requestBodyProcessor expects URLENCODED, MULTIPART, XML or JSON, got "${value}"`,
          loc,
        );
      }
      return { op: "requestBodyProcessor", processor };
    }
    case "requestbodyaccess":
      return { op: "requestBodyAccess", on: onOff(name, value, loc) };
    case "forcerequestbodyvariable":
      return { op: "forceRequestBodyVariable", on: onOff(name, value, loc) };
    case "auditengine":
      return { op: "auditEngine", value };
    case "auditlogparts":
      return { op: "auditLogParts", value };
    case "debugloglevel":
      // Rampart has no debug log (see SecDebugLog in directives.ts); accepted and ignored.
      return undefined;
    default:
      throw new WafError("WAF_ACTION_PARAM", `unknown ctl option "${name}"`, loc);
  }
}

export const ctlActions: ActionDefinition[] = [
  {
    name: "ctl",
    allowedInChain: true,
    apply: (r: Rule, a, ctx) => {
      const op = parseCtl(requireParam(a, ctx.loc), ctx);
      if (op !== undefined) r.actions.push({ name: "ctl", run: (tx, rule) => tx.applyCtl(op, rule) });
    },
  },
];
