/**
 * Model test of the ConcurrencyLimiter: random interleavings of acquire, release, abort and time,
 * checking that every waiter is settled exactly once, the limit is never exceeded, the counters
 * add up, and a waiter is only granted when no more important class waits.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ConcurrencyLimiter, type Permit } from "../../src/ratelimit/concurrency.js";
import { ShedError } from "../../src/ratelimit/errors.js";

type Op =
  | { kind: "acquire"; priority: number; timeoutMs: number; abortable: boolean }
  | { kind: "release"; pick: number }
  | { kind: "abort"; pick: number }
  | { kind: "tick"; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant("acquire" as const),
    priority: fc.integer({ min: 0, max: 3 }),
    timeoutMs: fc.integer({ min: 0, max: 100 }),
    abortable: fc.boolean(),
  }),
  fc.record({ kind: fc.constant("release" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("abort" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 60 }) }),
);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("ConcurrencyLimiter model", () => {
  it("settles every waiter once and keeps its invariants", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(op, { maxLength: 80 }),
        async (limit, maxQueue, ops) => {
          const l = new ConcurrencyLimiter({ limit, maxQueue });
          const held: Permit[] = [];
          const controllers: AbortController[] = [];
          let started = 0;
          let settled = 0;
          let granted = 0;
          const check = () => {
            const s = l.stats();
            expect(s.inFlight).toBeLessThanOrEqual(limit);
            expect(s.inFlight).toBe(held.length);
            expect(s.queuedTotal).toBeLessThanOrEqual(maxQueue);
            expect(s.queued.reduce((a, b) => a + b, 0)).toBe(s.queuedTotal);
          };
          for (const o of ops) {
            if (o.kind === "acquire") {
              started++;
              const ac = new AbortController();
              if (o.abortable) controllers.push(ac);
              l.acquire(o.priority, { timeoutMs: o.timeoutMs, signal: ac.signal }).then(
                (p) => {
                  settled++;
                  granted++;
                  // Granted: nobody more important may still be waiting.
                  expect(
                    l
                      .stats()
                      .queued.slice(0, p.priority)
                      .every((n) => n === 0),
                  ).toBe(true);
                  held.push(p);
                },
                (e: unknown) => {
                  settled++;
                  expect(
                    e instanceof ShedError || (e as { code?: string }).code === "RATELIMIT_ABORTED",
                  ).toBe(true);
                },
              );
            } else if (o.kind === "release" && held.length > 0) {
              const [p] = held.splice(o.pick % held.length, 1);
              p!.release();
              p!.release(); // idempotent
            } else if (o.kind === "abort" && controllers.length > 0) {
              controllers.splice(o.pick % controllers.length, 1)[0]!.abort();
            } else if (o.kind === "tick") {
              await vi.advanceTimersByTimeAsync(o.ms);
            }
            await vi.advanceTimersByTimeAsync(0);
            check();
          }
          // Drain: release everything, let every timer fire.
          while (held.length > 0) held.pop()!.release();
          await vi.advanceTimersByTimeAsync(1_000);
          while (held.length > 0) held.pop()!.release();
          await vi.advanceTimersByTimeAsync(0);
          expect(settled).toBe(started);
          const s = l.stats();
          expect(s.queuedTotal).toBe(0);
          expect(s.inFlight).toBe(0);
          expect(s.acquired).toBe(granted);
          expect(s.acquired + s.aborted + s.shed.priority + s.shed.queue_full + s.shed.queue_timeout).toBe(
            started,
          );
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
