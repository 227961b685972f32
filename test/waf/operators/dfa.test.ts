/**
 * The DFA matcher (src/waf/operators/dfa) answers exactly what V8's `new RegExp(source, "sm").test`
 * answers: unit cases per construct, a property test over generated patterns and inputs (with a
 * cache small enough to flush and fall back to NFA simulation), a differential run of every CRS
 * @rx pattern on CRS's regression payloads, prose, random bytes and crafted runs, and a bound on
 * the work crafted 8 KB inputs cost (instructions visited, not time: the machine is shared).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { compileDfa, type DfaMatcher, dfaUnsupportedReason } from "../../../src/waf/operators/dfa/index.js";
import { CR_STAND_IN, installRegexSafety, translatePcre } from "../../../src/waf/operators/regex.js";
import { crsDir, hasCrs } from "../../support/shared.js";
import { CRAFTED_RUNS, crsPayloads, crsRxPatterns } from "./crs-patterns.js";

// V8's fallback to its linear engine, as the engine runs it: the reference answers of
// exponential cases such as `(a*)*b` then come in linear time.
installRegexSafety();

/** The DFA's answer, checked against V8 on the way. */
function dfaTest(source: string, input: string, maxCacheBytes?: number): boolean {
  const m = compileDfa(source, maxCacheBytes === undefined ? {} : { maxCacheBytes });
  if (m === undefined) throw new Error(`not compiled: ${source}: ${dfaUnsupportedReason(source)}`);
  const got = m.test(input);
  expect(got, `${source} on ${JSON.stringify(input)}`).toBe(new RegExp(source, "sm").test(input));
  return got;
}

describe("DFA matcher: constructs", () => {
  it("literals, classes and escapes", () => {
    expect(dfaTest("abc", "xxabcxx")).toBe(true);
    expect(dfaTest("abc", "abxc")).toBe(false);
    expect(dfaTest("[Aa][Bb]", "xAb")).toBe(true);
    expect(dfaTest("[^a-z]", "abc")).toBe(false);
    expect(dfaTest("[^a-z]", "abC")).toBe(true);
    expect(dfaTest("[]", "abc")).toBe(false);
    expect(dfaTest("[^]", "a")).toBe(true);
    expect(dfaTest("[^]", "")).toBe(false);
    expect(dfaTest("[\\s\\S]", "\n")).toBe(true);
    expect(dfaTest("[^\\s\\S]", "abc")).toBe(false);
    expect(dfaTest("a.c", "a\nc")).toBe(true); // dotAll
    expect(dfaTest("\\x41\\x2d\\x7a", "A-z")).toBe(true);
    expect(dfaTest("[\\x00-\\x08\\x0e-\\x1f]", "\x07")).toBe(true);
    expect(dfaTest("\\d+\\.\\d", "v1.2")).toBe(true);
    expect(dfaTest("\\w\\W\\w", "a-b")).toBe(true);
    expect(dfaTest("\\s", "\xa0")).toBe(true);
    expect(dfaTest("\\S", " \t\xa0")).toBe(false);
    expect(dfaTest("[\\b]", "\b")).toBe(true);
    expect(dfaTest("\\{\\}\\]\\[", "{}][")).toBe(true);
    expect(dfaTest("a{,2}", "a{,2}")).toBe(true); // Annex B: not a quantifier, literal text
    expect(dfaTest("x}y]", "x}y]")).toBe(true);
    expect(dfaTest("\\0", "\0")).toBe(true);
    expect(dfaTest("\\cJ", "\n")).toBe(true);
    expect(dfaTest("[a\\-z]", "-")).toBe(true);
    expect(dfaTest("[a-]", "-")).toBe(true);
    expect(dfaTest("[\\x7c\\x24-\\x26]", "%")).toBe(true);
    expect(dfaTest("(?<word>ab)c", "abc")).toBe(true);
  });

  it("treats U+0100 (the \\r stand-in) as an ordinary char", () => {
    expect(dfaTest("\\u0100\\n", `a${CR_STAND_IN}\nb`)).toBe(true);
    expect(dfaTest("[\\x09\\u0100]", CR_STAND_IN)).toBe(true);
    expect(dfaTest("[^a]", CR_STAND_IN)).toBe(true);
    expect(dfaTest("\\s", CR_STAND_IN)).toBe(false);
    expect(dfaTest("\\W", CR_STAND_IN)).toBe(true);
    expect(dfaTest("a$", `a${CR_STAND_IN}`)).toBe(false); // not a line terminator
    expect(dfaTest("^b", `a${CR_STAND_IN}b`)).toBe(false);
    expect(dfaTest("a\\b", `a${CR_STAND_IN}`)).toBe(true);
    expect(dfaTest("[\\xff]", "\xff")).toBe(true);
    expect(dfaTest("[\\xff]", CR_STAND_IN)).toBe(false);
  });

  it("answers inputs with chars above U+0100 as V8 does", () => {
    expect(dfaTest("a.b", "a\u2028b")).toBe(true);
    expect(dfaTest("^b", "a\u2028b")).toBe(true); // a JS line terminator
    expect(dfaTest("a$", "a\u2029")).toBe(true);
    expect(dfaTest("\\s", "\u3000")).toBe(true);
    expect(dfaTest("[^a]", "\u20ac")).toBe(true);
    expect(dfaTest("x\\u20acy", "x\u20acy")).toBe(true);
    expect(dfaTest("x\\u20acy", "xy")).toBe(false);
  });

  it("alternation, empty alternatives and groups", () => {
    expect(dfaTest("cat|dog", "hotdog")).toBe(true);
    expect(dfaTest("a(?:|b)c", "ac")).toBe(true);
    expect(dfaTest("a(?:|b)c", "abc")).toBe(true);
    expect(dfaTest("a(?:|b)c", "abbc")).toBe(false);
    expect(dfaTest("x(|)y", "xy")).toBe(true);
    expect(dfaTest("q|", "zzz")).toBe(true); // the empty alternative matches anywhere
    expect(dfaTest("", "")).toBe(true);
    expect(dfaTest("(a|b)(c|d)", "xbd")).toBe(true);
    expect(dfaTest("((a))((b))", "ab")).toBe(true);
  });

  it("quantifiers, greedy and lazy, counted and nested", () => {
    expect(dfaTest("ab*c", "ac")).toBe(true);
    expect(dfaTest("ab+c", "ac")).toBe(false);
    expect(dfaTest("ab?c", "abbc")).toBe(false);
    expect(dfaTest("ab*?c", "abbbc")).toBe(true);
    expect(dfaTest("ab+?c", "abc")).toBe(true);
    expect(dfaTest("ab??c", "ac")).toBe(true);
    expect(dfaTest("a{3}", "aa")).toBe(false);
    expect(dfaTest("a{3}", "aaa")).toBe(true);
    expect(dfaTest("xa{2,}y", "xay")).toBe(false);
    expect(dfaTest("xa{2,}y", "xaaaay")).toBe(true);
    expect(dfaTest("xa{2,3}y", "xaaaay")).toBe(false);
    expect(dfaTest("xa{2,3}?y", "xaaay")).toBe(true);
    expect(dfaTest("x(?:ab){0,2}y", "xababy")).toBe(true);
    expect(dfaTest("x(?:ab){0,2}y", "xabababy")).toBe(false);
    expect(dfaTest("x(?:ab){0}y", "xy")).toBe(true);
    expect(dfaTest("(a*)*b", `${"a".repeat(50)}b`)).toBe(true);
    expect(dfaTest("(a*)*b", "a".repeat(50))).toBe(false);
    expect(dfaTest("(?:a|aa)+$", "aaaaaaaaab")).toBe(false);
    expect(dfaTest("(?:(?:a{1,3}){2}b)+c", "aaaabaabc")).toBe(true);
    expect(dfaTest("(?:x*)*y", "xxz")).toBe(false);
    expect(dfaTest("(?:\\b)*a", "a")).toBe(true);
  });

  it("anchors under `m`, and \\b / \\B at the edges", () => {
    expect(dfaTest("^abc", "abc")).toBe(true);
    expect(dfaTest("^abc", "xabc")).toBe(false);
    expect(dfaTest("^abc", "x\nabc")).toBe(true);
    expect(dfaTest("abc$", "abc\nx")).toBe(true);
    expect(dfaTest("abc$", "abcx")).toBe(false);
    expect(dfaTest("^$", "")).toBe(true);
    expect(dfaTest("^$", "a")).toBe(false);
    expect(dfaTest("^$", "a\n\nb")).toBe(true);
    expect(dfaTest("^$", "a\n")).toBe(true);
    expect(dfaTest("a^b", "ab")).toBe(false);
    expect(dfaTest("a$\\n^b", "a\nb")).toBe(true);
    expect(dfaTest("x$", "x\r")).toBe(true); // \r is a JS line terminator (never in translated inputs)
    expect(dfaTest("\\bfoo\\b", "foo")).toBe(true);
    expect(dfaTest("\\bfoo\\b", "a foo.")).toBe(true);
    expect(dfaTest("\\bfoo\\b", "afoo")).toBe(false);
    expect(dfaTest("\\bfoo\\b", "foo_")).toBe(false);
    expect(dfaTest("\\b", "")).toBe(false);
    expect(dfaTest("\\B", "")).toBe(true);
    expect(dfaTest("\\b", "a")).toBe(true);
    expect(dfaTest("\\B", "a")).toBe(false);
    expect(dfaTest("\\B", "ab")).toBe(true);
    expect(dfaTest("a\\B", "a")).toBe(false);
    expect(dfaTest("-\\B", "-")).toBe(true);
    expect(dfaTest("\\b-", "a-")).toBe(true);
    expect(dfaTest("\\b$", "a")).toBe(true);
    expect(dfaTest("^\\b", " ")).toBe(false);
    expect(dfaTest("(?:^|\\W)rm\\b", "x;rm -rf")).toBe(true);
  });

  it("declines what it does not take", () => {
    for (const src of [
      "a(?=b)",
      "a(?!b)",
      "(?<=a)b",
      "(?<!a)b",
      "(a)\\1",
      "\\k<x>",
      "(?i:a)",
      "a**",
      "(",
      "[b-a]",
    ])
      expect(compileDfa(src), src).toBeUndefined();
    expect(compileDfa("(?:abcdefgh){1000}", { maxInstructions: 1000 })).toBeUndefined();
  });

  it("stays correct when the cache flushes, and finishes by NFA simulation when it thrashes", () => {
    const src = "(?:a|b)*a(?:a|b){8}c"; // 2^9 states on random a/b text
    const rnd = fc.sample(fc.array(fc.constantFrom("a", "b"), { minLength: 3000, maxLength: 3000 }), {
      numRuns: 3,
      seed: 7,
    });
    const small = compileDfa(src, { maxCacheBytes: 4096 }) as DfaMatcher;
    const re = new RegExp(src, "sm");
    for (const chars of rnd) {
      const s = chars.join("");
      for (const input of [s, `${s}c`, `${s}a${"b".repeat(8)}c`, `${s}a${"b".repeat(7)}c`])
        expect(small.test(input)).toBe(re.test(input));
    }
    expect(small.stats().flushes).toBeGreaterThan(0);
    expect(small.stats().simulations).toBeGreaterThan(0);
    expect(small.stats().cacheBytes).toBeLessThanOrEqual(4096);

    // Few states on a long input: flushes without giving up.
    const few = compileDfa("x(?:ab|ba){2}y", { maxCacheBytes: 1 }) as DfaMatcher;
    const gap = " ".repeat(200);
    // More states than fit, each met after 200 chars: flushes, never reason to give up.
    const long = ["xab", "xba", "xabb", "xbaa", "xabab", "xbaba"]
      .map((w) => w + gap)
      .join("")
      .repeat(20);
    expect(few.test(long)).toBe(false);
    expect(few.test(`${long}xabbay`)).toBe(true);
    expect(few.stats().flushes).toBeGreaterThan(0);
    expect(few.stats().simulations).toBe(0);
  });
});

/** Generated patterns over a small alphabet, with every construct the parser takes. */
const ATOMS = [
  "(?:)",
  "(|a)",
  "a",
  "b",
  " ",
  "\\n",
  "\\u0100",
  "_",
  "0",
  "[ab]",
  "[^a]",
  ".",
  "\\w",
  "\\W",
  "\\s",
  "\\d",
  "[\\x00-\\x20]",
];
const ASSERTIONS = ["^", "$", "\\b", "\\B"];
const QUANTIFIERS = ["*", "+", "?", "*?", "+?", "??", "{2}", "{0,2}", "{1,3}", "{2,}", "{1,2}?"];
const INPUT_CHARS = ["a", "b", " ", "\n", CR_STAND_IN, "_", "0", "\r", "-"];

const patternArb = fc.letrec<{ alt: string; cat: string; term: string; group: string }>((tie) => ({
  term: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.constantFrom(...ASSERTIONS),
    fc
      .tuple(
        fc.oneof({ depthSize: "small" }, fc.constantFrom(...ATOMS), tie("group")),
        fc.constantFrom(...QUANTIFIERS),
      )
      .map(([a, q]) => a + q),
    tie("group"),
  ),
  group: fc.tuple(fc.constantFrom("(", "(?:"), tie("alt")).map(([open, body]) => `${open}${body})`),
  cat: fc.array(tie("term"), { minLength: 1, maxLength: 4 }).map((xs) => xs.join("")),
  alt: fc.array(tie("cat"), { minLength: 1, maxLength: 3 }).map((xs) => xs.join("|")),
})).alt;

const inputArb = fc.array(fc.constantFrom(...INPUT_CHARS), { maxLength: 24 }).map((xs) => xs.join(""));

describe("DFA matcher: generated patterns", () => {
  it("agrees with V8 on generated patterns and inputs, with a roomy and a tiny cache", () => {
    fc.assert(
      fc.property(patternArb, fc.array(inputArb, { minLength: 1, maxLength: 12 }), (src, inputs) => {
        const roomy = compileDfa(src);
        const tiny = compileDfa(src, { maxCacheBytes: 1 });
        if (roomy === undefined || tiny === undefined) throw new Error(`not compiled: ${src}`);
        const re = new RegExp(src, "sm");
        for (const input of inputs) {
          const want = re.test(input);
          if (roomy.test(input) !== want || tiny.test(input) !== want)
            throw new Error(`${src} on ${JSON.stringify(input)}: V8 says ${want}`);
        }
      }),
      { numRuns: 6000, seed: 20261125 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// CRS 4.28 patterns.

const PROSE =
  "please leave the parcel with the neighbour at number fourteen if nobody answers the door, " +
  "and ring twice because the bell is quiet; thank you so much for the quick delivery last time! ";
const TEXTS = [
  PROSE.repeat(Math.ceil(2048 / PROSE.length)).slice(0, 2048),
  PROSE,
  "blue mug",
  "20",
  "ada@example.com",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "Dear team,\nI ordered two mugs (order #4411) but received one.\nCould you check? Thanks, Ada",
  "SELECT name FROM products WHERE id = 4; -- just curious how the shop works",
];

/** Crafted runs (differential: short enough for V8's backtracking) and their 8 KB versions. */
function craftedUnits(source: string): string[] {
  const units = new Set(CRAFTED_RUNS);
  for (const c of source.replace(/\\[a-zA-Z]|\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}/g, ""))
    if (c > " " && c <= "~") units.add(c);
  return [...units].map((u) => u.replaceAll("\r", CR_STAND_IN));
}
const run = (unit: string, len: number): string => unit.repeat(Math.ceil(len / unit.length)).slice(0, len);

interface Compiled {
  readonly id: string;
  readonly source: string;
  readonly re: RegExp;
  readonly dfa: DfaMatcher;
}

describe.skipIf(!hasCrs)(`DFA matcher on CRS @rx patterns (${crsDir})`, () => {
  const compiled: Compiled[] = [];
  const declined: string[] = [];
  let total = 0;

  beforeAll(() => {
    for (const p of crsRxPatterns()) {
      total++;
      const source = translatePcre(p.pattern).source;
      const dfa = compileDfa(source);
      if (dfa === undefined) declined.push(`${p.id}: ${dfaUnsupportedReason(source)}`);
      else compiled.push({ id: p.id, source, re: new RegExp(source, "sm"), dfa });
    }
    console.log(
      `[dfa] ${compiled.length} of ${total} CRS @rx patterns compile; declined: ${declined.join("; ")}`,
    );
  });

  /** Compares every compiled pattern on `inputs`; returns the number of comparisons. */
  const compare = (inputsFor: (c: Compiled) => readonly string[]): number => {
    let n = 0;
    const bad: string[] = [];
    for (const c of compiled) {
      for (const input of inputsFor(c)) {
        n++;
        if (c.dfa.test(input) !== c.re.test(input) && bad.length < 10)
          bad.push(`${c.id} on ${JSON.stringify(input.slice(0, 120))}`);
      }
    }
    expect(bad).toEqual([]);
    return n;
  };

  it("compile, except lookarounds and back-references", () => {
    expect(compiled.length).toBeGreaterThanOrEqual(total - 5);
    for (const d of declined) expect(d).toMatch(/lookaround|back-reference/);
  });

  it("agree with V8 on CRS's regression payloads", { timeout: 120_000 }, () => {
    const payloads = crsPayloads().map((s) => s.replaceAll("\r", CR_STAND_IN));
    const n = compare(() => payloads);
    console.log(`[dfa] payloads: ${payloads.length} × ${compiled.length} patterns = ${n} comparisons agree`);
  });

  it("agree with V8 on prose, headers, random bytes and crafted runs", { timeout: 120_000 }, () => {
    const randomBytes = fc.sample(
      fc
        .array(fc.integer({ min: 0, max: 256 }), { maxLength: 96 })
        .map((codes) => String.fromCharCode(...codes.map((c) => (c === 13 ? 0x100 : c)))),
      { numRuns: 150, seed: 42 },
    );
    const payloads = crsPayloads().filter((p) => p.length < 400);
    // Payload fragments spliced into prose and random bytes: near-misses and matches at odd offsets.
    const spliced = fc.sample(
      fc
        .tuple(fc.constantFrom(...payloads), fc.nat(), fc.nat(), fc.constantFrom(...TEXTS.slice(1)), fc.nat())
        .map(([p, a, b, text, at]) => {
          const lo = a % (p.length + 1);
          const frag = p.slice(lo, lo + (b % 40) + 1);
          const k = at % (text.length + 1);
          return (text.slice(0, k) + frag + text.slice(k)).replaceAll("\r", CR_STAND_IN);
        }),
      { numRuns: 150, seed: 43 },
    );
    const n =
      compare(() => TEXTS) +
      compare(() => randomBytes) +
      compare(() => spliced) +
      compare((c) => craftedUnits(c.source).flatMap((u) => [run(u, 300), `x${run(u, 120)}y`]));
    console.log(`[dfa] prose, headers, random bytes, spliced payloads, crafted runs: ${n} comparisons agree`);
  });

  it("do bounded work on crafted 8 KB inputs, cold and with a tight cache", { timeout: 120_000 }, () => {
    const LEN = 8192;
    /** Fresh matchers: the states the crafted inputs need are built here, and counted. */
    const variants: Array<[string, number | undefined]> = [
      ["default cache", undefined],
      ["16 KB cache", 16384],
    ];
    for (const [name, maxCacheBytes] of variants) {
      let worst = { id: "", perChar: 0, unit: "" };
      let calls = 0;
      let flushes = 0;
      let simulations = 0;
      let work = 0;
      for (const c of compiled) {
        const dfa = compileDfa(c.source, maxCacheBytes === undefined ? {} : { maxCacheBytes }) as DfaMatcher;
        const { instructions } = dfa.stats();
        const units = craftedUnits(c.source);
        // Also the DFA's own worst case: the pattern's chars in random order, which meets many states.
        const mixed = fc.sample(fc.array(fc.constantFrom(...units), { minLength: LEN, maxLength: LEN }), {
          numRuns: 1,
          seed: 9,
        })[0] as string[];
        const mixedInput = mixed.join("").slice(0, LEN);
        const inputs = [mixedInput, ...units.flatMap((u) => [run(u, LEN), `${PROSE}${run(u, LEN)}`])];
        for (const input of inputs) {
          const before = dfa.stats();
          const got = dfa.test(input);
          // The cold run on the mixed input goes through flushes and NFA simulation: check it.
          if (input === mixedInput) expect(got, `${c.id} on its mixed input`).toBe(c.re.test(input));
          const after = dfa.stats();
          calls++;
          const w = after.work - before.work;
          // Linear by construction: at most one state per char, each O(NFA size).
          expect(after.statesBuilt - before.statesBuilt).toBeLessThanOrEqual(input.length + 2);
          expect(w).toBeLessThanOrEqual((input.length + 1) * 4 * instructions);
          work += w;
          if (w / input.length > worst.perChar)
            worst = { id: c.id, perChar: w / input.length, unit: input.slice(0, 12) };
        }
        flushes += dfa.stats().flushes;
        simulations += dfa.stats().simulations;
        expect(dfa.stats().cacheBytes).toBeLessThanOrEqual(dfa.stats().budgetBytes);
      }
      console.log(
        `[dfa] ${name}: ${calls} crafted inputs of 8 KB+; ${(work / calls).toFixed(0)} instructions visited per input; ` +
          `most: ${worst.perChar.toFixed(2)} per char (${worst.id} on ${JSON.stringify(worst.unit)}); ` +
          `cache flushes ${flushes}, NFA simulations ${simulations}`,
      );
      // Generous: a warm scan reads one table entry per char; building a state visits at most the
      // NFA's instructions, and the crafted runs need few states.
      expect(worst.perChar).toBeLessThan(500);
    }
  });
});
