/**
 * t:jsDecode: JavaScript escape sequences as ModSecurity v3 decodes them
 * (src/actions/transformations/js_decode.cc):
 * - \uHHHH keeps the low byte, with full-width ASCII (U+FF01–U+FF5E) mapped to ASCII;
 * - \xHH is one byte; \OOO is up to three octal digits, cut to two when three would exceed a byte;
 * - \a \b \f \n \r \t \v are control characters; any other escaped char is the char itself
 *   (so "\u" without four hex digits is "u"); a trailing lone backslash stays.
 * Only lower-case 'u' and 'x' introduce escapes, as in the reference.
 */
import { chr, hexValue, isF, isHex, isOctal, x2c } from "./bytes.js";
import { registerTransform } from "./registry.js";

function simpleEscape(c: number): number {
  switch (c) {
    case 97: // a
      return 7;
    case 98: // b
      return 8;
    case 102: // f
      return 12;
    case 110: // n
      return 10;
    case 114: // r
      return 13;
    case 116: // t
      return 9;
    case 118: // v
      return 11;
    default:
      return c;
  }
}

export function jsDecode(input: string): string {
  let i = input.indexOf("\\");
  if (i === -1) return input;
  const n = input.length;
  let out = "";
  let start = 0;
  while (i < n) {
    i = input.indexOf("\\", i);
    if (i === -1) break;
    if (i + 1 >= n) break; // lone trailing backslash: copied as is
    out += input.slice(start, i);
    const e = input.charCodeAt(i + 1);
    if (
      e === 117 &&
      i + 5 < n &&
      isHex(input.charCodeAt(i + 2)) &&
      isHex(input.charCodeAt(i + 3)) &&
      isHex(input.charCodeAt(i + 4)) &&
      isHex(input.charCodeAt(i + 5))
    ) {
      let b = x2c(input.charCodeAt(i + 4), input.charCodeAt(i + 5));
      if (b > 0 && b < 0x5f && isF(input.charCodeAt(i + 2)) && isF(input.charCodeAt(i + 3))) b += 0x20;
      out += chr(b);
      i += 6;
    } else if (e === 120 && i + 3 < n && isHex(input.charCodeAt(i + 2)) && isHex(input.charCodeAt(i + 3))) {
      out += chr(hexValue(input.charCodeAt(i + 2)) * 16 + hexValue(input.charCodeAt(i + 3)));
      i += 4;
    } else if (isOctal(e)) {
      let j = 1;
      while (j < 3 && i + 1 + j < n && isOctal(input.charCodeAt(i + 1 + j))) j++;
      // "\400" and above would not fit a byte: ModSecurity then reads two digits only.
      if (j === 3 && e > 51) j = 2;
      let v = 0;
      for (let k = 0; k < j; k++) v = v * 8 + (input.charCodeAt(i + 1 + k) - 48);
      out += chr(v);
      i += 1 + j;
    } else {
      out += chr(simpleEscape(e));
      i += 2;
    }
    start = i;
  }
  return out + input.slice(start);
}

registerTransform("jsDecode", jsDecode);
