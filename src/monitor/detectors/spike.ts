/**
 * "spike": a sudden rise above what the series is expected to do (baseline.ts: robust level,
 * daily and weekly profiles). The score is z² / (z² + zHalf²) of the upward surprise, so 0.5 means
 * zHalf robust standard deviations above the expectation; falls score 0. A robust z-score on a
 * Huber-clipped EWMA is the classic streaming outlier test (Gelper, Fried & Croux 2010; the
 * "3-sigma from EWMA" rule of Etsy's Skyline and of Twitter's and Netflix's early detectors).
 */
import { Baseline, baselineDefaults } from "./baseline.js";
import { zScore } from "./calibrate.js";
import { type Detector, type DetectorParams, registerDetector } from "./registry.js";

const defaults = { ...baselineDefaults, zHalf: 6 };

class SpikeDetector implements Detector {
  private readonly baseline: Baseline;
  private readonly zHalf: number;

  constructor(p: DetectorParams) {
    this.baseline = new Baseline(p as typeof defaults);
    this.zHalf = (p as typeof defaults).zHalf;
  }

  update(timestamp: number, value: number): number {
    if (!Number.isFinite(value)) return 0;
    return zScore(this.baseline.update(timestamp, value), this.zHalf);
  }
}

registerDetector({
  name: "spike",
  summary: "sudden rises above the expected level (robust z-score, seasonal-aware)",
  defaults,
  alertThreshold: 0.5,
  create: (p) => new SpikeDetector(p),
});
