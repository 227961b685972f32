/**
 * Typed errors of the rate limiter and load shedder. Callers switch on `code`; a shed request also
 * carries `reason` so the gateway can answer 503 and count it under the right label.
 */
import { RampartError } from "../errors.js";

export type RateLimitErrorCode =
  | "RATELIMIT_BAD_RATE" // a rate string such as "100/s" could not be parsed
  | "RATELIMIT_BAD_POLICY" // a policy or limiter option is out of range
  | "RATELIMIT_BAD_CIDR" // a trusted-proxy CIDR could not be parsed
  | "RATELIMIT_SHED" // the concurrency limiter refused a request (see ShedError.reason)
  | "RATELIMIT_ABORTED"; // the caller aborted while the request waited for a permit

export class RateLimitError extends RampartError {
  declare readonly code: RateLimitErrorCode;

  constructor(code: RateLimitErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}

/**
 * Why a request was shed:
 * - `queue_full`: the wait queue was full and held nobody of a lower class to evict;
 * - `queue_timeout`: the request waited `timeoutMs` without a permit freeing;
 * - `priority`: its class was refused at once (queue above the class's share) or a more important
 *   arrival evicted it from a full queue.
 */
export type ShedReason = "queue_full" | "queue_timeout" | "priority";

export class ShedError extends RateLimitError {
  readonly reason: ShedReason;
  readonly priority: number;

  constructor(reason: ShedReason, priority: number) {
    super("RATELIMIT_SHED", `request of priority ${priority} shed: ${reason}`, {
      hint: "the upstream is at its concurrency limit; retry later (the gateway answers 503 with Retry-After)",
    });
    this.reason = reason;
    this.priority = priority;
  }
}
