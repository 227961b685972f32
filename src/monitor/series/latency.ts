/**
 * The latency histogram gateways keep per second and the control plane merges: log-scale buckets
 * (factor 1.25 from 0.25 ms, like HdrHistogram with ~12 % relative error). Merging histograms
 * bucket by bucket gives fleet-wide and per-minute quantiles that are as exact as a single
 * gateway's, which a max or mean of per-gateway quantiles would not be.
 */

export const LAT_BUCKETS = 64; // 0.25 ms * 1.25^63 ~ 320 s: anything longer lands in the last bucket
const LAT_BASE_MS = 0.25;
const LAT_FACTOR = 1.25;
const LOG_FACTOR = Math.log(LAT_FACTOR);

export function latencyBucket(ms: number): number {
  if (!(ms > LAT_BASE_MS)) return 0;
  const b = Math.ceil(Math.log(ms / LAT_BASE_MS) / LOG_FACTOR);
  return b >= LAT_BUCKETS ? LAT_BUCKETS - 1 : b;
}

export function bucketUpperMs(b: number): number {
  return LAT_BASE_MS * LAT_FACTOR ** b;
}

/** The q-quantile in ms (upper bound of its bucket, 2 decimals); 0 for an empty histogram. */
export function latencyQuantile(histogram: Uint32Array, q: number): number {
  let total = 0;
  for (let b = 0; b < LAT_BUCKETS; b++) total += histogram[b]!;
  if (total === 0) return 0;
  const rank = Math.ceil(total * q);
  let seen = 0;
  for (let b = 0; b < LAT_BUCKETS; b++) {
    seen += histogram[b]!;
    if (seen >= rank) return Math.round(bucketUpperMs(b) * 100) / 100;
  }
  return Math.round(bucketUpperMs(LAT_BUCKETS - 1) * 100) / 100;
}

/** Wire form: [bucket, count, bucket, count, ...] for the buckets in use. */
export function encodeLatency(histogram: Uint32Array): number[] {
  const out: number[] = [];
  for (let b = 0; b < LAT_BUCKETS; b++) if (histogram[b] !== 0) out.push(b, histogram[b]!);
  return out;
}

/** Adds a wire-form histogram into `into`; returns false (changing nothing) when malformed. */
export function mergeEncodedLatency(into: Uint32Array, pairs: readonly number[]): boolean {
  if (pairs.length % 2 !== 0) return false;
  for (let i = 0; i < pairs.length; i += 2) {
    const b = pairs[i]!;
    const n = pairs[i + 1]!;
    if (!Number.isInteger(b) || b < 0 || b >= LAT_BUCKETS || !Number.isInteger(n) || n < 0) return false;
  }
  for (let i = 0; i < pairs.length; i += 2) into[pairs[i]!]! += pairs[i + 1]!;
  return true;
}
