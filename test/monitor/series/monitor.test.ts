/**
 * The series monitor (src/monitor/series/monitor.ts) with a fake clock and a real SQLite store:
 * closing seconds with late and missing gateways, sums over gateways, the ring and its queries,
 * minute and hour rollups, distinct clients over a window, retention and a restart.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttestedCounts } from "../../../src/control/drift.js";
import { Fleet } from "../../../src/control/fleet.js";
import {
  HLL_STANDARD_ERROR,
  hashClient,
  newSketch,
  sketchAdd,
  sketchEstimate,
} from "../../../src/monitor/series/hll.js";
import { Monitor, monitorFor, type SeriesSample } from "../../../src/monitor/series/index.js";
import type { Store } from "../../../src/store/store.js";
import { attestation, burst, secondsOf, tempStore } from "./helpers.js";

const T0 = 1_700_002_800; // a whole hour (and minute) in Unix seconds
let now: number;
let store: Store;
let dir: string;
let monitor: Monitor;
let closed: Array<{ t: number; samples: readonly SeriesSample[] }>;

const at = (s: number) => {
  now = s * 1000;
};
function estimateOf(clients: readonly string[]): number {
  const s = newSketch();
  for (const c of clients) sketchAdd(s, hashClient(c));
  return sketchEstimate(s);
}
const sample = (samples: readonly SeriesSample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

beforeEach(() => {
  at(T0);
  ({ store, dir } = tempStore(() => now));
  monitor = new Monitor(store, { now: () => now });
  closed = [];
  monitor.onSecond((t, samples) => closed.push({ t, samples }));
});
afterEach(() => {
  monitor.stop();
  if (store.db.open) store.close();
});

describe("closing seconds", () => {
  it("waits for every live gateway, then sums them fleet-wide, per route and per gateway", () => {
    at(T0 + 1.2);
    monitor.ingest(attestation("g2", [], T0 - 1)); // g2 is live but has not reported T0 yet
    monitor.ingest(attestation("g1", secondsOf(burst(T0, 30, { prefix: "a" })), T0));
    expect(closed.map((c) => c.t)).toEqual([]);
    at(T0 + 1.9);
    monitor.ingest(
      attestation(
        "g2",
        secondsOf([...burst(T0, 20, { prefix: "a" }), ...burst(T0, 10, { prefix: "b", status: 503 })]),
        T0,
      ),
    );
    expect(closed.map((c) => c.t)).toEqual([T0]);
    const s = closed[0]!.samples;
    expect(sample(s, "requests")).toBe(60);
    expect(sample(s, "requests", { route: "shop" })).toBe(60);
    expect(sample(s, "requests", { gateway: "g1" })).toBe(30);
    expect(sample(s, "requests", { gateway: "g2" })).toBe(30);
    expect(sample(s, "s2xx")).toBe(50);
    expect(sample(s, "s5xx")).toBe(10);
    expect(sample(s, "error_ratio")).toBeCloseTo(10 / 60, 10);
    expect(sample(s, "error_ratio", { gateway: "g1" })).toBe(0);
    // Clients a-0..a-29 on g1 and a-0..a-19 on g2 are the same 30 people; b-0..b-9 are 10 more.
    // Merging the gateways' sketches gives exactly the sketch of the union of their clients.
    const union = [
      ...Array.from({ length: 30 }, (_, i) => `a-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `b-${i}`),
    ];
    expect(sample(s, "unique_clients")).toBe(estimateOf(union));
    expect(Math.abs(sample(s, "unique_clients")! - 40) / 40).toBeLessThan(3 * HLL_STANDARD_ERROR);
    expect(sample(s, "failed_clients")).toBe(estimateOf(union.slice(30)));
    expect(sample(s, "unique_clients", { gateway: "g2" })).toBe(
      estimateOf(union.slice(0, 20).concat(union.slice(30))),
    );
  });

  it("closes without a late gateway after the lateness bound, and drops what it sends afterwards", () => {
    at(T0 + 1.5);
    monitor.ingest(attestation("late", [], T0 - 1));
    monitor.ingest(attestation("g1", secondsOf(burst(T0, 5)), T0));
    expect(closed).toEqual([]);
    at(T0 + 5.999);
    monitor.tick();
    expect(closed).toEqual([]);
    at(T0 + 6); // T0 ended at T0+1; 5 s of lateness
    monitor.tick();
    expect(closed.map((c) => c.t)).toEqual([T0]);
    expect(sample(closed[0]!.samples, "requests")).toBe(5);
    monitor.ingest(attestation("late", secondsOf(burst(T0, 100)), T0 + 3));
    // T0 stays as handed out; the late gateway's T0 is not counted anywhere.
    const q = monitor.query({ name: "requests", from: T0, to: T0 + 1 });
    expect(q.points).toEqual([{ t: T0, value: 5 }]);
    expect(monitor.stats().lateSeconds).toBe(1);
    // T0+1 still waits for g1 (live, reported through T0) until its own lateness bound.
    expect(closed.map((c) => c.t)).toEqual([T0]);
    at(T0 + 7);
    monitor.tick();
    expect(closed.map((c) => c.t)).toEqual([T0, T0 + 1]);
  });

  it("does not wait for a gateway gone silent (not live), and closes idle seconds with zeros", () => {
    at(T0 + 0.5);
    monitor.ingest(attestation("gone", [], T0 - 1));
    at(T0 + 11); // 10.5 s without an attestation: no longer live
    monitor.ingest(attestation("g1", secondsOf(burst(T0 + 9, 3)), T0 + 10));
    expect(closed.map((c) => c.t)).toEqual(Array.from({ length: 11 }, (_, i) => T0 + i));
    const idle = closed[0]!.samples;
    expect(sample(idle, "requests")).toBe(0);
    expect(sample(idle, "requests", { route: "shop" })).toBe(0);
    expect(sample(idle, "error_ratio")).toBe(0);
    expect(sample(idle, "p99_ms")).toBe(0);
    expect(sample(closed[9]!.samples, "requests", { route: "shop" })).toBe(3);
  });

  it("closes seconds with no gateway at all as soon as they end", () => {
    at(T0 + 3.01);
    monitor.tick();
    expect(closed.map((c) => c.t)).toEqual([T0, T0 + 1, T0 + 2]);
    expect(closed.every((c) => sample(c.samples, "requests") === 0)).toBe(true);
  });

  it("keeps the first copy of a second a gateway resends", () => {
    at(T0 + 0.5);
    monitor.ingest(attestation("g1", secondsOf(burst(T0, 7)), T0 - 1));
    at(T0 + 1.5);
    monitor.ingest(attestation("g1", secondsOf(burst(T0, 7)), T0));
    expect(sample(closed[0]!.samples, "requests")).toBe(7);
    at(T0 + 2.5);
    monitor.ingest(attestation("g1", secondsOf(burst(T0, 7)), T0 + 1)); // T0 again, closed now: a resend
    expect(monitor.stats().lateSeconds).toBe(0);
  });

  it("merges latency histograms across gateways and counts WAF blocks, rate limits and shed per kind", () => {
    at(T0 + 1.5);
    const fast = Array.from({ length: 98 }, () => ({ t: T0, route: "shop", ms: 2 }));
    const slow = [
      { t: T0, route: "shop", ms: 900 },
      { t: T0, route: "shop", ms: 900 },
    ];
    const refused = [
      { t: T0, route: "shop", status: 403, outcome: "blocked" as const, module: "sqli", client: "x" },
      { t: T0, route: "shop", status: 403, outcome: "blocked" as const, module: "sqli", client: "x" },
      { t: T0, route: "shop", status: 403, outcome: "blocked" as const, client: "y" },
      { t: T0, route: "shop", status: 429, outcome: "rate_limited" as const, client: "z" },
      { t: T0, route: "shop", status: 503, outcome: "shed" as const, client: "w" },
    ];
    monitor.ingest(attestation("g2", [], T0 - 1));
    monitor.ingest(attestation("g1", secondsOf(fast), T0));
    monitor.ingest(attestation("g2", secondsOf([...slow, ...refused]), T0));
    const s = closed[0]!.samples;
    expect(sample(s, "requests")).toBe(105);
    // 105 requests: the 99th percentile rank (104) falls among the 900 ms ones only when merged.
    expect(sample(s, "p99_ms")).toBeGreaterThanOrEqual(900);
    expect(sample(s, "p99_ms")).toBeLessThan(900 * 1.25);
    expect(sample(s, "p50_ms")).toBeGreaterThanOrEqual(2);
    expect(sample(s, "p50_ms")).toBeLessThan(2 * 1.25);
    expect(sample(s, "blocked")).toBe(3);
    expect(sample(s, "block_ratio")).toBeCloseTo(3 / 105, 10);
    expect(sample(s, "waf_blocks", { module: "sqli" })).toBe(2);
    expect(sample(s, "waf_blocks", { module: "other" })).toBe(1);
    expect(sample(s, "waf_blocks", { route: "shop", module: "sqli" })).toBe(2);
    expect(sample(s, "rate_limited")).toBe(1);
    expect(sample(s, "shed")).toBe(1);
    expect(sample(s, "s4xx")).toBe(4);
    expect(sample(s, "s5xx")).toBe(1);
    expect(sample(s, "failed_clients")).toBe(4); // x, y, z, w
  });

  it("drops malformed per-route counts and counts them, keeping the rest of the second", () => {
    at(T0 + 1.5);
    const [good] = secondsOf(burst(T0, 3));
    const routes = {
      shop: good!.routes!.shop!,
      bad: { requests: "many", s5xx: 0, blocked: 0, p99Ms: 1 },
      worse: null,
      negative: { requests: -5, s5xx: 0, blocked: 0, p99Ms: 1 },
    } as unknown as Record<string, AttestedCounts>;
    monitor.ingest(attestation("g1", [{ ...good!, routes }], T0));
    const s = closed[0]!.samples;
    expect(sample(s, "requests")).toBe(3);
    expect(sample(s, "requests", { route: "shop" })).toBe(3);
    expect(sample(s, "requests", { route: "bad" })).toBeUndefined();
    expect(monitor.stats().malformedCounts).toBe(3);
  });

  it("takes seconds from a gateway of an older build (no histogram, no routes, no sketches)", () => {
    at(T0 + 1.5);
    monitor.ingest({
      ...attestation("old", [], T0),
      seconds: [{ t: T0, requests: 12, s5xx: 3, blocked: 1, p99Ms: 45 }],
      through: undefined as unknown as number,
    });
    at(T0 + 2.5);
    monitor.tick();
    const s = closed[0]!.samples;
    expect(sample(s, "requests")).toBe(12);
    expect(sample(s, "s5xx")).toBe(3);
    expect(sample(s, "p99_ms")).toBe(45);
    expect(sample(s, "unique_clients")).toBe(0);
  });
});

describe("queries", () => {
  function traffic(seconds: number, perSecond: (t: number) => number): void {
    for (let i = 0; i < seconds; i++) {
      const t = T0 + i;
      at(t + 1.1);
      monitor.ingest(attestation("g1", secondsOf(burst(t, perSecond(t), { prefix: `s${t % 7}` })), t));
    }
  }

  it("answers from the ring per second and per step (counters as per-second rates, ratios of sums)", () => {
    traffic(20, (t) => (t - T0 < 10 ? 10 : 30));
    const perSecond = monitor.query({ name: "requests", labels: { route: "shop" }, from: T0, to: T0 + 20 });
    expect(perSecond.source).toBe("ring");
    expect(perSecond.stepSeconds).toBe(1);
    expect(perSecond.points.map((p) => p.value)).toEqual([...Array(10).fill(10), ...Array(10).fill(30)]);
    const stepped = monitor.query({ name: "requests", from: T0, to: T0 + 20, stepSeconds: 10 });
    expect(stepped.points).toEqual([
      { t: T0, value: 10 },
      { t: T0 + 10, value: 30 },
    ]);
    // Not closed yet: never a point for a second still open.
    expect(monitor.query({ name: "requests", from: T0 + 15, to: T0 + 100 }).points).toHaveLength(5);
    expect(monitor.query({ name: "error_ratio", from: T0, to: T0 + 20, stepSeconds: 20 }).points).toEqual([
      { t: T0, value: 0 },
    ]);
    expect(
      monitor.query({ name: "requests", labels: { route: "nope" }, from: T0, to: T0 + 2 }).points,
    ).toEqual([
      { t: T0, value: 0 },
      { t: T0 + 1, value: 0 },
    ]);
  });

  it("refuses unknown names and labels, and empty ranges, with coded errors", () => {
    expect(() => monitor.query({ name: "rps", from: T0, to: T0 + 1 })).toThrow(
      expect.objectContaining({ code: "SERIES_UNKNOWN_NAME" }),
    );
    expect(() => monitor.query({ name: "requests", labels: { host: "x" }, from: T0, to: T0 + 1 })).toThrow(
      expect.objectContaining({ code: "SERIES_BAD_QUERY" }),
    );
    expect(() =>
      monitor.query({ name: "requests", labels: { route: "a", gateway: "b" }, from: T0, to: T0 + 1 }),
    ).toThrow(expect.objectContaining({ code: "SERIES_BAD_QUERY" }));
    expect(() => monitor.query({ name: "requests", from: T0 + 5, to: T0 })).toThrow(
      expect.objectContaining({ code: "SERIES_BAD_QUERY" }),
    );
    expect(() => monitor.query({ name: "requests", from: T0, to: T0 + 5, stepSeconds: 0.5 })).toThrow(
      expect.objectContaining({ code: "SERIES_BAD_QUERY" }),
    );
    expect(() =>
      new Monitor(store, { now: () => now, minuteRetentionDays: 30 }).query({
        name: "requests",
        from: T0 - 30 * 86_400,
        to: T0,
        stepSeconds: 60,
      }),
    ).toThrow(
      expect.objectContaining({
        code: "SERIES_BAD_QUERY",
        hint: "use a step of at least 236 s, or a shorter range",
      }),
    );
    expect(monitor.names()).toContain("unique_clients");
  });

  it("lists the busiest routes over the last seconds", () => {
    at(T0 + 1.5);
    monitor.ingest(
      attestation(
        "g1",
        secondsOf([
          ...burst(T0, 40, { route: "browse" }),
          ...burst(T0, 10, { route: "checkout" }),
          ...burst(T0, 10, { route: "checkout", status: 502 }),
        ]),
        T0,
        ["browse", "checkout", "idle"],
      ),
    );
    const top = monitor.top({ windowSeconds: 1, limit: 2 });
    expect(top.routes.map((r) => [r.route, r.requestsPerSecond, r.errorRatio])).toEqual([
      ["browse", 40, 0],
      ["checkout", 20, 0.5],
    ]);
    expect(top.fleet.requestsPerSecond).toBe(60);
  });
});

describe("rollups", () => {
  /** One request per second from client `c${t % clients}` over `seconds` seconds from `start`. */
  function steady(start: number, seconds: number, clients: number): void {
    for (let t = start; t < start + seconds; t++) {
      at(t + 1.1);
      monitor.ingest(
        attestation(
          "g1",
          secondsOf([{ t, route: "shop", client: `c${t % clients}`, ms: t % 2 === 0 ? 5 : 50 }]),
          t,
        ),
      );
    }
  }

  it("writes minute and hour rows that answer long ranges and distinct clients over a window", () => {
    steady(T0, 3 * 60 + 1, 200); // three whole minutes, then the first second of the fourth closes them
    const minutes = monitor.query({ name: "requests", from: T0, to: T0 + 180, stepSeconds: 60 });
    expect(minutes.source).toBe("ring"); // within the last hour: the ring answers
    expect(minutes.points.map((p) => p.value)).toEqual([1, 1, 1]);
    const rows = store.db
      .prepare(
        "SELECT resolution, t, requests, route, gateway FROM series_rollups ORDER BY resolution, route, gateway, t",
      )
      .all();
    expect(rows).toEqual([
      ...[0, 60, 120].map((o) => ({ resolution: 60, t: T0 + o, requests: 60, route: "", gateway: "" })),
      ...[0, 60, 120].map((o) => ({ resolution: 60, t: T0 + o, requests: 60, route: "", gateway: "g1" })),
      ...[0, 60, 120].map((o) => ({ resolution: 60, t: T0 + o, requests: 60, route: "shop", gateway: "" })),
      { resolution: 3600, t: T0, requests: 180, route: "", gateway: "" },
      { resolution: 3600, t: T0, requests: 180, route: "", gateway: "g1" },
      { resolution: 3600, t: T0, requests: 180, route: "shop", gateway: "" },
    ]);
    const hour = store.db
      .prepare(
        "SELECT p50_ms, p99_ms, unique_clients FROM series_rollups WHERE resolution = 3600 AND route = 'shop'",
      )
      .get() as Record<string, number>;
    expect(hour.p99_ms).toBeGreaterThanOrEqual(50);
    expect(hour.p50_ms).toBeGreaterThanOrEqual(5);
    expect(hour.p50_ms).toBeLessThan(50);
    expect(Math.abs(hour.unique_clients! - 180) / 180).toBeLessThan(3 * HLL_STANDARD_ERROR);
    const d = monitor.distinctClients({ from: T0, to: T0 + 180, route: "shop" });
    expect(d.from).toBe(T0);
    expect(d.to).toBe(T0 + 180);
    expect(Math.abs(d.estimate - 180) / 180).toBeLessThan(3 * HLL_STANDARD_ERROR);
    expect(monitor.distinctClients({ from: T0, to: T0 + 180, route: "shop", failed: true }).estimate).toBe(0);
  });

  it("answers from minute rows once the range leaves the ring, and keeps them across a restart", () => {
    steady(T0, 121, 50);
    at(T0 + 2 * 3600); // two hours later: the ring no longer holds T0..T0+120
    monitor.tick();
    const q = monitor.query({ name: "requests", labels: { route: "shop" }, from: T0, to: T0 + 120 });
    expect(q.source).toBe("minute");
    expect(q.points).toEqual([
      { t: T0, value: 1 },
      { t: T0 + 60, value: 1 },
    ]);
    monitor.stop();
    store.close();
    ({ store } = tempStore(() => now, dir));
    const again = new Monitor(store, { now: () => now });
    expect(
      again.query({ name: "requests", labels: { route: "shop" }, from: T0, to: T0 + 120 }).points,
    ).toEqual(q.points);
    const hourly = again.query({ name: "requests", from: T0, to: T0 + 3600, stepSeconds: 3600 });
    expect(hourly.source).toBe("hour");
    // 121 requests: the pause also stored the one second of the third minute.
    expect(hourly.points).toEqual([{ t: T0, value: 121 / 3600 }]);
    const d = again.distinctClients({ from: T0, to: T0 + 120 });
    expect(Math.abs(d.estimate - 50) / 50).toBeLessThan(3 * HLL_STANDARD_ERROR);
  });

  it("stores a minute cut by a restart in two parts that add up", () => {
    steady(T0, 30, 1000); // seconds T0..T0+29 closed, the minute still open
    monitor.stop(); // the control plane shuts down: the part built so far is stored
    store.close();
    ({ store } = tempStore(() => now, dir));
    monitor = new Monitor(store, { now: () => now });
    steady(T0 + 30, 31, 1000); // the rest of the minute, then the first second of the next closes it
    const row = store.db
      .prepare(
        "SELECT requests, unique_clients FROM series_rollups WHERE resolution = 60 AND route = 'shop' AND t = ?",
      )
      .get(T0) as { requests: number; unique_clients: number };
    expect(row.requests).toBe(60);
    expect(Math.abs(row.unique_clients - 60) / 60).toBeLessThan(3 * HLL_STANDARD_ERROR);
    const hour = store.db
      .prepare("SELECT requests FROM series_rollups WHERE resolution = 3600 AND route = 'shop' AND t = ?")
      .get(T0) as { requests: number };
    expect(hour.requests).toBe(60);
  });

  it("after a pause longer than the ring, stores the open minute and shows no stale seconds", () => {
    steady(T0, 30, 5);
    at(T0 + 3600 + 30.5); // the process was suspended for an hour
    monitor.tick();
    expect(monitor.closedThrough).toBe(T0 + 3600 + 29);
    const row = store.db
      .prepare(
        "SELECT requests FROM series_rollups WHERE resolution = 60 AND route = '' AND gateway = '' AND t = ?",
      )
      .get(T0) as { requests: number };
    expect(row.requests).toBe(30);
    // Slot T0 + 3600 is slot T0 of the ring: it must read 0, not the second of an hour ago.
    const q = monitor.query({ name: "requests", from: T0 + 3600, to: T0 + 3601 });
    expect(q.source).toBe("ring");
    expect(q.points).toEqual([{ t: T0 + 3600, value: 0 }]);
  });

  it("prunes minute rows after their retention and hour rows after theirs", () => {
    monitor = new Monitor(store, { now: () => now, minuteRetentionDays: 1, hourRetentionDays: 2 });
    steady(T0, 61, 5);
    const count = (resolution: number) =>
      (
        store.db.prepare("SELECT count(*) AS n FROM series_rollups WHERE resolution = ?").get(resolution) as {
          n: number;
        }
      ).n;
    expect([count(60), count(3600)]).toEqual([3, 3]);
    steady(T0 + 86_400 + 60, 61, 5); // a day later: the first minute rows go at the next minute written
    expect([count(60), count(3600)]).toEqual([3, 6]);
    steady(T0 + 3 * 86_400, 61, 5);
    expect([count(60), count(3600)]).toEqual([3, 3]);
    const old = monitor.query({ name: "requests", from: T0, to: T0 + 3600, stepSeconds: 3600 });
    expect(old.points).toEqual([{ t: T0, value: 0 }]);
  });
});

describe("memory", () => {
  it("holds 4 bytes per series per second: 14.4 KB per series per hour", () => {
    at(T0 + 1.5);
    monitor.ingest(attestation("g1", secondsOf(burst(T0, 1)), T0));
    const s = monitor.stats();
    expect(s.bytesPerSeriesHour).toBe(14_400);
    // fleet, route shop, gateway g1: 11 columns each, an hour of seconds
    expect(s.groups).toBe(3);
    expect(s.ringBytes).toBe(3 * 11 * 14_400);
  });

  it("bounds the number of groups and counts what it drops", () => {
    monitor = new Monitor(store, { now: () => now, maxGroups: 3 });
    at(T0 + 1.5);
    monitor.ingest(
      attestation(
        "g1",
        secondsOf([...burst(T0, 1, { route: "a" }), ...burst(T0, 1, { route: "b" })]),
        T0,
        [],
      ),
    );
    expect(monitor.stats().groups).toBe(3);
    expect(monitor.stats().droppedGroupSeconds).toBe(1);
  });
});

describe("fleet hand-off", () => {
  it("Fleet.attest feeds the store's monitor and keeps only the gate's fields for itself", () => {
    const fleet = new Fleet(store, { now: () => now });
    const m = monitorFor(store);
    at(T0 + 1.5);
    fleet.attest(attestation("g1", secondsOf(burst(T0, 4)), T0));
    expect(m.query({ name: "requests", from: T0, to: T0 + 1 }).points).toEqual([{ t: T0, value: 4 }]);
    expect(fleet.seconds("g1", T0 * 1000, (T0 + 1) * 1000)).toEqual([
      { t: T0, requests: 4, s5xx: 0, blocked: 0, p99Ms: 11.1, version: null },
    ]);
  });
});
