/**
 * User policies: rules a team writes in its own config, in a small declarative language that reads
 * like a sentence and runs no code.
 *
 * ```yaml
 * policies:
 *   - name: checkout-limited
 *     message: checkout must keep a per-ip rate limit
 *     require: { path: "routes[name=checkout].rateLimits", op: nonEmpty }
 *   - name: paranoia-at-least-2
 *     require: { path: "waf.paranoia", op: ">=", value: 2 }
 *   - name: blocking-when-strict            # optional `when`: the rule applies only if it holds
 *     when: { path: "waf.paranoia", op: ">=", value: 3 }
 *     require: { path: "waf.mode", op: equals, value: blocking }
 * ```
 *
 * Paths (path.ts) select with `[name=x]`, `[*]`, `[N]`. `require` must hold for every value the
 * path selects; a key or `[name=x]` that selects nothing fails (so removing the checkout route
 * breaks "checkout-limited"), while `[*]` over an empty list holds. `waf.modules` lists every
 * module with its effective state, so `waf.modules.sqli equals on` holds when sqli is not named.
 * `>=` and `<=` compare numbers, or rates ("100/s" vs "6000/min"). `matches` takes a regular
 * expression of at most 200 characters without backreferences, lookarounds or nested repeats, and
 * with at most one repeat (two when anchored with `^`), so that no policy can make evaluation take
 * more than quadratic time in the (capped) value.
 */
import { z } from "zod";
import type { RampartConfig } from "../schema.js";
import { configView, perSecond } from "./facts.js";
import { deepEqual, isRecord, type PathStep, PathSyntaxError, parsePath, resolvePath } from "./path.js";
import type { PolicySeverity, PolicyVerdict } from "./types.js";

export const USER_POLICY_OPS = [
  "equals",
  "notEquals",
  "in",
  "notIn",
  ">=",
  "<=",
  "nonEmpty",
  "exists",
  "matches",
] as const;
export type UserPolicyOp = (typeof USER_POLICY_OPS)[number];

export const MAX_REGEX_LENGTH = 200;
/** Longest string a `matches` runs on; longer values fail the policy rather than being scanned. */
const MAX_MATCH_INPUT = 10_000;

/** A repeat that can take more than one count: `*`, `+`, `{n,}` or `{n,m}` with m > 1, at `at`. */
function repeatAt(source: string, at: number): boolean {
  const c = source[at];
  if (c === "*" || c === "+") return true;
  if (c !== "{") return false;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(at));
  if (m === null || m[2] === undefined) return false;
  return m[3] === "" || Number(m[3]) > 1;
}

/**
 * Why a regex is unsafe, or undefined. Conservative: refuses backreferences and lookarounds; a
 * repeated group that itself holds a repeat or an alternation (`(a+)+`, `(a|aa)*`, the shapes
 * behind exponential backtracking, see OWASP "ReDoS"); and more than one repeat in a pattern, or
 * more than two in one anchored with `^`, since repeats in sequence backtrack polynomially: `a*a*,`
 * took 17 s on 5,000 a's, each repeat adding a factor of the input's length.
 */
export function unsafeRegexReason(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH) return `longer than ${MAX_REGEX_LENGTH} characters`;
  try {
    new RegExp(source, "u");
  } catch (err) {
    return `not a valid regular expression: ${(err as Error).message}`;
  }
  if (/\\[1-9]|\\k</.test(source)) return "backreferences are not allowed";
  if (/\(\?<?[=!]/.test(source)) return "lookarounds are not allowed";
  // Stack of open groups: whether each holds a repeat or an alternation.
  const stack: { risky: boolean }[] = [{ risky: false }];
  let inClass = false;
  let repeats = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "(") stack.push({ risky: false });
    else if (c === "|") stack.at(-1)!.risky = true;
    else if (repeatAt(source, i)) {
      stack.at(-1)!.risky = true;
      repeats++;
    } else if (c === ")") {
      const group = stack.length > 1 ? stack.pop()! : { risky: false };
      if (group.risky && repeatAt(source, i + 1))
        return "a repeated group may not contain a repeat (+ * {n,} {n,m}) or | (nested quantifiers)";
      if (group.risky) stack.at(-1)!.risky = true;
    }
  }
  const allowed = source.startsWith("^") ? 2 : 1;
  if (repeats > allowed)
    return `at most ${allowed} repeat${allowed > 1 ? "s" : ""} (+ * {n,} {n,m}) ${allowed > 1 ? "in a pattern anchored with ^" : "unless the pattern is anchored with ^ (then 2)"}: repeats in sequence backtrack polynomially`;
  return undefined;
}

const conditionSchema = z
  .object({
    path: z.string(),
    op: z.enum(USER_POLICY_OPS),
    value: z.unknown().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    try {
      parsePath(c.path);
    } catch (err) {
      if (!(err instanceof PathSyntaxError)) throw err;
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["path"], message: `bad path: ${err.message}` });
    }
    const issue = (message: string) =>
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ["value"], message });
    switch (c.op) {
      case "equals":
      case "notEquals":
        if (c.value === undefined) issue(`${c.op} needs a value`);
        break;
      case "in":
      case "notIn":
        if (!Array.isArray(c.value) || c.value.length === 0)
          issue(`${c.op} needs a non-empty list of values`);
        break;
      case ">=":
      case "<=":
        if (
          !(typeof c.value === "number" && Number.isFinite(c.value)) &&
          !(typeof c.value === "string" && !Number.isNaN(perSecond(c.value)))
        ) {
          issue(`${c.op} needs a number or a rate such as 100/s`);
        }
        break;
      case "nonEmpty":
      case "exists":
        if (c.value !== undefined) issue(`${c.op} takes no value`);
        break;
      case "matches": {
        if (typeof c.value !== "string") issue("matches needs a regular expression (a string)");
        else {
          const why = unsafeRegexReason(c.value);
          if (why !== undefined) issue(`unsafe regular expression: ${why}`);
        }
        break;
      }
    }
  });

export const userPolicySchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be 1-64 lowercase letters, digits or '-'"),
    message: z.string().max(500).optional(),
    severity: z.enum(["error", "warning"]).default("error"),
    /** Whether an admin may apply a version that breaks it (with a reason). */
    overridable: z.boolean().default(true),
    when: conditionSchema.optional(),
    require: conditionSchema,
  })
  .strict();

/** The `policies:` list, names unique. */
export const userPoliciesSchema = z.array(userPolicySchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((p, i) => {
    if (seen.has(p.name)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [i, "name"],
        message: `duplicate policy name ${p.name}`,
      });
    }
    seen.add(p.name);
  });
});

export type UserPolicy = z.output<typeof userPolicySchema>;
export type UserPolicyInput = z.input<typeof userPolicySchema>;
export type UserPolicyCondition = UserPolicy["require"];

/** The config as user policies see it (the same view plans compare). */
export const policyView: (config: RampartConfig) => unknown = configView;

function show(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Numbers compare as numbers; two rates compare per second. */
function comparable(actual: unknown, wanted: unknown): [number, number] | undefined {
  if (typeof actual === "number" && typeof wanted === "number") return [actual, wanted];
  if (typeof actual === "string" && typeof wanted === "string") {
    const a = perSecond(actual);
    const w = perSecond(wanted);
    if (!Number.isNaN(a) && !Number.isNaN(w)) return [a, w];
  }
  return undefined;
}

/** Why `actual` fails the condition, or undefined when it holds. */
function failure(cond: UserPolicyCondition, actual: unknown, regex: RegExp | undefined): string | undefined {
  const v = cond.value;
  switch (cond.op) {
    case "equals":
      return deepEqual(actual, v) ? undefined : `is ${show(actual)}, must equal ${show(v)}`;
    case "notEquals":
      return deepEqual(actual, v) ? `must not be ${show(v)}` : undefined;
    case "in":
      return (v as unknown[]).some((x) => deepEqual(actual, x))
        ? undefined
        : `is ${show(actual)}, must be one of ${show(v)}`;
    case "notIn":
      return (v as unknown[]).some((x) => deepEqual(actual, x))
        ? `is ${show(actual)}, must not be one of ${show(v)}`
        : undefined;
    case ">=":
    case "<=": {
      const pair = comparable(actual, v);
      if (pair === undefined) return `is ${show(actual)}, not comparable with ${show(v)}`;
      const ok = cond.op === ">=" ? pair[0] >= pair[1] : pair[0] <= pair[1];
      return ok ? undefined : `is ${show(actual)}, must be ${cond.op} ${show(v)}`;
    }
    case "nonEmpty": {
      const empty =
        actual === null ||
        (typeof actual === "string" && actual.length === 0) ||
        (Array.isArray(actual) && actual.length === 0) ||
        (isRecord(actual) && Object.keys(actual).length === 0);
      return empty ? "is empty" : undefined;
    }
    case "exists":
      return actual === null ? "is not set" : undefined;
    case "matches": {
      if (typeof actual !== "string") return `is ${show(actual)}, not a string`;
      if (actual.length > MAX_MATCH_INPUT) return `is longer than ${MAX_MATCH_INPUT} characters`;
      return regex!.test(actual) ? undefined : `is ${show(actual)}, must match /${String(v)}/`;
    }
  }
}

interface CompiledCondition {
  readonly cond: UserPolicyCondition;
  readonly steps: readonly PathStep[];
  readonly regex: RegExp | undefined;
}

function compile(cond: UserPolicyCondition): CompiledCondition {
  return {
    cond,
    steps: parsePath(cond.path),
    regex: cond.op === "matches" ? new RegExp(String(cond.value), "u") : undefined,
  };
}

function failuresOf(view: unknown, c: CompiledCondition): { path: string; message: string }[] {
  const { matches, missing } = resolvePath(view, c.steps);
  const out = missing.map((path) => ({ path, message: "does not exist" }));
  for (const m of matches) {
    const why = failure(c.cond, m.value, c.regex);
    if (why !== undefined) out.push({ path: m.path, message: why });
  }
  return out;
}

/**
 * Verdicts of user policies (already validated by userPoliciesSchema): one ok verdict per policy
 * that holds, one failing verdict per value that breaks it.
 */
export function evaluateUserPolicies(
  config: RampartConfig,
  policies: readonly UserPolicy[],
): PolicyVerdict[] {
  const view = policyView(config);
  const out: PolicyVerdict[] = [];
  for (const p of policies) {
    const base = {
      policy: p.name,
      severity: p.severity as PolicySeverity,
      overridable: p.overridable,
      hint: `user policy: ${p.require.path} ${p.require.op}${p.require.value === undefined ? "" : ` ${show(p.require.value)}`}`,
    };
    const applies = p.when === undefined || failuresOf(view, compile(p.when)).length === 0;
    const found = applies ? failuresOf(view, compile(p.require)) : [];
    if (found.length === 0) {
      out.push({ ...base, ok: true, path: "", message: p.message ?? "holds" });
      continue;
    }
    for (const f of found) {
      out.push({
        ...base,
        ok: false,
        path: f.path,
        message: p.message === undefined ? `${f.path} ${f.message}` : `${p.message}: ${f.path} ${f.message}`,
      });
    }
  }
  return out;
}
