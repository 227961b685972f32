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

/**
 * True when the algorithm below could change the value: a "//", or a segment the reference
 * rewrites, i.e. a '.' ending a segment (before '/' or at the end) that follows '.', '/' or the
 * start ("." and any segment ending in ".."). Anything else it copies byte for byte.
 */
function needsWork(input: string): boolean {
  if (input.indexOf("//") !== -1) return true;
  const n = input.length;
  for (let i = input.indexOf("."); i !== -1; i = input.indexOf(".", i + 1)) {
    if (i + 1 < n && input.charCodeAt(i + 1) !== SLASH) continue;
    if (i === 0) return true;
    const p = input.charCodeAt(i - 1);
    if (p === DOT || p === SLASH) return true;
  }
  return false;
}

function normalize(input: string, win: boolean): string {
  const n = input.length;
  if (n === 0) return input;
  if (win ? input.indexOf("\\") === -1 && !needsWork(input) : !needsWork(input)) return input;

  const b = Buffer.from(input, "latin1");

  const end = n - 1;
  let src = 0;
  let dst = 0;
  let hitRoot = false;
  let done = false;
  const relative = !(b[0]! === SLASH || (win && b[0]! === BSLASH));
  const trailing = b[end]! === SLASH || (win && b[end]! === BSLASH);

  while (!done && src <= end && dst <= end) {
    if (win) {
      if (b[src]! === BSLASH) b[src] = SLASH;
      if (src < end && b[src + 1]! === BSLASH) b[src + 1] = SLASH;
    }

    // Normalise at the end of a segment (next byte is '/') or of the input; otherwise just copy.
    let segmentEnd = true;
    if (src === end) done = true;
    else if (b[src + 1]! !== SLASH) segmentEnd = false;

    if (segmentEnd && !(src !== end && b[src]! === SLASH)) {
      if (b[src]! === DOT) {
        if (dst > 0 && b[dst - 1]! === DOT) {
          // "..": a relative path that already hit its root, or has no previous segment, keeps it.
          if (!(relative && (hitRoot || dst - 2 <= 0))) {
            dst -= 3;
            while (dst > 0 && b[dst]! !== SLASH) dst--;
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
        } else if (b[dst - 1]! === SLASH) {
          if (done) continue;
          dst--;
          src++;
        }
      } else if (dst > 0) {
        hitRoot = false;
      }
    }

    // Copy one byte; runs of slashes are copied as one.
    if (b[src]! === SLASH) {
      while (src < end && (b[src + 1]! === SLASH || (win && b[src + 1]! === BSLASH))) src++;
      // A relative path never starts with the slash that is left after removing a segment.
      if (relative && dst === 0) {
        src++;
        continue;
      }
    }
    b[dst++] = b[src++]!;
  }

  if (!trailing && dst > 0 && b[dst - 1]! === SLASH) dst--;
  const out = b.toString("latin1", 0, dst);
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
