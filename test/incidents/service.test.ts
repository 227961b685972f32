/**
 * The incident service over a real store with a controllable clock: opening from alert events,
 * the grouping window, escalation (level 2 after level 1's delay; acknowledgement stops it), unknown
 * ids and illegal changes that change nothing, and a restart that loses no timeline entry.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IncidentService } from "../../src/incidents/service.js";
import type { Store } from "../../src/store/store.js";
import { alertView, apply, type Clock, clock, doc, fire, recordingSink, tempStore } from "./helpers.js";

let c: Clock;
let store: Store;
let dir: string;
let sink: ReturnType<typeof recordingSink>;
let svc: IncidentService;

beforeEach(() => {
  c = clock();
  ({ store, dir } = tempStore(c));
  c.advance(-10 * 60_000);
  apply(store, doc(), "v1");
  c.advance(8 * 60_000); // 01:58: the postmortem's update
  apply(store, doc({ sqli: "off", port: 8081 }), "routine update", ["critical-modules-on"]);
  c.advance(2 * 60_000); // 02:00
  sink = recordingSink();
  svc = new IncidentService(store, { now: c.now, sink });
});

afterEach(() => {
  if (store.db.open) store.close();
});

const MIN = 60_000;

describe("opening and grouping", () => {
  it("by default, one shop is one service: a surge on the fleet and on routes is one incident", () => {
    apply(
      store,
      doc({ sqli: "off", port: 8081, incidents: "incidents: { open: warning }\n" }),
      "default grouping",
      ["critical-modules-on"],
    );
    fire(store, alertView({ rule: "surge", labels: {}, at: c.ms }));
    fire(store, alertView({ rule: "surge", labels: { route: "browse" }, at: c.ms }));
    fire(store, alertView({ rule: "error-spike", labels: { route: "checkout" }, at: c.ms }));
    const r = svc.tick();
    expect(r.opened).toEqual([1]);
    expect(r.joined).toEqual([1, 1]);
    expect(svc.show(1).incident.service).toBe("fleet");
  });

  it("opens one incident from a firing alert, with what changed first in its first page", () => {
    fire(
      store,
      alertView({
        rule: "surge",
        labels: { alertname: "surge", route: "checkout" },
        at: c.ms,
        severity: "warning",
      }),
    );
    c.advance(1000);
    const r = svc.tick();
    expect(r.opened).toEqual([1]);
    const { incident, alerts, entries } = svc.show(1);
    expect(incident).toMatchObject({
      state: "triggered",
      severity: "SEV3",
      service: "route=checkout",
      openedBy: "alerts",
      onsetAt: "2026-03-01T02:00:00.000Z",
      runbook: "config-related",
    });
    expect(incident.whatChanged[0]).toMatchObject({ version: 2, security: true });
    expect(alerts.map((a) => a.rule)).toEqual(["surge"]);
    expect(entries.map((e) => e.kind)).toEqual(["state", "escalation"]);
    expect(sink.sent).toHaveLength(1);
    expect(sink.sent[0]).toMatchObject({ receiver: "oncall", first: incident.whatChanged[0]!.title });
    expect(sink.sent[0]!.text).toContain(
      "1. [security] v2 applied 01:58 by deploy-bot: waf.modules.sqli off",
    );
    // The same event is never processed twice, and the cursor moves past other events.
    expect(svc.tick()).toMatchObject({ events: 0, opened: [] });
    const other = store.events.append({ kind: "settings.changed", severity: "info", source: "test" });
    svc.tick();
    expect(svc.repo.cursor("alerts")).toBe(other.id);
  });

  it("joins alerts about the same service within the window, opens another after it", () => {
    fire(store, alertView({ rule: "surge", labels: { route: "checkout" }, at: c.ms }));
    svc.tick();
    c.advance(9 * MIN);
    fire(store, alertView({ rule: "error-spike", labels: { route: "checkout" }, at: c.ms }));
    fire(store, alertView({ rule: "error-spike", labels: { route: "browse" }, at: c.ms }));
    const r = svc.tick();
    expect(r.joined).toEqual([1]);
    expect(r.opened).toEqual([2]);
    expect(svc.show(2).incident.service).toBe("route=browse");
    // The window counts from the last alert that joined: 9 + 10 minutes later it is over.
    c.advance(10 * MIN + 1000);
    fire(store, alertView({ rule: "latency-spike", labels: { route: "checkout" }, at: c.ms }));
    expect(svc.tick().opened).toEqual([3]);
    expect(svc.show(1).alerts.map((a) => a.rule)).toEqual(["surge", "error-spike"]);
  });

  it("raises the severity when a worse alert joins, and records it", () => {
    fire(store, alertView({ rule: "surge", severity: "warning", labels: { route: "checkout" }, at: c.ms }));
    svc.tick();
    expect(svc.show(1).incident.severity).toBe("SEV3");
    c.advance(MIN);
    fire(
      store,
      alertView({ rule: "error-spike", severity: "critical", labels: { route: "checkout" }, at: c.ms }),
    );
    svc.tick();
    const { incident, entries } = svc.show(1);
    expect(incident.severity).toBe("SEV2");
    expect(entries.at(-1)).toMatchObject({
      kind: "severity",
      actor: "alerts",
      text: "severity SEV3 -> SEV2 by alerts: alert error-spike (critical) joined",
    });
  });

  it("ignores an alert event whose data holds no alert", () => {
    store.events.append({
      kind: "alert.firing",
      severity: "warning",
      source: "monitor",
      data: { rule: "surge" },
    });
    expect(svc.tick()).toMatchObject({ events: 1, opened: [] });
    expect(svc.repo.open()).toEqual([]);
  });

  it("marks an incident's alert resolved when it resolves", () => {
    const alert = alertView({ rule: "surge", labels: { route: "checkout" }, at: c.ms });
    fire(store, alert);
    svc.tick();
    c.advance(MIN);
    fire(store, { ...alert, state: "resolved", resolvedAt: new Date(c.ms).toISOString() });
    svc.tick();
    expect(svc.show(1).alerts.map((a) => [a.rule, a.state])).toEqual([["surge", "resolved"]]);
  });

  it("ignores alerts below the threshold, and a resolved incident takes no new alert", () => {
    fire(store, alertView({ rule: "surge", severity: "info", at: c.ms }));
    expect(svc.tick()).toMatchObject({ events: 1, opened: [] });
    fire(store, alertView({ rule: "surge", at: c.ms }));
    svc.tick();
    svc.act(1, { kind: "resolve" }, "ann");
    c.advance(MIN);
    fire(store, alertView({ rule: "surge", at: c.ms }));
    expect(svc.tick().opened).toEqual([2]);
  });
});

describe("escalation", () => {
  it("pages level 2 after level 1's delay, not before; acknowledging stops it", () => {
    fire(store, alertView({ rule: "surge", at: c.ms }));
    svc.tick();
    expect(sink.sent.map((s) => s.receiver)).toEqual(["oncall"]);
    c.advance(5 * MIN - 1);
    expect(svc.tick().escalated).toEqual([]);
    c.advance(1);
    const r = svc.tick();
    expect(r.escalated).toEqual([
      expect.objectContaining({
        incidentId: 1,
        level: 2,
        receivers: ["seniors", "security"],
        afterMinutes: 5,
      }),
    ]);
    expect(sink.sent.map((s) => s.receiver)).toEqual(["oncall", "seniors", "security"]);
    expect(svc.show(1).incident.escalation).toEqual({
      policy: "default",
      level: 2,
      levelAt: "2026-03-01T02:05:00.000Z",
    });
    c.advance(MIN);
    svc.act(1, { kind: "acknowledge" }, "ann");
    c.advance(60 * MIN);
    expect(svc.tick().escalated).toEqual([]);
    expect(sink.sent).toHaveLength(3);
    const pages = svc.show(1).entries.filter((e) => e.kind === "escalation");
    expect(pages.map((e) => [e.time, e.text])).toEqual([
      ["2026-03-01T02:00:00.000Z", "level 1 paged (oncall): opened"],
      ["2026-03-01T02:05:00.000Z", "level 2 paged (seniors, security): not acknowledged within 5 min"],
    ]);
  });

  it("catches up with the due times after a long pause, each level at its own time", () => {
    svc.open({ title: "checkout slow", by: "ann" });
    c.advance(25 * MIN);
    const r = svc.tick();
    expect(r.escalated.map((s) => [s.level, s.dueAt])).toEqual([
      [2, "2026-03-01T02:05:00.000Z"],
      [3, "2026-03-01T02:20:00.000Z"],
    ]);
    c.advance(24 * 60 * MIN);
    expect(svc.tick().escalated).toEqual([]); // no level after the last one
  });

  it("records a page to an unknown receiver as failed and goes on", () => {
    const partial = recordingSink(["oncall", "seniors"]);
    svc = new IncidentService(store, { now: c.now, sink: partial });
    svc.open({ title: "x", by: "ann" });
    c.advance(5 * MIN);
    svc.tick();
    expect(partial.sent.map((s) => s.receiver)).toEqual(["oncall", "seniors"]);
    const last = svc.show(1).entries.at(-1)!;
    expect(last.data).toMatchObject({ level: 2, failed: ["security: unknown receiver security"] });
  });
});

describe("bad input changes nothing", () => {
  it("unknown ids are INCIDENT_NOT_FOUND", () => {
    expect(() => svc.show(42)).toThrow(expect.objectContaining({ code: "INCIDENT_NOT_FOUND" }));
    expect(() => svc.act(42, { kind: "acknowledge" }, "ann")).toThrow(
      expect.objectContaining({ code: "INCIDENT_NOT_FOUND" }),
    );
    expect(() => svc.note(42, "hello", "ann")).toThrow(
      expect.objectContaining({ code: "INCIDENT_NOT_FOUND" }),
    );
    expect(() => svc.actionDone(42, "ann")).toThrow(expect.objectContaining({ code: "ACTION_NOT_FOUND" }));
    expect(() => svc.show(0)).toThrow(expect.objectContaining({ code: "INCIDENT_INVALID" }));
  });

  it("resolve twice and acknowledge a resolved incident are refused; stored state and timeline stay", () => {
    svc.open({ title: "checkout errors", by: "ann", severity: "SEV2" });
    svc.act(1, { kind: "resolve" }, "ann", "rolled back");
    const before = svc.show(1);
    const events = store.events.list({ limit: 1000 }).length;
    expect(() => svc.act(1, { kind: "resolve" }, "bob")).toThrow(
      expect.objectContaining({ code: "INCIDENT_ILLEGAL_TRANSITION" }),
    );
    expect(() => svc.act(1, { kind: "acknowledge" }, "bob")).toThrow(
      expect.objectContaining({ code: "INCIDENT_ILLEGAL_TRANSITION" }),
    );
    expect(svc.show(1)).toEqual(before);
    expect(store.events.list({ limit: 1000 })).toHaveLength(events);
  });

  it("refuses empty titles, notes and bad due dates", () => {
    expect(() => svc.open({ title: "  ", by: "ann" })).toThrow(
      expect.objectContaining({ code: "INCIDENT_INVALID" }),
    );
    svc.open({ title: "t", by: "ann" });
    expect(() => svc.note(1, "", "ann")).toThrow(expect.objectContaining({ code: "INCIDENT_INVALID" }));
    expect(() =>
      svc.addAction({ incidentId: 1, title: "x", owner: "o", due: "tomorrow", by: "ann" }),
    ).toThrow(expect.objectContaining({ code: "INCIDENT_INVALID" }));
    for (const due of ["2026-02-30", "2026-13-01", "2026-04-31"]) {
      expect(() => svc.addAction({ incidentId: 1, title: "x", owner: "o", due, by: "ann" })).toThrow(
        expect.objectContaining({ code: "INCIDENT_INVALID" }),
      );
    }
    expect(svc.repo.actions()).toEqual([]);
    svc.addAction({ incidentId: 1, title: "x", owner: "o", due: "2028-02-29", by: "ann" });
    expect(svc.repo.actions().map((a) => a.due)).toEqual(["2028-02-29"]);
  });
});

describe("restart", () => {
  it("a control plane restart in the middle of an incident loses no timeline entry and repeats no page", () => {
    fire(store, alertView({ rule: "surge", labels: { route: "checkout" }, at: c.ms }));
    svc.tick();
    c.advance(MIN);
    svc.note(1, "looking at the WAF", "ann");
    svc.act(1, { kind: "assign", role: "commander", person: "ann" }, "ann");
    // Alerts written while the control plane is down are read after the restart.
    store.close();
    const reopened = tempStore(c, dir).store;
    c.advance(MIN);
    fire(reopened, alertView({ rule: "error-spike", labels: { route: "checkout" }, at: c.ms }));
    const sink2 = recordingSink();
    const svc2 = new IncidentService(reopened, { now: c.now, sink: sink2 });
    c.advance(3 * MIN); // level 2 is due at 02:05
    const r = svc2.tick();
    expect(r).toMatchObject({ events: 1, joined: [1], opened: [] });
    expect(r.escalated.map((s) => s.level)).toEqual([2]);
    expect(sink2.sent.map((s) => s.receiver)).toEqual(["seniors", "security"]);
    svc2.act(1, { kind: "acknowledge" }, "ann");
    const d = svc2.show(1);
    expect(d.entries.map((e) => `${e.kind}:${e.actor}`)).toEqual([
      "state:alerts",
      "escalation:escalation",
      "note:ann",
      "role:ann",
      "escalation:escalation",
      "state:ann",
    ]);
    expect(d.alerts.map((a) => a.rule)).toEqual(["surge", "error-spike"]);
    expect(d.incident.commander).toBe("ann");
    reopened.close();
  });
});
