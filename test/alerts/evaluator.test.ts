/**
 * The evaluator's lifecycle on exact timelines (a controlled clock, one evaluation per second):
 * pending -> firing after `for`, pending dropped, firing -> resolved, re-firing as a new alert,
 * per-series alerts, anomaly rules with one detector per series, signals, and restarts.
 */
import { describe, expect, it } from "vitest";
import { RuleEvaluator, type SeriesSample } from "../../src/alerts/evaluator.js";
import { fingerprint } from "../../src/alerts/fingerprint.js";
import { compileAlerts } from "../../src/alerts/rules.js";
import { alertsSchema } from "../../src/alerts/schema.js";

const T0 = Date.parse("2026-11-25T02:00:00Z");
const at = (s: number): number => T0 + s * 1000;

function policy(rules: unknown[], builtins: unknown = "off") {
  return compileAlerts(alertsSchema.parse({ rules, builtins }));
}

const ratio = (route: string, value: number): SeriesSample => ({
  name: "error_ratio",
  labels: { route },
  value,
});

describe("threshold rules", () => {
  const rules = policy([
    { name: "errors", expr: "error_ratio > 0.05", for: "3s", severity: "critical" },
  ]).rules;

  it("pending for 3 s, then firing; resolved when the condition stops", () => {
    const ev = new RuleEvaluator(rules);
    const log: string[] = [];
    const values = [0.01, 0.1, 0.1, 0.1, 0.1, 0.2, 0.01, 0.01];
    values.forEach((v, s) => {
      for (const tr of ev.evaluate(at(s), [ratio("checkout", v)])) log.push(`${s}: ${tr.from}->${tr.to}`);
    });
    expect(log).toEqual(["1: inactive->pending", "4: pending->firing", "6: firing->resolved"]);
    const [a] = ev.alerts();
    expect(a).toMatchObject({
      rule: "errors",
      state: "resolved",
      severity: "critical",
      labels: { alertname: "errors", severity: "critical", route: "checkout" },
      activeAt: new Date(at(1)).toISOString(),
      firedAt: new Date(at(4)).toISOString(),
      resolvedAt: new Date(at(6)).toISOString(),
      value: 0.2,
      fingerprint: fingerprint({ alertname: "errors", severity: "critical", route: "checkout" }),
    });
  });

  it("a pending alert whose condition stops is dropped, never fired", () => {
    const ev = new RuleEvaluator(rules);
    const out = [0.1, 0.1, 0.0].map((v, s) =>
      ev.evaluate(at(s), [ratio("checkout", v)]).map((t) => `${t.from}->${t.to}`),
    );
    expect(out).toEqual([["inactive->pending"], [], ["pending->inactive"]]);
    expect(ev.alerts()).toEqual([]);
  });

  it("each route is its own alert; a firing again after resolving is a new alert", () => {
    const ev = new RuleEvaluator(policy([{ name: "errors", expr: "error_ratio > 0.05" }]).rules);
    ev.evaluate(at(0), [ratio("checkout", 0.1), ratio("browse", 0.1), ratio("search", 0.0)]);
    expect(
      ev
        .alerts()
        .map((a) => `${a.labels.route}:${a.state}`)
        .sort(),
    ).toEqual(["browse:firing", "checkout:firing"]);
    ev.evaluate(at(1), [ratio("checkout", 0.0), ratio("browse", 0.1)]);
    const again = ev.evaluate(at(2), [ratio("checkout", 0.3), ratio("browse", 0.1)]);
    expect(again.map((t) => `${t.alert.labels.route}:${t.from}->${t.to}`)).toEqual([
      "checkout:inactive->firing",
    ]);
    const checkout = ev.alerts().find((a) => a.labels.route === "checkout")!;
    expect(checkout.activeAt).toBe(new Date(at(2)).toISOString());
    expect(checkout.resolvedAt).toBeUndefined();
  });

  it("resolved alerts are kept for the retention, then forgotten", () => {
    const ev = new RuleEvaluator(policy([{ name: "errors", expr: "error_ratio > 0.05" }]).rules, {
      resolvedRetentionMs: 5000,
    });
    ev.evaluate(at(0), [ratio("checkout", 0.1)]);
    ev.evaluate(at(1), [ratio("checkout", 0)]);
    ev.evaluate(at(5), [ratio("checkout", 0)]);
    expect(ev.alerts().map((a) => a.state)).toEqual(["resolved"]);
    ev.evaluate(at(6), [ratio("checkout", 0)]);
    expect(ev.alerts()).toEqual([]);
  });

  it("label matchers and sums pick and join series by identical label sets", () => {
    const ev = new RuleEvaluator(
      policy([
        { name: "storm", expr: 'rate_limited{route="api"} + shed > 10', summary: "{{route}} at {{value}}/s" },
      ]).rules,
    );
    const tr = ev.evaluate(at(0), [
      { name: "rate_limited", labels: { route: "api" }, value: 6 },
      { name: "shed", labels: { route: "api" }, value: 5 },
      { name: "rate_limited", labels: { route: "web" }, value: 60 },
      { name: "shed", labels: { route: "web" }, value: 60 },
      { name: "rate_limited", labels: {}, value: 66 },
    ]);
    expect(tr.map((t) => [t.alert.labels.route, t.alert.value, t.alert.summary])).toEqual([
      ["api", 11, "api at 11/s"],
    ]);
  });

  it("a series that stops reporting resolves its alert (no data is no condition)", () => {
    const ev = new RuleEvaluator(policy([{ name: "errors", expr: "error_ratio > 0.05" }]).rules);
    ev.evaluate(at(0), [ratio("checkout", 0.1)]);
    expect(ev.evaluate(at(1), []).map((t) => t.to)).toEqual(["resolved"]);
  });
});

describe("anomaly rules", () => {
  it("one detector per series: a drop on one route fires there only, within seconds", () => {
    const ev = new RuleEvaluator(
      policy([{ name: "drop", expr: "anomaly(requests, drop) > 0.9", for: "2s" }]).rules,
    );
    const fired: string[] = [];
    for (let s = 0; s < 400; s++) {
      // Steady traffic with a little noise; checkout falls to zero at second 300.
      const noise = ((s * 7919) % 11) - 5;
      const checkout = s < 300 ? 200 + noise : 0;
      for (const tr of ev.evaluate(at(s), [
        { name: "requests", labels: { route: "checkout" }, value: checkout },
        { name: "requests", labels: { route: "browse" }, value: 500 + noise },
      ])) {
        if (tr.to === "firing") fired.push(`${s}:${tr.alert.labels.route}`);
      }
    }
    expect(fired).toHaveLength(1);
    const [second, route] = fired[0]!.split(":");
    expect(route).toBe("checkout");
    expect(Number(second)).toBeGreaterThanOrEqual(302);
    expect(Number(second)).toBeLessThanOrEqual(306);
    const alert = ev.alerts().find((a) => a.state === "firing")!;
    expect(alert.score).toBeGreaterThan(0.9);
    expect(alert.value).toBe(0);
    // The detector got used to zero long ago; the alert holds until traffic is back half way.
    const resolved: string[] = [];
    for (const [s, v] of [
      [400, 0],
      [401, 60],
      [402, 99],
      [403, 150],
      [404, 200],
    ] as const) {
      for (const tr of ev.evaluate(at(s), [
        { name: "requests", labels: { route: "checkout" }, value: v },
        { name: "requests", labels: { route: "browse" }, value: 500 },
      ])) {
        resolved.push(`${s}:${tr.alert.labels.route}:${tr.to}`);
      }
    }
    expect(resolved).toEqual(["403:checkout:resolved"]);
  });
});

describe("anomaly episodes", () => {
  it("traffic back above its old level ends a drop (it does not become a rise)", () => {
    const ev = new RuleEvaluator(policy([{ name: "drop", expr: "anomaly(requests, drop) > 0.8" }]).rules);
    const log: string[] = [];
    const step = (s: number, value: number) => {
      for (const tr of ev.evaluate(at(s), [{ name: "requests", labels: {}, value }]))
        log.push(`${s}:${tr.to}`);
    };
    for (let s = 0; s < 300; s++) step(s, 200 + ((s * 7919) % 11) - 5);
    for (let s = 300; s < 310; s++) step(s, 0);
    // 450 is further from the old level (about 200) than 0 was: still "back".
    step(310, 450);
    expect(log).toEqual(["300:firing", "310:resolved"]);
  });
});

describe("signals and restarts", () => {
  const rules = policy([], "on").rules;

  it("config drift fires at once from an open drift signal and resolves when it closes", () => {
    const ev = new RuleEvaluator(rules);
    const signal = {
      signal: "drift" as const,
      labels: { gateway: "edge-1", code: "module_off" },
      reason: "sqli off",
    };
    const first = ev.evaluate(at(0), [], [signal]);
    expect(first.map((t) => [t.alert.rule, t.to, t.alert.summary])).toEqual([
      ["config-drift", "firing", "gateway edge-1 drifts from its assigned config: sqli off"],
    ]);
    expect(first[0]!.alert.runbook).toBe("config-drift");
    expect(ev.evaluate(at(1), [], []).map((t) => t.to)).toEqual(["resolved"]);
  });

  it("a restored firing alert is kept through the grace period, and resolves after it without evidence", () => {
    const before = new RuleEvaluator(rules);
    before.evaluate(
      at(0),
      [],
      [{ signal: "gateway-silent", labels: { gateway: "edge-1" }, reason: "no attestation" }],
    );
    const restored = before.alerts();
    const after = new RuleEvaluator(rules, { restored, graceUntilMs: at(30) });
    expect(after.evaluate(at(10), [], [])).toEqual([]);
    expect(after.alerts().map((a) => a.state)).toEqual(["firing"]);
    // Evidence back: the same alert continues (same activeAt), nothing transitions.
    expect(
      after.evaluate(at(20), [], [{ signal: "gateway-silent", labels: { gateway: "edge-1" }, reason: "x" }]),
    ).toEqual([]);
    expect(after.alerts()[0]!.activeAt).toBe(restored[0]!.activeAt);
    // Once confirmed, grace no longer holds it: it resolves when the evidence goes.
    expect(after.evaluate(at(21), [], []).map((t) => t.to)).toEqual(["resolved"]);
  });

  it("a rule removed by a new config ends its alerts; an unchanged rule keeps them", () => {
    const ev = new RuleEvaluator(
      policy([
        { name: "a", expr: "requests > 1" },
        { name: "b", expr: "requests > 1" },
      ]).rules,
    );
    ev.evaluate(at(0), [{ name: "requests", labels: {}, value: 5 }]);
    ev.setRules(policy([{ name: "a", expr: "requests > 1" }]).rules);
    const tr = ev.evaluate(at(1), [{ name: "requests", labels: {}, value: 5 }]);
    expect(tr.map((t) => `${t.alert.rule}:${t.to}`)).toEqual(["b:resolved"]);
    expect(ev.alerts().find((a) => a.rule === "a")!.activeAt).toBe(new Date(at(0)).toISOString());
  });

  it("a restored alert of a rule the config no longer has resolves at the first evaluation", () => {
    const before = new RuleEvaluator(policy([{ name: "old", expr: "requests > 1" }]).rules);
    before.evaluate(at(0), [{ name: "requests", labels: {}, value: 5 }]);
    const after = new RuleEvaluator(policy([{ name: "new", expr: "requests > 100" }]).rules, {
      restored: before.alerts(),
      graceUntilMs: at(60),
    });
    expect(after.evaluateSignals(at(1), []).map((t) => `${t.alert.rule}:${t.from}->${t.to}`)).toEqual([
      "old:firing->resolved",
    ]);
  });
});
