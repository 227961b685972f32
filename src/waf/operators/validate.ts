/**
 * Encoding validators: @validateByteRange, @validateUrlEncoding, @validateUtf8Encoding. Each matches
 * (returns true) when the input is NOT valid, as in ModSecurity v3 (src/operators/validate_*.cc).
 */
import type { ByteString, Operator, OperatorInit } from "../types.js";
import { paramError } from "./param.js";
import { registerOperator } from "./registry.js";

/** "9,10,13,32-126": a byte table; whitespace around items allowed, values 0–255. */
export function parseByteRanges(spec: string): Uint8Array | string {
  const table = new Uint8Array(256);
  const items = spec.split(",");
  for (const raw of items) {
    const item = raw.trim();
    const m = /^(\d{1,3})(?:\s*-\s*(\d{1,3}))?$/.exec(item);
    if (!m) return `invalid range "${item}"`;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 255 || hi > 255) return `value out of 0-255 in "${item}"`;
    if (hi < lo) return `range start above its end in "${item}"`;
    for (let c = lo; c <= hi; c++) table[c] = 1;
  }
  return table;
}

function validateByteRange(init: OperatorInit): Operator {
  if (!init.param.constant) throw paramError(init, "validateByteRange", "macros are not supported");
  const table = parseByteRanges(init.param.source);
  if (typeof table === "string") throw paramError(init, "validateByteRange", table);
  return {
    evaluate(input: ByteString): boolean {
      for (let i = 0; i < input.length; i++) if (table[input.charCodeAt(i) & 0xff] === 0) return true;
      return false;
    },
  };
}

const isHexByte = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** True when every % is followed by two hex digits (ModSecurity's validate_url_encoding). */
export function isValidUrlEncoding(input: ByteString): boolean {
  const n = input.length;
  for (let i = 0; i < n; i++) {
    if (input.charCodeAt(i) !== 37) continue;
    if (i + 2 >= n) return false;
    if (!isHexByte(input.charCodeAt(i + 1)) || !isHexByte(input.charCodeAt(i + 2))) return false;
    i += 2;
  }
  return true;
}

/**
 * True when the bytes are well-formed UTF-8 as ModSecurity checks it: missing or bad continuation
 * bytes, overlong forms and code points above U+10FFFF are errors (surrogates are not checked, as v3).
 */
export function isValidUtf8(input: ByteString): boolean {
  const n = input.length;
  let i = 0;
  while (i < n) {
    const c = input.charCodeAt(i) & 0xff;
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let cp: number;
    if ((c & 0xe0) === 0xc0) {
      len = 2;
      cp = c & 0x1f;
    } else if ((c & 0xf0) === 0xe0) {
      len = 3;
      cp = c & 0x0f;
    } else if ((c & 0xf8) === 0xf0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (let k = 1; k < len; k++) {
      const b = input.charCodeAt(i + k) & 0xff;
      if ((b & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    if ((len === 2 && cp < 0x80) || (len === 3 && cp < 0x800) || (len === 4 && cp < 0x10000)) return false;
    if (cp > 0x10ffff) return false;
    i += len;
  }
  return true;
}

registerOperator("validateByteRange", validateByteRange);
registerOperator("validateUrlEncoding", () => ({
  evaluate: (input: ByteString) => !isValidUrlEncoding(input),
}));
registerOperator("validateUtf8Encoding", () => ({ evaluate: (input: ByteString) => !isValidUtf8(input) }));
