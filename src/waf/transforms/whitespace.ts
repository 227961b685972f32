/**
 * t:compressWhitespace and t:removeWhitespace as ModSecurity v3 does them
 * (compress_whitespace.cc, remove_whitespace.cc). Whitespace is C's isspace (space, \t \n \v \f \r);
 * removeWhitespace also removes the non-breaking space byte 0xA0, compressWhitespace does not.
 */
import { isSpace } from "./bytes.js";
import { registerTransform } from "./registry.js";

/** A run of two or more whitespace bytes, or one that is not a plain space: what must change. */
const WS_TO_COMPRESS = /[\t-\r ]{2,}|[\t-\r]/g;
/** Same set as WS_TO_COMPRESS, as a test; V8's indexOf("  ") is slow on text full of spaces. */
const NEEDS_COMPRESS = /[\t-\r]| [\t-\r ]/;

export function compressWhitespace(input: string): string {
  // Each run becomes one space; a lone ' ' is already what the run would become, so values with
  // only lone spaces are returned after one native scan.
  if (!NEEDS_COMPRESS.test(input)) return input;
  return input.replace(WS_TO_COMPRESS, " ");
}

export function removeWhitespace(input: string): string {
  const n = input.length;
  let out = "";
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (isSpace(c) || c === 0xa0) {
      out += input.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? input : out + input.slice(start);
}

registerTransform("compressWhitespace", compressWhitespace);
registerTransform("removeWhitespace", removeWhitespace);
