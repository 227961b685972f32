/** Silences (matchers, window, validation) and inhibition (source, target, equal labels). */
import { describe, expect, it } from "vitest";
import { fingerprint } from "../../src/alerts/fingerprint.js";
import { inhibitions } from "../../src/alerts/inhibit.js";
import { parseMatcher } from "../../src/alerts/matchers.js";
import { compileAlerts } from "../../src/alerts/rules.js";
import { alertsSchema } from "../../src/alerts/schema.js";
import { type Silence, silencedBy, silenceState, validateSilence } from "../../src/alerts/silences.js";
import type { AlertView } from "../../src/alerts/types.js";

const NOW = Date.parse("2026-11-25T02:00:00Z");

function silence(id: string, matchers: string[], startsIn: number, endsIn: number): Silence {
  return {
    id,
    matchers: matchers.map(parseMatcher),
    startsAt: new Date(NOW + startsIn).toISOString(),
    endsAt: new Date(NOW + endsIn).toISOString(),
    createdBy: "ops",
    comment: "load test",
    createdAt: new Date(NOW).toISOString(),
  };
}

function alert(labels: Record<string, string>, state: AlertView["state"] = "firing"): AlertView {
  return {
    fingerprint: fingerprint(labels),
    rule: labels.alertname!,
    state,
    severity: "warning",
    labels,
    summary: "",
    activeAt: new Date(NOW).toISOString(),
  };
}

describe("silences", () => {
  const list = [
    silence("active", ["alertname=surge", 'route=~"check.*"'], -1000, 3_600_000),
    silence("later", ["alertname=surge"], 60_000, 3_600_000),
    silence("over", ["alertname=surge"], -7_200_000, -3_600_000),
    silence("other", ["route!=checkout", "alertname=surge"], -1000, 3_600_000),
  ];

  it("states follow the window", () => {
    expect(list.map((s) => silenceState(s, NOW))).toEqual(["active", "pending", "expired", "active"]);
  });

  it.each([
    [{ alertname: "surge", route: "checkout" }, ["active"]],
    [{ alertname: "surge", route: "browse" }, ["other"]],
    [{ alertname: "traffic-drop", route: "checkout" }, []],
  ])("%j is silenced by %j", (labels, ids) => {
    expect(silencedBy(list, labels, NOW)).toEqual(ids);
  });

  it.each([
    [{ matchers: [], endsAt: "2026-11-25T04:00:00Z", comment: "x" }, /at least one matcher/],
    [{ matchers: ["route=~.*"], endsAt: "2026-11-25T04:00:00Z", comment: "x" }, /would silence every alert/],
    [{ matchers: ["route"], endsAt: "2026-11-25T04:00:00Z", comment: "x" }, /is not a matcher/],
    [{ matchers: ["route=a"], endsAt: "2026-11-25T01:00:00Z", comment: "x" }, /must end in the future/],
    [{ matchers: ["route=a"], endsAt: "soon", comment: "x" }, /ISO 8601/],
    [{ matchers: ["route=a"], endsAt: "2026-11-25T04:00:00Z", comment: " " }, /needs a comment/],
  ])("refuses %j", (input, message) => {
    expect(() => validateSilence({ ...input, createdBy: "ops" }, NOW)).toThrow(message);
  });
});

describe("inhibition", () => {
  const { inhibit } = compileAlerts(alertsSchema.parse({}));

  it("a firing gateway-down mutes the drop alerts its silence explains, and nothing else", () => {
    const down = alert({ alertname: "gateway-down", gateway: "edge-1" });
    const drop1 = alert({ alertname: "traffic-drop", route: "checkout", gateway: "edge-1" });
    const drop2 = alert({ alertname: "traffic-drop", route: "checkout", gateway: "edge-2" });
    const ownSeries = alert({ alertname: "traffic-drop", gateway: "edge-1" });
    // A route series sums over every gateway: its drop counts as edge-1's too.
    const routeDrop = alert({ alertname: "traffic-drop", route: "browse" });
    // The fleet-wide drop, and errors anywhere, are not explained by one silent gateway.
    const fleet = alert({ alertname: "traffic-drop" });
    const routeErrors = alert({ alertname: "error-spike", route: "browse" });
    const muted = inhibitions(inhibit, [down, drop1, drop2, ownSeries, routeDrop, fleet, routeErrors]);
    expect(new Map(muted)).toEqual(
      new Map([
        [drop1.fingerprint, [down.fingerprint]],
        [ownSeries.fingerprint, [down.fingerprint]],
        [routeDrop.fingerprint, [down.fingerprint]],
      ]),
    );
  });

  it("only firing sources inhibit", () => {
    const down = alert({ alertname: "gateway-down", gateway: "edge-1" }, "pending");
    const drop = alert({ alertname: "traffic-drop", route: "checkout", gateway: "edge-1" });
    expect(inhibitions(inhibit, [down, drop]).size).toBe(0);
  });

  it("two alerts matching both sides do not mute each other, and none mutes itself", () => {
    const rules = [
      {
        sourceMatchers: [parseMatcher("severity=critical")],
        targetMatchers: [parseMatcher("severity=critical")],
        equal: ["route"],
      },
    ];
    const a = alert({ alertname: "a", severity: "critical", route: "x" });
    const b = alert({ alertname: "b", severity: "critical", route: "x" });
    expect(inhibitions(rules, [a, b]).size).toBe(0);
  });
});
