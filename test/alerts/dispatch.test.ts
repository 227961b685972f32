/**
 * Grouping and notification timing after Alertmanager (group_wait, group_interval,
 * repeat_interval, resolved notifications, muted alerts), on exact timelines.
 */
import { describe, expect, it } from "vitest";
import { AlertGroups } from "../../src/alerts/dispatch.js";
import { fingerprint } from "../../src/alerts/fingerprint.js";
import type { RouteSettings } from "../../src/alerts/rules.js";
import type { AlertView } from "../../src/alerts/types.js";

const T0 = Date.parse("2026-11-25T02:00:00Z");
const at = (s: number): number => T0 + s * 1000;
const iso = (s: number): string => new Date(at(s)).toISOString();

const route: RouteSettings = {
  groupBy: ["alertname"],
  groupWaitMs: 10_000,
  groupIntervalMs: 60_000,
  repeatIntervalMs: 600_000,
  receivers: ["ops"],
  sendResolved: true,
};

function alert(name: string, routeLabel: string, firedAt: number, extra: Partial<AlertView> = {}): AlertView {
  const labels = { alertname: name, route: routeLabel };
  return {
    fingerprint: fingerprint(labels),
    rule: name,
    state: "firing",
    severity: "warning",
    labels,
    summary: `${name} on ${routeLabel}`,
    activeAt: iso(firedAt),
    firedAt: iso(firedAt),
    ...extra,
  };
}

const resolve = (a: AlertView, s: number): AlertView => ({ ...a, state: "resolved", resolvedAt: iso(s) });

/** Runs ticks every second from `from` to `to` and records what would be sent. */
function run(g: AlertGroups, from: number, to: number, alertsAt: (s: number) => AlertView[]): string[] {
  const out: string[] = [];
  for (let s = from; s <= to; s++) {
    for (const f of g.tick(at(s), alertsAt(s))) {
      if (!f.send) continue;
      const routes = (xs: readonly AlertView[]) => xs.map((a) => a.labels.route).join("+");
      out.push(
        `${s}: ${f.status} [${routes(f.firing)}]${f.resolved.length > 0 ? ` resolved [${routes(f.resolved)}]` : ""}`,
      );
    }
  }
  return out;
}

describe("AlertGroups", () => {
  it("a storm of alerts in one group sends one notification after group_wait, then news at group_interval", () => {
    const g = new AlertGroups(route);
    const routes = Array.from({ length: 100 }, (_, i) => `r${i}`);
    const storm = routes.slice(0, 50).map((r) => alert("surge", r, 0));
    const later = routes.slice(50).map((r) => alert("surge", r, 15));
    const sent = run(g, 0, 200, (s) => (s < 15 ? storm : [...storm, ...later]));
    expect(sent).toHaveLength(2);
    expect(sent[0]).toBe(`10: firing [${routes.slice(0, 50).join("+")}]`);
    // The 50 that came at 15 s wait for the group's next interval (10 s + 60 s).
    expect(sent[1]!.startsWith("70: firing [")).toBe(true);
    expect(sent[1]!.split("+")).toHaveLength(100);
  });

  it("separate groups by groupBy labels; nothing new means nothing sent until repeat_interval", () => {
    const g = new AlertGroups(route);
    const a = alert("surge", "checkout", 0);
    const b = alert("error-spike", "checkout", 0);
    const sent = run(g, 0, 700, () => [a, b]);
    expect(sent).toEqual([
      "10: firing [checkout]",
      "10: firing [checkout]",
      // repeat_interval 600 s after 10, checked at the group's interval ticks (10 + 60k).
      "610: firing [checkout]",
      "610: firing [checkout]",
    ]);
  });

  it("a resolution is sent at the next interval, then the group ends", () => {
    const g = new AlertGroups(route);
    const a = alert("surge", "checkout", 0);
    const sent = run(g, 0, 200, (s) => (s < 30 ? [a] : [resolve(a, 30)]));
    expect(sent).toEqual(["10: firing [checkout]", "70: resolved [] resolved [checkout]"]);
  });

  it("an alert that fired and resolved inside group_wait is never sent", () => {
    const g = new AlertGroups(route);
    const a = alert("surge", "checkout", 0);
    expect(run(g, 0, 100, (s) => (s < 5 ? [a] : [resolve(a, 5)]))).toEqual([]);
  });

  it("silenced or inhibited alerts are not sent and are no news; unmuted, they are", () => {
    const g = new AlertGroups(route);
    const a = alert("surge", "checkout", 0);
    const b = alert("surge", "browse", 0);
    const silenced = { ...b, silencedBy: ["s1"] };
    const sent = run(g, 0, 140, (s) => (s < 100 ? [a, silenced] : [a, b]));
    expect(sent).toEqual(["10: firing [checkout]", "130: firing [checkout+browse]"]);
    // Everything muted: nothing at all, not even a "resolved".
    const g2 = new AlertGroups(route);
    expect(run(g2, 0, 100, () => [{ ...a, inhibitedBy: ["x"] }])).toEqual([]);
  });

  it("an old alert (after a restart) flushes at once, and the stored log keeps it from being sent twice", () => {
    const first = new AlertGroups(route);
    const a = alert("surge", "checkout", 0);
    const flushes = first.tick(at(10), [a]);
    expect(flushes).toHaveLength(1);
    const log = [flushes[0]!.entry];
    // A new process with the stored log: same alert, 5 minutes later.
    const second = new AlertGroups(route, log);
    expect(second.tick(at(310), [a])).toEqual([]);
    // Without the log it would have been sent again at once.
    expect(new AlertGroups(route).tick(at(310), [a]).map((f) => f.send)).toEqual([true]);
    // The repeat interval still runs from the stored send time.
    const sent = run(second, 311, 700, () => [a]);
    expect(sent).toEqual(["610: firing [checkout]"]);
  });

  it("sendResolved off: the log moves but nothing is sent for resolutions", () => {
    const g = new AlertGroups({ ...route, sendResolved: false });
    const a = alert("surge", "checkout", 0);
    const flushes: string[] = [];
    for (let s = 0; s <= 100; s++) {
      for (const f of g.tick(at(s), s < 30 ? [a] : [resolve(a, 30)]))
        flushes.push(`${s}:${f.status}:${f.send}`);
    }
    expect(flushes).toEqual(["10:firing:true", "70:resolved:false"]);
    expect(g.logEntry('{alertname="surge"}')?.firing).toEqual([]);
  });

  it("a flush that could not be stored is retried 5 s later and only then logged", () => {
    const g = new AlertGroups(route);
    const a = alert("surge", "checkout", 0);
    const attempts: number[] = [];
    const delivered: number[] = [];
    for (let s = 0; s <= 30; s++) {
      for (const f of g.tick(at(s), [a], () => {
        attempts.push(s);
        return s >= 15;
      })) {
        delivered.push(s);
        expect(f.entry.sentAtMs).toBe(at(s));
      }
    }
    expect(attempts).toEqual([10, 15]);
    expect(delivered).toEqual([15]);
  });
});
