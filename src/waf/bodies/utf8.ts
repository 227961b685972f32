/**
 * UTF-8 helpers over byte strings (one char per byte): checking a sequence and encoding a code
 * point as bytes. Body processors decode escapes (`\u00e9`, `&#233;`) to the UTF-8 bytes a C engine
 * would hold, so values stay byte strings like everything else in the engine.
 */
import type { ByteString } from "../types.js";

/**
 * Length of the UTF-8 sequence starting at `i` (1–4), or 0 when the bytes there are not one.
 *
 * `strict` follows RFC 3629 (no overlong forms, no surrogates, nothing above U+10FFFF), as libxml2
 * checks XML input. Without it only the shape is checked (lead byte and continuation bytes), which
 * is what yajl's `yajl_lex_utf8_char` accepts in JSON strings.
 */
export function utf8SequenceLength(s: ByteString, i: number, strict: boolean): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) return 1;
  let len: number;
  let min: number;
  if (c >= 0xc0 && c < 0xe0) {
    len = 2;
    min = 0x80;
  } else if (c >= 0xe0 && c < 0xf0) {
    len = 3;
    min = 0x800;
  } else if (c >= 0xf0 && c < 0xf8) {
    len = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.length) return 0;
  let cp = c & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const cc = s.charCodeAt(i + k);
    if ((cc & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3f);
  }
  if (strict && (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))) return 0;
  return len;
}

/** The UTF-8 bytes of code point `cp` (0–0x10FFFF) as a byte string. */
export function utf8Bytes(cp: number): ByteString {
  if (cp < 0x80) return String.fromCharCode(cp);
  if (cp < 0x800) return String.fromCharCode(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  if (cp < 0x10000) {
    return String.fromCharCode(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return String.fromCharCode(
    0xf0 | (cp >> 18),
    0x80 | ((cp >> 12) & 0x3f),
    0x80 | ((cp >> 6) & 0x3f),
    0x80 | (cp & 0x3f),
  );
}

/** Latin-1 bytes re-encoded as UTF-8 bytes (what libxml2 hands out for an ISO-8859-1 document). */
export function latin1ToUtf8(s: ByteString): ByteString {
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) {
      out += s.slice(from, i) + utf8Bytes(c);
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}
