/**
 * t:normalizePath (t:normalisePath) and t:normalizePathWin (t:normalisePathWin): collapse "//",
 * remove "./" and resolve "../" without ever going above the root, as ModSecurity v3's
 * NormalisePath::normalize_path_inplace (normalise_path.cc) does; the Windows variant first turns
 * '\' into '/'. A relative path keeps the "../" that cannot be resolved ("dir/../../foo" ->
 * "../foo"); a trailing slash is kept only if the input had one. Coraza's port uses Go's
 * filepath.Clean and differs on corner cases ("//" stays "//" there, becomes "/" here).
 */
import { registerTransform } from "./registry.js";

const SLASH = 47;
const BSLASH = 92;
const DOT = 46;

function normalize(input: string, win: boolean): string {
  const n = input.length;
  if (n === 0) return input;
  // Nothing to do without a '.' or "//" (or a '\' on Windows): the algorithm below would copy.
  if (input.indexOf(".") === -1 && input.indexOf("//") === -1 && (!win || input.indexOf("\\") === -1)) {
    return input;
  }

  const b = new Uint8Array(n);
  for (let k = 0; k < n; k++) b[k] = input.charCodeAt(k);
  const at = (k: number): number => b[k] ?? 0;
  const end = n - 1;
  let src = 0;
  let dst = 0;
  let hitRoot = false;
  let done = false;
  const relative = !(at(0) === SLASH || (win && at(0) === BSLASH));
  const trailing = at(end) === SLASH || (win && at(end) === BSLASH);

  while (!done && src <= end && dst <= end) {
    if (win) {
      if (at(src) === BSLASH) b[src] = SLASH;
      if (src < end && at(src + 1) === BSLASH) b[src + 1] = SLASH;
    }

    // Normalise at the end of a segment (next byte is '/') or of the input; otherwise just copy.
    let segmentEnd = true;
    if (src === end) done = true;
    else if (at(src + 1) !== SLASH) segmentEnd = false;

    if (segmentEnd && !(src !== end && at(src) === SLASH)) {
      if (at(src) === DOT) {
        if (dst > 0 && at(dst - 1) === DOT) {
          // "..": a relative path that already hit its root, or has no previous segment, keeps it.
          if (!(relative && (hitRoot || dst - 2 <= 0))) {
            dst -= 3;
            while (dst > 0 && at(dst) !== SLASH) dst--;
            if (dst <= 0) {
              hitRoot = true;
              dst = 0;
              // An absolute path that ends on ".." keeps its root slash.
              if (!relative && src === end) dst++;
            }
            if (done) continue;
            src++;
          } else {
            hitRoot = true;
          }
        } else if (dst === 0) {
          if (done) continue;
          src++;
        } else if (at(dst - 1) === SLASH) {
          if (done) continue;
          dst--;
          src++;
        }
      } else if (dst > 0) {
        hitRoot = false;
      }
    }

    // Copy one byte; runs of slashes are copied as one.
    if (at(src) === SLASH) {
      while (src < end && (at(src + 1) === SLASH || (win && at(src + 1) === BSLASH))) src++;
      // A relative path never starts with the slash that is left after removing a segment.
      if (relative && dst === 0) {
        src++;
        continue;
      }
    }
    b[dst++] = at(src++);
  }

  if (!trailing && dst > 0 && at(dst - 1) === SLASH) dst--;
  let out = "";
  for (let k = 0; k < dst; k += 4096) {
    out += String.fromCharCode.apply(null, Array.from(b.subarray(k, Math.min(dst, k + 4096))));
  }
  return out === input ? input : out;
}

export function normalizePath(input: string): string {
  return normalize(input, false);
}

export function normalizePathWin(input: string): string {
  return normalize(input, true);
}

registerTransform("normalizePath", normalizePath);
registerTransform("normalisePath", normalizePath);
registerTransform("normalizePathWin", normalizePathWin);
registerTransform("normalisePathWin", normalizePathWin);
