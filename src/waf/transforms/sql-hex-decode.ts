/**
 * t:sqlHexDecode: SQL hex literals 0xHHHH... become their bytes, as ModSecurity v3's
 * sql_hex_decode.cc: "0x"/"0X" followed by at least one pair of hex digits; decoding goes on
 * pair by pair while pairs are valid, and an odd last digit stays.
 */
import { chr, hexValue, isHex } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function sqlHexDecode(input: string): string {
  const n = input.length;
  let i = input.indexOf("0");
  if (i === -1) return input;
  let out = "";
  let start = 0;
  while (i < n) {
    const x = input.charCodeAt(i + 1);
    if (
      input.charCodeAt(i) === 48 &&
      (x === 120 || x === 88) &&
      i + 3 < n &&
      isHex(input.charCodeAt(i + 2)) &&
      isHex(input.charCodeAt(i + 3))
    ) {
      out += input.slice(start, i);
      i += 2;
      do {
        out += chr(hexValue(input.charCodeAt(i)) * 16 + hexValue(input.charCodeAt(i + 1)));
        i += 2;
      } while (i + 1 < n && isHex(input.charCodeAt(i)) && isHex(input.charCodeAt(i + 1)));
      start = i;
    } else {
      i++;
    }
  }
  return start === 0 ? input : out + input.slice(start);
}

registerTransform("sqlHexDecode", sqlHexDecode);
