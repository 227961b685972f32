/**
 * What a series is expected to do next: a robust level (robust.ts) and, optionally, daily and
 * weekly profiles (seasonal.ts). Each point is standardised against the model whose typical error
 * is currently the smallest, so a seasonal wave is explained by its profile once a period has been
 * seen, and a series without seasonality is judged against its recent level.
 */
import { RobustLevel } from "./robust.js";
import { DAY_MS, SeasonalProfile, WEEK_MS } from "./seasonal.js";

export interface BaselineOptions {
  readonly alpha: number;
  readonly beta: number;
  readonly clip: number;
  readonly warmup: number;
  readonly shiftRun: number;
  readonly relativeFloor: number;
  /** Width of a seasonal slot in ms; 0 turns the seasonal profiles off. */
  readonly slotMs: number;
  /**
   * 1 to keep a weekly profile besides the daily one. Its z-scores count from the third visit of a
   * slot (two weeks seen): after one week a slot holds a single, noisy value.
   */
  readonly weekly: number;
}

export const baselineDefaults: BaselineOptions = {
  alpha: 0.02,
  beta: 0.02,
  clip: 3,
  warmup: 30,
  shiftRun: 6,
  relativeFloor: 0.002,
  slotMs: 300_000,
  weekly: 1,
};

export class Baseline {
  readonly level: RobustLevel;
  /**
   * Which model judged the last point: 0 level, 1 daily, 2 weekly. Residuals of different models
   * are not comparable, so sums over them (CUSUM) restart when it changes.
   */
  model = 0;
  private readonly daily: SeasonalProfile | undefined;
  private readonly weekly: SeasonalProfile | undefined;

  constructor(o: BaselineOptions) {
    this.level = new RobustLevel(o);
    if (o.slotMs > 0) {
      this.daily = new SeasonalProfile(DAY_MS, o.slotMs, 0.5, o.beta, o.clip, o.warmup);
      if (o.weekly) this.weekly = new SeasonalProfile(WEEK_MS, o.slotMs, 0.5, o.beta, o.clip, o.warmup, 2);
    }
  }

  /** Signed standardised surprise of `x` (positive above the expectation), then learns it. */
  update(timestamp: number, x: number): number {
    // Beyond ±1e100 nothing is learnt that 1e100 does not teach, and squares stay finite.
    if (x > 1e100) x = 1e100;
    else if (x < -1e100) x = -1e100;
    let bestScale = this.level.floorScale();
    let z = this.level.update(x);
    let model = 0;
    if (this.daily) {
      const s = this.daily.scale;
      const zd = this.daily.update(timestamp, x);
      if (!Number.isNaN(zd) && s < bestScale) {
        bestScale = s;
        z = zd;
        model = 1;
      }
    }
    if (this.weekly) {
      const s = this.weekly.scale;
      const zw = this.weekly.update(timestamp, x);
      if (!Number.isNaN(zw) && s < bestScale) {
        z = zw;
        model = 2;
      }
    }
    this.model = model;
    return z;
  }
}
