/**
 * A seasonal profile: the expected value for each slot of a period (time of day, time of week),
 * learnt by robust exponential smoothing per slot, with one robust scale for the residuals. It is
 * the seasonal part of Holt-Winters (Winters 1960) in its robust form (Gelper, Fried & Croux 2010:
 * Huber-clipped updates), kept per clock slot instead of per point so that the memory depends on
 * the period and slot width only (288 slots for a day in 5-minute slots), not on the sampling rate.
 *
 * A detector compares a point with the level model and with each trained profile and trusts the
 * model whose typical error is smallest: a daily wave is then "expected" and does not alert, while
 * a day whose wave is missing does.
 */

const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);

export class SeasonalProfile {
  /** Robust scale of the residuals (same units as the series); 0 until trained. */
  scale = 0;
  private readonly mean: Float64Array;
  /** Visits per slot, saturating at 255. */
  private readonly seen: Uint8Array;
  private residuals = 0;

  /**
   * @param periodMs length of the season (86 400 000 for a day)
   * @param slotMs width of one slot
   * @param gamma weight of a new visit of a slot (0.5: yesterday and the days before, halving)
   * @param beta EW weight of the residual scale per point
   * @param clip Huber clipping of updates, in scales
   * @param warmup residuals before the profile gives z-scores
   * @param minVisits earlier visits a slot needs before its z-score counts
   */
  constructor(
    private readonly periodMs: number,
    private readonly slotMs: number,
    private readonly gamma = 0.5,
    private readonly beta = 0.02,
    private readonly clip = 3,
    private readonly warmup = 30,
    private readonly minVisits = 1,
  ) {
    const slots = Math.ceil(periodMs / slotMs);
    this.mean = new Float64Array(slots);
    this.seen = new Uint8Array(slots);
  }

  /** Bytes held per instance (for the benchmark's memory figures). */
  get slots(): number {
    return this.mean.length;
  }

  /**
   * Standardised residual of `x` against its slot (NaN while the slot or the scale is untrained),
   * then learns `x`.
   */
  update(timestamp: number, x: number): number {
    const p = this.periodMs;
    const k = Math.floor((((timestamp % p) + p) % p) / this.slotMs);
    const visits = this.seen[k]!;
    if (visits < 255) this.seen[k] = visits + 1;
    if (visits === 0) {
      this.mean[k] = x;
      return Number.NaN;
    }
    const r = x - this.mean[k]!;
    this.residuals++;
    if (this.residuals <= this.warmup) {
      this.mean[k]! += this.gamma * r;
      this.scale += (Math.abs(r) * SQRT_HALF_PI - this.scale) / this.residuals;
      return Number.NaN;
    }
    const s = Math.max(this.scale, 1e-12);
    const z = r / s;
    const c = z > this.clip ? this.clip : Math.max(z, -this.clip);
    this.mean[k]! += this.gamma * c * s;
    this.scale += this.beta * (Math.abs(c) * s * SQRT_HALF_PI - this.scale);
    return visits >= this.minVisits ? z : Number.NaN;
  }
}

export const DAY_MS = 86_400_000;
export const WEEK_MS = 7 * DAY_MS;
