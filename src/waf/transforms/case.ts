/**
 * t:lowercase and t:uppercase: ASCII letters only, as C's tolower/toupper in the "C" locale that
 * ModSecurity uses. V8's native toLowerCase/toUpperCase are used for speed, and the manual path
 * only when the value holds a Latin-1 letter the native call would also change (toLowerCase folds
 * 0xC0–0xDE; toUpperCase changes 0xE0–0xFE, 0xB5 "µ" and 0xFF to chars above 0xFF, and 0xDF "ß"
 * to "SS").
 */
import { registerTransform } from "./registry.js";

const LATIN1_UPPER = /[\xc0-\xd6\xd8-\xde]/g;
const LATIN1_LOWER = /[\xb5\xdf-\xf6\xf8-\xff]/g;

/**
 * Applies the native `convert` to the stretches between the Latin-1 letters `keep` matches, and
 * copies those letters unchanged. Common in practice: UTF-8 lead bytes such as 0xC3 (é, ü, ...)
 * are Latin-1 capitals.
 */
function convertAround(input: string, keep: RegExp, convert: (s: string) => string): string {
  let out = "";
  let start = 0;
  keep.lastIndex = 0;
  for (let m = keep.exec(input); m !== null; m = keep.exec(input)) {
    out += convert(input.slice(start, m.index)) + m[0];
    start = m.index + 1;
  }
  return out + convert(input.slice(start));
}

const toLower = (s: string): string => s.toLowerCase();
const toUpper = (s: string): string => s.toUpperCase();

export function lowercase(input: string): string {
  const lower = input.toLowerCase();
  if (lower === input) return input;
  LATIN1_UPPER.lastIndex = 0;
  return LATIN1_UPPER.test(input) ? convertAround(input, LATIN1_UPPER, toLower) : lower;
}

export function uppercase(input: string): string {
  const upper = input.toUpperCase();
  if (upper === input) return input;
  LATIN1_LOWER.lastIndex = 0;
  return LATIN1_LOWER.test(input) ? convertAround(input, LATIN1_LOWER, toUpper) : upper;
}

registerTransform("lowercase", lowercase);
registerTransform("uppercase", uppercase);
