import { describe, expect, it } from "vitest";
import {
  builtinPolicies,
  evaluatePolicies,
  isLoopbackHost,
  type PolicyContext,
} from "../../../src/config/policies/index.js";
import type { RampartConfig } from "../../../src/config/schema.js";
import { config, ctx } from "./helpers.js";

/** [policy, path, message] of failing verdicts. */
function failures(next: RampartConfig, c: PolicyContext = ctx()) {
  return evaluatePolicies(next, c)
    .filter((v) => !v.ok)
    .map((v) => [v.policy, v.path, v.overridable] as const);
}

describe("built-in policies", () => {
  it("are registered once each, in a stable order", () => {
    expect(builtinPolicies().map((p) => p.name)).toEqual([
      "waf-not-off",
      "critical-modules-on",
      "waf-blocking-in-production",
      "admin-loopback",
      "public-routes-rate-limited",
      "limits-not-loosened",
    ]);
  });

  it("pass on the default config, with one ok verdict per policy", () => {
    const verdicts = evaluatePolicies(config(), ctx({ gatewayTags: ["production"] }));
    expect(verdicts.every((v) => v.ok)).toBe(true);
    expect(verdicts.map((v) => v.policy)).toEqual(builtinPolicies().map((p) => p.name));
  });

  type Row = [
    string,
    (c: RampartConfig) => void,
    Partial<PolicyContext>,
    (readonly [string, string, boolean])[],
  ];
  const rows: Row[] = [
    [
      "sqli off",
      (c) => void (c.waf.modules.sqli = "off"),
      {},
      [["critical-modules-on", "waf.modules.sqli", true]],
    ],
    [
      "two critical modules off, one not named before",
      (c) => {
        c.waf.modules.xss = "off";
        c.waf.modules.rce = "off";
      },
      {},
      [
        ["critical-modules-on", "waf.modules.rce", true],
        ["critical-modules-on", "waf.modules.xss", true],
      ],
    ],
    ["a non-critical module off", (c) => void (c.waf.modules.java = "off"), {}, []],
    [
      "critical list from settings",
      (c) => void (c.waf.modules.java = "off"),
      { settings: { criticalModules: ["java"], maxLoosenFactor: 2 } },
      [["critical-modules-on", "waf.modules.java", true]],
    ],
    [
      "empty critical list",
      (c) => void (c.waf.modules.sqli = "off"),
      { settings: { criticalModules: [], maxLoosenFactor: 2 } },
      [],
    ],
    ["waf off", (c) => void (c.waf.mode = "off"), {}, [["waf-not-off", "waf.mode", false]]],
    [
      "detection-only, not production",
      (c) => void (c.waf.mode = "detection-only"),
      { gatewayTags: ["staging"] },
      [],
    ],
    [
      "detection-only in production",
      (c) => void (c.waf.mode = "detection-only"),
      { gatewayTags: ["eu", "production"] },
      [["waf-blocking-in-production", "waf.mode", true]],
    ],
    [
      "off in production fails both",
      (c) => void (c.waf.mode = "off"),
      { gatewayTags: ["production"] },
      [
        ["waf-not-off", "waf.mode", false],
        ["waf-blocking-in-production", "waf.mode", true],
      ],
    ],
    [
      "admin on all interfaces",
      (c) => void (c.gateway.admin.host = "0.0.0.0"),
      {},
      [["admin-loopback", "gateway.admin.host", true]],
    ],
    [
      "admin on a LAN address",
      (c) => void (c.gateway.admin.host = "10.0.0.5"),
      {},
      [["admin-loopback", "gateway.admin.host", true]],
    ],
    ["admin on ::1", (c) => void (c.gateway.admin.host = "::1"), {}, []],
    ["admin on localhost", (c) => void (c.gateway.admin.host = "localhost"), {}, []],
    [
      "public route without limit",
      (c) => void (c.routes[2]!.rateLimits = []),
      {},
      [["public-routes-rate-limited", "routes[name=search].rateLimits", true]],
    ],
    [
      "loopback listener: no limit needed",
      (c) => {
        c.gateway.listen.host = "127.0.0.1";
        c.routes[2]!.rateLimits = [];
      },
      {},
      [],
    ],
  ];
  it.each(rows)("%s", (_name, patch, extra, expected) => {
    expect(failures(config(patch), ctx(extra))).toEqual(expected);
  });

  it("tags may also come from gateway.tags, should the schema gain it", () => {
    const c = config((x) => void (x.waf.mode = "detection-only"));
    (c.gateway as { tags?: string[] }).tags = ["production"];
    expect(failures(c)).toEqual([["waf-blocking-in-production", "waf.mode", true]]);
  });

  it("names the module and what it protects", () => {
    const v = evaluatePolicies(
      config((c) => void (c.waf.modules.sqli = "off")),
      ctx(),
    ).find((x) => !x.ok)!;
    expect(v.message).toBe("sqli (SQL injection) is a critical module and is turned off");
    expect(v.severity).toBe("error");
    expect(v.hint).not.toBe("");
  });
});

describe("limits-not-loosened", () => {
  const previous = config();
  type Row = [string, (c: RampartConfig) => void, string[]];
  const rows: Row[] = [
    ["unchanged", () => {}, []],
    [
      "rate doubled (the factor itself is allowed)",
      (c) => void (c.routes[0]!.rateLimits[0]!.rate = "20/s"),
      [],
    ],
    ["same rate in other units", (c) => void (c.routes[0]!.rateLimits[0]!.rate = "600/min"), []],
    [
      "rate x10",
      (c) => void (c.routes[0]!.rateLimits[0]!.rate = "100/s"),
      ["routes[name=checkout].rateLimits[name=per-ip].rate"],
    ],
    [
      "rate x3 in other units",
      (c) => void (c.routes[0]!.rateLimits[0]!.rate = "1800/min"),
      ["routes[name=checkout].rateLimits[name=per-ip].rate"],
    ],
    ["rate lowered", (c) => void (c.routes[0]!.rateLimits[0]!.rate = "1/s"), []],
    [
      "burst x5",
      (c) => void (c.routes[0]!.rateLimits[0]!.burst = 100),
      ["routes[name=checkout].rateLimits[name=per-ip].burst"],
    ],
    [
      "rate limit removed",
      (c) => void (c.routes[1]!.rateLimits = []),
      ["routes[name=cart].rateLimits[name=per-ip]"],
    ],
    [
      "rate limit renamed (the old one is gone)",
      (c) => void (c.routes[1]!.rateLimits[0]!.name = "per-client"),
      ["routes[name=cart].rateLimits[name=per-ip]"],
    ],
    ["route removed (shown by the plan, not here)", (c) => void c.routes.splice(2, 1), []],
    ["concurrency x2", (c) => void (c.upstreams.shop!.concurrency = { limit: 200 }), []],
    [
      "concurrency x3",
      (c) => void (c.upstreams.shop!.concurrency = { limit: 300 }),
      ["upstreams.shop.concurrency.limit"],
    ],
    [
      "concurrency to adaptive with a high max",
      (c) => void (c.upstreams.shop!.concurrency = { adaptive: { min: 10, max: 1000 } }),
      ["upstreams.shop.concurrency.adaptive.max"],
    ],
    ["concurrency removed", (c) => void delete c.upstreams.shop!.concurrency, ["upstreams.shop.concurrency"]],
  ];
  it.each(rows)("%s", (_name, patch, paths) => {
    const verdicts = evaluatePolicies(config(patch), ctx({ previous })).filter(
      (v) => v.policy === "limits-not-loosened" && !v.ok,
    );
    expect(verdicts.map((v) => v.path)).toEqual(paths);
    for (const v of verdicts) expect(v.overridable).toBe(true);
  });

  it("does nothing for a first version", () => {
    const next = config((c) => void (c.routes[0]!.rateLimits[0]!.rate = "1000/s"));
    expect(evaluatePolicies(next, ctx()).find((v) => v.policy === "limits-not-loosened")!.ok).toBe(true);
  });

  it("takes the factor from the settings (below 1 counts as 1)", () => {
    const next = config((c) => void (c.routes[0]!.rateLimits[0]!.rate = "15/s"));
    const at = (f: number) =>
      evaluatePolicies(next, ctx({ previous, settings: { criticalModules: [], maxLoosenFactor: f } })).find(
        (v) => v.policy === "limits-not-loosened",
      )!.ok;
    expect(at(2)).toBe(true);
    expect(at(1.2)).toBe(false);
    expect(at(0)).toBe(false);
  });
});

describe("isLoopbackHost", () => {
  const rows: [string, boolean][] = [
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::1", true],
    ["[::1]", true],
    ["0:0:0:0:0:0:0:1", true],
    ["::ffff:127.0.0.1", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["0.0.0.0", false],
    ["::", false],
    ["10.0.0.1", false],
    ["128.0.0.1", false],
    ["127.example.com", false],
    ["", false],
  ];
  it.each(rows)("%s -> %s", (host, expected) => expect(isLoopbackHost(host)).toBe(expected));
});
