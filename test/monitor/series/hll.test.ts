/** HyperLogLog (src/monitor/series/hll.ts): accuracy within its standard error, merging, wire form. */
import { describe, expect, it } from "vitest";
import {
  encodeSketch,
  HLL_REGISTERS,
  HLL_STANDARD_ERROR,
  hashClient,
  mergeEncodedSketch,
  newSketch,
  sketchAdd,
  sketchEstimate,
  sketchMerge,
} from "../../../src/monitor/series/hll.js";

function sketchOf(keys: Iterable<string>): Uint8Array {
  const s = newSketch();
  for (const k of keys) sketchAdd(s, hashClient(k));
  return s;
}

function* ipv4(n: number, offset = 0): Generator<string> {
  for (let i = offset; i < offset + n; i++) yield `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

describe("HyperLogLog", () => {
  it("has the standard error of p = 10 (1.04 / sqrt(1024))", () => {
    expect(HLL_REGISTERS).toBe(1024);
    expect(HLL_STANDARD_ERROR).toBeCloseTo(0.0325, 4);
  });

  it("counts an empty sketch as 0 and small sets exactly enough (linear counting)", () => {
    expect(sketchEstimate(newSketch())).toBe(0);
    expect(sketchEstimate(sketchOf(["203.0.113.7"]))).toBe(1);
    expect(sketchEstimate(sketchOf(["203.0.113.7", "203.0.113.7", "203.0.113.7"]))).toBe(1);
    const ten = sketchEstimate(sketchOf(ipv4(10)));
    expect(ten).toBe(10);
  });

  it.each([100, 1000, 10_000, 100_000, 1_000_000])(
    "estimates %i distinct addresses within 3 standard errors",
    (n) => {
      const est = sketchEstimate(sketchOf(ipv4(n)));
      expect(Math.abs(est - n) / n).toBeLessThan(3 * HLL_STANDARD_ERROR);
    },
  );

  it("has a root-mean-square error near its standard error over 40 independent sets", () => {
    const n = 20_000;
    let sq = 0;
    for (let run = 0; run < 40; run++) {
      const s = newSketch();
      for (let i = 0; i < n; i++) sketchAdd(s, hashClient(`run${run}-client${i}`));
      const rel = (sketchEstimate(s) - n) / n;
      sq += rel * rel;
    }
    const rms = Math.sqrt(sq / 40);
    expect(rms).toBeLessThan(1.5 * HLL_STANDARD_ERROR);
    expect(rms).toBeGreaterThan(0.3 * HLL_STANDARD_ERROR); // a sketch that always answered n would be suspect
  });

  it("merges to the sketch of the union (overlapping sets count once)", () => {
    const a = sketchOf(ipv4(30_000, 0));
    const b = sketchOf(ipv4(30_000, 20_000)); // 10 000 in common
    const union = sketchOf(ipv4(50_000, 0));
    sketchMerge(a, b);
    expect(a).toEqual(union);
    expect(Math.abs(sketchEstimate(a) - 50_000) / 50_000).toBeLessThan(3 * HLL_STANDARD_ERROR);
  });

  it("round-trips sparse and dense wire forms, and refuses malformed ones without change", () => {
    const few = sketchOf(ipv4(20));
    const many = sketchOf(ipv4(5000));
    const sparse = encodeSketch(few);
    const dense = encodeSketch(many);
    expect(sparse[0]).toBe("s");
    expect(sparse.length).toBeLessThan(100);
    expect(dense[0]).toBe("d");
    for (const [orig, text] of [
      [few, sparse],
      [many, dense],
    ] as const) {
      const back = newSketch();
      expect(mergeEncodedSketch(back, text)).toBe(true);
      expect(back).toEqual(orig);
    }
    const into = sketchOf(ipv4(3));
    const before = Uint8Array.from(into);
    expect(mergeEncodedSketch(into, "dAAAA")).toBe(false); // wrong length
    expect(mergeEncodedSketch(into, `s${Buffer.from([0x7f, 0xff, 3]).toString("base64")}`)).toBe(false); // index
    expect(mergeEncodedSketch(into, `s${Buffer.from([0, 1, 99]).toString("base64")}`)).toBe(false); // rank
    expect(mergeEncodedSketch(into, "x")).toBe(false);
    expect(into).toEqual(before);
  });
});
