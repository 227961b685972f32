/**
 * NAB's scoring function, as numenta/NAB's nab/sweeper.py computes it (commit ea702d75, the commit
 * of the data in ../shared/nab):
 *
 * - the first 15 % of a file (at most 750 rows) is probationary and never scored;
 * - a row inside a labelled window is worth a scaled sigmoid of its position, weighted by the
 *   profile's tpWeight / scaledSigmoid(-1), and only the best (= first) detection of a window counts;
 * - a window without detection costs fnWeight;
 * - a detection outside windows costs fpWeight × scaledSigmoid(distance past the previous window,
 *   in window widths), or the full fpWeight before the first window;
 * - `scoresByThreshold` sweeps every distinct anomaly score as threshold (a row is a detection when
 *   its score is >= the threshold) over one file or a whole corpus at once.
 *
 * Pure: arrays in, arrays out. Rows are kept in parallel typed arrays, not objects, so a whole
 * corpus (130 k rows) sweeps in milliseconds.
 */

/** A profile's weights (NAB config/profiles.json, "CostMatrix"). tnWeight is unused by NAB. */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** A labelled window: first and last timestamp (both inclusive), as in combined_windows.json. */
export type NabWindow = readonly [start: number, end: number];

/** Row classes in `SweptRows.window`: a window id (>= 0) or one of these. */
export const OUTSIDE_WINDOWS = -1;
export const PROBATIONARY = -2;

/** Every row of one file (or of several files appended), with its NAB weight. */
export interface SweptRows {
  readonly anomaly: Float64Array;
  /** The row's weighted score if it were a detection (NAB's "sweepScore", the S(t) column). */
  readonly sweep: Float64Array;
  /** Window id (unique across appended files), OUTSIDE_WINDOWS or PROBATIONARY. */
  readonly window: Int32Array;
  /** Number of window ids used: ids are windowBase .. windowBase + windowCount - 1. */
  readonly windowCount: number;
}

/** One threshold of a sweep: the score when every row with anomaly >= threshold is a detection. */
export interface ThresholdScore {
  readonly threshold: number;
  readonly score: number;
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
  readonly total: number;
}

/** NAB's default probationary share of a file. */
export const PROBATION_PERCENT = 0.15;

/** 2·sigmoid(-5x) − 1, and −1 beyond 3 window widths past a window (sweeper.scaledSigmoid). */
export function scaledSigmoid(relativePosition: number): number {
  if (relativePosition > 3.0) return -1.0;
  return 2 / (1 + Math.exp(5 * relativePosition)) - 1.0;
}

/** sweeper._getProbationaryLength: floor(15 % of the rows), capped at 15 % of 5000 rows. */
export function probationaryLength(rows: number, probationPercent = PROBATION_PERCENT): number {
  return Math.min(Math.floor(probationPercent * rows), probationPercent * 5000);
}

/**
 * sweeper.calcSweepScore for one file. `windows` must be in time order and each limit must be one of
 * `timestamps` (NAB's labeler guarantees it; `resolveWindows` checks it). A window is entered only
 * when a row's timestamp equals the next window's start, exactly as NAB does.
 */
export function sweepFile(
  timestamps: ArrayLike<number>,
  anomalyScores: ArrayLike<number>,
  windows: readonly NabWindow[],
  cost: CostMatrix,
  options: { probationPercent?: number; windowBase?: number } = {},
): SweptRows {
  const n = timestamps.length;
  if (anomalyScores.length !== n) {
    throw new RangeError(`timestamps (${n}) and anomaly scores (${anomalyScores.length}) differ in length`);
  }
  const base = options.windowBase ?? 0;
  const probation = probationaryLength(n, options.probationPercent);
  const maxTp = scaledSigmoid(-1.0);
  const anomaly = new Float64Array(n);
  const sweep = new Float64Array(n);
  const window = new Int32Array(n);

  let next = 0; // index of the next window not yet entered
  let cur = -1; // index (in `windows`) of the window we are in, or -1
  let curRight = 0;
  let curWidth = 0;
  let prevRight = -1;
  let prevWidth = 0;
  for (let i = 0; i < n; i++) {
    const t = timestamps[i]!;
    const w = windows[next];
    if (w !== undefined && t === w[0]) {
      cur = next++;
      curRight = indexOf(timestamps, w[1]);
      curWidth = curRight - indexOf(timestamps, w[0]) + 1;
    }
    let weighted: number;
    if (cur >= 0) {
      // NAB's "+ 1" makes the first row of a window exactly -1.0, i.e. a full tpWeight.
      weighted = (scaledSigmoid(-(curRight - i + 1) / curWidth) * cost.tpWeight) / maxTp;
    } else if (prevRight < 0) {
      weighted = -1.0 * cost.fpWeight;
    } else {
      weighted = scaledSigmoid(Math.abs(prevRight - i) / (prevWidth - 1)) * cost.fpWeight;
    }
    anomaly[i] = anomalyScores[i]!;
    sweep[i] = weighted;
    window[i] = i >= probation ? (cur >= 0 ? base + cur : OUTSIDE_WINDOWS) : PROBATIONARY;
    if (cur >= 0 && t === windows[cur]![1]) {
      prevRight = i;
      prevWidth = curWidth;
      cur = -1;
    }
  }
  return { anomaly, sweep, window, windowCount: windows.length };
}

function indexOf(timestamps: ArrayLike<number>, t: number): number {
  for (let i = 0; i < timestamps.length; i++) if (timestamps[i] === t) return i;
  // Python's list.index raises here; resolveWindows makes it unreachable for checked input.
  throw new RangeError(`window limit ${t} is not a timestamp of the file`);
}

/** Appends the swept rows of several files (window ids must already be distinct: use windowBase). */
export function concatRows(parts: readonly SweptRows[]): SweptRows {
  let n = 0;
  let windows = 0;
  for (const p of parts) {
    n += p.anomaly.length;
    windows += p.windowCount;
  }
  const anomaly = new Float64Array(n);
  const sweep = new Float64Array(n);
  const window = new Int32Array(n);
  let at = 0;
  for (const p of parts) {
    anomaly.set(p.anomaly, at);
    sweep.set(p.sweep, at);
    window.set(p.window, at);
    at += p.anomaly.length;
  }
  return { anomaly, sweep, window, windowCount: windows };
}

/**
 * sweeper.calcScoreByThreshold: rows sorted by anomaly score (descending, stable), the score
 * recorded each time the score changes. The first entry is threshold 1.1 (no detection); each
 * later entry holds the score with every row at or above its threshold detected.
 */
export function scoresByThreshold(rows: SweptRows, cost: CostMatrix): ThresholdScore[] {
  const scorable: number[] = [];
  for (let i = 0; i < rows.window.length; i++) if (rows.window[i] !== PROBATIONARY) scorable.push(i);
  scorable.sort((a, b) => rows.anomaly[b]! - rows.anomaly[a]!); // Array#sort is stable, like sorted()

  // scoreParts: "fp" plus one entry per window that has scorable rows, starting at -fnWeight.
  const windowBest = new Map<number, number>();
  let tn = 0;
  let fn = 0;
  for (const i of scorable) {
    const w = rows.window[i]!;
    if (w >= 0) {
      windowBest.set(w, -cost.fnWeight);
      fn++;
    } else tn++;
  }
  let fpPart = 0;
  let tp = 0;
  let fp = 0;
  const total = tn + fn;
  // Python sums dict values in insertion order; the window parts are kept in a Map in that order.
  const current = (): number => {
    let s = fpPart;
    for (const v of windowBest.values()) s += v;
    return s;
  };
  const out: ThresholdScore[] = [];
  let threshold = 1.1;
  for (const i of scorable) {
    const a = rows.anomaly[i]!;
    if (a !== threshold) {
      out.push({ threshold, score: current(), tp, tn, fp, fn, total });
      threshold = a;
    }
    const w = rows.window[i]!;
    if (w >= 0) {
      tp++;
      fn--;
      const best = windowBest.get(w)!;
      const s = rows.sweep[i]!;
      if (s > best) windowBest.set(w, s);
    } else {
      fp++;
      tn--;
      fpPart += rows.sweep[i]!;
    }
  }
  out.push({ threshold, score: current(), tp, tn, fp, fn, total });
  return out;
}

/**
 * sweeper.scoreDataSet's choice of row for a given threshold: the entry equal to it, else the last
 * entry above it. NAB fails when every score of the file is above the threshold (no entry below);
 * then every row is a detection, which is the last entry.
 */
export function scoreAtThreshold(sweep: readonly ThresholdScore[], threshold: number): ThresholdScore {
  let prev: ThresholdScore | undefined;
  for (const row of sweep) {
    if (row.threshold === threshold) return row;
    if (row.threshold < threshold) return prev ?? row;
    prev = row;
  }
  return sweep[sweep.length - 1]!;
}

/**
 * nab/optimizer.optimizeThreshold: the entry with the highest score over the rows given (a whole
 * corpus). Ties go to the first entry, i.e. the highest threshold, as Python's stable sort does.
 */
export function bestThreshold(sweep: readonly ThresholdScore[]): ThresholdScore {
  let best = sweep[0]!;
  for (const row of sweep) if (row.score > best.score) best = row;
  return best;
}
