/**
 * limits-not-loosened: from one version to the next, a rate limit's rate or burst may grow by at
 * most the `max_loosen_factor` setting, a rate limit of a kept route may not disappear, and an
 * upstream's concurrency ceiling may not grow by more than the factor or disappear. Big jumps are
 * how a typo (500/s for 50/s) or a "temporary" change turns protection off; an admin can still
 * override with a reason.
 */
import { concurrencyCeiling, named, perSecond } from "./facts.js";
import { registerPolicy } from "./registry.js";
import type { PolicyFinding } from "./types.js";

function grew(before: number, after: number, factor: number): boolean {
  // A zero burst grows "by a factor" from 1: going from 0 to 2 is doubling, not infinite.
  return after > Math.max(before, 1) * factor;
}

export const limitsNotLoosened = registerPolicy({
  name: "limits-not-loosened",
  description: "rate and concurrency limits do not jump up or vanish",
  severity: "error",
  overridable: true,
  hint: "raise limits in smaller steps (one version per step), or override with a reason",
  check(next, ctx) {
    const prev = ctx.previous;
    if (prev === undefined) return [];
    const factor = Math.max(1, ctx.settings.maxLoosenFactor);
    const out: PolicyFinding[] = [];
    const nextRoutes = new Map(next.routes.map((r) => [r.name, r]));
    for (const before of prev.routes) {
      const after = nextRoutes.get(before.name);
      if (after === undefined) continue; // a removed route is shown by the plan; its traffic goes elsewhere
      const afterLimits = new Map(after.rateLimits.map((l) => [l.name, l]));
      for (const b of before.rateLimits) {
        const path = `${named("routes", before.name)}.${named("rateLimits", b.name)}`;
        const a = afterLimits.get(b.name);
        if (a === undefined) {
          out.push({ path, message: `rate limit ${b.name} (${b.rate}) of route ${before.name} is removed` });
          continue;
        }
        const rb = perSecond(b.rate);
        const ra = perSecond(a.rate);
        if (ra > rb * factor) {
          out.push({
            path: `${path}.rate`,
            message: `rate goes from ${b.rate} to ${a.rate} (x${round(ra / rb)}, more than x${factor})`,
          });
        }
        if (grew(b.burst, a.burst, factor)) {
          out.push({
            path: `${path}.burst`,
            message: `burst goes from ${b.burst} to ${a.burst} (more than x${factor})`,
          });
        }
      }
    }
    for (const [name, before] of Object.entries(prev.upstreams)) {
      const after = next.upstreams[name];
      const cb = concurrencyCeiling(before);
      if (after === undefined || cb === undefined) continue;
      const ca = concurrencyCeiling(after);
      const path = `upstreams.${name}.concurrency`;
      if (ca === undefined) {
        out.push({ path, message: `the concurrency limit of upstream ${name} (${cb}) is removed` });
      } else if (grew(cb, ca, factor)) {
        out.push({
          path: `${path}.${after.concurrency?.limit !== undefined ? "limit" : "adaptive.max"}`,
          message: `concurrency of upstream ${name} goes from ${cb} to ${ca} (more than x${factor})`,
        });
      }
    }
    return out;
  },
});

function round(x: number): string {
  return Number.isFinite(x) ? String(Math.round(x * 10) / 10) : "?";
}
