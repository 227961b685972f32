/**
 * t:urlDecode: %XX and '+' decoding as ModSecurity v3 does it (src/utils/decode.cc,
 * urldecode_nonstrict_inplace): a '%' not followed by two hex digits is kept as it is, never an
 * error, and '+' becomes a space.
 */
import { chr, hexValue, isHex } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function urlDecode(input: string): string {
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 37 || c === 43) break;
    i++;
  }
  if (i === n) return input;

  let out = "";
  let start = 0;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c === 37) {
      // ModSecurity needs both digits inside the value (i + 2 < len); a short tail stays as is.
      if (i + 2 < n) {
        const h = input.charCodeAt(i + 1);
        const l = input.charCodeAt(i + 2);
        if (isHex(h) && isHex(l)) {
          out += input.slice(start, i) + chr(hexValue(h) * 16 + hexValue(l));
          i += 3;
          start = i;
          continue;
        }
      }
      i++;
    } else if (c === 43) {
      out += `${input.slice(start, i)} `;
      i++;
      start = i;
    } else {
      i++;
    }
  }
  return out + input.slice(start);
}

registerTransform("urlDecode", urlDecode);
