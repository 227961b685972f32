/**
 * t:urlEncode as ModSecurity v3 does it (src/actions/transformations/url_encode.cc): space becomes
 * '+', '*' and [0-9A-Za-z] stay, every other byte becomes %xx with lower-case hex. The output is
 * written into one buffer: appending three-char strings per byte is slow on large bodies.
 */
import { registerTransform } from "./registry.js";

const HEX = "0123456789abcdef";
const KEPT = /^[*0-9A-Za-z]*$/;

function keeps(c: number): boolean {
  return c === 42 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function urlEncode(input: string): string {
  if (KEPT.test(input)) return input;
  const n = input.length;
  const out = Buffer.allocUnsafe(n * 3);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (keeps(c)) {
      out[o++] = c;
    } else if (c === 32) {
      out[o++] = 43;
    } else {
      out[o++] = 37;
      out[o++] = HEX.charCodeAt((c >> 4) & 15);
      out[o++] = HEX.charCodeAt(c & 15);
    }
  }
  return out.toString("latin1", 0, o);
}

registerTransform("urlEncode", urlEncode);
