/**
 * Rate strings of the config ("100/s", "6000/min", "10/5s", "1000/h") and validated GCRA policies.
 * Parsing happens at config load; the request path only sees numbers.
 */
import { RateLimitError } from "./errors.js";
import type { RateLimitPolicy } from "./types.js";

export interface Rate {
  /** Requests per period. */
  readonly rate: number;
  readonly periodMs: number;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  sec: 1_000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
};

const RATE_RE = /^\s*(\d+)\s*\/\s*(\d+)?\s*(ms|s|sec|m|min|h|hour|d|day)\s*$/i;

const ACCEPTED =
  'accepted forms: "<count>/<unit>" or "<count>/<n><unit>" with unit ms, s, min (or m), h, d; e.g. "100/s", "6000/min", "10/5s", "1000/h"';

/** Parses "100/s", "6000/min", "10/5s", "1000/h". Throws RateLimitError(RATELIMIT_BAD_RATE). */
export function parseRate(text: string): Rate {
  const m = RATE_RE.exec(text);
  if (m === null) {
    throw new RateLimitError("RATELIMIT_BAD_RATE", `invalid rate ${JSON.stringify(text)}; ${ACCEPTED}`, {
      hint: ACCEPTED,
    });
  }
  const rate = Number(m[1]);
  const multiple = m[2] === undefined ? 1 : Number(m[2]);
  const periodMs = multiple * (UNIT_MS[m[3]!.toLowerCase()] ?? Number.NaN);
  if (!(rate > 0) || !Number.isSafeInteger(rate) || !(periodMs > 0) || !Number.isSafeInteger(periodMs)) {
    throw new RateLimitError(
      "RATELIMIT_BAD_RATE",
      `invalid rate ${JSON.stringify(text)}: count and period must be positive; ${ACCEPTED}`,
      { hint: ACCEPTED },
    );
  }
  return { rate, periodMs };
}

/**
 * A validated policy. `rate` is a rate string or an already parsed Rate; `burst` is GCRA's
 * tolerance in requests (burst + 1 requests pass at once, as in redis-cell's max_burst).
 */
export function createPolicy(name: string, rate: string | Rate, burst = 0): RateLimitPolicy {
  const r = typeof rate === "string" ? parseRate(rate) : rate;
  if (!(r.rate > 0) || !Number.isFinite(r.rate) || !(r.periodMs > 0) || !Number.isFinite(r.periodMs)) {
    throw new RateLimitError("RATELIMIT_BAD_RATE", `policy ${JSON.stringify(name)}: rate must be positive`, {
      hint: ACCEPTED,
    });
  }
  if (!Number.isSafeInteger(burst) || burst < 0) {
    throw new RateLimitError(
      "RATELIMIT_BAD_POLICY",
      `policy ${JSON.stringify(name)}: burst must be a non-negative integer, got ${burst}`,
    );
  }
  if (name.length === 0) {
    throw new RateLimitError("RATELIMIT_BAD_POLICY", "a rate-limit policy needs a non-empty name");
  }
  return Object.freeze({ name, rate: r.rate, periodMs: r.periodMs, burst });
}
