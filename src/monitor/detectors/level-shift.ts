/**
 * "level-shift": a lasting change of level in either direction, by a two-sided CUSUM (Page 1954;
 * Montgomery, "Introduction to Statistical Quality Control", §9.1: with reference value k = 0.5, a
 * decision interval of h = 5 standard deviations gives one false alarm per ~465 points, too many for
 * series sampled every second and a scale that is itself estimated; h = 10 detects a 1.5-sigma
 * shift in about 10 points and a 3-sigma one in about 4). The residuals come from a slow baseline whose level does not
 * restart on runs (so a shift stays visible to the sums) and whose daily profile explains a daily
 * wave; after a signal the level restarts at the recent mean and the sums at 0, as a CUSUM chart
 * does after an alarm. The score is s / (s + h): 0.5 when a sum reaches h.
 */
import { Baseline, baselineDefaults } from "./baseline.js";
import { type Detector, type DetectorParams, registerDetector } from "./registry.js";

const defaults = {
  ...baselineDefaults,
  alpha: 0.01,
  beta: 0.01,
  shiftRun: Number.MAX_SAFE_INTEGER,
  k: 0.5,
  h: 10,
  /** EW weight of the recent mean the level restarts at. */
  recentAlpha: 0.2,
};

class LevelShiftDetector implements Detector {
  private readonly baseline: Baseline;
  private readonly p: typeof defaults;
  private up = 0;
  private down = 0;
  private recent = 0;
  private model = 0;

  constructor(p: DetectorParams) {
    this.p = p as typeof defaults;
    this.baseline = new Baseline(this.p);
  }

  update(timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    const p = this.p;
    const level = this.baseline.level;
    const warm = level.count >= p.warmup;
    this.recent = level.count === 0 ? value : this.recent + p.recentAlpha * (value - this.recent);
    // Clipped at ±4 so that one huge spike moves the sums by a bounded amount (a spike is not a shift).
    const z = Math.max(-4, Math.min(4, this.baseline.update(timestamp, value)));
    if (!warm) return 0;
    if (this.baseline.model !== this.model) {
      this.model = this.baseline.model;
      this.up = 0;
      this.down = 0;
    }
    this.up = Math.max(0, this.up + z - p.k);
    this.down = Math.max(0, this.down - z - p.k);
    const s = Math.max(this.up, this.down);
    const score = s / (s + p.h);
    if (s > p.h) {
      level.level = this.recent;
      this.up = 0;
      this.down = 0;
    }
    return score;
  }
}

registerDetector({
  name: "level-shift",
  summary: "lasting changes of level up or down (two-sided CUSUM on a robust, seasonal-aware baseline)",
  defaults,
  alertThreshold: 0.5,
  create: (p) => new LevelShiftDetector(p),
});
