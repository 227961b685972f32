/**
 * t:urlDecodeUni: t:urlDecode plus IIS's %uXXXX, as ModSecurity v3 does it
 * (src/actions/transformations/url_decode_uni.cc). Without a SecUnicodeMapFile, %uXXXX becomes its
 * low byte, except the full-width ASCII range U+FF01–U+FF5E which maps to ASCII (low byte + 0x20).
 * A %u without four hex digits is kept as it is ("%u" copied, scanning resumes after it).
 */
import { isF, isHex, x2c } from "./bytes.js";
import { registerTransform } from "./registry.js";
import { type PercentDecoder, urlDecodeWith } from "./url-decode.js";

/** %uXXXX, or undefined for a '%' that is not followed by 'u'. */
const percentU: PercentDecoder = (input, i) => {
  const u = i + 1 < input.length ? input.charCodeAt(i + 1) : 0;
  if (u !== 117 && u !== 85) return undefined;
  if (
    i + 5 < input.length &&
    isHex(input.charCodeAt(i + 2)) &&
    isHex(input.charCodeAt(i + 3)) &&
    isHex(input.charCodeAt(i + 4)) &&
    isHex(input.charCodeAt(i + 5))
  ) {
    let b = x2c(input.charCodeAt(i + 4), input.charCodeAt(i + 5));
    if (b > 0 && b < 0x5f && isF(input.charCodeAt(i + 2)) && isF(input.charCodeAt(i + 3))) b += 0x20;
    return { byte: b, next: i + 6 };
  }
  return { byte: -1, next: i + 2 }; // an invalid "%u" stays; the bytes after it are scanned again
};

export function urlDecodeUni(input: string): string {
  return urlDecodeWith(input, percentU);
}

registerTransform("urlDecodeUni", urlDecodeUni);
