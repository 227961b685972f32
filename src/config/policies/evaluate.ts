/**
 * Runs every built-in policy, then the user's own policies, on a proposed config. Pure: the caller
 * reads the previous version and the settings from the store and passes them in.
 */
import type { RampartConfig } from "../schema.js";
import "./builtins.js";
import { builtinPolicies } from "./registry.js";
import type { PolicyContext, PolicyVerdict } from "./types.js";
import { evaluateUserPolicies, type UserPolicy, userPoliciesSchema } from "./user.js";

/** The `policies:` of a config, once the schema has that key; invalid lists become one verdict. */
function userPoliciesOf(next: RampartConfig): readonly UserPolicy[] | PolicyVerdict {
  const raw = (next as { policies?: unknown }).policies;
  if (raw === undefined) return [];
  const parsed = userPoliciesSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  return {
    policy: "policies-valid",
    ok: false,
    severity: "error",
    path: `policies${first?.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("") ?? ""}`,
    message: `the policies list is invalid: ${first?.message ?? "unknown problem"}`,
    overridable: false,
    hint: "fix the policies: list (see the user policy reference)",
  };
}

/**
 * One verdict per problem found, and one `ok` verdict for each policy that holds, built-ins first
 * (in registry order), then user policies in the order they are written.
 */
export function evaluatePolicies(next: RampartConfig, ctx: PolicyContext): PolicyVerdict[] {
  const out: PolicyVerdict[] = [];
  for (const p of builtinPolicies()) {
    const base = { policy: p.name, severity: p.severity, overridable: p.overridable };
    const found = p.check(next, ctx);
    if (found.length === 0) out.push({ ...base, ok: true, path: "", message: p.description, hint: "" });
    for (const f of found) out.push({ ...base, ok: false, path: f.path, message: f.message, hint: p.hint });
  }
  const users = ctx.userPolicies ?? userPoliciesOf(next);
  if (Array.isArray(users)) out.push(...evaluateUserPolicies(next, users));
  else out.push(users as PolicyVerdict);
  return out;
}

/** Verdicts that refuse the version unless overridden: failing errors. */
export function failingErrors(verdicts: readonly PolicyVerdict[]): PolicyVerdict[] {
  return verdicts.filter((v) => !v.ok && v.severity === "error");
}
