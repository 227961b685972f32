/**
 * The alerts section of rampart.yaml: defaults when absent, rule errors refused at config load with
 * their YAML path and line, built-ins switched off whole or one by one.
 */
import { describe, expect, it } from "vitest";
import { compileAlerts } from "../../src/alerts/rules.js";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import { V1 } from "../api/harness.js";

function issues(yaml: string): { path: string; line: number; message: string }[] {
  try {
    parseConfig(V1 + yaml);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => ({ ...i }));
    throw err;
  }
  return [];
}

describe("alerts config", () => {
  it("a config without an alerts section gets Alertmanager's defaults and every built-in", () => {
    const cfg = parseConfig(V1);
    expect(cfg.alerts).toEqual({
      rules: [],
      route: {
        groupBy: ["alertname", "route"],
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        receivers: [],
        sendResolved: true,
      },
      inhibit: [],
      receivers: {},
      whatChangedWindow: "30m",
      builtins: "on",
    });
    const policy = compileAlerts(cfg.alerts);
    expect(policy.rules.map((r) => r.name)).toEqual([
      "surge",
      "traffic-drop",
      "error-spike",
      "latency-spike",
      "waf-block-spike",
      "rate-limit-storm",
      "config-drift",
      "gateway-down",
    ]);
    expect(policy.rules.every((r) => r.runbook === r.name)).toBe(true);
    expect(policy.route).toEqual({
      groupBy: ["alertname", "route"],
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 14_400_000,
      receivers: [],
      sendResolved: true,
    });
    expect(policy.whatChangedWindowMs).toBe(1_800_000);
  });

  it("refuses a rule that does not parse, with its YAML path, line and column", () => {
    // V1 has 12 lines; the alerts section begins on line 13 and the expr is on line 16.
    expect(issues("alerts:\n  rules:\n    - name: errors\n      expr: error_ratio 0.05\n")).toEqual([
      {
        path: "alerts.rules[0].expr",
        line: 16,
        message:
          'at column 13: expected a comparison (>, >=, <, <=, ==, !=), found "0.05" (in "error_ratio 0.05")',
      },
    ]);
  });

  it.each([
    [
      "alerts: { rules: [{ name: a, expr: requests > 1 }, { name: a, expr: requests > 2 }] }\n",
      "alerts.rules[1].name",
      /duplicate rule name "a"/,
    ],
    [
      "alerts: { rules: [{ name: a, expr: requests > 1 for 5s, for: 10s }] }\n",
      "alerts.rules[0].for",
      /give it once/,
    ],
    [
      "alerts: { rules: [{ name: a, expr: requests > 1, labels: { alertname: b } }] }\n",
      "alerts.rules[0].labels.alertname",
      /rule's name/,
    ],
    ["alerts: { route: { groupWait: soon } }\n", "alerts.route.groupWait", /is not a duration/],
    [
      "alerts: { route: { receivers: [pager] } }\n",
      "alerts.route.receivers[0]",
      /unknown receiver "pager" \(defined: none\)/,
    ],
    [
      "alerts: { inhibit: [{ sourceMatchers: [nope], targetMatchers: ['a=b'] }] }\n",
      "alerts.inhibit[0].sourceMatchers[0]",
      /is not a matcher/,
    ],
    ["alerts: { builtins: { surge: maybe } }\n", "alerts.builtins", /./],
    ["alerts: { rulez: [] }\n", "alerts.rulez", /./],
  ])("refuses %j at %s", (yaml, path, message) => {
    const found = issues(yaml);
    expect(found.map((i) => i.path)).toContain(path);
    expect(found.find((i) => i.path === path)!.message).toMatch(message);
  });

  it("built-ins off whole, one by one, or replaced by a rule of the same name", () => {
    expect(compileAlerts(parseConfig(`${V1}alerts: { builtins: off }\n`).alerts).rules).toEqual([]);
    const some = compileAlerts(
      parseConfig(`${V1}alerts: { builtins: { surge: off, gateway-down: off } }\n`).alerts,
    );
    expect(some.rules.map((r) => r.name)).not.toContain("surge");
    // Without gateway-down, its inhibition goes too.
    expect(some.inhibit).toEqual([]);
    const replaced = compileAlerts(
      parseConfig(`${V1}alerts: { rules: [{ name: surge, expr: "requests > 1000", severity: critical }] }\n`)
        .alerts,
    );
    const surge = replaced.rules.filter((r) => r.name === "surge");
    expect(surge.map((r) => [r.builtin, r.severity, r.expr?.threshold])).toEqual([[false, "critical", 1000]]);
  });
});
