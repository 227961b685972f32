/** The small pure pieces of the gateway: request ids, cookies and limiter keys, metrics, per-second series. */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { GatewayMetrics, Histogram, LATENCY_BUCKETS } from "../../src/gateway/metrics.js";
import { isValidRequestId, newRequestId, requestIdFor } from "../../src/gateway/requestId.js";
import { type CompiledRateLimit, cookieValue, rateLimitKey } from "../../src/gateway/runtime.js";
import { RING_SECONDS, SecondCounters, SecondSeries } from "../../src/gateway/seconds.js";
import { hashClient, mergeEncodedSketch, newSketch, sketchEstimate } from "../../src/monitor/series/hll.js";

describe("request ids", () => {
  it.each([
    ["abc", true],
    ["0f8fad5b-d9cb-469f-a165-70867728950e", true],
    ["Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8", false],
    ["a".repeat(128), true],
    ["a".repeat(129), false],
    ["", false],
    ["a b", false],
    ['a"b', false],
    ["a\\b", false],
    ["\u00e9", false],
    ["a\r\nX-Evil: 1", false],
  ])("%j valid: %s", (id, ok) => {
    expect(isValidRequestId(id)).toBe(ok);
  });

  it("keeps a valid id, replaces the rest (arrays from repeated headers too)", () => {
    expect(requestIdFor("keep.me")).toBe("keep.me");
    expect(requestIdFor(undefined)).toMatch(/^[0-9a-f]{10}-/);
    expect(requestIdFor(["a", "b"])).toMatch(/^[0-9a-f]{10}-/);
  });

  it("generates unique ids, cheaper than randomUUID (measured)", () => {
    const n = 200_000;
    const seen = new Set<string>();
    for (let i = 0; i < 1000; i++) seen.add(newRequestId());
    expect(seen.size).toBe(1000);
    let t0 = performance.now();
    let sink = 0;
    for (let i = 0; i < n; i++) sink += newRequestId().length;
    const ours = performance.now() - t0;
    t0 = performance.now();
    for (let i = 0; i < n; i++) sink += randomUUID().length;
    const uuid = performance.now() - t0;
    console.log(
      `[requestId] ${((ours / n) * 1e6).toFixed(0)} ns/id vs randomUUID ${((uuid / n) * 1e6).toFixed(0)} ns/id`,
    );
    expect(sink).toBeGreaterThan(0);
    expect(ours).toBeLessThan(uuid * 2); // never meaningfully worse; usually several times faster
  });
});

describe("cookieValue", () => {
  it.each([
    [undefined, "s", ""],
    ["", "s", ""],
    ["s=1", "s", "1"],
    ["a=1; s=2; b=3", "s", "2"],
    ["a=1;s=2", "s", "2"],
    ["ss=1; s=2", "s", "2"],
    ["s=", "s", ""],
    ["s", "s", ""],
    ["s=a=b", "s", "a=b"],
    ["  s = 4 ", "s", "4"],
    [";;;", "s", ""],
    [`${"x=1; ".repeat(5000)}s=deep`, "s", "deep"],
  ])("%j [%s] -> %j", (header, name, value) => {
    expect(cookieValue(header, name)).toBe(value);
  });
});

describe("rateLimitKey", () => {
  const policy = { name: "p", rate: 1, periodMs: 1000, burst: 0 };
  const rl = (parts: CompiledRateLimit["parts"]): CompiledRateLimit => ({
    policy,
    prefix: "p|r|",
    parts,
    decision: "rate_limited:p",
  });
  const facts = {
    ip: "203.0.113.5",
    headers: { "x-api-key": "k", cookie: "sid=abc", "x-multi": ["a", "b"] },
  };

  it.each([
    [[{ kind: 0, name: "" }], "p|r|203.0.113.5"],
    [[{ kind: 1, name: "" }], "p|r|"],
    [[{ kind: 2, name: "x-api-key" }], "p|r|k"],
    [[{ kind: 2, name: "x-absent" }], "p|r|"],
    [[{ kind: 2, name: "x-multi" }], "p|r|a,b"],
    [[{ kind: 3, name: "sid" }], "p|r|abc"],
    [
      [
        { kind: 0, name: "" },
        { kind: 3, name: "sid" },
      ],
      "p|r|203.0.113.5|abc",
    ],
  ] as [CompiledRateLimit["parts"], string][])("%j -> %s", (parts, key) => {
    expect(rateLimitKey(rl(parts), facts)).toBe(key);
  });
});

describe("metrics", () => {
  it("places observations in the right bucket, +Inf for the tail", () => {
    const h = new Histogram();
    for (const v of [0, 0.001, 0.0011, 5, 1000]) h.observe(v);
    expect(h.counts[0]).toBe(2);
    expect(h.counts[1]).toBe(1);
    expect(h.counts[LATENCY_BUCKETS.indexOf(5)]).toBe(1);
    expect(h.counts[LATENCY_BUCKETS.length]).toBe(1);
    expect(h.count).toBe(5);
  });

  it("renders valid exposition text with escaped labels and cumulative buckets", () => {
    const m = new GatewayMetrics();
    const s = m.statsFor('we"ird\\route', "shop");
    expect(m.statsFor('we"ird\\route', "shop")).toBe(s);
    s.byClass[2] = 3;
    s.totalLatency.observe(0.003);
    s.totalLatency.observe(0.2);
    m.countRejected("431_headers_too_large");
    const text = m.render();
    expect(text).toContain('rampart_requests_total{route="we\\"ird\\\\route",upstream="shop",class="2xx"} 3');
    expect(text).toContain(
      'rampart_request_duration_seconds_bucket{route="we\\"ird\\\\route",upstream="shop",le="0.005"} 1',
    );
    expect(text).toContain(
      'rampart_request_duration_seconds_bucket{route="we\\"ird\\\\route",upstream="shop",le="0.25"} 2',
    );
    expect(text).toContain('rampart_rejected_total{reason="431_headers_too_large"} 1');
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      expect(line).toMatch(/^[a-z_]+(\{.*\})? [0-9.e+-]+$/);
    }
  });
});

describe("SecondSeries", () => {
  it("counts per second and estimates percentiles within a bucket (25 %)", () => {
    const s = new SecondSeries();
    const t = 1_700_000_000_000;
    for (let i = 0; i < 99; i++) s.record(t + i, 200, 10, "ok");
    s.record(t + 500, 503, 400, "shed");
    s.record(t + 600, 429, 1, "rate_limited");
    const points = s.points(t + 999);
    expect(points).toHaveLength(RING_SECONDS);
    const p = points.at(-1)!;
    expect(p).toMatchObject({
      t: Math.floor(t / 1000),
      requests: 101,
      s2xx: 99,
      s4xx: 1,
      s5xx: 1,
      shed: 1,
      rateLimited: 1,
    });
    expect(p.p50Ms).toBeGreaterThanOrEqual(10);
    expect(p.p50Ms).toBeLessThan(12.5);
    expect(p.p99Ms).toBeGreaterThanOrEqual(10);
  });

  it("forgets a slot when its second comes round again, and reports idle seconds as zeros", () => {
    const s = new SecondSeries();
    const t = 1_700_000_000_000;
    s.record(t, 200, 1, "ok");
    s.record(t + RING_SECONDS * 1000, 200, 1, "ok");
    const points = s.points(t + RING_SECONDS * 1000);
    expect(points.at(-1)!.requests).toBe(1);
    expect(points.filter((p) => p.requests > 0)).toHaveLength(1);
    expect(points[0]).toMatchObject({ requests: 0, p50Ms: 0 });
  });

  it("clamps absurd latencies into the last bucket", () => {
    const s = new SecondSeries();
    s.record(1000, 200, 1e12, "ok");
    s.record(1000, 200, -5, "ok");
    expect(s.points(1000).at(-1)!.requests).toBe(2);
  });
});

describe("SecondCounters", () => {
  it("reports the whole gateway as the sum of its routes and the unrouted requests", () => {
    const c = new SecondCounters();
    const t = 1_700_000_000;
    for (let i = 0; i < 30; i++)
      c.seriesFor("shop").record(t * 1000 + i, 200, 10, "ok", hashClient(`10.0.0.${i}`));
    for (let i = 0; i < 5; i++)
      c.seriesFor("api").record(t * 1000 + i, 503, 400, "shed", hashClient(`10.0.1.${i}`));
    c.unrouted.record(t * 1000, 404, 1, "other", hashClient("10.0.0.1"));
    c.seriesFor("api").record((t + 1) * 1000, 200, 10, "ok");
    const [first, second] = c.reports(t, t + 1);
    expect(first).toMatchObject({ t, requests: 36, s2xx: 30, s4xx: 1, s5xx: 5, shed: 5 });
    expect(Object.keys(first!.routes ?? {}).sort()).toEqual(["api", "shop"]);
    expect(first!.routes?.shop).toMatchObject({ requests: 30 });
    // 35 distinct clients (10.0.0.1 twice), failed ones only from the shed api requests.
    const estimate = (encoded: string | undefined): number => {
      const sketch = newSketch();
      expect(mergeEncodedSketch(sketch, encoded ?? "")).toBe(true);
      return sketchEstimate(sketch);
    };
    expect(Math.abs(estimate(first!.clients) - 35)).toBeLessThan(4);
    expect(Math.round(estimate(first!.failedClients))).toBe(5);
    // The merged histogram: most requests took 10 ms, the slowest 400.
    expect(first!.p50Ms).toBeGreaterThanOrEqual(10);
    expect(first!.p99Ms).toBeGreaterThanOrEqual(400);
    // A second without sketches (no client known) reports none.
    expect(second).toMatchObject({ t: t + 1, requests: 1 });
    expect(second!.clients).toBeUndefined();
    const snap = c.snapshot((t + 1) * 1000 + 999);
    expect(snap.all.slice(-2).map((p) => p.requests)).toEqual([36, 1]);
  });
});
