/**
 * t:utf8toUnicode: every multi-byte UTF-8 sequence becomes %uXXXX (lower-case hex, at least four
 * digits, more above U+FFFF), as ModSecurity v3's utf8_to_unicode.cc does; ASCII bytes are copied.
 * The reference's handling of malformed input is kept byte for byte:
 * - a lead byte (110xxxxx, 1110xxxx, 11110xxx) whose continuation bytes are missing or wrong is
 *   dropped, and scanning resumes at the next byte;
 * - a stray continuation byte or a byte 0xF8–0xFF is copied as it is;
 * - an overlong form or a surrogate (U+D800–U+DFFF) gives its %u form followed by its lead byte;
 * - a lead byte 0xF5–0xF7 (beyond U+10FFFF) is copied, then decoded like any 4-byte lead.
 * (The reference's C code also swallowed NUL bytes through a buffer quirk; here NUL is copied.)
 */
import { registerTransform } from "./registry.js";

const HIGH_BYTE = /[\x80-\xff]/;

function isCont(c: number): boolean {
  return (c & 0xc0) === 0x80;
}

function percentU(d: number): string {
  const h = d.toString(16);
  return h.length >= 4 ? `%u${h}` : `%u${"0000".slice(h.length)}${h}`;
}

export function utf8ToUnicode(input: string): string {
  let i = input.search(HIGH_BYTE);
  if (i === -1) return input;
  const n = input.length;

  let out = input.slice(0, i);
  let start = i;
  while (i < n) {
    const c = input.charCodeAt(i);
    if (c < 0x80) {
      i++;
      continue;
    }
    out += input.slice(start, i);
    const c1 = i + 1 < n ? input.charCodeAt(i + 1) : 0;
    const c2 = i + 2 < n ? input.charCodeAt(i + 2) : 0;
    const c3 = i + 3 < n ? input.charCodeAt(i + 3) : 0;
    let len = 0;
    let d = 0;
    if ((c & 0xe0) === 0xc0) {
      if (isCont(c1)) {
        len = 2;
        d = ((c & 0x1f) << 6) | (c1 & 0x3f);
      }
    } else if ((c & 0xf0) === 0xe0) {
      if (isCont(c1) && isCont(c2)) {
        len = 3;
        d = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      }
    } else if ((c & 0xf8) === 0xf0) {
      if (c >= 0xf5) out += String.fromCharCode(c);
      if (isCont(c1) && isCont(c2) && isCont(c3)) {
        len = 4;
        d = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      }
    } else {
      out += String.fromCharCode(c); // continuation byte or 0xF8–0xFF on its own
    }
    if (len > 0) {
      out += percentU(d);
      const overlong = (len === 4 && d < 0x10000) || (len === 3 && d < 0x800) || (len === 2 && d < 0x80);
      if (d >= 0xd800 && d <= 0xdfff) out += String.fromCharCode(c);
      if (overlong) out += String.fromCharCode(c);
      i += len;
    } else {
      i++;
    }
    start = i;
  }
  return out + input.slice(start);
}

registerTransform("utf8toUnicode", utf8ToUnicode);
