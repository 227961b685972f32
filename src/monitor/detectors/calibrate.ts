/**
 * Turning a series' surprises into scores that mean the same on every series, so that one alert
 * threshold serves all of them (NAB sweeps a single threshold over its whole corpus; Rampart's
 * alert rules do the same over all series).
 */

/**
 * erfc(x), Numerical Recipes' Chebyshev fit "erfcc" (Press et al., Numerical Recipes in C, 2nd ed.,
 * §6.2), fractional error below 1.2e-7 everywhere.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/**
 * Numenta's anomaly likelihood (Ahmad, Lavin, Purdy & Agha, "Unsupervised real-time anomaly
 * detection for streaming data", Neurocomputing 262, 2017; htm.core anomaly_likelihood.py): the mean
 * of the last `window` raw scores is compared with the long-run distribution of that mean (a
 * Gaussian, here with exponentially weighted mean and variance instead of a 8640-point window, so
 * memory stays constant), and the Gaussian tail probability is mapped to [0, 1] on a log scale:
 * log(1.0000000001 − L) / log(1 − 0.9999999999), as Numenta's NAB detector reports it.
 */
export class AnomalyLikelihood {
  private readonly ring: Float64Array;
  private at = 0;
  private filled = 0;
  private sum = 0;
  private mean = 0;
  private variance = 0;
  private n = 0;

  constructor(
    window: number,
    /** Weight of a new mean once `learning` points are seen; before, plain running moments. */
    private readonly rate: number,
    private readonly learning: number,
    /** Points before the first likelihood (their scores are 0). */
    private readonly quiet: number,
  ) {
    this.ring = new Float64Array(Math.max(1, Math.floor(window)));
  }

  update(raw: number): number {
    const ring = this.ring;
    this.sum += raw - ring[this.at]!;
    ring[this.at] = raw;
    this.at = this.at + 1 === ring.length ? 0 : this.at + 1;
    if (this.filled < ring.length) this.filled++;
    const avg = this.sum / this.filled;
    this.n++;
    let score = 0;
    if (this.n > this.quiet) {
      const sd = Math.sqrt(Math.max(this.variance, 1e-8));
      const tail = 0.5 * erfc((avg - this.mean) / sd / Math.SQRT2);
      score = Math.log(1.0000000001 - (1 - tail)) / LOG_TEN_NINES;
      score = score < 0 ? 0 : Math.min(score, 1);
    }
    // Welford-style update; the weight falls to `rate` so that the distribution keeps moving.
    const w = this.n < this.learning ? 1 / this.n : this.rate;
    const d = avg - this.mean;
    this.mean += w * d;
    this.variance += w * (d * (avg - this.mean) - this.variance);
    return score;
  }
}

const LOG_TEN_NINES = Math.log(1 - 0.9999999999);

/**
 * How much a surprise exceeds the largest recent ones: z / max(recent max, share × long-run max),
 * both maxima decaying geometrically. A series whose normal life has 8-sigma bursts (disk writes)
 * thereby needs a burst larger than those to score high, a quiet series does not. This is the
 * "exceeds what was seen" idea of extreme-value detectors (Siffer et al., "Anomaly detection in
 * streams with extreme value theory", KDD 2017) in its cheapest form.
 */
export class RecordRatio {
  private recent: number;
  private longRun: number;

  constructor(
    private readonly floor: number,
    private readonly recentDecay: number,
    private readonly longDecay: number,
    private readonly longShare: number,
  ) {
    this.recent = floor;
    this.longRun = floor;
  }

  /** Returns r / (1 + r) in [0, 1) for the non-negative surprise `z`. */
  update(z: number): number {
    const base = Math.max(this.recent, this.longRun * this.longShare);
    const r = z / Math.max(base, this.floor);
    const rd = this.recent * this.recentDecay;
    this.recent = z > rd ? z : Math.max(rd, this.floor);
    const ld = this.longRun * this.longDecay;
    this.longRun = z > ld ? z : Math.max(ld, this.floor);
    return r / (1 + r);
  }
}

/**
 * Reports an event once: a score that does not exceed the decaying peak of the scores before it is
 * damped. One incident then raises one alert, not one per point while it lasts; NAB counts every
 * point above threshold outside a window as a false positive, and so do people paged twice.
 */
export class PeakGate {
  private peak = 0;

  constructor(
    private readonly decay: number,
    private readonly damp: number,
  ) {}

  update(score: number): number {
    const prev = this.peak;
    const decayed = prev * this.decay;
    this.peak = Math.max(score, decayed);
    return score > prev ? score : score * this.damp;
  }
}

/** z ≥ 0 to [0, 1): z² / (z² + zHalf²), so a score of 0.5 means a surprise of zHalf scales. */
export function zScore(z: number, zHalf: number): number {
  if (!(z > 0)) return 0;
  const r = zHalf / z; // written this way so that z = Infinity gives 1, not NaN
  return 1 / (1 + r * r);
}
