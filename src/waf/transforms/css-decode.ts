/**
 * t:cssDecode: CSS 2 escapes (https://www.w3.org/TR/CSS2/syndata.html#characters) as ModSecurity
 * v3 decodes them (src/actions/transformations/css_decode.cc, css_decode_inplace):
 * - a backslash and 1–6 hex digits give one byte: the value of a single digit, otherwise the last
 *   two digits; four digits (or five/six with leading zeros) of the form FFxx in the full-width
 *   ASCII range U+FF01–U+FF5E map to ASCII; one whitespace after the digits is swallowed;
 * - backslash + newline is a line continuation and disappears;
 * - backslash + any other char is that char; a trailing lone backslash disappears.
 */
import { chr, isF, isHex, isSpace, x2c, xsingle2c } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function cssDecode(input: string): string {
  let i = input.indexOf("\\");
  if (i === -1) return input;
  const n = input.length;
  let out = "";
  let start = 0;
  while (i < n) {
    i = input.indexOf("\\", i);
    if (i === -1) break;
    out += input.slice(start, i);
    i++; // the backslash is never kept
    if (i >= n) {
      start = i;
      break;
    }
    let j = 0;
    while (j < 6 && i + j < n && isHex(input.charCodeAt(i + j))) j++;
    if (j > 0) {
      let b: number;
      let fullCheck = false;
      if (j === 1) {
        b = xsingle2c(input.charCodeAt(i));
      } else {
        b = x2c(input.charCodeAt(i + j - 2), input.charCodeAt(i + j - 1));
        if (j === 4) fullCheck = true;
        else if (j === 5) fullCheck = input.charCodeAt(i) === 48;
        else if (j === 6) fullCheck = input.charCodeAt(i) === 48 && input.charCodeAt(i + 1) === 48;
      }
      if (
        fullCheck &&
        b > 0 &&
        b < 0x5f &&
        isF(input.charCodeAt(i + j - 3)) &&
        isF(input.charCodeAt(i + j - 4))
      ) {
        b += 0x20;
      }
      out += chr(b);
      if (i + j < n && isSpace(input.charCodeAt(i + j))) j++;
      i += j;
    } else if (input.charCodeAt(i) === 10) {
      i++;
    } else {
      out += input[i];
      i++;
    }
    start = i;
  }
  return out + input.slice(start);
}

registerTransform("cssDecode", cssDecode);
