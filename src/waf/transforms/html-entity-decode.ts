/**
 * t:htmlEntityDecode as ModSecurity v3 does it (src/actions/transformations/html_entity_decode.cc),
 * producing bytes, never UTF-8:
 * - &#DDD and &#xHH, with or without ';': the number's low byte; a value too large for a C long
 *   saturates (strtol) and gives 0xFF;
 * - named entities with or without ';', compared case-insensitively on the whole name. Since the
 *   fix for GHSA-cxqf-vgrr-xxrv (CVE-2026-61812) ModSecurity knows, besides quot amp lt gt nbsp,
 *   every HTML5 entity whose value is one ASCII character (&colon; &lpar; &dollar; &lcub; ...) and
 *   &shy;/&NonBreakingSpace;; the old prefix match ("&ltest;" -> "<") is gone;
 * - anything else (unknown name, "&#" without digits) is copied as it is.
 */
import { chr, hexValue, isAlnum, isDigit, isHex } from "./bytes.js";
import { registerTransform } from "./registry.js";

/** Lower-cased HTML5 entity name -> byte (WHATWG named character references mapping to one byte). */
const NAMED = new Map<string, number>([
  ["tab", 0x09],
  ["newline", 0x0a],
  ["excl", 0x21],
  ["quot", 0x22],
  ["num", 0x23],
  ["dollar", 0x24],
  ["percnt", 0x25],
  ["amp", 0x26],
  ["apos", 0x27],
  ["lpar", 0x28],
  ["rpar", 0x29],
  ["ast", 0x2a],
  ["midast", 0x2a],
  ["plus", 0x2b],
  ["comma", 0x2c],
  ["period", 0x2e],
  ["sol", 0x2f],
  ["colon", 0x3a],
  ["semi", 0x3b],
  ["lt", 0x3c],
  ["equals", 0x3d],
  ["gt", 0x3e],
  ["quest", 0x3f],
  ["commat", 0x40],
  ["lsqb", 0x5b],
  ["lbrack", 0x5b],
  ["bsol", 0x5c],
  ["rsqb", 0x5d],
  ["rbrack", 0x5d],
  ["hat", 0x5e],
  ["lowbar", 0x5f],
  ["underbar", 0x5f],
  ["grave", 0x60],
  ["diacriticalgrave", 0x60],
  ["lcub", 0x7b],
  ["lbrace", 0x7b],
  ["verbar", 0x7c],
  ["vert", 0x7c],
  ["verticalline", 0x7c],
  ["rcub", 0x7d],
  ["rbrace", 0x7d],
  ["nbsp", 0xa0],
  ["nonbreakingspace", 0xa0],
  ["shy", 0xad],
]);
const LONGEST_NAME = 16;

/** strtol(digits, 16) cast to unsigned char. */
function hexByte(s: string, from: number, to: number): number {
  while (from < to && s.charCodeAt(from) === 48) from++;
  const len = to - from;
  // Up to 15 digits the value fits a 64-bit long; 16 fit when the first is < 8.
  if (len > 16 || (len === 16 && hexValue(s.charCodeAt(from)) >= 8)) return 0xff;
  if (len === 0) return 0;
  if (len === 1) return hexValue(s.charCodeAt(from));
  return hexValue(s.charCodeAt(to - 2)) * 16 + hexValue(s.charCodeAt(to - 1));
}

const LONG_MAX = "9223372036854775807";

/** strtol(digits, 10) cast to unsigned char. */
function decByte(s: string, from: number, to: number): number {
  while (from < to && s.charCodeAt(from) === 48) from++;
  const len = to - from;
  if (len > 19 || (len === 19 && s.slice(from, to) > LONG_MAX)) return 0xff;
  let v = 0;
  for (let k = from; k < to; k++) v = (v * 10 + (s.charCodeAt(k) - 48)) & 0xff;
  return v;
}

export function htmlEntityDecode(input: string): string {
  let i = input.indexOf("&");
  if (i === -1) return input;
  const n = input.length;
  let out = "";
  let start = 0;
  while (i < n) {
    i = input.indexOf("&", i);
    if (i === -1 || i + 1 >= n) break;
    let j = i + 1;
    let decoded = -1;
    if (input.charCodeAt(j) === 35) {
      j++;
      if (j >= n) break; // "&#" at the end stays
      const x = input.charCodeAt(j);
      if (x === 120 || x === 88) {
        j++;
        const k = j;
        while (j < n && isHex(input.charCodeAt(j))) j++;
        if (j > k) decoded = hexByte(input, k, j);
      } else {
        const k = j;
        while (j < n && isDigit(input.charCodeAt(j))) j++;
        if (j > k) decoded = decByte(input, k, j);
      }
    } else {
      const k = j;
      while (j < n && isAlnum(input.charCodeAt(j))) j++;
      if (j > k && j - k <= LONGEST_NAME) decoded = NAMED.get(input.slice(k, j).toLowerCase()) ?? -1;
    }
    if (decoded < 0) {
      // Not an entity ModSecurity decodes: the bytes read so far are copied and scanning goes on
      // after them (after the name for an unknown named entity).
      i = Math.max(j, i + 1);
      continue;
    }
    out += input.slice(start, i) + chr(decoded);
    if (j < n && input.charCodeAt(j) === 59) j++;
    i = j;
    start = j;
  }
  return out + input.slice(start);
}

registerTransform("htmlEntityDecode", htmlEntityDecode);
