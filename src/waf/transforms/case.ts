/**
 * t:lowercase and t:uppercase: ASCII letters only, as C's tolower/toupper in the "C" locale that
 * ModSecurity uses. JS's own toLowerCase would also fold Latin-1 letters (0xC0–0xDE) and
 * toUpperCase would even change the length (0xDF "ß" -> "SS"), so the native call is used only
 * when the value is pure ASCII.
 */
import { registerTransform } from "./registry.js";

export function lowercase(input: string): string {
  const n = input.length;
  let upper = false;
  let high = false;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 0x80) high = true;
  }
  if (!upper) return input;
  if (!high) return input.toLowerCase();
  let out = "";
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      out += input.slice(start, i) + String.fromCharCode(c + 32);
      start = i + 1;
    }
  }
  return out + input.slice(start);
}

export function uppercase(input: string): string {
  const n = input.length;
  let lower = false;
  let high = false;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 97 && c <= 122) lower = true;
    else if (c >= 0x80) high = true;
  }
  if (!lower) return input;
  if (!high) return input.toUpperCase();
  let out = "";
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c >= 97 && c <= 122) {
      out += input.slice(start, i) + String.fromCharCode(c - 32);
      start = i + 1;
    }
  }
  return out + input.slice(start);
}

registerTransform("lowercase", lowercase);
registerTransform("uppercase", uppercase);
