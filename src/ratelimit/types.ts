/**
 * Contracts of the rate limiter and load shedder. Pure cores: every function takes `now` (ms) from
 * the caller; nothing here reads a clock or opens a socket.
 */

/** A GCRA limit: `rate` requests per `periodMs`, with `burst` extra requests allowed at once. */
export interface RateLimitPolicy {
  /** Stable name, shown in RateLimit-Policy and the access log (e.g. "per-ip"). */
  readonly name: string;
  /** Requests allowed per period (the `100` of `100/s`). */
  readonly rate: number;
  readonly periodMs: number;
  /** Requests that may exceed the steady rate at once (GCRA's tolerance, in requests). */
  readonly burst: number;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly policy: RateLimitPolicy;
  /** Requests still allowed right now (RateLimit header `r`). */
  readonly remaining: number;
  /** Ms until the limit is fully replenished (RateLimit header `t`, in seconds rounded up). */
  readonly resetMs: number;
  /** When refused: ms until one request would be allowed (Retry-After, in seconds rounded up). */
  readonly retryAfterMs: number;
}

/**
 * Where GCRA state lives. In memory now, Redis later: the interface may return a promise, and the
 * update for one key must be atomic (Redis does it in a Lua script).
 */
export interface RateLimitStore {
  consume(key: string, policy: RateLimitPolicy, now: number): RateLimitDecision | Promise<RateLimitDecision>;
  /** Number of keys currently held (for metrics and the memory benchmark). */
  size(): number;
}
