/**
 * NAB's benchmark score of a detector over a corpus, as numenta/NAB computes it:
 *
 * 1. optimise (nab/optimizer.py): sweep every anomaly score of the whole corpus as one threshold per
 *    profile and keep the threshold with the highest total;
 * 2. score (nab/scorer.py): score each file at that threshold and sum;
 * 3. normalise (nab/runner.py normalize): 100 × (score − null) / (perfect − null), where "null" is the
 *    same two steps applied to the null detector (a constant 0.5 on every row, nab/detectors/null)
 *    and "perfect" is the number of windows × tpWeight.
 *
 * Pure: the corpus and the scores come in as data.
 */
import {
  bestThreshold,
  type CostMatrix,
  concatRows,
  type NabWindow,
  PROBATION_PERCENT,
  type SweptRows,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
} from "./sweeper.js";

export interface ScoredFile {
  readonly timestamps: ArrayLike<number>;
  readonly windows: readonly NabWindow[];
}

export interface ProfileScore {
  readonly profile: string;
  readonly threshold: number;
  /** Sum of the files' NAB scores at the threshold. */
  readonly raw: number;
  /** 0 = null detector, 100 = perfect detector. */
  readonly normalized: number;
  readonly nullRaw: number;
  readonly perfectRaw: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface ScoreOptions {
  /** Use these thresholds instead of optimising (profile -> threshold). */
  readonly thresholds?: Readonly<Record<string, number>>;
  readonly probationPercent?: number;
}

function sweepAll(
  files: readonly ScoredFile[],
  scores: readonly ArrayLike<number>[],
  cost: CostMatrix,
  probationPercent: number,
): SweptRows[] {
  let base = 0;
  return files.map((f, k) => {
    const rows = sweepFile(f.timestamps, scores[k]!, f.windows, cost, { probationPercent, windowBase: base });
    base += f.windows.length;
    return rows;
  });
}

/** Steps 1 and 2 for one profile: the threshold and the per-file sum at it. */
export function scoreProfile(
  files: readonly ScoredFile[],
  scores: readonly ArrayLike<number>[],
  cost: CostMatrix,
  options: { threshold?: number; probationPercent?: number } = {},
): { threshold: number; raw: number; tp: number; fp: number; fn: number; tn: number } {
  const perFile = sweepAll(files, scores, cost, options.probationPercent ?? PROBATION_PERCENT);
  const threshold =
    options.threshold ?? bestThreshold(scoresByThreshold(concatRows(perFile), cost)).threshold;
  let raw = 0;
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const rows of perFile) {
    const r = scoreAtThreshold(scoresByThreshold(rows, cost), threshold);
    raw += r.score;
    tp += r.tp;
    fp += r.fp;
    fn += r.fn;
    tn += r.tn;
  }
  return { threshold, raw, tp, fp, fn, tn };
}

/** The three steps for every profile. `scores[k]` are the anomaly scores of `files[k]`. */
export function scoreCorpus(
  files: readonly ScoredFile[],
  scores: readonly ArrayLike<number>[],
  profiles: Readonly<Record<string, CostMatrix>>,
  options: ScoreOptions = {},
): ProfileScore[] {
  if (scores.length !== files.length)
    throw new RangeError(`${scores.length} score arrays for ${files.length} files`);
  const probationPercent = options.probationPercent ?? PROBATION_PERCENT;
  const nullScores = files.map((f) => new Float64Array(f.timestamps.length).fill(0.5));
  let windows = 0;
  for (const f of files) windows += f.windows.length;
  return Object.entries(profiles).map(([profile, cost]) => {
    const nullRaw = scoreProfile(files, nullScores, cost, { probationPercent }).raw;
    const given = options.thresholds?.[profile];
    const r = scoreProfile(files, scores, cost, {
      probationPercent,
      ...(given === undefined ? {} : { threshold: given }),
    });
    const perfectRaw = windows * cost.tpWeight;
    const normalized = perfectRaw === nullRaw ? 0 : (100 * (r.raw - nullRaw)) / (perfectRaw - nullRaw);
    return { profile, ...r, normalized, nullRaw, perfectRaw };
  });
}
