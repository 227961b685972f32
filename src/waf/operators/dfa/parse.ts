/**
 * Parser for the JavaScript regex syntax that `translatePcre` (regex.ts) emits, as read by V8 with
 * flags `sm` and without `u` (Annex B syntax), into a small syntax tree for the DFA matcher.
 *
 * The alphabet is char codes 0–255 plus 0x100 (`CR_STAND_IN`): 257 symbols. A char set is a
 * Uint8Array of 257 flags; a pattern char above 0x100 can never match an alphabet symbol and
 * becomes the empty set (inputs holding such chars are left to V8 by the matcher).
 *
 * Only what is parsed with certainty is accepted; everything else throws `Unsupported`, and the
 * caller keeps V8: lookarounds, back-references and legacy octal escapes, `\k`, `\c` outside
 * letters, `\u{...}`, `\p`, modifiers `(?i:...)`, Annex B oddities (`[\d-z]`, quantified
 * assertions) and anything V8 would reject.
 */

/** Number of alphabet symbols: bytes 0–255 and U+0100. */
export const SYMBOLS = 257;

/** Empty-width assertions (numbers, as NFA instructions store them). */
export const Assert = {
  /** `^` with `m`: at the start or after a line terminator. */
  Bol: 0,
  /** `$` with `m`: at the end or before a line terminator. */
  Eol: 1,
  /** `\b` */
  WordBoundary: 2,
  /** `\B` */
  NotWordBoundary: 3,
} as const;
export type Assert = (typeof Assert)[keyof typeof Assert];

export type Node =
  | { readonly t: "empty" }
  | { readonly t: "set"; readonly set: Uint8Array }
  | { readonly t: "cat"; readonly items: readonly Node[] }
  | { readonly t: "alt"; readonly items: readonly Node[] }
  /** `max` is -1 for no upper bound. Greedy and lazy are the same for a yes/no answer. */
  | { readonly t: "rep"; readonly node: Node; readonly min: number; readonly max: number }
  | { readonly t: "assert"; readonly kind: Assert };

/** A construct the DFA does not take (or that is not certainly parsed): use V8 instead. */
export class Unsupported extends Error {
  constructor(message: string, at: number) {
    super(`${message} at offset ${at}`);
    this.name = "Unsupported";
  }
}

/** Largest count accepted in `{n,m}`; the NFA size limit stops big expansions anyway. */
const MAX_COUNT = 1000;
/** Deepest group nesting accepted (the parser and NFA builder recurse per level). */
const MAX_DEPTH = 200;

const newSet = (): Uint8Array => new Uint8Array(SYMBOLS);

function rangeSet(set: Uint8Array, lo: number, hi: number): void {
  for (let c = lo; c <= hi && c < SYMBOLS; c++) set[c] = 1;
}

/** JS `\d`. */
function digitSet(): Uint8Array {
  const s = newSet();
  rangeSet(s, 48, 57);
  return s;
}

/** JS `\w`: [A-Za-z0-9_] (no Unicode without `u`/`i`). */
export function wordSet(): Uint8Array {
  const s = newSet();
  rangeSet(s, 48, 57);
  rangeSet(s, 65, 90);
  rangeSet(s, 97, 122);
  s[95] = 1;
  return s;
}

/** JS `\s` within the alphabet: \t \n \v \f \r, space, NBSP (U+0100 is not white space). */
function spaceSet(): Uint8Array {
  const s = newSet();
  rangeSet(s, 9, 13);
  s[32] = 1;
  s[0xa0] = 1;
  return s;
}

/** JS line terminators within the alphabet (for `^`/`$` with `m`): \n and \r. */
export function lineTerminatorSet(): Uint8Array {
  const s = newSet();
  s[10] = 1;
  s[13] = 1;
  return s;
}

function complement(set: Uint8Array): Uint8Array {
  const out = newSet();
  for (let c = 0; c < SYMBOLS; c++) out[c] = set[c] ? 0 : 1;
  return out;
}

function single(code: number): Uint8Array {
  const s = newSet();
  if (code < SYMBOLS) s[code] = 1;
  return s;
}

const isHexCode = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
const isLetterCode = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/** Parses a translated pattern's JS source (flags `sm`); throws Unsupported. */
export function parseJsRegex(src: string): Node {
  let pos = 0;
  const n = src.length;
  const fail = (msg: string, at = pos): never => {
    throw new Unsupported(msg, at);
  };

  /** A `{n}`, `{n,}` or `{n,m}` quantifier at `at`, or undefined when the text is not one. */
  const braced = (at: number): { min: number; max: number; end: number } | undefined => {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(at, at + 24));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
    return { min, max, end: at + m[0].length };
  };

  const isQuantifierAt = (at: number): boolean => {
    const c = src[at];
    return c === "*" || c === "+" || c === "?" || (c === "{" && braced(at) !== undefined);
  };

  /** `\xHH`, `\uHHHH`, control escapes, `\cX`, `\0`: the char code, or undefined for other escapes. */
  const charEscape = (): number | undefined => {
    const c = src[pos];
    switch (c) {
      case "n":
        pos++;
        return 10;
      case "r":
        pos++;
        return 13;
      case "t":
        pos++;
        return 9;
      case "f":
        pos++;
        return 12;
      case "v":
        pos++;
        return 11;
      case "0":
        if (isDigitCode(src.charCodeAt(pos + 1))) fail("legacy octal escape");
        pos++;
        return 0;
      case "x": {
        if (!isHexCode(src.charCodeAt(pos + 1)) || !isHexCode(src.charCodeAt(pos + 2)))
          fail("\\x without two hex digits");
        const v = Number.parseInt(src.slice(pos + 1, pos + 3), 16);
        pos += 3;
        return v;
      }
      case "u": {
        const h = src.slice(pos + 1, pos + 5);
        if (!/^[0-9A-Fa-f]{4}$/.test(h)) fail("\\u without four hex digits");
        pos += 5;
        return Number.parseInt(h, 16);
      }
      case "c": {
        const l = src.charCodeAt(pos + 1);
        if (!isLetterCode(l)) fail("\\c without a letter");
        pos += 2;
        return l % 32;
      }
      default:
        return undefined;
    }
  };

  /** `\d \D \w \W \s \S` at pos (past the backslash), or undefined. */
  const classEscape = (): Uint8Array | undefined => {
    const c = src[pos];
    let s: Uint8Array | undefined;
    if (c === "d" || c === "D") s = digitSet();
    else if (c === "w" || c === "W") s = wordSet();
    else if (c === "s" || c === "S") s = spaceSet();
    else return undefined;
    pos++;
    return c === "D" || c === "W" || c === "S" ? complement(s) : s;
  };

  /** An identity escape `\X` for a char that is certainly itself: not a letter or digit. */
  const identityEscape = (): number => {
    const code = src.charCodeAt(pos);
    if (Number.isNaN(code)) fail("\\ at end of pattern");
    if (isLetterCode(code) || isDigitCode(code) || code === 95) fail(`unsupported escape \\${src[pos]}`);
    pos++;
    return code;
  };

  const parseClass = (): Node => {
    // pos is just past '['
    let negated = false;
    if (src[pos] === "^") {
      negated = true;
      pos++;
    }
    const set = newSet();
    /** One class atom: a char code, or a set for a class escape. */
    const atom = (): number | Uint8Array => {
      const c = src[pos];
      if (c === undefined) return fail("unterminated character class");
      if (c !== "\\") {
        pos++;
        return c.charCodeAt(0);
      }
      pos++;
      const cls = classEscape();
      if (cls) return cls;
      if (src[pos] === "b") {
        pos++;
        return 8;
      }
      if (src[pos] === "-") {
        pos++;
        return 45;
      }
      const e = charEscape();
      if (e !== undefined) return e;
      return identityEscape();
    };
    for (;;) {
      if (pos >= n) fail("unterminated character class");
      if (src[pos] === "]") {
        pos++;
        break;
      }
      const lo = atom();
      if (src[pos] === "-" && src[pos + 1] !== "]" && pos + 1 < n) {
        pos++;
        const hi = atom();
        if (typeof lo !== "number" || typeof hi !== "number") fail("class escape in a range");
        if ((hi as number) < (lo as number)) fail("range out of order");
        rangeSet(set, lo as number, hi as number);
        continue;
      }
      if (typeof lo === "number") {
        if (lo < SYMBOLS) set[lo] = 1;
      } else for (let k = 0; k < SYMBOLS; k++) if (lo[k]) set[k] = 1;
    }
    return { t: "set", set: negated ? complement(set) : set };
  };

  const parseDisjunction = (depth: number): Node => {
    if (depth > MAX_DEPTH) fail("groups nested too deep");
    const items: Node[] = [parseAlternative(depth)];
    while (src[pos] === "|") {
      pos++;
      items.push(parseAlternative(depth));
    }
    return items.length === 1 ? (items[0] as Node) : { t: "alt", items };
  };

  const parseAlternative = (depth: number): Node => {
    const items: Node[] = [];
    while (pos < n && src[pos] !== "|" && src[pos] !== ")") {
      const start = pos;
      const atom = parseAtom(depth);
      if (atom.t === "assert") {
        if (isQuantifierAt(pos)) fail("quantified assertion", pos);
        items.push(atom);
        continue;
      }
      let node = atom;
      if (isQuantifierAt(pos)) {
        const c = src[pos];
        let min: number;
        let max: number;
        if (c === "*") {
          min = 0;
          max = -1;
          pos++;
        } else if (c === "+") {
          min = 1;
          max = -1;
          pos++;
        } else if (c === "?") {
          min = 0;
          max = 1;
          pos++;
        } else {
          const b = braced(pos) as { min: number; max: number; end: number };
          min = b.min;
          max = b.max;
          pos = b.end;
          if (min > MAX_COUNT || max > MAX_COUNT) fail("count too large", start);
          if (max !== -1 && max < min) fail("numbers out of order in quantifier", start);
        }
        if (src[pos] === "?") pos++; // lazy: same answer for test()
        if (isQuantifierAt(pos)) fail("nothing to repeat");
        node = { t: "rep", node: atom, min, max };
      }
      items.push(node);
    }
    if (items.length === 0) return { t: "empty" };
    return items.length === 1 ? (items[0] as Node) : { t: "cat", items };
  };

  const parseAtom = (depth: number): Node => {
    const c = src[pos] as string;
    switch (c) {
      case "^":
        pos++;
        return { t: "assert", kind: Assert.Bol };
      case "$":
        pos++;
        return { t: "assert", kind: Assert.Eol };
      case ".": {
        pos++;
        const s = newSet();
        s.fill(1); // flag `s`: any char
        return { t: "set", set: s };
      }
      case "[":
        pos++;
        return parseClass();
      case "(": {
        const at = pos;
        pos++;
        if (src[pos] === "?") {
          if (src[pos + 1] === ":") pos += 2;
          else if (src[pos + 1] === "<" && /^[A-Za-z_$][\w$]*>/.test(src.slice(pos + 2, pos + 200))) {
            pos = src.indexOf(">", pos) + 1; // named group: a plain group for test()
          } else fail("unsupported group (lookaround or modifier)");
        }
        const inner = parseDisjunction(depth + 1);
        if (src[pos] !== ")") fail("missing )", at);
        pos++;
        // A group is quantifiable even when it holds a lone assertion: `(?:\b)*`.
        return inner.t === "assert" ? { t: "cat", items: [inner] } : inner;
      }
      case ")":
        return fail("unmatched )");
      case "*":
      case "+":
      case "?":
        return fail("nothing to repeat");
      case "{":
        if (braced(pos) !== undefined) fail("nothing to repeat");
        pos++;
        return { t: "set", set: single(123) };
      case "\\": {
        pos++;
        const e = src[pos];
        if (e === "b" || e === "B") {
          pos++;
          return { t: "assert", kind: e === "b" ? Assert.WordBoundary : Assert.NotWordBoundary };
        }
        const cls = classEscape();
        if (cls) return { t: "set", set: cls };
        if (e !== undefined && isDigitCode(e.charCodeAt(0)) && e !== "0") fail("back-reference");
        const code = charEscape();
        if (code !== undefined) return { t: "set", set: single(code) };
        return { t: "set", set: single(identityEscape()) };
      }
      default:
        pos++;
        return { t: "set", set: single(c.charCodeAt(0)) };
    }
  };

  const root = parseDisjunction(0);
  if (pos !== n) fail(src[pos] === ")" ? "unmatched )" : "unexpected text");
  return root;
}
