/**
 * The registered detectors on synthetic series with exact expectations: a spike is scored high at
 * its point and low before; a drop to zero is scored high within a few points; a level shift is
 * caught; a daily wave with noise never crosses the alert threshold; scores stay in [0, 1] on odd
 * input.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createDetector,
  DEFAULT_DETECTOR,
  DetectorError,
  detectorDefinition,
  detectorNames,
} from "../../../src/monitor/detectors/index.js";
import { gaussian, max, poisson, run } from "./synthetic.js";

const noisy = (n: number, mean: number, sd: number, seed: number) => {
  const g = gaussian(seed);
  return Array.from({ length: n }, () => mean + sd * g());
};

describe("registry", () => {
  it("lists every detector and the default", () => {
    expect(detectorNames()).toEqual(["composite", "contextual", "drop", "hybrid", "level-shift", "spike"]);
    expect(detectorNames()).toContain(DEFAULT_DETECTOR);
  });

  it.each([
    ["nope", undefined, "DETECTOR_UNKNOWN_INVALID"],
    ["spike", { noSuchParam: 1 }, "DETECTOR_PARAM_INVALID"],
    ["spike", { zHalf: Number.NaN }, "DETECTOR_PARAM_INVALID"],
    ["drop", { cusumH: Number.POSITIVE_INFINITY }, "DETECTOR_PARAM_INVALID"],
  ])("createDetector(%s, %o) fails with %s", (name, params, code) => {
    try {
      createDetector(name, params);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(DetectorError);
      expect((err as DetectorError).code).toBe(code);
    }
  });

  it("parameters override the defaults", () => {
    const values = [...noisy(300, 100, 5, 1), 125];
    const loose = run(createDetector("spike", { zHalf: 2 }), values).at(-1)!;
    const strict = run(createDetector("spike", { zHalf: 20 }), values).at(-1)!;
    expect(loose).toBeGreaterThan(strict);
  });
});

describe.each(["spike", "composite"])("%s: a spike", (name) => {
  const values = noisy(600, 100, 5, 7);
  values[500] = 200; // +20 sd
  const scores = run(createDetector(name), values);
  const threshold = detectorDefinition(name).alertThreshold;

  it("scores above the alert threshold at the spike", () => {
    expect(scores[500]).toBeGreaterThan(threshold);
  });
  it("stays below the alert threshold before it", () => {
    expect(max(scores, 0, 500)).toBeLessThan(threshold);
  });
});

describe("spike ignores falls, drop ignores rises", () => {
  const values = noisy(400, 100, 5, 11);
  values[300] = 0;
  values[350] = 200;
  it.each([
    ["spike", 300, 350],
    ["drop", 350, 300],
  ])("%s", (name, quiet, loud) => {
    const scores = run(createDetector(name), values);
    expect(scores[quiet]).toBeLessThan(0.1);
    expect(scores[loud]).toBeGreaterThan(0.5);
  });
});

describe("drop", () => {
  it("a busy series falling to zero scores high at once", () => {
    const values = [...noisy(500, 1000, 30, 3), 0, 0, 0];
    const scores = run(createDetector("drop"), values);
    expect(scores[500]).toBeGreaterThan(0.9);
    expect(max(scores, 0, 500)).toBeLessThan(0.5);
  });

  it("a low-count series (Poisson 3 per interval) going silent scores high within 10 points", () => {
    const draw = poisson(5);
    const values = [...Array.from({ length: 800 }, () => draw(3)), ...new Array(20).fill(0)];
    const scores = run(createDetector("drop"), values);
    expect(max(scores, 0, 800)).toBeLessThan(0.5);
    expect(max(scores, 800, 810)).toBeGreaterThan(0.5);
  });

  it("traffic halving over ten points is caught", () => {
    const base = noisy(520, 500, 10, 9);
    for (let i = 500; i < 520; i++) base[i] = base[i]! * Math.max(0.5, 1 - (i - 499) * 0.05);
    const scores = run(createDetector("drop"), base);
    expect(max(scores, 0, 500)).toBeLessThan(0.5);
    expect(max(scores, 500, 520)).toBeGreaterThan(0.5);
  });
});

describe("level-shift", () => {
  it.each([
    ["up 3 sd", 15],
    ["down 3 sd", -15],
    ["up 1.5 sd", 7.5],
  ])("a shift %s is caught within 20 points, not before", (_label, delta) => {
    const values = noisy(700, 100, 5, 21).map((v, i) => (i >= 600 ? v + delta : v));
    const scores = run(createDetector("level-shift"), values);
    expect(max(scores, 0, 600)).toBeLessThan(0.5);
    expect(max(scores, 600, 620)).toBeGreaterThan(0.5);
  });
});

describe("seasonality does not alert by itself", () => {
  const perDay = 288; // 5-minute points
  const wave = (i: number) => 1 + 0.4 * Math.sin((2 * Math.PI * (i % perDay)) / perDay);

  // Eight days of a daily wave of ±40 % with 2 % noise. No detector can know a daily pattern before
  // it has seen a day, so the learning period is the first day and the daily profile's warm-up
  // (30 residuals, 2.5 hours); the seven days after it stay quiet.
  describe("daily: a week after the first day", () => {
    const g = gaussian(42);
    const values = Array.from({ length: 8 * perDay + 30 }, (_, i) => 1000 * wave(i) * (1 + 0.02 * g()));
    it.each(detectorNames())("%s", (name) => {
      const scores = run(createDetector(name), values);
      expect(max(scores, perDay + 30)).toBeLessThan(detectorDefinition(name).alertThreshold);
    });
  });

  // Three weeks of the same wave with weekends 30 % lower, reached over six hours on Saturday
  // morning and left over six hours on Monday morning (the first Monday too, as if the series
  // began after a weekend). The weekly profile counts from the third
  // visit of a slot, so the third week is judged, and it stays quiet.
  describe("weekly: the third week", () => {
    const g = gaussian(43);
    const weekly = (i: number) => {
      const day = Math.floor(i / perDay) % 7; // T0 is a Monday
      const hour = ((i % perDay) / perDay) * 24;
      if (day === 5) return hour < 6 ? 1 - (0.3 * hour) / 6 : 0.7;
      if (day === 6) return 0.7;
      if (day === 0) return hour < 6 ? 0.7 + (0.3 * hour) / 6 : 1;
      return 1;
    };
    const values = Array.from(
      { length: 21 * perDay },
      (_, i) => 1000 * wave(i) * weekly(i) * (1 + 0.02 * g()),
    );
    it.each(detectorNames())("%s", (name) => {
      const scores = run(createDetector(name), values);
      expect(max(scores, 14 * perDay)).toBeLessThan(detectorDefinition(name).alertThreshold);
    });
  });
});

describe("odd input", () => {
  it.each(detectorNames())("%s: scores are numbers in [0, 1] for any finite series", (name) => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -5, max: 5 })),
          {
            maxLength: 300,
          },
        ),
        (values) => {
          const d = createDetector(name);
          for (const [i, v] of values.entries()) {
            const s = d.update(i * 1000, v);
            if (!(s >= 0 && s <= 1)) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each(detectorNames())("%s: constant, huge, NaN and infinite values", (name) => {
    const d = createDetector(name);
    const inputs = [...new Array(200).fill(45), 1e300, -1e300, Number.NaN, Number.POSITIVE_INFINITY, 45, 0];
    const scores = run(d, inputs);
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
    // A flat line is never surprising (the composite's likelihood sits at its floor, 0.015).
    expect(max(scores, 0, 200)).toBeLessThan(0.02);
  });

  it.each(detectorNames())("%s: equal timestamps are accepted", (name) => {
    const d = createDetector(name);
    for (let i = 0; i < 100; i++) expect(d.update(0, i % 3)).toBeGreaterThanOrEqual(0);
  });
});
