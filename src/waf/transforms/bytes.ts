/**
 * Byte helpers shared by the transformations. Values are byte strings (one char code 0–255 per
 * byte, see ../types.ts); these helpers reproduce the C-locale character classes and the hex
 * helpers of ModSecurity v3 (src/utils/string.h: VALID_HEX, ISODIGIT, x2c, xsingle2c), so that
 * decoders behave byte for byte like the reference implementation.
 */

/** Hex digit value per byte, -1 when the byte is not [0-9A-Fa-f]. */
const HEX_VALUE = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[65 + c] = 10 + c;
  HEX_VALUE[97 + c] = 10 + c;
}

/** VALID_HEX: true for [0-9A-Fa-f]. Safe for any char code (NaN and > 255 give false). */
export function isHex(c: number): boolean {
  return (HEX_VALUE[c] ?? -1) >= 0;
}

/** Value of a hex digit already checked with isHex. */
export function hexValue(c: number): number {
  return HEX_VALUE[c] ?? 0;
}

/** ISODIGIT: [0-7]. */
export function isOctal(c: number): boolean {
  return c >= 48 && c <= 55;
}

/** isdigit in the C locale. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** isalnum in the C locale (bytes >= 0x80 are not alphanumeric there). */
export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** isspace in the C locale: space, \t, \n, \v, \f, \r. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * ModSecurity's xsingle2c: the value of one hex digit, computed without validation
 * (`c >= 'A' ? ((c & 0xdf) - 'A') + 10 : c - '0'`, kept in an unsigned char). Transformations
 * that do not validate their digits (hexDecode) get the same garbage bytes as ModSecurity.
 */
export function xsingle2c(c: number): number {
  return (c >= 65 ? (c & 0xdf) - 65 + 10 : c - 48) & 0xff;
}

/** ModSecurity's x2c: two hex digits to one byte, unsigned-char arithmetic. */
export function x2c(hi: number, lo: number): number {
  return (xsingle2c(hi) * 16 + xsingle2c(lo)) & 0xff;
}

/** 'f' or 'F', the test ModSecurity uses to spot full-width ASCII (U+FF01–U+FF5E). */
export function isF(c: number): boolean {
  return c === 102 || c === 70;
}

/** One byte as a one-char string (V8 keeps these interned, so this does not allocate). */
export const chr = String.fromCharCode;
