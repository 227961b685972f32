/** Properties of the plan and of canonical JSON over random configs and values. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/defaults.js";
import { planChange } from "../../src/config/plan.js";
import { type RampartConfig, rampartConfigSchema } from "../../src/config/schema.js";
import { canonicalJson } from "../../src/config/versions.js";

const arbConfig = fc
  .record({
    mode: fc.constantFrom("blocking", "detection-only", "off"),
    paranoia: fc.integer({ min: 1, max: 4 }),
    sqli: fc.constantFrom("on", "off"),
    rates: fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 4, maxLength: 4 }),
    adminHost: fc.constantFrom("127.0.0.1", "0.0.0.0", "::1"),
    reverse: fc.boolean(),
  })
  .map((r): RampartConfig => {
    const c = structuredClone(defaultConfig());
    c.waf.mode = r.mode as RampartConfig["waf"]["mode"];
    c.waf.paranoia = r.paranoia;
    c.waf.modules.sqli = r.sqli as "on" | "off";
    c.routes.forEach((route, i) => {
      route.rateLimits[0]!.rate = `${r.rates[i]}/s`;
    });
    c.gateway.admin.host = r.adminHost;
    if (r.reverse) c.routes.reverse();
    return rampartConfigSchema.parse(c);
  });

describe("planChange properties", () => {
  it("no changes exactly when the canonical JSON is equal up to route order", () => {
    fc.assert(
      fc.property(arbConfig, arbConfig, (a, b) => {
        const sorted = (c: RampartConfig) =>
          canonicalJson({ ...c, routes: [...c.routes].sort((x, y) => x.name.localeCompare(y.name)) });
        expect(planChange(a, b, []).changes.length === 0).toBe(sorted(a) === sorted(b));
      }),
      { numRuns: 300 },
    );
  });

  it("every loosened change has an opposite when the plan is reversed", () => {
    fc.assert(
      fc.property(arbConfig, arbConfig, (a, b) => {
        const forward = planChange(a, b, []).changes;
        const backward = planChange(b, a, []).changes;
        for (const c of forward.filter((x) => x.direction === "loosened" && x.kind === "changed")) {
          expect(backward.find((x) => x.path === c.path)?.direction).toBe("tightened");
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("canonicalJson properties", () => {
  it("is stable through a JSON round trip and ignores key order", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = canonicalJson(v);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.integer()), (d) => {
        const reversed = Object.fromEntries(Object.entries(d).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(d));
      }),
    );
  });
});
