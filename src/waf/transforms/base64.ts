/**
 * t:base64Encode, t:base64Decode and t:base64DecodeExt.
 * - base64Encode: RFC 4648 with padding (ModSecurity v3 uses mbedtls_base64_encode).
 * - base64Decode: for valid input, what ModSecurity v3 gives (mbedtls_base64_decode on the value
 *   up to its first NUL). Invalid input is where implementations part: ModSecurity 3.0.x returned
 *   an empty string, which lets an attacker hide a payload behind one bad byte; this follows
 *   Coraza's decoder (internal/transformations/base64decode.go): CR/LF are skipped, padding is
 *   optional, and decoding stops at the first '=' or invalid byte, keeping what came before.
 * - base64DecodeExt: ModSecurity v3's forgiving decoder (src/utils/base64.cc,
 *   decode_forgiven_engine): also accepts the URL-safe alphabet ('-' and '_'), skips every byte
 *   that is not base64, and fails (empty result) on a '=' that leaves a lone 6-bit digit.
 */
import { registerTransform } from "./registry.js";

/** Standard and URL-safe alphabets -> 6-bit value; -1 for anything else. */
const STD = new Int8Array(256).fill(-1);
const EXT = new Int8Array(256).fill(-1);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
for (let k = 0; k < 64; k++) {
  STD[ALPHABET.charCodeAt(k)] = k;
  EXT[ALPHABET.charCodeAt(k)] = k;
}
EXT[45] = 62; // '-'
EXT[95] = 63; // '_'

export function base64Encode(input: string): string {
  return Buffer.from(input, "latin1").toString("base64");
}

export function base64Decode(input: string): string {
  const n = input.length;
  if (n === 0) return input;
  const out = Buffer.allocUnsafe(Math.ceil((n * 3) / 4));
  let o = 0;
  let x = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 13 || c === 10) continue;
    const v = STD[c] ?? -1;
    if (v < 0) break; // '=', NUL, space or any other byte ends the data
    x = (x << 6) | v;
    if (++digits === 4) {
      out[o++] = (x >> 16) & 0xff;
      out[o++] = (x >> 8) & 0xff;
      out[o++] = x & 0xff;
      digits = 0;
      x = 0;
    }
  }
  if (digits === 2) {
    out[o++] = (x >> 4) & 0xff;
  } else if (digits === 3) {
    out[o++] = (x >> 10) & 0xff;
    out[o++] = (x >> 2) & 0xff;
  }
  return out.toString("latin1", 0, o);
}

export function base64DecodeExt(input: string): string {
  const n = input.length;
  if (n === 0) return input;
  const out = Buffer.allocUnsafe(Math.ceil((n * 3) / 4) + 1);
  let o = 0;
  let digits = 0;
  // `last` mirrors the reference's `ch`: the last '=' or the last decoded 6-bit value. The
  // reference compares it with '=' (61) after the loop, so a value ending on the digit '9' (61)
  // takes the padding path too; that quirk is kept.
  let last = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 61) {
      last = 61;
      if (input.charCodeAt(i + 1) !== 61 && digits % 4 === 1) return "";
      continue;
    }
    const v = EXT[c] ?? -1;
    last = v;
    if (v < 0) continue;
    switch (digits % 4) {
      case 0:
        out[o] = v << 2;
        break;
      case 1:
        out[o] = ((out[o] ?? 0) | (v >> 4)) & 0xff;
        o++;
        out[o] = (v & 0x0f) << 4;
        break;
      case 2:
        out[o] = ((out[o] ?? 0) | (v >> 2)) & 0xff;
        o++;
        out[o] = (v & 0x03) << 6;
        break;
      default:
        out[o] = ((out[o] ?? 0) | v) & 0xff;
        o++;
    }
    digits++;
  }
  if (last === 61 && digits % 4 === 1) return "";
  return out.toString("latin1", 0, o);
}

registerTransform("base64Encode", base64Encode);
registerTransform("base64Decode", base64Decode);
registerTransform("base64DecodeExt", base64DecodeExt);
