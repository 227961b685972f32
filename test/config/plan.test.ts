import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { formatPlan, type PlanChange, planChange, renderValue } from "../../src/config/plan.js";
import { DEFAULT_POLICY_SETTINGS, evaluatePolicies } from "../../src/config/policies/index.js";
import type { RampartConfig } from "../../src/config/schema.js";

const BEFORE = `
gateway:
  listen: { host: 0.0.0.0, port: 8080 }
  admin: { host: 127.0.0.1, port: 9901 }
  trustedProxies: [10.0.0.0/8]
upstreams:
  shop:
    targets: [http://10.0.1.10:3000, http://10.0.1.11:3000]
    concurrency: { limit: 100 }
routes:
  - name: checkout
    match: { pathPrefix: /checkout }
    upstream: shop
    priority: critical
    rateLimits:
      - { name: per-ip, rate: 10/s, burst: 20, key: [ip] }
  - name: search
    match: { pathPrefix: /search }
    upstream: shop
    priority: low
    rateLimits:
      - { name: per-ip, rate: 5/s, burst: 10 }
  - name: browse
    match: { pathPrefix: / }
    upstream: shop
    rateLimits:
      - { name: per-ip, rate: 50/s, burst: 100 }
waf:
  mode: blocking
  paranoia: 2
  modules: { sqli: on, xss: on, java: off }
`;

const before = parseConfig(BEFORE, "before.yaml");
/** The same file with `edits` applied as text replacements, validated like a user's file. */
function edited(...edits: [string, string][]): RampartConfig {
  let text = BEFORE;
  for (const [from, to] of edits) {
    expect(text).toContain(from);
    text = text.replace(from, to);
  }
  return parseConfig(text, "after.yaml");
}
function plan(next: RampartConfig, prev: RampartConfig | undefined = before) {
  return planChange(
    prev,
    next,
    evaluatePolicies(next, { previous: prev, settings: DEFAULT_POLICY_SETTINGS }),
  );
}
const brief = (c: PlanChange) => [c.kind, c.path, c.security, c.direction ?? null];

describe("planChange", () => {
  it("finds nothing between a config and itself, or the same config reordered and re-spelt", () => {
    expect(plan(before).changes).toEqual([]);
    const same = edited([
      "waf:\n  mode: blocking\n  paranoia: 2\n  modules: { sqli: on, xss: on, java: off }",
      "waf: { paranoia: 2, modules: { java: false, sqli: true } }",
    ]);
    expect(plan(same).changes).toEqual([]);
  });

  type Row = [string, [string, string][], (string | boolean | null)[][]];
  const rows: Row[] = [
    ["module turned off", [["sqli: on", "sqli: off"]], [["changed", "waf.modules.sqli", true, "loosened"]]],
    ["module not named is on: removing sqli: on is no change", [["sqli: on, ", ""]], []],
    ["module turned on", [["java: off", "java: on"]], [["changed", "waf.modules.java", true, "tightened"]]],
    [
      "mode weakened",
      [["mode: blocking", "mode: detection-only"]],
      [["changed", "waf.mode", true, "loosened"]],
    ],
    ["paranoia raised", [["paranoia: 2", "paranoia: 3"]], [["changed", "waf.paranoia", true, "tightened"]]],
    ["paranoia lowered", [["paranoia: 2", "paranoia: 1"]], [["changed", "waf.paranoia", true, "loosened"]]],
    [
      "anomaly threshold raised",
      [["paranoia: 2", "paranoia: 2\n  anomalyThreshold: { inbound: 10 }"]],
      [["changed", "waf.anomalyThreshold.inbound", true, "loosened"]],
    ],
    [
      "crs source changed",
      [["paranoia: 2", "paranoia: 2\n  crs: /opt/crs"]],
      [["changed", "waf.crs", true, null]],
    ],
    [
      "rate loosened",
      [["rate: 10/s", "rate: 100/s"]],
      [["changed", "routes[name=checkout].rateLimits[name=per-ip].rate", true, "loosened"]],
    ],
    [
      "rate same in other units",
      [["rate: 10/s", "rate: 600/min"]],
      [["changed", "routes[name=checkout].rateLimits[name=per-ip].rate", true, null]],
    ],
    [
      "burst tightened",
      [["burst: 20", "burst: 5"]],
      [["changed", "routes[name=checkout].rateLimits[name=per-ip].burst", true, "tightened"]],
    ],
    [
      "rate limit removed",
      [["    rateLimits:\n      - { name: per-ip, rate: 5/s, burst: 10 }\n", ""]],
      [["removed", "routes[name=search].rateLimits[name=per-ip]", true, "loosened"]],
    ],
    [
      "rate limit key changed",
      [["key: [ip]", "key: [ip, header:x-api-key]"]],
      [["changed", "routes[name=checkout].rateLimits[name=per-ip].key", true, null]],
    ],
    [
      "admin exposed",
      [["host: 127.0.0.1", "host: 0.0.0.0"]],
      [["changed", "gateway.admin.host", true, "loosened"]],
    ],
    [
      "more trusted proxies",
      [["[10.0.0.0/8]", "[10.0.0.0/8, 0.0.0.0/0]"]],
      [["changed", "gateway.trustedProxies", true, "loosened"]],
    ],
    [
      "fewer trusted proxies",
      [["[10.0.0.0/8]", "[10.0.0.0/16]"]],
      [["changed", "gateway.trustedProxies", true, "loosened"]],
    ],
    [
      "concurrency raised",
      [["limit: 100", "limit: 1000"]],
      [["changed", "upstreams.shop.concurrency.limit", true, "loosened"]],
    ],
    [
      "concurrency removed",
      [["    concurrency: { limit: 100 }\n", ""]],
      [["removed", "upstreams.shop.concurrency", true, "loosened"]],
    ],
    [
      "a target added (not security)",
      [["http://10.0.1.11:3000]", "http://10.0.1.11:3000, http://10.0.1.12:3000]"]],
      [["changed", "upstreams.shop.targets", false, null]],
    ],
    [
      "port changed (not security)",
      [["port: 8080", "port: 8081"]],
      [["changed", "gateway.listen.port", false, null]],
    ],
    [
      "access log off",
      [["trustedProxies", "accessLog: off\n  trustedProxies"]],
      [["changed", "gateway.accessLog", true, "loosened"]],
    ],
  ];
  it.each(rows)("%s", (_name, edits, expected) => {
    expect(plan(edited(...edits)).changes.map(brief)).toEqual(expected);
  });

  it("matches routes by name: reordering is no change, a rename is a removal and an addition", () => {
    const reordered = edited(
      [
        "  - name: checkout\n    match: { pathPrefix: /checkout }\n    upstream: shop\n    priority: critical\n    rateLimits:\n      - { name: per-ip, rate: 10/s, burst: 20, key: [ip] }\n",
        "",
      ],
      [
        "  - name: browse",
        "  - name: checkout\n    match: { pathPrefix: /checkout }\n    upstream: shop\n    priority: critical\n    rateLimits:\n      - { name: per-ip, rate: 10/s, burst: 20, key: [ip] }\n  - name: browse",
      ],
    );
    expect(reordered.routes.map((r) => r.name)).toEqual(["search", "checkout", "browse"]);
    expect(plan(reordered).changes).toEqual([]);
    const renamed = edited(["name: search", "name: find"]);
    expect(plan(renamed).changes.map(brief)).toEqual([
      ["removed", "routes[name=search]", false, null],
      ["added", "routes[name=find]", false, null],
    ]);
  });

  it("flags a new public route without rate limit", () => {
    const next = edited(["waf:", "  - { name: api, match: { pathPrefix: /api }, upstream: shop }\nwaf:"]);
    expect(plan(next).changes.map(brief)).toEqual([["added", "routes[name=api]", true, "loosened"]]);
  });

  it("sorts security first (loosened, undirected, tightened), WAF before limits before admin, then the rest", () => {
    const next = edited(
      ["port: 8080", "port: 8081"],
      ["host: 127.0.0.1", "host: 0.0.0.0"],
      ["rate: 10/s", "rate: 100/s"],
      ["paranoia: 2", "paranoia: 3\n  crs: /opt/crs"],
      ["sqli: on", "sqli: off"],
    );
    const p = plan(next);
    expect(p.changes.map((c) => c.path)).toEqual([
      "waf.modules.sqli",
      "routes[name=checkout].rateLimits[name=per-ip].rate",
      "gateway.admin.host",
      "waf.crs",
      "waf.paranoia",
      "gateway.listen.port",
    ]);
    expect(p.summary).toEqual({ added: 0, removed: 0, changed: 6, security: 5, loosened: 3 });
    expect(p.blocking.map((v) => v.policy)).toEqual([
      "critical-modules-on",
      "admin-loopback",
      "limits-not-loosened",
    ]);
  });

  it("a first version lists its sections as added, none flagged", () => {
    const p = planChange(undefined, before, []);
    expect(p.initial).toBe(true);
    expect(p.changes.map(brief)).toEqual([
      ["added", "gateway", false, null],
      ["added", "upstreams", false, null],
      ["added", "routes", false, null],
      ["added", "waf", false, null],
      ["added", "alerts", false, null],
      ["added", "incidents", false, null],
    ]);
  });

  it("shows policies added and removed (user policies are guardrails too)", () => {
    const withPolicies = (list: unknown[]) => {
      const c = structuredClone(before) as RampartConfig & { policies?: unknown };
      c.policies = list;
      return c;
    };
    const p1 = { name: "p1", require: { path: "waf.paranoia", op: ">=", value: 2 } };
    const p2 = { name: "p2", require: { path: "waf.mode", op: "equals", value: "blocking" } };
    const changes = planChange(withPolicies([p1, p2]), withPolicies([p1]), []).changes.map(brief);
    expect(changes).toEqual([["removed", "policies[name=p2]", true, "loosened"]]);
  });
});

describe("formatPlan", () => {
  it("prints the postmortem's change the way an operator reads it", () => {
    const text = formatPlan(plan(edited(["sqli: on", "sqli: off"])), { color: false });
    expect(text).toBe(
      [
        "Plan: 1 change (0 added, 1 changed, 0 removed); 1 security-relevant, 1 loosened",
        "",
        "  ~ waf.modules.sqli: on -> off   [security: WAF module turned off]",
        "",
        "Policies:",
        '  ✗ critical-modules-on         waf.modules.sqli  sqli (SQL injection) is a critical module and is turned off (overridable: --override critical-modules-on --reason "...")',
        "  ✓ waf-not-off",
        "  ✓ waf-blocking-in-production",
        "  ✓ admin-loopback",
        "  ✓ public-routes-rate-limited",
        "  ✓ limits-not-loosened",
        "",
        "Refused: 1 policy fails (critical-modules-on).",
        "",
      ].join("\n"),
    );
  });

  it("aligns the security notes and says when it is ready", () => {
    const text = formatPlan(plan(edited(["paranoia: 2", "paranoia: 3"], ["port: 8080", "port: 8081"])), {
      color: false,
    });
    const lines = text.split("\n");
    expect(lines).toContain(
      `  ~ waf.paranoia: 2 -> 3${" ".repeat(13)}   [security: paranoia level tightened]`,
    );
    expect(lines).toContain("  ~ gateway.listen.port: 8080 -> 8081");
    expect(text.endsWith("Policies pass: ready to apply.\n")).toBe(true);
  });

  it("marks non-overridable failures and warnings", () => {
    const next = edited(["mode: blocking", "mode: off"]);
    const p = planChange(before, next, [
      ...evaluatePolicies(next, { previous: before, settings: DEFAULT_POLICY_SETTINGS }),
      {
        policy: "mine",
        ok: false,
        severity: "warning",
        path: "waf",
        message: "hm",
        overridable: true,
        hint: "",
      },
    ]);
    const text = formatPlan(p, { color: false });
    expect(text).toMatch(/✗ waf-not-off +waf\.mode +the WAF is switched off \(not overridable\)/);
    expect(text).toMatch(/! mine +waf +hm \(warning\)/);
    expect(text).toContain("Refused: 1 policy fails (waf-not-off).");
  });

  it("colours only when asked", () => {
    const p = plan(edited(["sqli: on", "sqli: off"]));
    expect(formatPlan(p, { color: false })).not.toContain("\x1b[");
    const coloured = formatPlan(p, { color: true });
    expect(coloured).toContain("\x1b[31m  ~ waf.modules.sqli: on -> off");
    expect(coloured.replace(/\x1b\[\d+m/g, "")).toBe(formatPlan(p, { color: false }));
  });

  it("says so when nothing changes", () => {
    expect(formatPlan(planChange(before, before, []), { color: false })).toBe("No changes.\n");
  });

  const values: [unknown, string][] = [
    [undefined, "(none)"],
    ["on", "on"],
    ["10/s", "10/s"],
    ["two words", '"two words"'],
    ["", '""'],
    [5, "5"],
    [null, "null"],
    [["ip"], '["ip"]'],
    ["x".repeat(100), `${"x".repeat(57)}...`],
    ["line\nbreak\u0000", '"line\\nbreak\\u0000"'],
  ];
  it.each(values)("renders %j as %s", (v, text) => expect(renderValue(v)).toBe(text));
});
