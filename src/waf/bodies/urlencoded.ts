/**
 * URLENCODED body processor and the `a=1&b=2` splitter the engine also uses for QUERY_STRING.
 *
 * Semantics are libmodsecurity v3's `Transaction::extractArguments` (src/transaction.cc) with
 * `utils::string::ssplit` / `ssplit_pair` (src/utils/string.cc) and
 * `utils::urldecode_nonstrict_inplace` (src/utils/decode.cc):
 * - split on the separator with `std::getline`: empty pieces are kept (`a&&b` gives an argument
 *   with an empty name and value), except one trailing empty piece (`a=1&` gives one argument);
 * - name and value split on the first `=`; a piece without `=` is a name with an empty value;
 * - both URL-decoded: `+` is a space, `%XX` a byte, a `%` not followed by two hex digits is kept
 *   literally and counted as invalid (URLENCODED_ERROR = 1).
 */
import type { BodyLimits, BodyParseResult, ByteString } from "../types.js";
import { registerBodyProcessor } from "./registry.js";
import { bodyResult, TOO_MANY_ARGUMENTS } from "./result.js";

export interface UrlEncodedParse {
  readonly args: Array<[ByteString, ByteString]>;
  /** True when some `%` was not followed by two hex digits (ModSecurity's URLENCODED_ERROR). */
  readonly invalidEncoding: boolean;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x57;
  return -1;
}

/** Scratch flag of `decodePart`, so the hot path returns a plain string and allocates no tuple. */
let invalidSeen = false;

/** URL-decodes s[from, to) as `urldecode_nonstrict_inplace` does; sets `invalidSeen` on a bad `%`. */
function decodePart(s: ByteString, from: number, to: number): ByteString {
  let out = "";
  let run = from;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) {
      out += `${s.slice(run, i)} `;
      run = i + 1;
    } else if (c === 0x25) {
      const h = i + 2 < to ? hexValue(s.charCodeAt(i + 1)) : -1;
      const l = h >= 0 ? hexValue(s.charCodeAt(i + 2)) : -1;
      if (l >= 0) {
        out += s.slice(run, i) + String.fromCharCode(h * 16 + l);
        i += 2;
        run = i + 1;
      } else {
        invalidSeen = true;
      }
    }
  }
  return run === from ? s.slice(from, to) : out + s.slice(run, to);
}

/**
 * Splits and decodes `text`, and reports invalid %-encoding. `separator` is SecArgumentSeparator:
 * ModSecurity uses its first character only ("&" when empty).
 */
export function parseUrlEncodedDetailed(
  text: ByteString,
  separator = "&",
  maxArgs = Infinity,
): UrlEncodedParse {
  const args: Array<[ByteString, ByteString]> = [];
  invalidSeen = false;
  const sep = separator === "" ? "&" : separator[0]!;
  const n = text.length;
  let start = 0;
  // Next '=' at or after `start`, cached so a body without '=' is not rescanned per piece (linear).
  let nextEq = text.indexOf("=");
  // getline yields a piece for every separator, plus the text after the last one when non-empty.
  while (start < n && args.length < maxArgs) {
    let end = text.indexOf(sep, start);
    if (end === -1) end = n;
    if (nextEq !== -1 && nextEq < start) nextEq = text.indexOf("=", start);
    const eq = nextEq === -1 || nextEq > end ? end : nextEq;
    const name = decodePart(text, start, eq);
    const value = eq < end ? decodePart(text, eq + 1, end) : "";
    args.push([name, value]);
    start = end + 1;
  }
  return { args, invalidEncoding: invalidSeen };
}

/** `a=1&b=2` → [["a","1"],["b","2"]] with ModSecurity v3's exact splitting and decoding. */
export function parseUrlEncoded(text: ByteString, separator = "&"): Array<[ByteString, ByteString]> {
  return parseUrlEncodedDetailed(text, separator).args;
}

const URLENCODED_ERROR_SET: ReadonlyMap<string, ByteString> = new Map([["URLENCODED_ERROR", "1"]]);
const URLENCODED_ERROR_CLEAR: ReadonlyMap<string, ByteString> = new Map([["URLENCODED_ERROR", "0"]]);

/** The URLENCODED processor: ARGS_POST from an application/x-www-form-urlencoded body. */
export function processUrlEncoded(
  body: ByteString,
  _contentType: ByteString,
  limits: BodyLimits,
): BodyParseResult {
  // One argument past the limit tells "exactly at the limit" from "over it".
  const parsed = parseUrlEncodedDetailed(body, "&", limits.maxArgs + 1);
  const variables = parsed.invalidEncoding ? URLENCODED_ERROR_SET : URLENCODED_ERROR_CLEAR;
  if (parsed.args.length > limits.maxArgs) {
    parsed.args.length = Math.max(0, limits.maxArgs);
    return bodyResult({ args: parsed.args, error: TOO_MANY_ARGUMENTS, variables });
  }
  return bodyResult({ args: parsed.args, variables });
}

registerBodyProcessor("URLENCODED", processUrlEncoded);
