import { describe, expect, it } from "vitest";
import { MemoryRateLimitStore } from "../../src/ratelimit/gcra.js";
import { createPolicy } from "../../src/ratelimit/rate.js";
import type { RateLimitDecision } from "../../src/ratelimit/types.js";

type Row = readonly [now: number, allowed: boolean, remaining: number, resetMs: number, retryAfterMs: number];

function pick(d: RateLimitDecision): Row {
  return [0, d.allowed, d.remaining, d.resetMs, d.retryAfterMs];
}

describe("MemoryRateLimitStore: exact GCRA sequences", () => {
  // 10/s with burst 4: emission interval T = 100 ms, tolerance = 500 ms, 5 requests at once.
  const policy = createPolicy("p", "10/s", 4);

  it.each<{ name: string; rows: Row[] }>([
    {
      name: "burst, refusal, replenish one by one, full replenish",
      rows: [
        [0, true, 4, 100, 0],
        [0, true, 3, 200, 0],
        [0, true, 2, 300, 0],
        [0, true, 1, 400, 0],
        [0, true, 0, 500, 0],
        [0, false, 0, 500, 100],
        [50, false, 0, 450, 50],
        [100, true, 0, 500, 0],
        [100, false, 0, 500, 100],
        [350, true, 1, 350, 0],
        [2_000, true, 4, 100, 0],
      ],
    },
    {
      name: "steady rate at exactly T never refuses and keeps the burst",
      rows: [
        [0, true, 4, 100, 0],
        [100, true, 4, 100, 0],
        [200, true, 4, 100, 0],
        [300, true, 4, 100, 0],
      ],
    },
    {
      name: "a clock that goes back is treated as now = last TAT",
      rows: [
        [1_000, true, 4, 100, 0],
        [900, true, 2, 300, 0],
      ],
    },
  ])("$name", ({ rows }) => {
    const store = new MemoryRateLimitStore();
    for (const [now, ...expected] of rows) {
      const d = store.consume("k", policy, now);
      expect(pick(d).slice(1)).toEqual(expected);
      expect(d.policy).toBe(policy);
    }
  });

  it("burst 0 lets exactly one request through per emission interval", () => {
    const store = new MemoryRateLimitStore();
    const p = createPolicy("one", "1/s", 0);
    expect(store.consume("k", p, 0)).toMatchObject({ allowed: true, remaining: 0, resetMs: 1_000 });
    expect(store.consume("k", p, 999)).toMatchObject({ allowed: false, retryAfterMs: 1, resetMs: 1 });
    expect(store.consume("k", p, 1_000)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it("fractional emission intervals (3/s) do not drift into spurious refusals", () => {
    const store = new MemoryRateLimitStore();
    const p = createPolicy("third", "3/s", 0);
    let refused = 0;
    for (let i = 0; i < 30_000; i++) if (!store.consume("k", p, (i * 1000) / 3).allowed) refused++;
    // Same on an epoch clock, where doubles are coarser.
    const epoch = 1_764_000_000_000;
    for (let i = 0; i < 30_000; i++) if (!store.consume("e", p, epoch + (i * 1000) / 3).allowed) refused++;
    expect(refused).toBe(0);
    // The last request was at epoch + 29999 * 1000/3, so the next is due at epoch + 1e7 exactly.
    const early = store.consume("e", p, epoch + 10_000_000 - 1);
    expect(early.allowed).toBe(false);
    expect(early.retryAfterMs).toBeCloseTo(1, 3);
    expect(store.consume("e", p, epoch + 10_000_000).allowed).toBe(true);
  });

  it("keys and policies are independent", () => {
    const store = new MemoryRateLimitStore();
    const p = createPolicy("one", "1/min", 0);
    expect(store.consume("a", p, 0).allowed).toBe(true);
    expect(store.consume("a", p, 1).allowed).toBe(false);
    expect(store.consume("b", p, 1).allowed).toBe(true);
    expect(store.size()).toBe(2);
  });

  it("a refused request stores nothing new and a huge key is just a key", () => {
    const store = new MemoryRateLimitStore();
    const p = createPolicy("one", "1/h", 0);
    const huge = "k".repeat(1_000_000);
    expect(store.consume(huge, p, 0).allowed).toBe(true);
    expect(store.consume(huge, p, 0).allowed).toBe(false);
    expect(store.consume("", p, 0).allowed).toBe(true);
    expect(store.size()).toBe(2);
  });
});

describe("MemoryRateLimitStore: bounded memory", () => {
  const p = createPolicy("p", "1/s", 0); // every key's TAT is its last request + 1000 ms

  it("expired keys are swept incrementally by later calls", () => {
    const store = new MemoryRateLimitStore({ sweepPerCall: 2 });
    for (let i = 0; i < 10_000; i++) store.consume(`k${i}`, p, 0);
    expect(store.size()).toBe(10_000);
    // Before expiry nothing may be removed.
    for (let i = 0; i < 6_000; i++) store.consume("hot", p, 999);
    expect(store.size()).toBe(10_001);
    // After expiry, each call visits two slots: 5,001 calls cover every slot.
    for (let i = 0; i < 5_001; i++) store.consume("hot", p, 1_000 + i * 1_000);
    expect(store.size()).toBe(1);
  });

  it("sweep(now, n) visits at most n slots and keeps live keys", () => {
    const store = new MemoryRateLimitStore({ sweepPerCall: 0 });
    for (let i = 0; i < 100; i++) store.consume(`k${i}`, p, i * 10); // TATs 1000 .. 1990
    expect(store.sweep(1_500, 10)).toBe(10);
    expect(store.size()).toBe(90);
    expect(store.sweep(1_500, 1_000)).toBe(41); // k10 .. k50 have TAT <= 1500
    expect(store.size()).toBe(49);
    expect(store.sweep(1_500, 1_000)).toBe(0);
    // A freed slot is reused and the key starts fresh.
    expect(store.consume("k0", p, 1_500)).toMatchObject({ allowed: true, remaining: 0, resetMs: 1_000 });
  });

  it.each([1, 2, 7, 100, 5_000])("maxKeys=%i is never exceeded by a flood of distinct keys", (maxKeys) => {
    const store = new MemoryRateLimitStore({ maxKeys, sweepPerCall: 0 });
    const slow = createPolicy("slow", "1/h", 0); // nothing expires during the flood
    for (let i = 0; i < 20_000; i++) {
      expect(store.consume(`flood${i}`, slow, i).allowed).toBe(true);
      if (store.size() > maxKeys) throw new Error(`size ${store.size()} > ${maxKeys} at ${i}`);
    }
    expect(store.size()).toBe(maxKeys);
    expect(store.evicted()).toBe(20_000 - maxKeys);
  });

  it("at the cap the sampled entry with the earliest TAT is evicted, an expired one first", () => {
    const store = new MemoryRateLimitStore({ maxKeys: 3, sweepPerCall: 0, evictionSamples: 3 });
    store.consume("busy", p, 0);
    store.consume("busy", p, 0); // refused, TAT stays 1000
    store.consume("early", p, 0);
    store.consume("late", p, 500); // TAT 1500
    for (let i = 0; i < 5; i++) store.consume("busy", p, 1_000 + i * 1000); // TAT 6000
    store.consume("new", p, 1_200); // 'early' (TAT 1000) has expired: reclaimed, not counted
    expect(store.evicted()).toBe(0);
    expect(store.consume("early", p, 1_200).allowed).toBe(true); // evicts 'late' (TAT 1500), live
    expect(store.evicted()).toBe(1);
    expect(store.consume("busy", p, 1_200).allowed).toBe(false); // the busy key kept its state
    expect(store.size()).toBe(3);
  });

  it("clear() forgets everything", () => {
    const store = new MemoryRateLimitStore();
    store.consume("a", p, 0);
    store.clear();
    expect(store.size()).toBe(0);
    expect(store.consume("a", p, 0).allowed).toBe(true);
  });

  it.each([{ maxKeys: 0 }, { maxKeys: 1.5 }, { sweepPerCall: -1 }, { evictionSamples: 0 }])(
    "refuses options %j",
    (opts) => {
      expect(() => new MemoryRateLimitStore(opts)).toThrow(
        expect.objectContaining({ code: "RATELIMIT_BAD_POLICY" }),
      );
    },
  );
});
