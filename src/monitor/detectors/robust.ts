/**
 * Robust exponential smoothing, the level-and-scale model under every detector here.
 *
 * Gelper, Fried & Croux, "Robust forecasting with exponential and Holt-Winters smoothing",
 * Journal of Forecasting 29 (2010): the one-step innovation is passed through Huber's ψ (clipped at
 * ±k scales) before it updates the level, and the scale is itself an exponentially weighted,
 * clipped estimate, so one outlier moves neither. Here the scale is an EW mean absolute deviation
 * (× √(π/2), consistent with σ for Gaussian noise), which costs no square roots per point.
 *
 * A clipped level follows a real level shift only slowly, which would turn one shift into hundreds
 * of outliers. As in CUSUM charts that restart after a signal (Page 1954; Montgomery, "Introduction
 * to Statistical Quality Control", §9.1), a run of `shiftRun` innovations beyond ±k of the same
 * sign is taken as a new level: the level restarts at the run's mean.
 */

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

export interface RobustLevelOptions {
  /** EW weight of the level (per point). */
  readonly alpha: number;
  /** EW weight of the scale (per point). */
  readonly beta: number;
  /** Huber clipping, in scales. */
  readonly clip: number;
  /** Points before scores are given: level and scale start as plain means. */
  readonly warmup: number;
  /** Consecutive same-sign outliers that make a new level. */
  readonly shiftRun: number;
  /** Smallest scale as a share of |level|: flat series and counting noise do not make infinite z. */
  readonly relativeFloor: number;
}

export class RobustLevel {
  level = 0;
  scale = 0;
  count = 0;
  private runSign = 0;
  private runLength = 0;
  private runSum = 0;
  private readonly o: RobustLevelOptions;

  constructor(options: RobustLevelOptions) {
    this.o = options;
  }

  /**
   * Standardised innovation of `x` against the level before it (positive above), then learns `x`.
   * Returns 0 during warm-up.
   */
  update(x: number): number {
    const o = this.o;
    this.count++;
    if (this.count <= o.warmup) {
      // Plain running mean and mean absolute deviation from it.
      const d = x - this.level;
      this.level += d / this.count;
      if (this.count > 1) this.scale += (Math.abs(d) * SQRT_HALF_PI - this.scale) / (this.count - 1);
      return 0;
    }
    const r = x - this.level;
    const s = this.floorScale();
    const z = r / s;
    const c = z > o.clip ? o.clip : Math.max(z, -o.clip);
    this.level += o.alpha * c * s;
    const a = Math.abs(c) * s * SQRT_HALF_PI;
    this.scale += o.beta * (a - this.scale);
    if (z > o.clip || z < -o.clip) {
      const sign = z > 0 ? 1 : -1;
      if (sign !== this.runSign) {
        this.runSign = sign;
        this.runLength = 0;
        this.runSum = 0;
      }
      this.runLength++;
      this.runSum += x;
      if (this.runLength >= o.shiftRun) {
        this.level = this.runSum / this.runLength;
        this.runLength = 0;
        this.runSum = 0;
        this.runSign = 0;
      }
    } else {
      this.runSign = 0;
      this.runLength = 0;
      this.runSum = 0;
    }
    return z;
  }

  floorScale(): number {
    const f = Math.abs(this.level) * this.o.relativeFloor;
    const s = Math.max(this.scale, f);
    return Math.max(s, 1e-12);
  }
}
