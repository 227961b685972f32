/**
 * waf-blocking-in-production: gateways tagged `production` block attacks, not just log them.
 * The config schema has no tags; they come from the caller (the rollout part knows which
 * gateways a version goes to), or from `gateway.tags` should the schema gain that key.
 */
import type { RampartConfig } from "../schema.js";
import { registerPolicy } from "./registry.js";
import type { PolicyContext } from "./types.js";

export const PRODUCTION_TAG = "production";

function tagsOf(next: RampartConfig, ctx: PolicyContext): readonly string[] {
  const inConfig = (next.gateway as { tags?: unknown }).tags;
  const own = Array.isArray(inConfig) ? inConfig.filter((t): t is string => typeof t === "string") : [];
  return [...own, ...(ctx.gatewayTags ?? [])];
}

export const wafBlockingInProduction = registerPolicy({
  name: "waf-blocking-in-production",
  description: "production gateways run the WAF in blocking mode",
  severity: "error",
  overridable: true,
  hint: "set waf.mode: blocking, or tune false positives in staging first",
  check(next, ctx) {
    if (next.waf.mode === "blocking" || !tagsOf(next, ctx).includes(PRODUCTION_TAG)) return [];
    return [{ path: "waf.mode", message: `the WAF is in ${next.waf.mode} mode on a production gateway` }];
  },
});
