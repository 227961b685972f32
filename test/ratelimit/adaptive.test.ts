import { describe, expect, it } from "vitest";
import { AdaptiveLimit, type AdaptiveLimitOptions } from "../../src/ratelimit/adaptive.js";

/**
 * A closed-loop upstream: `limit` requests always in flight (the surge saturates the limiter);
 * latency is `base` while in-flight <= capacity and grows linearly above it (Little's law: the
 * upstream serves `capacity` at a time, the rest queue inside it).
 */
function simulate(
  a: AdaptiveLimit,
  capacities: { capacity: number; windows: number; base?: number }[],
): number[][] {
  let now = 0;
  const trace: number[][] = [];
  for (const phase of capacities) {
    const base = phase.base ?? 10;
    const limits: number[] = [];
    for (let w = 0; w < phase.windows; w++) {
      for (let i = 0; i < 10; i++) {
        const inFlight = a.limit;
        now += 1;
        a.sample(base * Math.max(1, inFlight / phase.capacity), true, inFlight, now);
      }
      limits.push(a.limit);
    }
    trace.push(limits);
  }
  return trace;
}

const opts: AdaptiveLimitOptions = { initial: 10, max: 1000, windowSize: 10, minWindowMs: 0 };

describe("AdaptiveLimit (gradient)", () => {
  it.each([5, 20, 80, 300])("settles between capacity and 2 x capacity for an upstream of %i", (capacity) => {
    const [limits] = simulate(new AdaptiveLimit(opts), [{ capacity, windows: 2_000 }]);
    const tail = limits!.slice(-500);
    // Allow the probe windows (limit halved for a moment) below capacity.
    const settled = tail.filter((l) => l >= capacity && l <= 2 * capacity + 4);
    expect(settled.length).toBeGreaterThan(tail.length * 0.9);
  });

  it("converges down when latency rises with concurrency, and back up when it drops", () => {
    const a = new AdaptiveLimit({ ...opts, initial: 200 });
    // Starts far above a small upstream: must come down.
    const [down, up, downAgain] = simulate(a, [
      { capacity: 20, windows: 300 },
      { capacity: 100, windows: 300 },
      { capacity: 10, windows: 300 },
    ]);
    expect(Math.max(...down!.slice(-50))).toBeLessThanOrEqual(2 * 20 + 4);
    expect(Math.min(...down!.slice(-50))).toBeGreaterThanOrEqual(20);
    expect(Math.min(...up!.slice(-50))).toBeGreaterThanOrEqual(100);
    expect(Math.max(...up!.slice(-50))).toBeLessThanOrEqual(2 * 100 + 4);
    expect(Math.max(...downAgain!.slice(-50))).toBeLessThanOrEqual(2 * 10 + 4);
  });

  it("a cold start far above capacity is corrected by the first probe (halving while latency falls)", () => {
    const a = new AdaptiveLimit({ ...opts, initial: 400, firstProbe: 5 });
    const [limits] = simulate(a, [{ capacity: 20, windows: 100 }]);
    expect(Math.min(...limits!)).toBeLessThan(20); // the probe went below capacity ...
    expect(a.baselineRttMs).toBe(10); // ... so it saw the true no-load latency
    expect(limits!.slice(-20).every((l) => l >= 20 && l <= 44)).toBe(true);
  });

  it("re-learns a no-load latency that really rose at the next probe", () => {
    const a = new AdaptiveLimit({ ...opts, initial: 10, probeInterval: 100 });
    const [, slower] = simulate(a, [
      { capacity: 20, windows: 90 },
      { capacity: 20, windows: 200, base: 30 }, // same capacity, every request 3 x slower
    ]);
    expect(Math.min(...slower!.slice(0, 30))).toBeLessThan(20); // first taken for queueing
    expect(a.baselineRttMs).toBe(30);
    expect(slower!.slice(-20).every((l) => l >= 20 && l <= 44)).toBe(true);
  });

  it.each([
    [1.25, 107], // slow start: max(+4, x1.25) per window while latency is flat (10 14 18 22.5 28.1 ...)
    [1, 10 + 4 * 10], // disabled: Gradient2's + queueSize per window
  ])("growthRatio %s: 10 windows of flat latency at full use reach %i", (growthRatio, expected) => {
    const a = new AdaptiveLimit({ ...opts, growthRatio, probeInterval: 0 });
    simulate(a, [{ capacity: 100_000, windows: 10 }]);
    expect(a.limit).toBe(expected);
  });

  it("stays put while the caller uses less than half of the limit (app-limited)", () => {
    const a = new AdaptiveLimit({ ...opts, initial: 100, probeInterval: 0 });
    for (let i = 0; i < 1_000; i++) a.sample(i % 2 === 0 ? 10 : 500, true, 10, i);
    expect(a.limit).toBe(100);
  });

  it("backs off multiplicatively on failures even when they are fast", () => {
    const a = new AdaptiveLimit({ ...opts, initial: 100, probeInterval: 0 });
    for (let i = 0; i < 100; i++) a.sample(1, false, 100, i); // 10 windows
    expect(a.limit).toBe(Math.floor(100 * 0.9 ** 10));
  });

  it("respects min and max", () => {
    const hi = new AdaptiveLimit({ ...opts, initial: 10, max: 12, probeInterval: 0 });
    for (let i = 0; i < 1_000; i++) hi.sample(10, true, hi.limit, i);
    expect(hi.limit).toBe(12);
    const lo = new AdaptiveLimit({ ...opts, initial: 10, min: 3, probeInterval: 0 });
    for (let i = 0; i < 1_000; i++) lo.sample(10, false, lo.limit, i);
    expect(lo.limit).toBe(3);
  });

  it("a window closes only after windowSize samples and minWindowMs", () => {
    const a = new AdaptiveLimit({ initial: 10, windowSize: 3, minWindowMs: 100, probeInterval: 0 });
    expect(a.limit).toBe(10);
    a.sample(10, true, 10, 0);
    a.sample(10, true, 10, 50);
    a.sample(10, true, 10, 99);
    a.sample(10, true, 10, 99);
    expect(a.limit).toBe(10);
    a.sample(10, true, 10, 100);
    expect(a.limit).toBe(14);
  });

  it("ignores invalid latencies", () => {
    const a = new AdaptiveLimit({ ...opts, windowSize: 1, probeInterval: 0 });
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY]) a.sample(bad, true, 10, 0);
    expect(a.limit).toBe(10);
    expect(a.baselineRttMs).toBe(0);
  });

  it("notifies a listener when the integer limit changes", () => {
    const a = new AdaptiveLimit({ ...opts, windowSize: 1, probeInterval: 0 });
    let calls = 0;
    a.onChange(() => calls++);
    a.sample(10, true, 10, 0);
    expect(calls).toBe(1);
  });

  it.each<AdaptiveLimitOptions>([
    { min: 0 },
    { min: 5, max: 4 },
    { initial: 2000 },
    { tolerance: 0.5 },
    { smoothing: 0 },
    { backoffRatio: 1 },
    { windowSize: 0 },
    { probeInterval: -1 },
    { firstProbe: 1.5 },
    { growthRatio: 0.5 },
    { max: Number.POSITIVE_INFINITY },
  ])("refuses options %j", (o) => {
    expect(() => new AdaptiveLimit(o)).toThrow(expect.objectContaining({ code: "RATELIMIT_BAD_POLICY" }));
  });
});
