/**
 * The ratio detector: error ratio (errors / requests), block ratio (blocks / requests). It takes
 * the numerator and the denominator of each interval, because a ratio alone cannot tell 1 error in
 * 2 requests from 500 in 1000.
 *
 * Each interval's count is tested against the baseline proportion p0 with the binomial z-score
 * z = (k − n·p0) / √(n·p0·(1 − p0)) (the normal approximation of the one-sided binomial test, as in
 * a p-chart: Montgomery, "Introduction to Statistical Quality Control", §7.2), with two guards:
 * - p0 is never taken below 1 / (n + 2) (a Laplace-smoothed proportion), so a series with no
 *   errors so far does not turn its first error into an infinite z;
 * - the standard deviation of the count is at least `overdispersion` × n·p0: real ratios wander
 *   more than a binomial does (extra-binomial variation), and a huge interval would otherwise alert
 *   on a 1 % relative change.
 * The baseline proportion is an EW ratio of EW sums (Σk / Σn), updated with the count clipped to
 * p0·n ± clip standard deviations so that an incident does not become the new normal in minutes.
 * Only rises alert: fewer errors than usual is not an incident. Score: z² / (z² + zHalf²).
 */
import { zScore } from "./calibrate.js";
import { type DetectorParams, resolveParams } from "./registry.js";

export interface RatioDetector {
  /** Scores one interval: `numerator` events out of `denominator` (numerator ≤ denominator). */
  update(timestamp: number, numerator: number, denominator: number): number;
}

export const ratioDefaults = {
  /** EW weight per interval of the baseline sums. */
  alpha: 0.01,
  clip: 3,
  /** Intervals (with a denominator) before scores are given. */
  warmup: 30,
  overdispersion: 0.1,
  zHalf: 6,
};

class BinomialRatioDetector implements RatioDetector {
  private readonly p: typeof ratioDefaults;
  private sumK = 0;
  private sumN = 0;
  private seen = 0;

  constructor(p: typeof ratioDefaults) {
    this.p = p;
  }

  update(_timestamp: number, numerator: number, denominator: number): number {
    const n = denominator;
    if (!(n > 0) || !Number.isFinite(n) || !(numerator >= 0) || !Number.isFinite(numerator)) return 0;
    const k = Math.min(numerator, n);
    const p = this.p;
    this.seen++;
    if (this.seen <= p.warmup) {
      this.sumK += k;
      this.sumN += n;
      return 0;
    }
    let p0 = this.sumK / this.sumN;
    const laplace = 1 / (n + 2);
    if (p0 < laplace) p0 = laplace;
    if (p0 > 1 - laplace) p0 = 1 - laplace;
    const binomialSd = Math.sqrt(n * p0 * (1 - p0));
    const extraSd = p.overdispersion * p0 * n;
    const sd = Math.max(binomialSd, extraSd);
    const z = (k - n * p0) / sd;
    const clipped = n * p0 + Math.max(-p.clip, Math.min(p.clip, z)) * sd;
    this.sumK += p.alpha * (clipped - this.sumK);
    this.sumN += p.alpha * (n - this.sumN);
    return zScore(z, p.zHalf);
  }
}

/** A ratio detector with the defaults overlaid by `params` (checked like createDetector's). */
export function createRatioDetector(params?: DetectorParams): RatioDetector {
  return new BinomialRatioDetector(
    resolveParams({ name: "ratio", defaults: ratioDefaults }, params) as typeof ratioDefaults,
  );
}
