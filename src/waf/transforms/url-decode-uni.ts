/**
 * t:urlDecodeUni: t:urlDecode plus IIS's %uXXXX, as ModSecurity v3 does it
 * (src/actions/transformations/url_decode_uni.cc). Without a SecUnicodeMapFile, %uXXXX becomes its
 * low byte, except the full-width ASCII range U+FF01–U+FF5E which maps to ASCII (low byte + 0x20).
 * A %u without four hex digits is kept as it is ("%u" copied, scanning resumes after it).
 */
import { chr, hexValue, isF, isHex, x2c } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function urlDecodeUni(input: string): string {
  let pct = input.indexOf("%");
  let plus = input.indexOf("+");
  if (pct === -1 && plus === -1) return input;

  const n = input.length;
  let out = "";
  let start = 0;
  while (pct !== -1 || plus !== -1) {
    if (plus !== -1 && (pct === -1 || plus < pct)) {
      out += `${input.slice(start, plus)} `;
      start = plus + 1;
      plus = input.indexOf("+", start);
      continue;
    }
    const i = pct;
    let next = i + 1;
    const u = i + 1 < n ? input.charCodeAt(i + 1) : 0;
    if (u === 117 || u === 85) {
      next = i + 2; // an invalid "%u" stays; the bytes after it are scanned again
      if (
        i + 5 < n &&
        isHex(input.charCodeAt(i + 2)) &&
        isHex(input.charCodeAt(i + 3)) &&
        isHex(input.charCodeAt(i + 4)) &&
        isHex(input.charCodeAt(i + 5))
      ) {
        let b = x2c(input.charCodeAt(i + 4), input.charCodeAt(i + 5));
        if (b > 0 && b < 0x5f && isF(input.charCodeAt(i + 2)) && isF(input.charCodeAt(i + 3))) b += 0x20;
        out += input.slice(start, i) + chr(b);
        start = next = i + 6;
      }
    } else if (i + 2 < n) {
      const h = input.charCodeAt(i + 1);
      const l = input.charCodeAt(i + 2);
      if (isHex(h) && isHex(l)) {
        out += input.slice(start, i) + chr(hexValue(h) * 16 + hexValue(l));
        start = next = i + 3;
      }
    }
    pct = input.indexOf("%", next);
  }
  return out + input.slice(start);
}

registerTransform("urlDecodeUni", urlDecodeUni);
