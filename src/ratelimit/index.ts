/**
 * Public API of the rate limiter and load shedder: GCRA rate limits with an in-memory store and
 * RateLimit headers, a priority-shedding concurrency limiter with an adaptive limit, and the
 * client-address helpers that produce rate-limit keys.
 */
export { AdaptiveLimit, type AdaptiveLimitOptions } from "./adaptive.js";
export { CidrSet, isIp, normalizeIp } from "./cidr.js";
export { clientIp } from "./client-ip.js";
export {
  type AcquireOptions,
  ConcurrencyLimiter,
  type ConcurrencyLimiterOptions,
  type ConcurrencyStats,
  Permit,
  type ReleaseOutcome,
} from "./concurrency.js";
export { RateLimitError, type RateLimitErrorCode, ShedError, type ShedReason } from "./errors.js";
export { MemoryRateLimitStore, type MemoryRateLimitStoreOptions } from "./gcra.js";
export {
  policyItem,
  type RateLimitHeaders,
  rateLimitHeaders,
  retryAfterSeconds,
  sfString,
} from "./headers.js";
export { createPolicy, parseRate, type Rate } from "./rate.js";
export type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from "./types.js";
