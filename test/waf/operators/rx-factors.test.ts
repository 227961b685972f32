/**
 * Factor sets of translated @rx patterns and the one-pass index over them: table of syntax cases,
 * the automaton against a naive search, and soundness on CRS: every input a CRS pattern matches
 * (regression-test payloads, raw, decoded and lower-cased) hits the pattern's slot.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePcre, translatePcre } from "../../../src/waf/operators/regex.js";
import { matchRegex } from "../../../src/waf/operators/rx.js";
import { factorSet } from "../../../src/waf/operators/rx-factors.js";
import { RxFactorIndex } from "../../../src/waf/operators/rx-index.js";
import { hasCrs } from "../../support/shared.js";
import { crsPayloads, crsRxPatterns } from "./crs-patterns.js";

const factorsOf = (pcre: string): string[] | undefined => factorSet(translatePcre(pcre).source)?.sort();

describe("factorSet", () => {
  it.each<[string, string[] | undefined]>([
    ["(?i)union\\s+select", ["select"]],
    ["(?i)\\b(?:union|select)\\b", ["select", "union"]],
    ["<(?:script|iframe)", ["<iframe", "<script"]],
    ["a(?:b|c)d", ["abd", "acd"]],
    ["ab?c", ["abc", "ac"]],
    // `.*` matches text: its neighbours must not be joined (of equal runs, the first is kept).
    ["in\\(.*\\)do", ["in("]],
    ["foo[0-9]+bar", ["foo"]],
    ["(?:abc)+x", ["abc"]],
    ["(?:abc){2,3}", ["abc"]],
    ["x(?=abc)yz", ["xyz"]],
    ["^select$", ["select"]],
    ["[<>]script", ["<script", ">script"]],
    // Nothing useful: an optional branch, a wide class, single letters, a back-reference.
    ["a|b*", undefined],
    ["(?:select)?", undefined],
    ["[a-z]+", undefined],
    ["a|b", undefined],
    ["(a)\\1", undefined],
    ["\\r\\n", undefined],
    ["\\xe9t\\xe9", undefined],
  ])("%s → %j", (pattern, expected) => {
    expect(factorsOf(pattern)).toEqual(expected);
  });

  it("keeps the longer of two required runs", () => {
    expect(factorsOf("ab[0-9]+cdef")).toEqual(["cdef"]);
  });

  it("never throws, whatever the pattern", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (p) => {
        let src: string;
        try {
          src = translatePcre(p).source;
        } catch {
          return;
        }
        factorSet(src);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("RxFactorIndex", () => {
  it("reports every slot whose factor occurs, ASCII case folded", () => {
    const index = new RxFactorIndex();
    const a = index.add(["he", "she"]);
    const b = index.add(["his", "hers"]);
    const c = index.add(["<script"]);
    const hits = (s: string): number[] => [...index.scan(s)].flatMap((h, i) => (h ? [i] : []));
    expect(hits("ushers")).toEqual([a, b]);
    expect(hits("HIS")).toEqual([b]);
    expect(hits("x<ScRiPt>")).toEqual([c]);
    expect(hits("<scrip t")).toEqual([]);
    expect(hits("\u00e9he\u0100")).toEqual([a]);
    expect(index.mayMatch(c, "<SCRIPT")).toBe(true);
    expect(index.mayMatch(c, "nothing")).toBe(false);
  });

  it("refuses a factor no scan could find", () => {
    expect(() => new RxFactorIndex().add(["\u00e9t\u00e9"])).toThrow(RangeError);
    expect(() => new RxFactorIndex().add([""])).toThrow(RangeError);
  });

  it("agrees with a naive search on random text", () => {
    const alphabet = "abc<>'\" ;AB";
    const word = fc.string({ unit: fc.constantFrom(...alphabet), minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.array(word, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
        fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 60 }),
        (sets, text) => {
          const index = new RxFactorIndex();
          for (const s of sets) index.add(s);
          const lowered = sets.map((s) => s.map((w) => w.replace(/[A-Z]/g, (c) => c.toLowerCase())));
          const folded = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
          const hits = index.scan(text);
          lowered.forEach((s, slot) => {
            expect(hits[slot] === 1, `${JSON.stringify(s)} in ${JSON.stringify(text)}`).toBe(
              s.some((w) => folded.includes(w)),
            );
          });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe.skipIf(!hasCrs)("soundness on CRS", () => {
  it("every input a CRS @rx matches holds one of the pattern's factors", () => {
    const inputs = crsPayloads().flatMap((s) => [s, s.toLowerCase(), s.toUpperCase()]);
    expect(inputs.length).toBeGreaterThan(3000);
    const index = new RxFactorIndex();
    let withFactors = 0;
    let matched = 0;
    for (const p of crsRxPatterns()) {
      const re = compilePcre(p.pattern);
      const factors = factorSet(re.fast.source);
      if (factors === undefined) continue;
      withFactors++;
      const slot = index.add(factors);
      for (const input of inputs) {
        if (!matchRegex(re, input, undefined)) continue;
        matched++;
        if (!index.mayMatch(slot, input))
          expect.fail(`${p.id} matched ${JSON.stringify(input)} without any of ${JSON.stringify(factors)}`);
      }
    }
    expect(withFactors).toBeGreaterThan(200);
    expect(matched).toBeGreaterThan(1000);
  }, 300_000);
});
