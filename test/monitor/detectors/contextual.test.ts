/**
 * The contextual detector (CAD OSE's method, streaming) and the hybrid default on synthetic series
 * with exact expectations: the spelling of bins as facts, a spike and a drop to zero scored 1 at
 * their point and followed by the rest period's zeros, a level shift of 3 standard deviations
 * caught within 10 points, noise before them below the alert threshold, a bounded memory that
 * starts over without harm, and no look-ahead. (Seasonality and odd input: detectors.test.ts runs
 * every registered detector through them.)
 */
import { describe, expect, it } from "vitest";
import { binFacts } from "../../../src/monitor/detectors/contextual.js";
import {
  createDetector,
  DEFAULT_DETECTOR,
  detectorDefinition,
} from "../../../src/monitor/detectors/index.js";
import { gaussian, max, run } from "./synthetic.js";

const noisy = (n: number, mean: number, sd: number, seed: number) => {
  const g = gaussian(seed);
  return Array.from({ length: n }, () => mean + sd * g());
};

const firstAtOrAbove = (scores: readonly number[], threshold: number, from: number) =>
  scores.findIndex((s, i) => i >= from && s >= threshold);

describe("binFacts", () => {
  it.each([
    [0, [0, 2, 4]],
    [5, [1, 2, 5]], // 101: bit 0 set, bit 1 clear, bit 2 set
    [7, [1, 3, 5]],
  ])("bin %i is spelt %o", (bin, facts) => {
    expect(binFacts(bin, 3)).toEqual(facts);
  });
});

it("the default detector is hybrid", () => {
  expect(DEFAULT_DETECTOR).toBe("hybrid");
  expect(detectorDefinition("hybrid").alertThreshold).toBe(0.69);
});

describe.each(["contextual", "hybrid"])("%s", (name) => {
  const threshold = detectorDefinition(name).alertThreshold;

  describe("a spike of +20 sd", () => {
    const values = noisy(600, 100, 5, 7);
    values[500] = 200;
    const scores = run(createDetector(name), values);

    it("scores 1 at the spike (a value beyond the seen range, 20 sd off its baseline)", () => {
      expect(scores[500]).toBe(1);
    });
    it("noise before it stays below the alert threshold", () => {
      expect(max(scores, 0, 500)).toBeLessThan(threshold);
    });
    it("is followed by 60 points of rest (0), then scores again", () => {
      expect(max(scores, 501, 561)).toBe(0);
      expect(max(scores, 561, 600)).toBeGreaterThan(0);
    });
  });

  it("a busy series falling to zero scores 1 at the first zero, below threshold before", () => {
    const values = [...noisy(500, 1000, 30, 3), 0, 0, 0];
    const scores = run(createDetector(name), values);
    expect(scores[500]).toBe(1);
    expect(scores.slice(501)).toEqual([0, 0]); // resting
    expect(max(scores, 0, 500)).toBeLessThan(threshold);
  });

  it.each([
    ["up", 15, 607],
    ["down", -15, 601],
  ])(
    "a level shift of %s %d (3 sd) alarms first at point %i (shift at 600), never before",
    (_l, delta, at) => {
      const values = noisy(700, 100, 5, 21).map((v, i) => (i >= 600 ? v + delta : v));
      const scores = run(createDetector(name), values);
      expect(max(scores, 0, 600)).toBeLessThan(threshold);
      expect(firstAtOrAbove(scores, threshold, 0)).toBe(at);
    },
  );

  it("no look-ahead: the scores of a prefix are the prefix of the scores", () => {
    const values = noisy(800, 50, 4, 13);
    values[650] = 90;
    const whole = run(createDetector(name), values);
    expect(run(createDetector(name), values.slice(0, 651))).toEqual(whole.slice(0, 651));
  });
});

describe("contextual: parameters", () => {
  it.each<Record<string, number>>([
    { bits: 40 },
    { bits: 2.5 },
    { rangePoints: 0 },
    { maxContexts: 0 },
    { margin: -1 },
  ])("%o is a coded error", (params) => {
    expect(() => createDetector("contextual", params)).toThrow(
      expect.objectContaining({ code: "DETECTOR_PARAM_INVALID" }),
    );
  });
});

describe("contextual: range and memory", () => {
  it("scores 0 while it learns the range (the first 300 points)", () => {
    expect(max(run(createDetector("contextual"), noisy(300, 100, 5, 2)))).toBe(0);
  });

  it("a memory capped at 200 contexts starts over and still catches the spike", () => {
    const values = noisy(900, 100, 5, 31);
    values[800] = 200;
    const capped = run(createDetector("contextual", { maxContexts: 200 }), values);
    const free = run(createDetector("contextual"), values);
    expect(capped).not.toEqual(free); // it did start over
    expect(capped[800]).toBe(1);
    for (const s of capped) expect(s >= 0 && s <= 1).toBe(true);
  });
});

describe("hybrid", () => {
  it("is the larger of the contextual and composite scores while nothing alarms", () => {
    const values = noisy(700, 100, 5, 17);
    const hybrid = run(createDetector("hybrid"), values);
    const context = run(createDetector("contextual"), values);
    const magnitude = run(createDetector("composite"), values);
    expect(max(hybrid)).toBeLessThan(detectorDefinition("hybrid").alertThreshold);
    expect(hybrid).toEqual(context.map((c, i) => Math.max(c, magnitude[i]!)));
  });

  it("rests for 60 points after an alarm although composite keeps scoring", () => {
    // Three points 40 % low: both parts see it at point 700 (contextual: below the seen range).
    const values = noisy(900, 1000, 10, 19).map((v, i) => (i >= 700 && i < 703 ? v * 0.6 : v));
    const hybrid = run(createDetector("hybrid"), values);
    const magnitude = run(createDetector("composite"), values);
    expect(firstAtOrAbove(hybrid, detectorDefinition("hybrid").alertThreshold, 0)).toBe(700);
    expect(hybrid[700]).toBe(1);
    expect(max(magnitude, 701, 761)).toBeGreaterThan(0.2);
    expect(max(hybrid, 701, 761)).toBe(0);
    expect(max(hybrid, 761, 900)).toBeGreaterThan(0);
  });
});
