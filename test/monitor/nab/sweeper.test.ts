/** NAB's scoring function on hand-made files with exact expectations (nab/sweeper.py semantics). */
import { describe, expect, it } from "vitest";
import {
  bestThreshold,
  OUTSIDE_WINDOWS,
  PROBATIONARY,
  probationaryLength,
  scaledSigmoid,
  scoreAtThreshold,
  scoresByThreshold,
  sweepFile,
} from "../../../src/monitor/nab/sweeper.js";

const standard = { tpWeight: 1, fpWeight: 0.11, fnWeight: 1 };
const range = (n: number) => Array.from({ length: n }, (_, i) => i * 300_000);

describe("scaledSigmoid", () => {
  it.each([
    [-1, 2 / (1 + Math.exp(-5)) - 1],
    [0, 0],
    [1, 2 / (1 + Math.exp(5)) - 1],
    [3, 2 / (1 + Math.exp(15)) - 1],
    [3.0001, -1],
    [100, -1],
  ])("S(%d)", (x, y) => expect(scaledSigmoid(x)).toBeCloseTo(y, 12));
});

describe("probationaryLength", () => {
  it.each([
    [0, 0],
    [10, 1],
    [100, 15],
    [4032, 604],
    [5000, 750],
    [100_000, 750],
  ])("%d rows -> %d", (n, p) => expect(probationaryLength(n)).toBe(p));
});

describe("sweepFile", () => {
  const ts = range(100); // probation = 15 rows
  const windows = [[ts[40]!, ts[49]!]] as const;

  it("weights rows by position: full tpWeight at a window's first row, fpWeight far away", () => {
    const rows = sweepFile(ts, new Array(100).fill(0), windows, standard);
    expect(rows.window[14]).toBe(PROBATIONARY);
    expect(rows.window[15]).toBe(OUTSIDE_WINDOWS);
    expect(rows.window[40]).toBe(0);
    expect(rows.window[49]).toBe(0);
    expect(rows.window[50]).toBe(OUTSIDE_WINDOWS);
    expect(rows.sweep[20]).toBeCloseTo(-0.11, 12); // before any window
    expect(rows.sweep[40]).toBeCloseTo(1, 12); // -(49-40+1)/10 = -1
    expect(rows.sweep[49]).toBeCloseTo(scaledSigmoid(-0.1) / scaledSigmoid(-1), 12);
    expect(rows.sweep[50]).toBeCloseTo(0.11 * scaledSigmoid(1 / 9), 12);
    expect(rows.sweep[99]).toBeCloseTo(-0.11, 12); // 50/9 widths past: -1
  });

  it("rejects score arrays of another length", () => {
    expect(() => sweepFile(ts, [0.5], windows, standard)).toThrow(RangeError);
  });

  it("an empty file sweeps to nothing", () => {
    const rows = sweepFile([], [], [], standard);
    expect(rows.anomaly.length).toBe(0);
    expect(scoresByThreshold(rows, standard)).toEqual([
      { threshold: 1.1, score: 0, tp: 0, tn: 0, fp: 0, fn: 0, total: 0 },
    ]);
  });
});

describe("scoresByThreshold and scoreAtThreshold", () => {
  const ts = range(100);
  const windows = [[ts[40]!, ts[49]!]] as const;
  const scores = new Array(100).fill(0.1);
  scores[10] = 1; // in probation: ignored
  scores[30] = 0.9; // false positive before the window
  scores[45] = 0.8; // true positive, half-way
  scores[42] = 0.7; // earlier true positive, lower score
  const rows = sweepFile(ts, scores, windows, standard);
  const sweep = scoresByThreshold(rows, standard);

  it.each([
    [1.1, -1, 0, 0],
    [0.9, -1 - 0.11, 0, 1],
    [0.8, -0.11 + scaledSigmoid(-5 / 10) / scaledSigmoid(-1), 1, 1],
    [0.7, -0.11 + scaledSigmoid(-8 / 10) / scaledSigmoid(-1), 2, 1],
  ])("threshold %d", (threshold, score, tp, fp) => {
    const row = scoreAtThreshold(sweep, threshold);
    expect(row.threshold).toBe(threshold);
    expect(row.score).toBeCloseTo(score, 12);
    expect(row.tp).toBe(tp);
    expect(row.fp).toBe(fp);
  });

  it("a threshold between scores takes the row above it; one below all takes every row", () => {
    expect(scoreAtThreshold(sweep, 0.85).threshold).toBe(0.9);
    expect(scoreAtThreshold(sweep, 0.05).threshold).toBe(0.1);
  });

  it("the best threshold is the highest-scoring one", () => {
    expect(bestThreshold(sweep).threshold).toBe(0.7);
  });
});
