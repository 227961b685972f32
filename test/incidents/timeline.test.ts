/**
 * The timeline: every source Rampart has (events, the incident's own entries, the series), in
 * order, each entry naming its source; series activity read exactly from synthetic series.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rollbackTo } from "../../src/config/versions.js";
import { blockRateChanges, episodes } from "../../src/incidents/activity.js";
import { incidentPostmortem, incidentTimeline, type SeriesSource } from "../../src/incidents/report.js";
import { IncidentService } from "../../src/incidents/service.js";
import type { SeriesPoint } from "../../src/monitor/series/names.js";
import type { Store } from "../../src/store/store.js";
import { alertView, apply, type Clock, clock, doc, fire, T0, tempStore } from "./helpers.js";

const MIN = 60_000;
const s = (ms: number) => Math.floor(ms / 1000);

/** Per-second series of a synthetic hour around the incident, answered as the monitor does (1 s ring). */
function syntheticSeries(
  values: Record<string, (t: number, labels: Record<string, string>) => number>,
): SeriesSource {
  return {
    query(q) {
      const f = values[q.name];
      if (f === undefined) throw new Error(`no series ${q.name}`);
      const points: SeriesPoint[] = [];
      for (let t = q.from; t < q.to; t++) points.push({ t, value: f(t, { ...(q.labels ?? {}) }) });
      return { name: q.name as "requests", labels: q.labels ?? {}, stepSeconds: 1, source: "ring", points };
    },
    distinctClients(q) {
      return { estimate: q.failed === true ? 120 : 400, standardError: 0.0325, from: q.from, to: q.to };
    },
  };
}

describe("activity from series", () => {
  const pts = (values: number[], t0 = 1000): SeriesPoint[] =>
    values.map((value, i) => ({ t: t0 + i, value }));

  it("finds episodes of rate limiting, joining short gaps", () => {
    const e = episodes(
      pts([0, 5, 5, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]),
      1,
      {
        name: "rate_limited",
        kind: "rate-limiting",
        label: "rate limiting",
      },
      5,
    );
    expect(e.map((x) => [x.time.slice(11, 19), x.title])).toEqual([
      ["00:16:41", "rate limiting began: 5/s"],
      ["00:16:46", "rate limiting ended: 17 requests in 5 s, peak 7/s"],
      ["00:16:53", "rate limiting began: 2/s"],
      ["00:16:54", "rate limiting ended: 2 requests in 1 s, peak 2/s"],
    ]);
    expect(e.every((x) => x.source === "series:rate_limited{}")).toBe(true);
  });

  it("finds the WAF block rate falling to zero, per minute", () => {
    const req = Array.from({ length: 180 }, () => 100);
    const blk = Array.from({ length: 180 }, (_, i) => (i < 60 ? 2 : i < 120 ? 0 : 2.2));
    const e = blockRateChanges(pts(req, 0), pts(blk, 0), 1);
    expect(e.map((x) => [x.time, x.title])).toEqual([
      ["1970-01-01T00:01:00.000Z", "WAF block rate fell from 2.0 % to 0.0 % of requests"],
      ["1970-01-01T00:02:00.000Z", "WAF block rate rose from 0.0 % to 2.2 % of requests"],
    ]);
  });
});

describe("incident timeline", () => {
  let c: Clock;
  let store: Store;

  beforeEach(() => {
    c = clock(T0 - 10 * MIN);
    ({ store } = tempStore(c));
  });
  afterEach(() => store.close());

  it("orders alerts, config versions, overrides, rollbacks, drift, series activity, notes and state changes, with sources", () => {
    apply(store, doc(), "v1"); // 01:50
    c.advance(8 * MIN);
    apply(store, doc({ sqli: "off", port: 8081 }), "routine update", ["critical-modules-on"]); // 01:58
    store.events.append({ kind: "debug.tick", severity: "debug", source: "test" });
    c.advance(2 * MIN); // 02:00
    const svc = new IncidentService(store, { now: c.now });
    fire(
      store,
      alertView({ rule: "surge", labels: { route: "checkout" }, at: c.ms, summary: "surge on checkout" }),
    );
    svc.tick();
    c.advance(MIN);
    store.events.append({
      kind: "drift",
      severity: "warning",
      source: "control-plane",
      data: { gateway: "edge-1", reason: "module sqli off" },
    });
    c.advance(MIN);
    svc.note(1, "WAF modules off since v2?", "ann");
    svc.act(1, { kind: "acknowledge" }, "ann");
    c.advance(8 * MIN); // 02:10
    rollbackTo(store, 1, { actor: { name: "ann", role: "operator" }, message: "incident 1: back to v1" });
    c.advance(MIN);
    svc.act(1, { kind: "mitigate" }, "ann", "rolled back to v1");
    c.advance(9 * MIN);
    svc.act(1, { kind: "resolve" }, "ann");
    c.advance(30 * MIN);

    const onset = s(T0);
    const series = syntheticSeries({
      requests: () => 100,
      // 2 % blocked until the update at 01:58, none after, 2 % again from the rollback (02:10)
      blocked: (t) => (t < onset - 120 || t >= onset + 600 ? 2 : 0),
      rate_limited: (t) => (t >= onset + 180 && t < onset + 300 ? 10 : 0),
      shed: () => 0,
      s5xx: () => 0,
      error_ratio: () => 0,
    });
    const { entries, window } = incidentTimeline(svc, store, 1, { nowMs: c.now(), series });
    expect(window).toEqual({ from: "2026-03-01T01:30:00.000Z", to: "2026-03-01T02:20:00.000Z" });
    expect(entries.map((e) => [e.time.slice(11, 19), e.kind, e.source.replace(/\d+$/, "N")])).toEqual([
      ["01:50:00", "config.applied", "event:N"],
      ["01:58:00", "config.applied", "event:N"],
      ["01:58:00", "waf-block-rate", "series:blocked{},requests{}"],
      ["02:00:00", "alert.firing", "event:N"],
      ["02:00:00", "state", "incident-entry:N"],
      ["02:00:00", "escalation", "incident-entry:N"],
      ["02:01:00", "drift", "event:N"],
      ["02:02:00", "note", "incident-entry:N"],
      ["02:02:00", "state", "incident-entry:N"],
      ["02:03:00", "rate-limiting", "series:rate_limited{}"],
      ["02:05:00", "rate-limiting", "series:rate_limited{}"],
      ["02:10:00", "config.rolled-back", "event:N"],
      ["02:10:00", "waf-block-rate", "series:blocked{},requests{}"],
      ["02:11:00", "state", "incident-entry:N"],
      ["02:20:00", "state", "incident-entry:N"],
    ]);
    const titles = entries.map((e) => e.title);
    expect(titles[1]).toBe(
      'config v2 applied by deploy-bot: "routine update" (override: critical-modules-on), loosened: waf.modules.sqli',
    );
    expect(titles[2]).toBe("WAF block rate fell from 2.0 % to 0.0 % of requests");
    expect(titles[6]).toBe("drift on edge-1: module sqli off");
    expect(titles[11]).toBe('config v3 rolls back to v1 by ann: "incident 1: back to v1"');
    expect(titles[13]).toBe("mitigated by ann (was acknowledged): rolled back to v1");

    const pm = incidentPostmortem(svc, store, 1, { nowMs: c.now(), series, timeZone: "UTC" });
    expect(pm.rootCause.cause?.version).toBe(2);
    expect(pm.rootCause.resolvingAction?.kind).toBe("config.rolled-back");
    expect(pm.summary.requestsFailed).toMatchObject({
      value: 0,
      text: "0.0 % of requests failed (0 of 120000)",
    });
    expect(pm.summary.clientsFailed.value).toBe(0.3);
    expect(pm.summary.checkoutsFailed.source).toContain("{route=checkout}");
  });
});
