/**
 * "drop": a sudden fall below what the series is expected to do, including traffic falling towards
 * zero. Two signals, the larger wins:
 *
 * - the downward robust z-score of the point (as "spike", mirrored), for a sharp fall;
 * - a one-sided lower CUSUM of the standardised residuals (Page, "Continuous inspection schemes",
 *   Biometrika 41, 1954; reference value k, decision interval h) over the current run of points
 *   below expectation, for a fall that is moderate per point but lasts, e.g. a low-traffic series whose requests stop: each zero is only a little
 *   surprising, their run is very surprising. CUSUM's value s is mapped to an equivalent z of
 *   zHalf × s / h, so reaching h scores 0.5 like a zHalf-sigma point does. (A rule such as "below
 *   10 % of the level" would fire on every natural zero of a low-count series; the CUSUM needs a
 *   run of them.)
 */
import { Baseline, baselineDefaults } from "./baseline.js";
import { zScore } from "./calibrate.js";
import { type Detector, type DetectorParams, registerDetector } from "./registry.js";

const defaults = { ...baselineDefaults, zHalf: 6, cusumK: 0.5, cusumH: 8 };

class DropDetector implements Detector {
  private readonly baseline: Baseline;
  private readonly p: typeof defaults;
  private cusum = 0;
  private model = 0;

  constructor(p: DetectorParams) {
    this.p = p as typeof defaults;
    this.baseline = new Baseline(this.p);
  }

  update(timestamp: number, value: number): number {
    const p = this.p;
    if (!Number.isFinite(value)) return 0;
    const warm = this.baseline.level.count >= p.warmup;
    const down = -this.baseline.update(timestamp, value);
    if (!warm) return 0;
    // The sum restarts when a point is at or above its expectation (the fall is over) and when the
    // baseline changes model; residuals are clipped at 4 in it so that one outage point does not
    // dominate it (the point itself is scored by its own z).
    const model = this.baseline.model;
    if (down <= 0 || model !== this.model) this.cusum = 0;
    else this.cusum = Math.max(0, this.cusum + Math.min(4, down) - p.cusumK);
    this.model = model;
    const fromCusum = (p.zHalf * this.cusum) / p.cusumH;
    return zScore(Math.max(fromCusum, down), p.zHalf);
  }
}

registerDetector({
  name: "drop",
  summary: "sudden falls below the expected level, traffic falling towards zero (z-score + lower CUSUM)",
  defaults,
  alertThreshold: 0.5,
  create: (p) => new DropDetector(p),
});
