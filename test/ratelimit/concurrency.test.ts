import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AdaptiveLimit } from "../../src/ratelimit/adaptive.js";
import { ConcurrencyLimiter, type Permit } from "../../src/ratelimit/concurrency.js";
import { RateLimitError, ShedError } from "../../src/ratelimit/errors.js";

/** Settles pending promise reactions without moving (fake) time. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

interface Tracked {
  readonly label: string;
  permit?: Permit;
  error?: unknown;
}

/** Starts an acquire and records how it settles, in order, into `log`. */
function track(
  limiter: ConcurrencyLimiter,
  log: string[],
  label: string,
  priority: number,
  timeoutMs = 10_000,
) {
  const t: Tracked = { label };
  limiter.acquire(priority, { timeoutMs }).then(
    (p) => {
      t.permit = p;
      log.push(`${label}:ok`);
    },
    (e: unknown) => {
      t.error = e;
      log.push(`${label}:${e instanceof ShedError ? e.reason : String(e)}`);
    },
  );
  return t;
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ConcurrencyLimiter: permits", () => {
  it("tryAcquire grants up to the limit, then refuses until a release", () => {
    const l = new ConcurrencyLimiter({ limit: 2, maxQueue: 0 });
    const a = l.tryAcquire(0);
    const b = l.tryAcquire(3);
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(l.tryAcquire(0)).toBeUndefined();
    a!.release();
    expect(l.tryAcquire(0)).toBeDefined();
    expect(l.stats().inFlight).toBe(2);
  });

  it("release is idempotent", () => {
    const l = new ConcurrencyLimiter({ limit: 2, maxQueue: 0 });
    const a = l.tryAcquire(0)!;
    l.tryAcquire(0);
    a.release();
    a.release({ latencyMs: 5, ok: true });
    a.release();
    expect(a.isReleased).toBe(true);
    expect(l.stats().inFlight).toBe(1);
  });

  it("maxQueue 0 sheds at once with queue_full", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 0 });
    l.tryAcquire(0);
    const log: string[] = [];
    track(l, log, "x", 0);
    await flush();
    expect(log).toEqual(["x:queue_full"]);
    expect(l.stats().shed).toEqual({ queue_full: 1, queue_timeout: 0, priority: 0 });
  });

  it("tryAcquire does not jump over queued waiters", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4 });
    const first = l.tryAcquire(0)!;
    const log: string[] = [];
    track(l, log, "w", 2);
    first.release();
    await flush();
    expect(log).toEqual(["w:ok"]);
    expect(l.tryAcquire(0)).toBeUndefined();
  });
});

describe("ConcurrencyLimiter: priority order and shedding", () => {
  it("a freed permit goes to the most important class, FIFO within a class", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 10, queueShare: [1, 1, 1, 1] });
    const held = l.tryAcquire(0)!;
    const log: string[] = [];
    const ts = [
      track(l, log, "b1", 2),
      track(l, log, "c1", 1),
      track(l, log, "bot", 3),
      track(l, log, "b2", 2),
      track(l, log, "k1", 0),
      track(l, log, "c2", 1),
    ];
    expect(l.stats().queued).toEqual([1, 2, 2, 1]);
    held.release();
    for (let i = 0; i < ts.length; i++) {
      await flush();
      const granted = ts.find((t) => t.permit !== undefined && !t.permit.isReleased);
      granted?.permit?.release();
    }
    await flush();
    expect(log).toEqual(["k1:ok", "c1:ok", "c2:ok", "b1:ok", "b2:ok", "bot:ok"]);
    expect(l.stats()).toMatchObject({ inFlight: 0, queuedTotal: 0 });
  });

  it("a full queue: a more important arrival evicts the newest waiter of the least important class", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4, queueShare: [1, 1, 1, 1] });
    l.tryAcquire(0);
    const log: string[] = [];
    track(l, log, "bot1", 3);
    track(l, log, "browse1", 2);
    track(l, log, "bot2", 3);
    track(l, log, "cart1", 1);
    track(l, log, "checkout1", 0); // evicts bot2 (newest of class 3)
    track(l, log, "browse2", 2); // evicts bot1
    track(l, log, "browse3", 2); // nobody below class 2 is left: refused
    track(l, log, "cart2", 1); // evicts browse2 (newest of class 2)
    await flush();
    expect(log).toEqual(["bot2:priority", "bot1:priority", "browse3:queue_full", "browse2:priority"]);
    expect(l.stats().queued).toEqual([1, 2, 1, 0]);
    expect(l.stats().shed).toEqual({ queue_full: 1, queue_timeout: 0, priority: 3 });
  });

  it("queue shares: lower classes are refused at once as the queue fills (default 100/75/50/25 %)", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 8 });
    l.tryAcquire(0);
    const log: string[] = [];
    // Queue lengths before each arrival are 0,1,2,... ; class p is admitted below 8 * share[p].
    const arrivals: [string, number][] = [
      ["bot1", 3], // 0 < 2: queued
      ["bot2", 3], // 1 < 2: queued
      ["bot3", 3], // 2 >= 2: refused
      ["browse1", 2], // 2 < 4
      ["browse2", 2], // 3 < 4
      ["browse3", 2], // 4 >= 4: refused
      ["cart1", 1], // 4 < 6
      ["cart2", 1], // 5 < 6
      ["cart3", 1], // 6 >= 6: refused (the queue is not full, so no eviction)
      ["checkout1", 0], // 6 < 8
      ["checkout2", 0], // 7 < 8
      ["checkout3", 0], // full: evicts bot2
    ];
    for (const [label, p] of arrivals) track(l, log, label, p);
    await flush();
    expect(log).toEqual(["bot3:priority", "browse3:priority", "cart3:priority", "bot2:priority"]);
    expect(l.stats().queued).toEqual([3, 2, 2, 1]);
  });

  it("every shed is answered without any time passing", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 100 });
    l.tryAcquire(0);
    const log: string[] = [];
    for (let i = 0; i < 1_000; i++) track(l, log, `r${i}`, i % 4);
    await flush();
    const shed = log.filter((e) => !e.endsWith(":ok"));
    // Nothing timed out: every refusal so far was decided on arrival.
    expect(shed.length).toBe(1_000 - l.stats().queuedTotal);
    expect(shed.every((e) => e.endsWith(":priority") || e.endsWith(":queue_full"))).toBe(true);
    expect(l.stats().queuedTotal).toBe(100);
    expect(l.stats().queued[0]).toBe(100); // checkout took the whole queue by evicting the rest
    expect(l.shedAll()).toBe(100);
  });

  it("priorities out of range are clamped, NaN counts as most important", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 8 });
    l.tryAcquire(0);
    const log: string[] = [];
    track(l, log, "big", 99);
    track(l, log, "neg", -5);
    track(l, log, "nan", Number.NaN);
    track(l, log, "frac", 1.7);
    expect(l.stats().queued).toEqual([2, 1, 0, 1]);
  });
});

describe("ConcurrencyLimiter: timeouts and aborts", () => {
  it("rejects with queue_timeout after timeoutMs, not before", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4 });
    l.tryAcquire(0);
    const log: string[] = [];
    track(l, log, "w", 0, 50);
    await vi.advanceTimersByTimeAsync(49);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(["w:queue_timeout"]);
    expect(l.stats()).toMatchObject({ queuedTotal: 0, shed: { queue_timeout: 1 } });
  });

  it("a granted waiter's timer is cancelled", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4 });
    const held = l.tryAcquire(0)!;
    const log: string[] = [];
    track(l, log, "w", 0, 50);
    held.release();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(["w:ok"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an aborted signal rejects with RATELIMIT_ABORTED and frees the slot", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 1, queueShare: [1, 1, 1, 1] });
    l.tryAcquire(0);
    const ac = new AbortController();
    const p = l.acquire(0, { timeoutMs: 10_000, signal: ac.signal });
    ac.abort(new Error("client went away"));
    await expect(p).rejects.toMatchObject({ code: "RATELIMIT_ABORTED" });
    expect(l.stats()).toMatchObject({ queuedTotal: 0, aborted: 1 });
    expect(vi.getTimerCount()).toBe(0);
    // The queue slot is free again.
    const log: string[] = [];
    track(l, log, "next", 3);
    await flush();
    expect(log).toEqual([]);
    expect(l.stats().queuedTotal).toBe(1);
  });

  it("an already aborted signal rejects at once", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4 });
    await expect(l.acquire(0, { timeoutMs: 10, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(
      RateLimitError,
    );
  });

  it("an abort after the grant changes nothing", async () => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4 });
    const ac = new AbortController();
    const permit = await l.acquire(0, { timeoutMs: 10, signal: ac.signal });
    ac.abort();
    expect(permit.isReleased).toBe(false);
    expect(l.stats().inFlight).toBe(1);
  });

  it.each([Number.NaN, -1, Number.POSITIVE_INFINITY])("refuses timeoutMs %s", async (timeoutMs) => {
    const l = new ConcurrencyLimiter({ limit: 1, maxQueue: 4 });
    await expect(l.acquire(0, { timeoutMs })).rejects.toMatchObject({ code: "RATELIMIT_BAD_POLICY" });
  });

  it.each([
    { limit: 0, maxQueue: 1 },
    { limit: 1.5, maxQueue: 1 },
    { limit: 1, maxQueue: -1 },
    { limit: 1, maxQueue: 1, classes: 0 },
    { limit: 1, maxQueue: 1, queueShare: [1, 1] },
    { limit: 1, maxQueue: 1, queueShare: [1, 1, 2, 1] },
  ])("refuses options %j", (opts) => {
    expect(() => new ConcurrencyLimiter(opts)).toThrow(
      expect.objectContaining({ code: "RATELIMIT_BAD_POLICY" }),
    );
  });
});

describe("ConcurrencyLimiter with an AdaptiveLimit", () => {
  it("release outcomes feed the limit, and a raised limit admits waiters at once", async () => {
    let now = 0;
    const adaptive = new AdaptiveLimit({
      initial: 2,
      max: 10,
      windowSize: 2,
      minWindowMs: 0,
      probeInterval: 0,
    });
    const l = new ConcurrencyLimiter({ limit: adaptive, maxQueue: 10, clock: () => now });
    const a = l.tryAcquire(0)!;
    const b = l.tryAcquire(0)!;
    const log: string[] = [];
    for (let i = 0; i < 6; i++) track(l, log, `w${i}`, 0);
    now = 10;
    a.release({ latencyMs: 10, ok: true });
    b.release({ latencyMs: 10, ok: true }); // window of 2 at full use, flat latency: limit 2 -> 6
    await flush();
    expect(l.limit).toBe(6);
    expect(log).toEqual(["w0:ok", "w1:ok", "w2:ok", "w3:ok", "w4:ok", "w5:ok"]);
    expect(l.stats()).toMatchObject({ inFlight: 6, queuedTotal: 0 });
  });
});
