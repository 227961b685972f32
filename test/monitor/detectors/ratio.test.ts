/** The ratio detector (errors / requests, blocks / requests) on seeded binomial series. */
import { describe, expect, it } from "vitest";
import { createRatioDetector, DetectorError } from "../../../src/monitor/detectors/index.js";
import { max, rng } from "./synthetic.js";

/** Binomial(n, p) draws by summing Bernoulli trials (n is small in these tests). */
function binomial(seed: number): (n: number, p: number) => number {
  const u = rng(seed);
  return (n, p) => {
    let k = 0;
    for (let i = 0; i < n; i++) if (u() < p) k++;
    return k;
  };
}

function runRatio(pairs: readonly (readonly [number, number])[], params?: Record<string, number>): number[] {
  const d = createRatioDetector(params);
  return pairs.map(([k, n], i) => d.update(i * 1000, k, n));
}

describe("ratio detector", () => {
  it("1 % errors on 1000 requests: quiet; a jump to 5 % scores high at once", () => {
    const draw = binomial(1);
    const pairs = Array.from({ length: 600 }, (_, i) => [draw(1000, i >= 500 ? 0.05 : 0.01), 1000] as const);
    const scores = runRatio(pairs);
    expect(max(scores, 0, 500)).toBeLessThan(0.5);
    expect(scores[500]).toBeGreaterThan(0.7); // ~40 errors above 10 expected: z ≈ 12
  });

  it("a low-volume series (10 requests, 2 % errors) does not alert on single errors", () => {
    const draw = binomial(2);
    const pairs = Array.from({ length: 2000 }, () => [draw(10, 0.02), 10] as const);
    expect(max(runRatio(pairs))).toBeLessThan(0.5);
  });

  it("a series with no error at all does not turn its first error into an alert", () => {
    const pairs: [number, number][] = Array.from({ length: 300 }, () => [0, 50]);
    pairs.push([1, 50]);
    expect(runRatio(pairs).at(-1)!).toBeLessThan(0.5);
  });

  it("fewer errors than usual is not an incident", () => {
    const draw = binomial(3);
    const pairs = Array.from({ length: 400 }, (_, i) => [i >= 300 ? 0 : draw(1000, 0.05), 1000] as const);
    expect(max(runRatio(pairs), 300)).toBe(0);
  });

  it("blocks going from 0.1 % to 100 % of requests (a WAF blocking everything) scores 1", () => {
    const draw = binomial(4);
    const pairs = Array.from(
      { length: 301 },
      (_, i) => [i === 300 ? 2000 : draw(2000, 0.001), 2000] as const,
    );
    expect(runRatio(pairs)[300]).toBeGreaterThan(0.99);
  });

  it.each([
    ["no requests", 0, 0],
    ["negative numerator", -1, 10],
    ["NaN", Number.NaN, 10],
    ["infinite denominator", 1, Number.POSITIVE_INFINITY],
    ["numerator above denominator", 20, 10],
  ])("odd interval (%s) scores in [0, 1] and does not poison later scores", (_label, k, n) => {
    const d = createRatioDetector();
    for (let i = 0; i < 100; i++) d.update(i, 10, 1000);
    const s = d.update(100, k, n);
    expect(s >= 0 && s <= 1).toBe(true);
    expect(d.update(101, 10, 1000)).toBeLessThan(0.5);
  });

  it("rejects unknown parameters with a coded error", () => {
    expect(() => createRatioDetector({ nope: 1 })).toThrow(DetectorError);
  });
});
