/**
 * Comment transformations, as ModSecurity v3 does them:
 * - t:replaceComments (replace_comments.cc): each C comment becomes one space; an unclosed one
 *   runs to the end and also becomes one space;
 * - t:removeComments (remove_comments.cc): removes C and HTML comments; an unclosed one becomes one
 *   space; "--" or "#" outside a comment ends the value there (SQL line comment). As the current
 *   reference's regression tests require ("SELECT/**\/ /**\/UNION" -> "SELECTUNION"), the byte
 *   after a closing marker is scanned normally (older builds and Coraza copied it blindly and
 *   could emit a NUL for a value that ends with a comment);
 * - t:removeCommentsChar (remove_comments_char.cc): removes only the markers /* *\/ <!-- --> -- #.
 */
import { registerTransform } from "./registry.js";

export function replaceComments(input: string): string {
  let i = input.indexOf("/*");
  if (i === -1) return input;
  const n = input.length;
  let out = "";
  let start = 0;
  while (i !== -1) {
    out += `${input.slice(start, i)} `;
    const close = input.indexOf("*/", i + 2);
    if (close === -1) return out;
    start = close + 2;
    i = input.indexOf("/*", start);
  }
  return out + input.slice(start, n);
}

export function removeComments(input: string): string {
  const n = input.length;
  let i = 0;
  for (; i < n; i++) {
    const c = input.charCodeAt(i);
    if (c === 35 || c === 47 || c === 60 || c === 45) {
      const d = i + 1 < n ? input.charCodeAt(i + 1) : -1;
      if (c === 35 || (c === 47 && d === 42) || (c === 45 && d === 45)) break;
      if (c === 60 && d === 33 && input.startsWith("--", i + 2)) break;
    }
  }
  if (i === n) return input;

  let out = "";
  let start = 0;
  // Next "*/" and "-->" at or after the scan position, cached so that a value with many comments
  // is not searched to its end once per comment (quadratic on a 1 MB body otherwise).
  let closeC = -2;
  let closeHtml = -2;
  while (i < n) {
    const c = input.charCodeAt(i);
    const d = i + 1 < n ? input.charCodeAt(i + 1) : -1;
    if (c === 47 && d === 42) {
      out += input.slice(start, i);
      i += 2;
    } else if (c === 60 && d === 33 && input.startsWith("--", i + 2)) {
      out += input.slice(start, i);
      i += 4;
    } else if ((c === 45 && d === 45) || c === 35) {
      return out + input.slice(start, i);
    } else {
      i++;
      continue;
    }
    // Inside a comment either closing marker ends it, whichever opened it (as the reference).
    if (closeC !== -1 && closeC < i) closeC = input.indexOf("*/", i);
    if (closeHtml !== -1 && closeHtml < i) closeHtml = input.indexOf("-->", i);
    if (closeC === -1 && closeHtml === -1) return `${out} `;
    i = closeHtml === -1 || (closeC !== -1 && closeC < closeHtml) ? closeC + 2 : closeHtml + 3;
    start = i;
  }
  return out + input.slice(start);
}

/**
 * The markers in the order ModSecurity tests them at one position. It erases a marker and looks
 * again at the same position; as it only ever looks forward, that is one left-to-right global
 * replace with this alternation.
 */
const COMMENT_MARKERS = /\/\*|\*\/|<!--|-->|--|#/g;

export function removeCommentsChar(input: string): string {
  // "<!--" and "-->" contain "--": four native scans decide whether there is any marker.
  if (
    input.indexOf("--") === -1 &&
    input.indexOf("/*") === -1 &&
    input.indexOf("*/") === -1 &&
    input.indexOf("#") === -1
  ) {
    return input;
  }
  return input.replace(COMMENT_MARKERS, "");
}

registerTransform("replaceComments", replaceComments);
registerTransform("removeComments", removeComments);
registerTransform("removeCommentsChar", removeCommentsChar);
