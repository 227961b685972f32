/**
 * The alerting shell on a real store with a controlled clock: config read from the stored version,
 * notifications stored in the real dispatcher's outbox (not started: rows stay to be counted) with
 * "what changed" leading, lifecycle events, silences, and a restart (store closed and reopened)
 * that neither loses the firing alert nor notifies it twice.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Alerting } from "../../src/alerts/alerting.js";
import type { SeriesSample } from "../../src/alerts/evaluator.js";
import { Dispatcher } from "../../src/alerts/notifiers/dispatcher.js";
import { formatChange, whatChanged } from "../../src/changes/what-changed.js";
import { applyConfig } from "../../src/config/versions.js";
import { openStore, type Store } from "../../src/store/store.js";
import { V1 } from "../api/harness.js";

const T0 = Date.parse("2026-11-25T01:50:00Z");
const ALERTS = `
alerts:
  builtins: off
  rules:
    - name: checkout-errors
      expr: error_ratio{route="checkout"} > 5%
      for: 3s
      severity: critical
      summary: "{{route}} answers {{value}} errors"
      runbook: error-spike
    - name: errors
      expr: error_ratio{route!="checkout"} > 5%
      for: 3s
  route: { groupBy: [alertname, route], groupWait: 2s, groupInterval: 10s, repeatInterval: 1h, receivers: [ops] }
  receivers: { ops: { type: webhook, url: "http://127.0.0.1:9/hook" } }
`;

let dir: string;
let now: number;
let store: Store;

function open(): Store {
  return openStore(dir, { now: () => new Date(now) });
}

function alerting(s: Store, graceMs = 30_000): Alerting {
  const dispatcher = new Dispatcher(s, { now: () => now });
  dispatcher.setReceivers({ ops: { type: "webhook", url: "http://127.0.0.1:9/hook" } } as never);
  return new Alerting(s, { now: () => now, sink: dispatcher, graceMs });
}

interface Row {
  title: string;
  alert_status: string;
  body: string;
  created_at: string;
}
const outbox = (s: Store): Row[] =>
  s.db.prepare("SELECT title, alert_status, body, created_at FROM notifications ORDER BY id").all() as Row[];

/** Runs seconds [from, to) with the given error ratios, ticking after each. */
function run(a: Alerting, from: number, to: number, ratios: Record<string, number>): void {
  for (let s = from; s < to; s++) {
    now = T0 + s * 1000;
    const samples: SeriesSample[] = Object.entries(ratios).map(([route, value]) => ({
      name: "error_ratio",
      labels: { route },
      value,
    }));
    a.observe(now, samples);
    a.tick();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rampart-alerting-"));
  now = T0;
  store = open();
  applyConfig(store, { document: V1 + ALERTS, actor: { name: "alice", role: "admin" }, message: "initial" });
  now = T0 + 60_000;
  applyConfig(store, {
    document: V1.replace("port: 8080", "port: 8081") + ALERTS,
    actor: { name: "deploy-bot", role: "admin" },
    message: "move port",
  });
});

afterEach(() => {
  if (store.db.open) store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("Alerting", () => {
  it("fires after `for`, notifies once after groupWait with what changed first, logs alert.firing", () => {
    const a = alerting(store);
    run(a, 100, 130, { checkout: 0.2, browse: 0.01 });
    const [alert] = a.list();
    expect(alert).toMatchObject({
      rule: "checkout-errors",
      state: "firing",
      activeAt: new Date(T0 + 100_000).toISOString(),
      firedAt: new Date(T0 + 103_000).toISOString(),
      summary: "checkout answers 0.2 errors",
      runbook: "error-spike",
    });
    const rows = outbox(store);
    expect(rows.map((r) => [r.title, r.alert_status, r.created_at])).toEqual([
      ["[FIRING] checkout-errors on route checkout", "firing", new Date(T0 + 105_000).toISOString()],
    ]);
    const body = JSON.parse(rows[0]!.body) as { text: string; whatChanged: { version?: number }[] };
    const expected = whatChanged(store, { before: new Date(T0 + 100_000) });
    expect(expected[0]!.version).toBe(2);
    expect(body.text.split("\n")[0]).toBe(`What changed: ${formatChange(expected[0]!)}`);
    expect(body.whatChanged.map((c) => c.version)).toEqual(expected.map((c) => c.version));
    const events = store.events.list({ kinds: ["alert.firing", "alert.resolved"] });
    expect(events.map((e) => [e.kind, e.severity, e.subject])).toEqual([
      ["alert.firing", "critical", `alert:${alert!.fingerprint}`],
    ]);
    expect((events[0]!.data.whatChanged as { version: number }[])[0]!.version).toBe(2);
  });

  it("a restart while firing keeps the alert and sends nothing twice; the resolution is sent once", () => {
    let a = alerting(store);
    run(a, 100, 130, { checkout: 0.2 });
    const before = a.list();
    expect(outbox(store)).toHaveLength(1);
    store.close();

    now = T0 + 200_000;
    store = open();
    a = alerting(store);
    expect(a.list()).toEqual(before.map((x) => ({ ...x })));
    // Still failing for a minute after the restart: the log says it was told, nothing new.
    run(a, 200, 260, { checkout: 0.2 });
    expect(outbox(store)).toHaveLength(1);
    // It recovers: one resolved notification at the group's next interval.
    run(a, 260, 290, { checkout: 0.0 });
    const rows = outbox(store);
    expect(rows.map((r) => r.alert_status)).toEqual(["firing", "resolved"]);
    expect(rows[1]!.title).toBe("[RESOLVED] checkout-errors on route checkout");
    expect(store.events.list({ kinds: ["alert.resolved"] })).toHaveLength(1);
    expect(a.list({ states: ["resolved"] }).map((x) => x.resolvedAt)).toEqual([
      new Date(T0 + 260_000).toISOString(),
    ]);
  });

  it("a restored alert is held through the grace period without evidence, then resolves", () => {
    let a = alerting(store);
    run(a, 100, 110, { checkout: 0.2 });
    store.close();
    now = T0 + 300_000;
    store = open();
    a = alerting(store, 20_000);
    // No series at all for 19 s (monitor not back yet): held.
    for (let s = 300; s < 319; s++) {
      now = T0 + s * 1000;
      a.observe(now, []);
    }
    expect(a.list().map((x) => x.state)).toEqual(["firing"]);
    now = T0 + 320_000;
    a.observe(now, []);
    expect(a.list()).toEqual([]);
    expect(a.list({ states: ["resolved"] })).toHaveLength(1);
  });

  it("a silence keeps the alert visible but not notified; other routes are", () => {
    const a = alerting(store);
    const s = a.addSilence({
      matchers: ["route=browse"],
      endsAt: new Date(T0 + 3_600_000).toISOString(),
      createdBy: "bob",
      comment: "load test on browse",
    });
    expect(s.state).toBe("active");
    run(a, 100, 130, { browse: 0.5, search: 0.5 });
    const listed = a.list().map((x) => [x.labels.route, x.state, x.silencedBy]);
    expect(listed.sort()).toEqual([
      ["browse", "firing", [s.id]],
      ["search", "firing", undefined],
    ]);
    expect(outbox(store).map((r) => r.title)).toEqual(["[FIRING] errors on route search"]);
    // Expired: browse is news at the group's next flush.
    expect(a.expireSilence(s.id, "bob").state).toBe("expired");
    run(a, 130, 145, { browse: 0.5, search: 0.5 });
    expect(outbox(store).map((r) => r.title)).toEqual([
      "[FIRING] errors on route search",
      "[FIRING] errors on route browse",
    ]);
    expect(a.silences().map((x) => [x.id, x.state, x.createdBy])).toEqual([[s.id, "expired", "bob"]]);
    expect(store.events.list({ kinds: ["silence.created", "silence.expired"] }).map((e) => e.kind)).toEqual([
      "silence.created",
      "silence.expired",
    ]);
  });

  it("a new config version replaces the rules at the next second", () => {
    const a = alerting(store);
    run(a, 100, 110, { checkout: 0.2 });
    expect(a.list()).toHaveLength(1);
    applyConfig(store, {
      document: `${V1}\nalerts: { builtins: off }\n`,
      actor: { name: "alice", role: "admin" },
      message: "no custom rules",
    });
    run(a, 110, 111, { checkout: 0.2 });
    expect(a.list()).toEqual([]);
    expect(a.policy.rules).toEqual([]);
  });

  it("drift events become config-drift and gateway-down alerts; the silent gateway mutes only drop alerts", () => {
    applyConfig(store, {
      document: `${V1}\nalerts: { rules: [{ name: errors, expr: "error_ratio > 5%" }] }\n`,
      actor: { name: "alice", role: "admin" },
      message: "built-ins on",
    });
    const a = alerting(store);
    store.events.append({
      kind: "drift",
      severity: "critical",
      source: "control-plane",
      subject: "gateway:edge-1",
      data: { gateway: "edge-1", code: "silent", reason: "no attestation for 12 s" },
    });
    run(a, 100, 102, { checkout: 0.5 });
    const alerts = a
      .list()
      .map((x) => [x.rule, x.labels.gateway ?? x.labels.route, x.inhibitedBy?.length ?? 0]);
    // Errors on a route are not explained by a silent gateway: never muted by it. (The built-in
    // error-spike is pending, its `for` is 30 s.)
    expect(alerts.sort()).toEqual([
      ["error-spike", "checkout", 0],
      ["errors", "checkout", 0],
      ["gateway-down", "edge-1", 0],
    ]);
    store.events.append({
      kind: "drift.resolved",
      severity: "info",
      source: "control-plane",
      subject: "gateway:edge-1",
      data: { gateway: "edge-1", code: "silent", reason: "back" },
    });
    run(a, 102, 103, { checkout: 0.5 });
    expect(
      a
        .list()
        .map((x) => [x.rule, x.inhibitedBy])
        .sort(),
    ).toEqual([
      ["error-spike", undefined],
      ["errors", undefined],
    ]);
  });

  it("a restart keeps the detectors warm: a drop right after it fires; without the saved state it cannot", () => {
    applyConfig(store, {
      document: `${V1}\nalerts: { builtins: off, rules: [{ name: drop, expr: "anomaly(requests, drop) > 0.8", for: 2s }] }\n`,
      actor: { name: "alice", role: "admin" },
      message: "a drop rule",
    });
    const requests = (s: number, v: number, a: Alerting, route: string) => {
      now = T0 + s * 1000;
      a.observe(now, [{ name: "requests", labels: { route }, value: v }]);
    };
    const crashed = (graceful: boolean, route: string): string[] => {
      const a = alerting(store);
      for (let s = 100; s < 400; s++) requests(s, 200 + ((s * 7919) % 11) - 5, a, route);
      if (graceful) a.stop();
      store.close();
      store = open();
      const b = alerting(store);
      const fired: string[] = [];
      for (let s = 410; s < 420; s++) {
        requests(s, 0, b, route);
        for (const x of b.list())
          if (
            x.labels.route === route &&
            x.state === "firing" &&
            !fired.some((f) => f.startsWith(`${x.rule}@`))
          )
            fired.push(`${x.rule}@${s}`);
      }
      b.stop();
      return fired;
    };
    expect(crashed(true, "checkout")).toEqual(["drop@412"]);
    const rows = store.db.prepare("SELECT count(*) AS n FROM alert_detector_state").get() as { n: number };
    expect(rows.n).toBe(1);
    // A crash before any save: cold detectors are still in their warm-up, nothing can fire.
    store.db.prepare("DELETE FROM alert_detector_state").run();
    expect(crashed(false, "browse")).toEqual([]);
  });
});
