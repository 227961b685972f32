/**
 * Plan / diff of a config change, like `terraform plan`: what changes between the applied config and
 * the proposed one, which of those changes weaken protection, and what the policies say. Pure: the
 * API and CLI compute and print it; `rampart apply` shows it before storing anything.
 *
 * The diff walks both configs as data. Lists of named things (routes, rate limits, policies) are
 * matched by name, so reordering routes is not shown as every route changing; `waf.modules` is
 * compared by effective state (a module not named is on), so removing `sqli: on` is no change while
 * `sqli: off` is. Security-relevant changes come first: loosened, then undirected, then tightened.
 */

import { failingErrors } from "./policies/evaluate.js";
import {
  concurrencyCeiling,
  configView,
  effectiveModules,
  isLoopbackHost,
  perSecond,
} from "./policies/facts.js";
import { deepEqual, isRecord, joinKey } from "./policies/path.js";
import type { PolicyVerdict } from "./policies/types.js";
import type { RampartConfig } from "./schema.js";

export type ChangeKind = "added" | "removed" | "changed";
export type ChangeDirection = "loosened" | "tightened";

export interface PlanChange {
  /** `waf.modules.sqli`, `routes[name=checkout].rateLimits[name=per-ip].rate`. */
  readonly path: string;
  readonly kind: ChangeKind;
  /** Undefined when added. */
  readonly before: unknown;
  /** Undefined when removed. */
  readonly after: unknown;
  readonly security: boolean;
  readonly direction?: ChangeDirection;
  /** Why it matters for security, e.g. "WAF module turned off". */
  readonly reason?: string;
}

export interface Plan {
  /** True when there is no previous version: the whole config is new. */
  readonly initial: boolean;
  readonly changes: readonly PlanChange[];
  readonly verdicts: readonly PolicyVerdict[];
  /** Failing errors: the version is refused unless each is overridden. */
  readonly blocking: readonly PolicyVerdict[];
  readonly summary: {
    readonly added: number;
    readonly removed: number;
    readonly changed: number;
    readonly security: number;
    readonly loosened: number;
  };
}

type Raw = { path: string; kind: ChangeKind; before: unknown; after: unknown };

/** Lists whose elements all have a distinct string `name` are diffed by name. */
function namesOf(list: readonly unknown[]): string[] | undefined {
  const names: string[] = [];
  for (const el of list) {
    const name = isRecord(el) ? el.name : undefined;
    if (typeof name !== "string" || names.includes(name) || /[\]"[]/.test(name)) return undefined;
    names.push(name);
  }
  return names;
}

function diff(path: string, before: unknown, after: unknown, out: Raw[]): void {
  if (before === undefined && after === undefined) return;
  if (before === undefined) {
    out.push({ path, kind: "added", before, after });
    return;
  }
  if (after === undefined) {
    out.push({ path, kind: "removed", before, after });
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = [...Object.keys(before), ...Object.keys(after).filter((k) => !Object.hasOwn(before, k))];
    for (const k of keys) diff(joinKey(path, k), before[k], after[k], out);
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const nb = namesOf(before);
    const na = namesOf(after);
    if (nb !== undefined && na !== undefined && (nb.length > 0 || na.length > 0)) {
      for (const name of [...nb, ...na.filter((n) => !nb.includes(n))]) {
        const b = before[nb.indexOf(name)];
        const a = after[na.indexOf(name)];
        diff(
          `${path}[name=${name}]`,
          nb.includes(name) ? b : undefined,
          na.includes(name) ? a : undefined,
          out,
        );
      }
      return;
    }
  }
  if (!deepEqual(before, after)) out.push({ path, kind: "changed", before, after });
}

type Verdict = Pick<PlanChange, "security" | "direction" | "reason">;
const sec = (reason: string, direction?: ChangeDirection): Verdict =>
  direction === undefined ? { security: true, reason } : { security: true, direction, reason };
const plain: Verdict = { security: false };

/** Higher is stricter: a numeric setting where more means safer (or less, with `moreIsLooser`). */
function numeric(
  c: Raw,
  what: string,
  moreIsLooser: boolean,
  scale: (v: unknown) => number = Number,
): Verdict {
  if (c.kind !== "changed") return sec(`${what} ${c.kind}`);
  const b = scale(c.before);
  const a = scale(c.after);
  if (!Number.isFinite(a) || !Number.isFinite(b) || a === b) return sec(`${what} changed`);
  const up = a > b;
  const factor = b > 0 && a > 0 ? ` x${Math.round((Math.max(a, b) / Math.min(a, b)) * 10) / 10}` : "";
  return up === moreIsLooser
    ? sec(`${what} loosened${moreIsLooser ? factor : ""}`, "loosened")
    : sec(`${what} tightened${moreIsLooser ? factor : ""}`, "tightened");
}

function listGrowth(c: Raw, what: string, looserWhenAdded: boolean): Verdict {
  const b = Array.isArray(c.before) ? c.before : [];
  const a = Array.isArray(c.after) ? c.after : [];
  const added = a.some((x) => !b.some((y) => deepEqual(x, y)));
  const removed = b.some((x) => !a.some((y) => deepEqual(x, y)));
  if (added === looserWhenAdded && (added || removed)) return sec(`${what} widened`, "loosened");
  if (added || removed) return sec(`${what} narrowed`, "tightened");
  return sec(`${what} changed`);
}

const MODE_RANK: Record<string, number> = { off: 0, "detection-only": 1, blocking: 2 };

type Rule = [
  RegExp,
  (c: Raw, m: RegExpExecArray, next: RampartConfig, prev: RampartConfig | undefined) => Verdict,
];

/** Which paths are security-relevant and which way a change goes. */
const RULES: readonly Rule[] = [
  [/^waf\.mode$/, (c) => numeric(c, "WAF mode", false, (v) => MODE_RANK[String(v)] ?? Number.NaN)],
  [
    /^waf\.modules\.(.+)$/,
    (c) =>
      c.after === "off"
        ? sec("WAF module turned off", "loosened")
        : c.after === "on"
          ? sec("WAF module turned on", "tightened")
          : sec("WAF module changed"),
  ],
  [/^waf\.paranoia$/, (c) => numeric(c, "paranoia level", false)],
  [/^waf\.anomalyThreshold\.(inbound|outbound)$/, (c) => numeric(c, "anomaly threshold", true)],
  [/^waf\.crs$/, () => sec("WAF rule set changed")],
  [/^waf$/, (c) => sec(`WAF section ${c.kind}`)],
  [
    /^routes\[name=[^\]]+\]\.rateLimits\[name=[^\]]+\]$/,
    (c) =>
      c.kind === "removed"
        ? sec("rate limit removed", "loosened")
        : c.kind === "added"
          ? sec("rate limit added", "tightened")
          : sec("rate limit changed"),
  ],
  [
    /^routes\[name=[^\]]+\]\.rateLimits\[name=[^\]]+\]\.rate$/,
    (c) => numeric(c, "rate limit", true, (v) => perSecond(String(v))),
  ],
  [/^routes\[name=[^\]]+\]\.rateLimits\[name=[^\]]+\]\.burst$/, (c) => numeric(c, "burst", true)],
  [/^routes\[name=[^\]]+\]\.rateLimits\[name=[^\]]+\]\.key$/, () => sec("rate limit key changed")],
  [
    /^routes\[name=[^\]]+\]$/,
    (c, _m, next) => {
      const limits = isRecord(c.after) ? c.after.rateLimits : undefined;
      if (
        c.kind === "added" &&
        Array.isArray(limits) &&
        limits.length === 0 &&
        !isLoopbackHost(next.gateway.listen.host)
      ) {
        return sec("public route without rate limit", "loosened");
      }
      return plain;
    },
  ],
  [
    // Compared by ceiling (the limit, or the adaptive max), so switching limit <-> adaptive reads right.
    /^upstreams\.([^.[]+)\.concurrency(\.limit|\.adaptive(\.max)?)?$/,
    (_c, m, next, prev) => {
      const before = prev?.upstreams[m[1]!];
      const after = next.upstreams[m[1]!];
      const cb = before === undefined ? undefined : concurrencyCeiling(before);
      const ca = after === undefined ? undefined : concurrencyCeiling(after);
      if (cb !== undefined && ca === undefined) return sec("concurrency limit removed", "loosened");
      if (cb === undefined && ca !== undefined) return sec("concurrency limit added", "tightened");
      if (cb !== undefined && ca !== undefined && cb !== ca) {
        return numeric({ path: "", kind: "changed", before: cb, after: ca }, "concurrency limit", true);
      }
      return sec("concurrency limit changed");
    },
  ],
  [/^upstreams\.([^.[]+)\.concurrency\.adaptive\.(min|initial)$/, () => sec("concurrency limit changed")],
  [/^upstreams\.([^.[]+)$/, (c, _m) => (c.kind === "changed" ? sec("upstream changed") : plain)],
  [
    /^gateway\.admin\.host$/,
    (c) => {
      const was = isLoopbackHost(String(c.before));
      const is = isLoopbackHost(String(c.after));
      if (was && !is) return sec("admin listener exposed", "loosened");
      if (!was && is) return sec("admin listener back on loopback", "tightened");
      return sec("admin listener moved");
    },
  ],
  [
    /^gateway\.listen\.host$/,
    (c) =>
      isLoopbackHost(String(c.before)) && !isLoopbackHost(String(c.after))
        ? sec("gateway exposed to the network", "loosened")
        : plain,
  ],
  [/^gateway\.trustedProxies$/, (c) => listGrowth(c, "trusted proxies (may set X-Forwarded-For)", true)],
  [
    /^gateway\.limits\.(maxHeaderBytes|maxUriBytes|maxBodyBytes)$/,
    (c, m) => numeric(c, `request limit ${m[1]}`, true),
  ],
  [
    /^gateway\.limits\.methods$/,
    (c) =>
      c.kind === "removed"
        ? sec("method restriction removed", "loosened")
        : c.kind === "added"
          ? sec("method restriction added", "tightened")
          : listGrowth(c, "allowed methods", true),
  ],
  [/^gateway\.accessLog$/, (c) => (c.after === "off" ? sec("access log turned off", "loosened") : plain)],
  [
    /^policies\[name=[^\]]+\]$/,
    (c) =>
      c.kind === "removed"
        ? sec("policy removed", "loosened")
        : c.kind === "added"
          ? sec("policy added", "tightened")
          : sec("policy changed"),
  ],
  [/^policies\[name=[^\]]+\]\./, () => sec("policy changed")],
  [
    /^policies$/,
    (c) => (c.kind === "removed" ? sec("policies removed", "loosened") : sec(`policies ${c.kind}`)),
  ],
];

/** The change, classified, and the index of the rule that matched (WAF rules first: they sort first). */
function classify(c: Raw, next: RampartConfig, prev: RampartConfig | undefined): [PlanChange, number] {
  for (let i = 0; i < RULES.length; i++) {
    const [re, rule] = RULES[i]!;
    const m = re.exec(c.path);
    if (m !== null) return [{ ...c, ...rule(c, m, next, prev) }, i];
  }
  return [{ ...c, security: false }, RULES.length];
}

function rank(c: PlanChange): number {
  if (!c.security) return 3;
  return c.direction === "loosened" ? 0 : c.direction === undefined ? 1 : 2;
}

export function planChange(
  previous: RampartConfig | undefined,
  next: RampartConfig,
  verdicts: readonly PolicyVerdict[],
): Plan {
  const raw: Raw[] = [];
  const after = configView(next);
  if (previous === undefined) {
    for (const [k, v] of Object.entries(after))
      if (v !== undefined) raw.push({ path: k, kind: "added", before: undefined, after: v });
  } else {
    diff("", configView(previous), after, raw);
  }
  const changes = raw
    .map((c, i) => {
      const [change, rule] =
        previous === undefined ? [{ ...c, security: false }, 0] : classify(c, next, previous);
      return { c: change, rule, i };
    })
    .sort((x, y) => rank(x.c) - rank(y.c) || x.rule - y.rule || x.i - y.i)
    .map((x) => x.c);
  const count = (k: ChangeKind) => changes.filter((c) => c.kind === k).length;
  return {
    initial: previous === undefined,
    changes,
    verdicts,
    blocking: failingErrors(verdicts),
    summary: {
      added: count("added"),
      removed: count("removed"),
      changed: count("changed"),
      security: changes.filter((c) => c.security).length,
      loosened: changes.filter((c) => c.direction === "loosened").length,
    },
  };
}

// ---- text output ----

const ANSI = {
  red: "\x1b[31m",
  green: "\x1b[32m",
  yellow: "\x1b[33m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  reset: "\x1b[0m",
};
type Paint = (style: keyof typeof ANSI, text: string) => string;

const SIMPLE = /^[A-Za-z0-9_./:@*-]+$/;
const MAX_VALUE = 60;

/** A value on one line: plain words bare, the rest as compact JSON, long ones cut. */
export function renderValue(v: unknown): string {
  if (v === undefined) return "(none)";
  const text = typeof v === "string" && SIMPLE.test(v) ? v : (JSON.stringify(v) ?? String(v));
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 3)}...` : text;
}

const SYMBOL: Record<ChangeKind, string> = { added: "+", removed: "-", changed: "~" };

function changeLine(c: PlanChange): string {
  if (c.kind === "added") return `${SYMBOL.added} ${c.path}: ${renderValue(c.after)}`;
  if (c.kind === "removed") return `${SYMBOL.removed} ${c.path}: ${renderValue(c.before)}`;
  return `${SYMBOL.changed} ${c.path}: ${renderValue(c.before)} -> ${renderValue(c.after)}`;
}

function plural(n: number, word: string): string {
  if (n === 1) return `${n} ${word}`;
  return `${n} ${word.endsWith("y") ? `${word.slice(0, -1)}ies` : `${word}s`}`;
}

/** The plan for people: changes (security first, aligned), then verdicts, then the decision. */
export function formatPlan(plan: Plan, opts: { color: boolean }): string {
  const paint: Paint = (style, text) => (opts.color ? `${ANSI[style]}${text}${ANSI.reset}` : text);
  const lines: string[] = [];
  const s = plan.summary;
  if (plan.changes.length === 0) lines.push("No changes.");
  else {
    const head = plan.initial
      ? `Plan: first version (${plural(plan.changes.length, "section")})`
      : `Plan: ${plural(plan.changes.length, "change")} (${s.added} added, ${s.changed} changed, ${s.removed} removed)`;
    const sec =
      s.security > 0
        ? `; ${s.security} security-relevant${s.loosened > 0 ? `, ${s.loosened} loosened` : ""}`
        : "";
    lines.push(paint("bold", head) + (s.loosened > 0 ? paint("red", sec) : sec), "");
    const texts = plan.changes.map(changeLine);
    const width = Math.min(Math.max(...texts.map((t) => t.length)), 72);
    plan.changes.forEach((c, i) => {
      const text = texts[i]!;
      const color =
        c.direction === "loosened"
          ? "red"
          : c.direction === "tightened"
            ? "green"
            : c.security
              ? "yellow"
              : undefined;
      const note = c.security ? `   [security: ${c.reason ?? "changed"}]` : "";
      const line = `  ${text.padEnd(width)}${note}`.trimEnd();
      lines.push(color === undefined ? line : paint(color, line));
    });
  }
  if (plan.verdicts.length > 0) {
    lines.push("", paint("bold", "Policies:"));
    const sorted = [...plan.verdicts.filter((v) => !v.ok), ...plan.verdicts.filter((v) => v.ok)];
    const nameWidth = Math.max(...sorted.map((v) => v.policy.length));
    const pathWidth = Math.max(0, ...sorted.filter((v) => !v.ok).map((v) => v.path.length));
    for (const v of sorted) {
      if (v.ok) {
        lines.push(paint("green", `  ✓ ${v.policy}`));
        continue;
      }
      const mark = v.severity === "error" ? "✗" : "!";
      const how =
        v.severity === "warning"
          ? " (warning)"
          : v.overridable
            ? ` (overridable: --override ${v.policy} --reason "...")`
            : " (not overridable)";
      const line = `  ${mark} ${v.policy.padEnd(nameWidth)}  ${v.path.padEnd(pathWidth)}  ${v.message}${how}`;
      lines.push(paint(v.severity === "error" ? "red" : "yellow", line));
    }
  }
  lines.push("");
  if (plan.blocking.length > 0) {
    const names = [...new Set(plan.blocking.map((v) => v.policy))];
    lines.push(
      paint(
        "red",
        `Refused: ${plural(names.length, "policy")} fail${names.length === 1 ? "s" : ""} (${names.join(", ")}).`,
      ),
    );
  } else if (plan.changes.length > 0) {
    lines.push(paint("green", "Policies pass: ready to apply."));
  }
  return `${lines.join("\n").replace(/\n+$/, "")}\n`;
}
