/**
 * t:urlEncode as ModSecurity v3 does it (src/actions/transformations/url_encode.cc): space becomes
 * '+', '*' and [0-9A-Za-z] stay, every other byte becomes %xx with lower-case hex.
 */
import { registerTransform } from "./registry.js";

const HEX = "0123456789abcdef";

function keeps(c: number): boolean {
  return c === 42 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function urlEncode(input: string): string {
  const n = input.length;
  let i = 0;
  while (i < n && keeps(input.charCodeAt(i))) i++;
  if (i === n) return input;

  let out = input.slice(0, i);
  let start = i;
  for (; i < n; i++) {
    const c = input.charCodeAt(i);
    if (keeps(c)) continue;
    out += input.slice(start, i);
    out += c === 32 ? "+" : `%${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    start = i + 1;
  }
  return out + input.slice(start);
}

registerTransform("urlEncode", urlEncode);
