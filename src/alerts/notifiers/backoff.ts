/**
 * When the dispatcher tries again: the delay after a failed attempt, and the wait that a new
 * notification (or stop()) cuts short. Pure apart from the timer of realSleep.
 */
import type { RetrySettings } from "./schema.js";

/**
 * Delay before the next attempt after `failedAttempts` failures (>= 1): exponential from
 * initialDelayMs, capped at maxDelayMs, with "equal jitter" (half fixed, half random) as in
 * M. Brooker, "Exponential Backoff And Jitter", AWS Architecture Blog, 2015: receivers that fail
 * together do not come back in lockstep, and no retry comes sooner than half the nominal delay.
 */
export function retryDelayMs(failedAttempts: number, retry: RetrySettings, random: () => number): number {
  const nominal = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** Math.max(0, failedAttempts - 1));
  return Math.max(1, Math.round(nominal / 2 + (random() * nominal) / 2));
}

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** Resolves after `ms`, or as soon as `signal` aborts (never rejects). */
export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
