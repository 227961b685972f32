/**
 * t:compressWhitespace and t:removeWhitespace as ModSecurity v3 does them
 * (compress_whitespace.cc, remove_whitespace.cc). Whitespace is C's isspace (space, \t \n \v \f \r);
 * removeWhitespace also removes the non-breaking space byte 0xA0, compressWhitespace does not.
 */
import { isSpace } from "./bytes.js";
import { registerTransform } from "./registry.js";

export function compressWhitespace(input: string): string {
  const n = input.length;
  let i = 0;
  // Fast path: only lone ' ' are already compressed.
  for (; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 32) {
      if (i + 1 < n && isSpace(input.charCodeAt(i + 1))) break;
    } else if (c >= 9 && c <= 13) break;
  }
  if (i === n) return input;

  let out = input.slice(0, i);
  let inSpace = false;
  let start = i;
  for (; i < n; i++) {
    const c = input.charCodeAt(i);
    if (isSpace(c)) {
      if (!inSpace) {
        out += `${input.slice(start, i)} `;
        inSpace = true;
      }
      start = i + 1;
    } else {
      inSpace = false;
    }
  }
  return out + input.slice(start);
}

export function removeWhitespace(input: string): string {
  const n = input.length;
  let out = "";
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = input.charCodeAt(i);
    if (isSpace(c) || c === 0xa0) {
      out += input.slice(start, i);
      start = i + 1;
    }
  }
  return start === 0 ? input : out + input.slice(start);
}

registerTransform("compressWhitespace", compressWhitespace);
registerTransform("removeWhitespace", removeWhitespace);
