/**
 * t:escapeSeqDecode: ANSI C escape sequences as ModSecurity v3 decodes them
 * (src/actions/transformations/escape_seq_decode.cc, ansi_c_sequences_decode_inplace):
 * \a \b \f \n \r \t \v \\ \? \' \" ; \xHH (x or X, exactly two hex digits); \O to \OOO octal,
 * truncated to a byte ("\666" is 0xB6). An unrecognised escape drops the backslash and keeps the
 * char ("\8" -> "8", "\xg" -> "xg"); a trailing lone backslash stays.
 */
import { chr, hexValue, isHex, isOctal } from "./bytes.js";
import { registerTransform } from "./registry.js";

function ansiEscape(c: number): number {
  switch (c) {
    case 97:
      return 7;
    case 98:
      return 8;
    case 102:
      return 12;
    case 110:
      return 10;
    case 114:
      return 13;
    case 116:
      return 9;
    case 118:
      return 11;
    case 92: // \\
    case 63: // \?
    case 39: // \'
    case 34: // \"
      return c;
    default:
      return -1;
  }
}

export function escapeSeqDecode(input: string): string {
  let i = input.indexOf("\\");
  if (i === -1) return input;
  const n = input.length;
  let out = "";
  let start = 0;
  while (i < n) {
    i = input.indexOf("\\", i);
    if (i === -1) break;
    if (i + 1 >= n) break;
    out += input.slice(start, i);
    const e = input.charCodeAt(i + 1);
    const simple = ansiEscape(e);
    if (simple >= 0) {
      out += chr(simple);
      i += 2;
    } else if (
      (e === 120 || e === 88) &&
      i + 3 < n &&
      isHex(input.charCodeAt(i + 2)) &&
      isHex(input.charCodeAt(i + 3))
    ) {
      out += chr(hexValue(input.charCodeAt(i + 2)) * 16 + hexValue(input.charCodeAt(i + 3)));
      i += 4;
    } else if (isOctal(e)) {
      let j = 1;
      while (j < 3 && i + 1 + j < n && isOctal(input.charCodeAt(i + 1 + j))) j++;
      let v = 0;
      for (let k = 0; k < j; k++) v = v * 8 + (input.charCodeAt(i + 1 + k) - 48);
      out += chr(v & 0xff);
      i += 1 + j;
    } else {
      out += chr(e);
      i += 2;
    }
    start = i;
  }
  return out + input.slice(start);
}

registerTransform("escapeSeqDecode", escapeSeqDecode);
