/**
 * Property test of the @pm automaton against a naive search (both sides lower-cased ASCII-only
 * after taking each char's low byte, then every phrase tried at every end): same first match
 * (earliest end, longest there) on random phrase sets and texts built from phrase fragments and
 * random chars, bytes 0x80–0xFF and chars above 0xFF included; with the default table and with
 * tiny table limits, so that states without rows (child lists and fail links) are exercised too.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AhoCorasick, type PhraseMatch } from "../../../src/waf/operators/index.js";

const norm = (s: string): string =>
  Array.from(s, (ch) => {
    const c = (ch.codePointAt(0) as number) & 0xff;
    return String.fromCharCode(c >= 65 && c <= 90 ? c | 32 : c);
  }).join("");

function naive(phrases: readonly string[], text: string): PhraseMatch | undefined {
  const t = norm(text);
  const ps = phrases.filter((p) => p.length > 0).map(norm);
  for (let end = 1; end <= t.length; end++) {
    let best = 0;
    for (const p of ps)
      if (p.length > best && end >= p.length && t.startsWith(p, end - p.length)) best = p.length;
    if (best > 0) return { start: end - best, end };
  }
  return undefined;
}

/** Chars: a small ASCII set (both cases), bytes ≥ 0x80, and chars whose low byte is ASCII. */
const CHARS = [
  "a",
  "A",
  "b",
  "B",
  "c",
  "(",
  " ",
  "/",
  "\x80",
  "\xe9",
  "\xc9",
  "\xff",
  "\u0141",
  "\u0161",
  "\u20ac",
];
const char = fc.constantFrom(...CHARS);
const word = (min: number, max: number) =>
  fc.array(char, { minLength: min, maxLength: max }).map((a) => a.join(""));

describe("AhoCorasick against a naive search", () => {
  it("finds the same first match", () => {
    fc.assert(
      fc.property(
        fc.array(word(0, 6), { minLength: 0, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(), word(0, 3)), { maxLength: 12 }),
        fc.constantFrom(1 << 18, 1, 8, 30),
        (phrases, parts, limit) => {
          // The text: random chars and slices of the phrases, case flipped at random.
          let text = "";
          for (const [pi, a, b, noise] of parts) {
            const p = phrases.length > 0 ? (phrases[pi % phrases.length] as string) : "";
            const from = p.length > 0 ? a % p.length : 0;
            const frag = p.slice(from, from + 1 + (b % 6));
            text += (b & 1 ? frag.toUpperCase() : frag) + noise;
          }
          const ac = new AhoCorasick(phrases, limit);
          const expected = naive(phrases, text);
          expect(ac.find(text)).toEqual(expected);
          expect(ac.test(text)).toBe(expected !== undefined);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("agrees on many phrases (states without rows under the default limit)", () => {
    fc.assert(
      fc.property(
        fc.array(word(1, 12), { minLength: 50, maxLength: 400 }),
        fc.array(fc.oneof(word(0, 4), fc.string({ maxLength: 8 })), { maxLength: 40 }),
        (phrases, pieces) => {
          const text = pieces.join(phrases[0]?.slice(1) ?? "");
          expect(new AhoCorasick(phrases, 64).find(text)).toEqual(naive(phrases, text));
        },
      ),
      { numRuns: 200 },
    );
  });
});
