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

const REMOVED_WS = /[\t-\r \xa0]/;

export function removeWhitespace(input: string): string {
  if (!REMOVED_WS.test(input)) return input;
  // Compacted in place in a buffer: one slice per removed byte is slow on large bodies.
  const b = Buffer.from(input, "latin1");
  let j = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (!(isSpace(c) || c === 0xa0)) b[j++] = c;
  }
  return b.toString("latin1", 0, j);
}

registerTransform("compressWhitespace", compressWhitespace);
registerTransform("removeWhitespace", removeWhitespace);
