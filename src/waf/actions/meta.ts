/**
 * Metadata and evaluation-shaping actions: id, phase, msg, logdata, tag, severity, ver, rev,
 * maturity, accuracy, log/nolog, auditlog/noauditlog, capture, multiMatch, t, status, chain.
 * Semantics from the ModSecurity v3 reference manual ("Actions").
 */
import type { Phase } from "../engine/rule.js";
import { WafError } from "../errors.js";
import { compileMacro } from "../macro.js";
import type { ActionNode, SourceLocation } from "../types.js";
import type { ActionDefinition } from "./types.js";

export function requireParam(a: ActionNode, loc: SourceLocation): string {
  if (a.param === undefined || a.param === "") {
    throw new WafError("WAF_ACTION_PARAM", `action "${a.name}" needs a parameter`, loc);
  }
  return a.param;
}

function integer(a: ActionNode, loc: SourceLocation, min: number, max: number): number {
  const text = requireParam(a, loc).trim();
  const n = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new WafError(
      "WAF_ACTION_PARAM",
      `action "${a.name}" expects an integer ${min}–${max}, got "${text}"`,
      loc,
    );
  }
  return n;
}

const PHASE_NAMES: Record<string, Phase> = { request: 2, response: 4, logging: 5 };

/** Parses `phase:` as v3 does: 1–5 or request/response/logging. */
export function parsePhase(text: string, loc: SourceLocation): Phase {
  const named = PHASE_NAMES[text.trim().toLowerCase()];
  if (named !== undefined) return named;
  const n = /^[1-5]$/.test(text.trim()) ? (Number(text.trim()) as Phase) : undefined;
  if (n === undefined)
    throw new WafError("WAF_ACTION_PARAM", `invalid phase "${text}" (1–5, request, response, logging)`, loc);
  return n;
}

/** Severity names of the reference manual, index = number (syslog levels). */
export const SEVERITIES = [
  "EMERGENCY",
  "ALERT",
  "CRITICAL",
  "ERROR",
  "WARNING",
  "NOTICE",
  "INFO",
  "DEBUG",
] as const;

export function parseSeverity(text: string, loc: SourceLocation): number {
  const t = text.trim();
  if (/^[0-7]$/.test(t)) return Number(t);
  const i = (SEVERITIES as readonly string[]).indexOf(t.toUpperCase());
  if (i === -1) throw new WafError("WAF_ACTION_PARAM", `invalid severity "${text}"`, loc);
  return i;
}

const flag = (name: string, allowedInChain: boolean, apply: ActionDefinition["apply"]): ActionDefinition => ({
  name,
  allowedInChain,
  apply,
});

export const metaActions: ActionDefinition[] = [
  flag("id", false, (r, a, ctx) => {
    r.id = integer(a, ctx.loc, 1, Number.MAX_SAFE_INTEGER);
  }),
  flag("phase", false, (r, a, ctx) => {
    r.phase = parsePhase(requireParam(a, ctx.loc), ctx.loc);
  }),
  // msg and logdata are allowed on links: v3 and Coraza expand them for inner rules too.
  flag("msg", true, (r, a) => {
    r.msg = compileMacro(a.param ?? "");
  }),
  flag("logdata", true, (r, a) => {
    r.logdata = compileMacro(a.param ?? "");
  }),
  flag("tag", false, (r, a, ctx) => {
    r.tags.push(requireParam(a, ctx.loc));
  }),
  flag("severity", false, (r, a, ctx) => {
    r.severity = parseSeverity(requireParam(a, ctx.loc), ctx.loc);
  }),
  flag("ver", false, (r, a) => {
    r.ver = a.param ?? "";
  }),
  flag("rev", false, (r, a) => {
    r.rev = a.param ?? "";
  }),
  flag("maturity", false, (r, a, ctx) => {
    r.maturity = integer(a, ctx.loc, 0, 9);
  }),
  flag("accuracy", false, (r, a, ctx) => {
    r.accuracy = integer(a, ctx.loc, 0, 9);
  }),
  flag("log", false, (r) => {
    r.log = true;
  }),
  flag("nolog", false, (r) => {
    r.log = false;
    // v3: nolog implies noauditlog unless auditlog is given explicitly.
    if (r.auditlog === undefined) r.auditlog = false;
  }),
  flag("auditlog", false, (r) => {
    r.auditlog = true;
  }),
  flag("noauditlog", false, (r) => {
    r.auditlog = false;
  }),
  flag("capture", true, (r) => {
    r.capture = true;
  }),
  flag("multimatch", true, (r) => {
    r.multiMatch = true;
  }),
  flag("chain", true, (r) => {
    r.hasChainAction = true;
  }),
  flag("status", false, (r, a, ctx) => {
    r.status = integer(a, ctx.loc, 100, 999);
  }),
  flag("t", true, (r, a, ctx) => {
    const name = requireParam(a, ctx.loc).trim();
    if (name.toLowerCase() === "none") {
      r.transformNames = [];
      r.transforms = [];
      r.hasTNone = true;
      return;
    }
    const fn = ctx.transform(name);
    if (fn === undefined)
      throw new WafError("WAF_UNKNOWN_TRANSFORM", `unknown transformation "t:${name}"`, ctx.loc);
    r.transformNames.push(name);
    r.transforms.push(fn);
  }),
  // Accepted for compatibility; Rampart logs no request data it would have to sanitise.
  ...[
    "sanitisearg",
    "sanitisematched",
    "sanitisematchedbytes",
    "sanitiserequestheader",
    "sanitiseresponseheader",
    "xmlns",
  ].map((name) => flag(name, true, () => {})),
];
