/**
 * Robustness of the detectors: on random and mutated input they never throw and return
 * well-formed results, and their time grows linearly with the input (1 MB of adversarial bytes
 * never hangs; speed itself is measured in bench/, not here).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { detectSqli, detectXss } from "../../../src/waf/detect/index.js";
import { SQLI_FINGERPRINTS } from "../../../src/waf/detect/sqli-fingerprints.js";
import { bestCpuTimeMs } from "../../support/cpu-time.js";
import { mutated, randomInput, toBytes } from "./corpus.js";

const SEEDS = [
  "1' or '1'='1",
  "1 union select 1,2,3--",
  "<img src=x onerror=alert(1)>",
  '<a href="&#106;avascript:x">',
  "$tag$ body $tag$ or 1=1",
  "/* a */ 1 /*! b */",
  "<!-- [if IE] -->",
];

describe("detectors under fuzzing", () => {
  it("never throw and return well-formed results (about 3 s of random and mutated input)", () => {
    let runs = 0;
    fc.assert(
      fc.property(
        fc.oneof(randomInput, mutated(SEEDS), fc.string({ unit: "binary", maxLength: 64 })),
        (s) => {
          runs += 1;
          // Inputs are byte strings; chars above 0xFF from fc's "binary" unit become UTF-8 bytes.
          const bytes = toBytes(s);
          const sqli = detectSqli(bytes);
          if (sqli.match) {
            expect(sqli.fingerprint === "X" || SQLI_FINGERPRINTS.has(sqli.fingerprint.toUpperCase())).toBe(
              true,
            );
          } else {
            expect(sqli.fingerprint).toBe("");
          }
          expect(typeof detectXss(bytes)).toBe("boolean");
          // Outside the contract (chars above 0xFF), still no exception.
          detectSqli(s);
          detectXss(s);
        },
      ),
      { seed: 424242, numRuns: 1_000_000, interruptAfterTimeLimit: 3000, markInterruptAsFailure: false },
    );
    expect(runs).toBeGreaterThan(1000);
  }, 15_000);

  // Units that drive each tokenizer down its longest loops: strings, comments, folds that never
  // end, dollar-quoted tags, entity runs, attribute storms.
  const UNITS = [
    "a",
    "'",
    "\\'",
    "/*",
    "<",
    "-",
    "1+",
    "1,",
    "(",
    "e'",
    "$a$ ",
    "a.b ",
    "<a b=",
    "<!--",
    '<a href="&#1',
    "\u0000",
    "\u00ff",
  ];
  const flat = (s: string): string => Buffer.from(s, "latin1").toString("latin1");

  it.each(UNITS)("1 MB of %j stays linear", (unit) => {
    const small = flat(unit.repeat(Math.ceil((1 << 16) / unit.length)));
    const big = flat(unit.repeat(Math.ceil((1 << 20) / unit.length)));
    // CPU time, best of 3 runs: the first warms the JIT, the others ride out GC pauses; a busy
    // machine stretches wall time, not the work done here.
    const time = (s: string): number =>
      bestCpuTimeMs(() => {
        detectSqli(s);
        detectXss(s);
      });
    const tSmall = Math.max(time(small), 0.5);
    const tBig = time(big);
    // A hang guard, not a performance target (bench/ has those): quadratic work on 1 MB takes minutes.
    expect(tBig).toBeLessThan(2000);
    // 16x the input: linear is 16x the time, quadratic 256x; leave room for cache and GC effects.
    expect(tBig / tSmall).toBeLessThan(64);
  });
});
