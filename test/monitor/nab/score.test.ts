/**
 * NAB's benchmark score on ../shared/nab: the null detector scores 0, a perfect detector 100, and
 * Numenta HTM's published results score what NAB's own scorer wrote for them: the S(t)_<profile>
 * columns of NAB's results files hold each row's contribution at NAB's published thresholds
 * (config/thresholds.json), so their sum over the part is NAB's raw score for it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadNabCorpus, type NabCorpus, readResults } from "../../../src/monitor/nab/corpus.js";
import { scoreCorpus } from "../../../src/monitor/nab/score.js";
import { hasNab, nabDir } from "../../support/shared.js";

describe.skipIf(!hasNab)("NAB score on ../shared/nab", () => {
  let corpus: NabCorpus;
  let files: { timestamps: Float64Array; windows: NabCorpus["files"][number]["windows"] }[];
  beforeAll(() => {
    corpus = loadNabCorpus(nabDir);
    files = corpus.files.map((f) => ({ timestamps: f.series.timestamps, windows: f.windows }));
  });

  it("the null detector (constant 0.5) scores 0 in every profile", () => {
    const scores = files.map((f) => new Float64Array(f.timestamps.length).fill(0.5));
    for (const p of scoreCorpus(files, scores, corpus.profiles)) expect(p.normalized).toBe(0);
  });

  it("the null detector's published results score 0", () => {
    const scores = readResults(join(nabDir, "results", "null"), corpus);
    for (const p of scoreCorpus(files, scores, corpus.profiles)) expect(p.normalized).toBe(0);
  });

  it("a perfect detector (1 at each window's first row, 0 elsewhere) scores 100", () => {
    const scores = corpus.files.map((f) => {
      const s = new Float64Array(f.series.values.length);
      for (const [start] of f.windows) s[f.series.timestamps.indexOf(start)] = 1;
      return s;
    });
    for (const p of scoreCorpus(files, scores, corpus.profiles)) expect(p.normalized).toBeCloseTo(100, 9);
  });

  it("a detector firing everywhere scores far below null", () => {
    const scores = files.map((f) => new Float64Array(f.timestamps.length).fill(1));
    const thresholds = { standard: 1, reward_low_FP_rate: 1, reward_low_FN_rate: 1 };
    for (const p of scoreCorpus(files, scores, corpus.profiles, { thresholds }))
      expect(p.normalized).toBeLessThan(-100);
  });

  it("HTM's results at NAB's thresholds score the sum of NAB's own S(t) columns", () => {
    const nabThresholds = JSON.parse(
      readFileSync(join(nabDir, "config", "thresholds.json"), "utf8"),
    ) as Record<string, Record<string, { threshold: number }>>;
    const thresholds = Object.fromEntries(
      Object.entries(nabThresholds.numenta!).map(([profile, v]) => [profile, v.threshold]),
    );
    const dir = join(nabDir, "results", "numenta");
    const scored = scoreCorpus(files, readResults(dir, corpus), corpus.profiles, { thresholds });
    for (const p of scored) {
      let expected = 0;
      for (const f of corpus.files) {
        const [category, name] = f.name.split("/") as [string, string];
        const lines = readFileSync(join(dir, category, `numenta_${name}`), "utf8")
          .trim()
          .split("\n");
        const col = lines[0]!.split(",").indexOf(`S(t)_${p.profile}`);
        expect(col).toBeGreaterThan(0);
        for (const line of lines.slice(1)) expected += Number(line.split(",")[col]);
      }
      expect(p.raw).toBeCloseTo(expected, 8);
    }
  });

  it("HTM with thresholds optimised on this part (the figures Rampart's detectors are compared with)", () => {
    const scored = scoreCorpus(
      files,
      readResults(join(nabDir, "results", "numenta"), corpus),
      corpus.profiles,
    );
    const byProfile = Object.fromEntries(scored.map((p) => [p.profile, p.normalized]));
    expect(byProfile.standard).toBeCloseTo(75.362, 2);
    expect(byProfile.reward_low_FP_rate).toBeCloseTo(70.432, 2);
    expect(byProfile.reward_low_FN_rate).toBeCloseTo(78.908, 2);
  });
});
