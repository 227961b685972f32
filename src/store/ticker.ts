/**
 * The periodic tick of a control-plane service that works on the store (fleet, monitor, alerting,
 * incidents): runs `tick` every `periodMs` while the store is open, and never lets an error escape
 * the timer (an exception there would end the process): it goes to `failed`, and the next tick
 * retries. When the store has been closed under it (a shutdown in progress), `closed` is called
 * once instead, and the service stops itself there. The timer does not keep the process alive.
 */
import type { Store } from "./store.js";

export interface TickerHooks {
  /** The tick's outcome: the error it threw, or undefined when it succeeded. */
  readonly failed?: (err: Error | undefined) => void;
  /** The store is closed: stop (clear the timer) here. */
  readonly closed: () => void;
}

export function startTicker(
  store: Store,
  periodMs: number,
  tick: () => void,
  hooks: TickerHooks,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    if (!store.db.open) {
      hooks.closed();
      return;
    }
    try {
      tick();
      hooks.failed?.(undefined);
    } catch (err) {
      hooks.failed?.(err instanceof Error ? err : new Error(String(err)));
    }
  }, periodMs);
  timer.unref();
  return timer;
}
