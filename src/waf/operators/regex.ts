/**
 * PCRE → JavaScript regex translation for @rx (and every other operator that takes a regex).
 *
 * ModSecurity v3 compiles @rx with PCRE2_DOTALL | PCRE2_MULTILINE, not in UTF mode (src/utils/regex.cc;
 * Coraza prefixes `(?sm)` the same way, internal/operators/rx.go), so a pattern matches bytes. Our
 * inputs are latin1 byte strings, so JS's char-by-char matching without the `u` flag is byte matching
 * once the pattern itself is made byte-exact. The translator parses the pattern and re-emits it:
 *
 * - `(?i)` / `(?i:...)` / `(?-i)` never become the JS `i` flag: letters are expanded to classes
 *   (`a` → `[Aa]`). Two reasons, both measured/checked on Node 20: V8's linear engine rejects `i`
 *   ("Cannot be executed in linear time"), and JS `i` folds latin1 letters (0xE0 ↔ 0xC0, 0xB5 → µ)
 *   where PCRE without UTF/locale folds ASCII only.
 * - Character classes are computed as a 256-bit byte set and re-emitted as ranges, so `\s` (PCRE2:
 *   \t \n \v \f \r space — JS's would add 0xA0), `\h`, `\v` (PCRE: vertical space, JS: 0x0B),
 *   POSIX `[:alpha:]` and case folding are all exact.
 * - `\x{HH}` → byte, `\A` `\z` `\Z`, `\Q...\E`, `\e`, `\cX`, octal, `(?#...)`, `(?x)` are handled;
 *   atomic groups and possessive quantifiers are emulated with `(?=(X))\N` (the classic trick; it
 *   adds a capture group, which `groupMap` hides). CRS 4.28 uses none of them.
 * - `^` and `$` under (?m): PCRE's line terminator is \n only, JS's `m` also takes \r. So the pattern
 *   never mentions byte 0x0D: wherever it would match \r it matches U+0100 (`CR_STAND_IN`), a char
 *   no byte string holds, and `matchRegex` (rx.ts) hands the regex inputs with \r replaced by it.
 *   JS anchors then see no \r, classes and `\b` treat U+0100 as they would \r, and the pattern
 *   stays a plain `sm` regex that V8's linear engine can take (lookaround anchors could not).
 * - Chars above 0xFF in the pattern (text that was decoded as Unicode, not read as latin1) become
 *   their UTF-8 bytes, which is what PCRE sees in a UTF-8 .conf file. Chars 0x80–0xFF are bytes
 *   already: the SecLang reader reads files as latin1.
 *
 * ReDoS protection: see `installRegexSafety` below for the measured choice.
 */
import { setFlagsFromString } from "node:v8";
import { compileDfa, type DfaMatcher } from "./dfa/index.js";

/** Stands for byte 0x0D in translated patterns and in the inputs given to them (see above). */
export const CR_STAND_IN = "\u0100";

export interface TranslatedRegex {
  /** JS source for flags `sm`; matches \r as CR_STAND_IN. */
  readonly source: string;
  /** PCRE capture group n (1-based) → JS group index; index 0 unused. */
  readonly groupMap: readonly number[];
  /** Number of PCRE capture groups. */
  readonly groups: number;
}

export class RegexTranslationError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "RegexTranslationError";
    this.offset = offset;
  }
}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  x: boolean;
}

/** A 256-bit set of bytes. */
type ByteSet = Uint8Array;

const hex2 = (n: number): string => (n < 16 ? "\\x0" : "\\x") + n.toString(16);

function setRange(set: ByteSet, lo: number, hi: number): void {
  for (let c = lo; c <= hi && c < 256; c++) set[c] = 1;
}

function addCaseVariants(set: ByteSet): void {
  for (let c = 65; c <= 90; c++) {
    if (set[c] || set[c + 32]) {
      set[c] = 1;
      set[c + 32] = 1;
    }
  }
}

/** PCRE classes with the default "C" tables (no locale, no UCP). */
function classSet(name: string): ByteSet | undefined {
  const s = new Uint8Array(256);
  switch (name) {
    case "d":
    case "digit":
      setRange(s, 48, 57);
      break;
    case "w":
    case "word":
      setRange(s, 48, 57);
      setRange(s, 65, 90);
      setRange(s, 97, 122);
      s[95] = 1;
      break;
    case "s": // PCRE2 \s includes \v (0x0B) since 8.34
    case "space":
      setRange(s, 9, 13);
      s[32] = 1;
      break;
    case "h": // horizontal space in 8-bit non-UTF mode
      s[9] = 1;
      s[32] = 1;
      s[0xa0] = 1;
      break;
    case "v": // vertical space in 8-bit non-UTF mode
      setRange(s, 10, 13);
      s[0x85] = 1;
      break;
    case "alpha":
      setRange(s, 65, 90);
      setRange(s, 97, 122);
      break;
    case "alnum":
      setRange(s, 48, 57);
      setRange(s, 65, 90);
      setRange(s, 97, 122);
      break;
    case "upper":
      setRange(s, 65, 90);
      break;
    case "lower":
      setRange(s, 97, 122);
      break;
    case "xdigit":
      setRange(s, 48, 57);
      setRange(s, 65, 70);
      setRange(s, 97, 102);
      break;
    case "punct":
      setRange(s, 33, 47);
      setRange(s, 58, 64);
      setRange(s, 91, 96);
      setRange(s, 123, 126);
      break;
    case "blank":
      s[9] = 1;
      s[32] = 1;
      break;
    case "cntrl":
      setRange(s, 0, 31);
      s[127] = 1;
      break;
    case "print":
      setRange(s, 32, 126);
      break;
    case "graph":
      setRange(s, 33, 126);
      break;
    case "ascii":
      setRange(s, 0, 127);
      break;
    default:
      return undefined;
  }
  return s;
}

function invert(set: ByteSet): ByteSet {
  const out = new Uint8Array(256);
  for (let c = 0; c < 256; c++) out[c] = set[c] ? 0 : 1;
  return out;
}

/** Emits a byte set as a JS class, `[^...]` when the PCRE class was negated. */
function emitSet(set: ByteSet, negated: boolean): string {
  let body = "";
  let c = 0;
  while (c < 256) {
    if (set[c] !== 1 || c === 13) {
      c++;
      continue;
    }
    let e = c;
    while (e + 1 < 256 && set[e + 1] === 1 && e + 1 !== 13) e++;
    body += e === c ? hex2(c) : e === c + 1 ? hex2(c) + hex2(e) : `${hex2(c)}-${hex2(e)}`;
    c = e + 1;
  }
  if (set[13] === 1) body += "\\u0100";
  if (body === "") return negated ? "[\\s\\S]" : "[^\\s\\S]";
  return negated ? `[^${body}]` : `[${body}]`;
}

/** Bytes of one pattern char: itself when ≤ 0xFF, its UTF-8 encoding otherwise. */
function charBytes(pattern: string, at: number): { bytes: number[]; width: number } {
  const cp = pattern.codePointAt(at) ?? 0;
  if (cp <= 0xff) return { bytes: [cp], width: 1 };
  const bytes = [...Buffer.from(String.fromCodePoint(cp), "utf8")];
  return { bytes, width: cp > 0xffff ? 2 : 1 };
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";

/** A literal byte as JS source, case-expanded when `i` is on. */
function emitByte(b: number, i: boolean): string {
  if (b === 13) return "\\u0100";
  if (i && ((b >= 65 && b <= 90) || (b >= 97 && b <= 122))) {
    const up = b & ~32;
    return `[${String.fromCharCode(up)}${String.fromCharCode(up | 32)}]`;
  }
  if ((b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95) {
    return String.fromCharCode(b);
  }
  if (
    b === 32 ||
    b === 34 ||
    b === 39 ||
    b === 44 ||
    b === 58 ||
    b === 59 ||
    b === 60 ||
    b === 61 ||
    b === 62
  ) {
    return String.fromCharCode(b); // readable; never special in JS
  }
  if (b === 64 || b === 35 || b === 37 || b === 38 || b === 126 || b === 96 || b === 33)
    return String.fromCharCode(b);
  return hex2(b);
}

interface Frame {
  /** Flags in force at the group's start, restored when it closes. */
  readonly saved: Flags;
  /** Output text before this group opened. */
  readonly outBefore: string;
  /** Text that opens the group in the output (`(`, `(?:`, `(?=`, ...). */
  readonly open: string;
  /** Atomic group: emitted as `(?=(X))\N`. */
  readonly atomic: boolean;
  /** Output inside the group so far is built in `out` after `outBefore`. */
}

/**
 * Translates one PCRE pattern. Throws RegexTranslationError for constructs PCRE itself rejects or
 * that have no JS equivalent (branch reset, recursion, conditionals, \K, \p, verbs).
 */
export function translatePcre(pattern: string): TranslatedRegex {
  const t = translateWith(pattern);
  return { source: t.out, groupMap: t.groupMap, groups: t.groupMap.length - 1 };
}

function translateWith(p: string): { out: string; groupMap: number[] } {
  let flags: Flags = { i: false, s: true, m: true, x: false };
  const stack: Frame[] = [];
  let out = "";
  /** Start in `out` of the last quantifiable atom; -1 when none. */
  let atomStart = -1;
  // Capture groups are written with markers (⟨U1⟩ user group, ⟨H0⟩ atomic helper, ⟨B1⟩ / ⟨R0⟩
  // references) and numbered in a last pass: helpers shift the JS numbers of the groups after them.
  // The markers cannot clash with pattern text, which is emitted as ASCII only.
  let userGroups = 0;
  let helpers = 0;
  let pos = 0;
  const n = p.length;

  const fail = (msg: string, at = pos): never => {
    throw new RegexTranslationError(msg, at);
  };

  const pushAtom = (text: string): void => {
    atomStart = out.length;
    out += text;
  };

  const parseFlags = (spec: string, at: number): Flags => {
    const f = { ...flags };
    let on = true;
    for (const c of spec) {
      if (c === "-") {
        on = false;
        continue;
      }
      if (c === "i" || c === "s" || c === "m" || c === "x") f[c] = on;
      else if (c === "U" || c === "J" || c === "n") fail(`unsupported inline option (?${c})`, at);
      else fail(`unknown inline option "${c}"`, at);
    }
    return f;
  };

  /** Parses an escape after `\` at pos (pointing past the backslash) inside or outside a class. */
  const readEscapeByte = (): number | undefined => {
    const c = p[pos];
    switch (c) {
      case "x": {
        pos++;
        if (p[pos] === "{") {
          const end = p.indexOf("}", pos);
          if (end < 0) fail("unterminated \\x{");
          const digits = p.slice(pos + 1, end);
          if (!/^[0-9A-Fa-f]+$/.test(digits)) fail("invalid \\x{...}");
          const v = Number.parseInt(digits, 16);
          // Non-UTF 8-bit mode: a code point above 0xFF is an error in PCRE2 too.
          if (v > 0xff) fail("\\x{...} above 0xFF in a byte pattern");
          pos = end + 1;
          return v;
        }
        let v = 0;
        let k = 0;
        while (k < 2 && isHex(p[pos])) {
          v = v * 16 + Number.parseInt(p[pos] as string, 16);
          pos++;
          k++;
        }
        return v; // PCRE: \x with no digits is NUL
      }
      case "o": {
        if (p[pos + 1] !== "{") return undefined;
        const end = p.indexOf("}", pos);
        if (end < 0) fail("unterminated \\o{");
        const v = Number.parseInt(p.slice(pos + 2, end), 8);
        if (!(v <= 0xff)) fail("invalid \\o{...}");
        pos = end + 1;
        return v;
      }
      case "0": {
        pos++;
        let v = 0;
        let k = 0;
        while (k < 2 && p[pos] !== undefined && p[pos]! >= "0" && p[pos]! <= "7") {
          v = v * 8 + Number(p[pos]);
          pos++;
          k++;
        }
        return v;
      }
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
      case "e":
        pos++;
        return 27;
      case "a":
        pos++;
        return 7;
      case "c": {
        const ch = p[pos + 1];
        if (ch === undefined) fail("\\c at end of pattern");
        pos += 2;
        return (ch as string).toUpperCase().charCodeAt(0) ^ 0x40;
      }
      default:
        return undefined;
    }
  };

  const classEscape = (c: string): ByteSet | undefined => {
    const lower = c.toLowerCase();
    if (lower !== "d" && lower !== "w" && lower !== "s" && lower !== "h" && lower !== "v") return undefined;
    const set = classSet(lower) as ByteSet;
    return c === lower ? set : invert(set);
  };

  const parseClass = (): void => {
    // pos is just past '['
    const start = pos - 1;
    let negated = false;
    if (p[pos] === "^") {
      negated = true;
      pos++;
    }
    const set = new Uint8Array(256);
    let first = true;
    for (;;) {
      if (pos >= n) fail("unterminated character class", start);
      const c = p[pos] as string;
      if (c === "]" && !first) {
        pos++;
        break;
      }
      first = false;
      if (c === "[" && p[pos + 1] === ":") {
        const end = p.indexOf(":]", pos + 2);
        if (end > 0) {
          let name = p.slice(pos + 2, end);
          const neg = name.startsWith("^");
          if (neg) name = name.slice(1);
          const cs = classSet(name);
          if (cs === undefined) fail(`unknown POSIX class [:${name}:]`);
          const add = neg ? invert(cs as ByteSet) : (cs as ByteSet);
          for (let b = 0; b < 256; b++) if (add[b]) set[b] = 1;
          pos = end + 2;
          continue;
        }
      }
      let byte: number | undefined;
      if (c === "\\") {
        pos++;
        const e = p[pos];
        if (e === undefined) fail("\\ at end of pattern");
        const cls = classEscape(e as string);
        if (cls) {
          for (let b = 0; b < 256; b++) if (cls[b]) set[b] = 1;
          pos++;
          continue;
        }
        if (e === "b") {
          pos++;
          byte = 8;
        } else if (e === "Q") {
          const end = p.indexOf("\\E", pos);
          const lit = end < 0 ? p.slice(pos + 1) : p.slice(pos + 1, end);
          for (let k = 0; k < lit.length; k++) for (const b of charBytes(lit, k).bytes) set[b] = 1;
          pos = end < 0 ? n : end + 2;
          continue;
        } else if (e === "E") {
          pos++;
          continue;
        } else {
          byte = readEscapeByte();
          if (byte === undefined) {
            if (/[A-Za-z0-9]/.test(e as string)) fail(`unsupported escape \\${e} in a class`);
            const cb = charBytes(p, pos);
            pos += cb.width;
            for (const b of cb.bytes.slice(0, -1)) set[b] = 1;
            byte = cb.bytes[cb.bytes.length - 1] as number;
          }
        }
      } else {
        const cb = charBytes(p, pos);
        pos += cb.width;
        for (const b of cb.bytes.slice(0, -1)) set[b] = 1;
        byte = cb.bytes[cb.bytes.length - 1] as number;
      }
      // A range `a-z`: the '-' is literal when last or after a class escape.
      if (p[pos] === "-" && p[pos + 1] !== "]" && p[pos + 1] !== undefined) {
        const save = pos;
        pos++;
        let hi: number | undefined;
        const h = p[pos] as string;
        if (h === "\\") {
          pos++;
          const e = p[pos] as string;
          if (classEscape(e) || e === "Q" || e === "E") {
            pos = save; // `a-\d`: the '-' is a literal
          } else if (e === "b") {
            pos++;
            hi = 8;
          } else {
            hi = readEscapeByte();
            if (hi === undefined) {
              const cb = charBytes(p, pos);
              pos += cb.width;
              hi = cb.bytes[0];
            }
          }
        } else if (h === "[" && p[pos + 1] === ":") {
          pos = save;
        } else {
          const cb = charBytes(p, pos);
          if (cb.bytes.length > 1) fail("range to a multi-byte character in a byte pattern");
          pos += cb.width;
          hi = cb.bytes[0];
        }
        if (hi !== undefined) {
          if (hi < byte) fail("range out of order in character class");
          setRange(set, byte, hi);
          continue;
        }
      }
      set[byte] = 1;
    }
    if (flags.i) addCaseVariants(set);
    pushAtom(emitSet(set, negated));
  };

  const quantifierAt = (at: number): { text: string; end: number } | undefined => {
    const c = p[at];
    if (c === "*" || c === "+" || c === "?") return { text: c, end: at + 1 };
    if (c !== "{") return undefined;
    const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(at, at + 24));
    if (!m) return undefined;
    return { text: m[0], end: at + m[0].length };
  };

  const skipExtended = (): void => {
    while (flags.x && pos < n) {
      const c = p[pos] as string;
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") pos++;
      else if (c === "#") {
        while (pos < n && p[pos] !== "\n") pos++;
      } else break;
    }
  };

  while (pos < n) {
    skipExtended();
    if (pos >= n) break;
    const c = p[pos] as string;

    // Quantifiers apply to the last atom.
    const q = quantifierAt(pos);
    if (q) {
      if (atomStart < 0) fail("quantifier does not follow a repeatable item");
      pos = q.end;
      let suffix = "";
      if (p[pos] === "?") {
        suffix = "?";
        pos++;
      } else if (p[pos] === "+") {
        // Possessive: (?>X{q})
        pos++;
        const atom = out.slice(atomStart) + q.text;
        out = out.slice(0, atomStart);
        const h = helpers++;
        pushAtom(`(?:(?=(\u27e8H${h}\u27e9${atom}))\u27e8R${h}\u27e9)`);
        atomStart = -1;
        continue;
      }
      out += q.text + suffix;
      atomStart = -1;
      continue;
    }

    switch (c) {
      case "\\": {
        pos++;
        const e = p[pos];
        if (e === undefined) fail("\\ at end of pattern");
        const cls = classEscape(e as string);
        if (cls) {
          pos++;
          pushAtom(emitSet(cls, false));
          break;
        }
        if (e === "A") {
          pos++;
          out += "(?<![\\s\\S])";
          atomStart = -1;
          break;
        }
        if (e === "z") {
          pos++;
          out += "(?![\\s\\S])";
          atomStart = -1;
          break;
        }
        if (e === "Z") {
          pos++;
          out += "(?=\\n?(?![\\s\\S]))";
          atomStart = -1;
          break;
        }
        if (e === "b" || e === "B") {
          pos++;
          out += `\\${e}`;
          atomStart = -1;
          break;
        }
        if (e === "R") {
          pos++;
          pushAtom("(?:\\u0100\\n|[\\n\\x0b\\x0c\\x85\\u0100])");
          break;
        }
        if (e === "Q") {
          const end = p.indexOf("\\E", pos);
          const lit = end < 0 ? p.slice(pos + 1) : p.slice(pos + 1, end);
          for (let k = 0; k < lit.length; ) {
            const cb = charBytes(lit, k);
            for (const b of cb.bytes) pushAtom(emitByte(b, flags.i));
            k += cb.width;
          }
          pos = end < 0 ? n : end + 2;
          break;
        }
        if (e === "E") {
          pos++;
          break;
        }
        if (isDigit(e) && e !== "0") {
          // Back-reference \N (PCRE: a number that names an existing or later group).
          let k = pos;
          while (isDigit(p[k])) k++;
          const num = Number(p.slice(pos, k));
          pos = k;
          pushAtom(`(?:\u27e8B${num}\u27e9)`);
          break;
        }
        if (
          e === "g" ||
          e === "k" ||
          e === "K" ||
          e === "p" ||
          e === "P" ||
          e === "X" ||
          e === "C" ||
          e === "G"
        ) {
          fail(`unsupported escape \\${e}`);
        }
        const byte = readEscapeByte();
        if (byte !== undefined) {
          pushAtom(emitByte(byte, flags.i));
          break;
        }
        if (/[A-Za-z0-9]/.test(e as string)) fail(`unknown escape \\${e}`);
        const cb = charBytes(p, pos);
        pos += cb.width;
        for (const b of cb.bytes) pushAtom(emitByte(b, flags.i));
        break;
      }
      case "[":
        pos++;
        parseClass();
        break;
      case "(": {
        pos++;
        if (p[pos] === "*") fail("backtracking verbs (*...) are not supported");
        if (p[pos] !== "?") {
          userGroups++;
          stack.push({ saved: flags, outBefore: out, open: `(\u27e8U${userGroups}\u27e9`, atomic: false });
          out = "";
          atomStart = -1;
          break;
        }
        pos++;
        const k = p[pos];
        if (k === "#") {
          const end = p.indexOf(")", pos);
          if (end < 0) fail("unterminated comment");
          pos = end + 1;
          break;
        }
        if (k === ":" || k === "=" || k === "!") {
          pos++;
          stack.push({ saved: flags, outBefore: out, open: `(?${k}`, atomic: false });
          out = "";
          atomStart = -1;
          break;
        }
        if (k === "<" && (p[pos + 1] === "=" || p[pos + 1] === "!")) {
          const open = `(?<${p[pos + 1]}`;
          pos += 2;
          stack.push({ saved: flags, outBefore: out, open, atomic: false });
          out = "";
          atomStart = -1;
          break;
        }
        if (k === ">") {
          pos++;
          stack.push({ saved: flags, outBefore: out, open: "(?:", atomic: true });
          out = "";
          atomStart = -1;
          break;
        }
        if (k === "<" || k === "'" || (k === "P" && p[pos + 1] === "<")) {
          // Named group: kept as a plain capture (numbering is what captures use).
          const close = k === "'" ? "'" : ">";
          const end = p.indexOf(close, pos + (k === "P" ? 2 : 1));
          if (end < 0) fail("unterminated group name");
          pos = end + 1;
          userGroups++;
          stack.push({ saved: flags, outBefore: out, open: `(\u27e8U${userGroups}\u27e9`, atomic: false });
          out = "";
          atomStart = -1;
          break;
        }
        const m = /^([a-zA-Z-]*)([:)])/.exec(p.slice(pos, pos + 16));
        if (!m || m[1] === undefined) fail(`unsupported group construct (?${k ?? ""}`);
        const spec = (m as RegExpExecArray)[1] as string;
        const at = pos;
        pos += (m as RegExpExecArray)[0].length;
        if ((m as RegExpExecArray)[2] === ")") {
          // (?i) applies to the rest of the enclosing group.
          flags = parseFlags(spec, at);
          break;
        }
        stack.push({ saved: flags, outBefore: out, open: "(?:", atomic: false });
        flags = parseFlags(spec, at);
        out = "";
        atomStart = -1;
        break;
      }
      case ")": {
        pos++;
        const f = stack.pop();
        if (f === undefined) fail("unmatched )");
        const frame = f as Frame;
        flags = frame.saved;
        const inner = out;
        out = frame.outBefore;
        if (frame.atomic) {
          const h = helpers++;
          pushAtom(`(?:(?=(\u27e8H${h}\u27e9${inner}))\u27e8R${h}\u27e9)`);
        } else {
          pushAtom(`${frame.open}${inner})`);
        }
        if (frame.open.startsWith("(?=") || frame.open.startsWith("(?!") || frame.open.startsWith("(?<")) {
          atomStart = -1; // assertions are not repeatable in JS
        }
        break;
      }
      case "|":
        pos++;
        out += "|";
        atomStart = -1;
        break;
      case ".":
        pos++;
        pushAtom(flags.s ? "." : "[^\\n]");
        break;
      case "^":
        pos++;
        out += flags.m ? "^" : "(?<![\\s\\S])";
        atomStart = -1;
        break;
      case "$":
        pos++;
        out += flags.m ? "$" : "(?=\\n?(?![\\s\\S]))";
        atomStart = -1;
        break;
      case "{":
      case "}":
      case "]":
        pos++;
        pushAtom(`\\${c}`);
        break;
      default: {
        const cb = charBytes(p, pos);
        pos += cb.width;
        for (const b of cb.bytes) pushAtom(emitByte(b, flags.i));
      }
    }
  }
  if (stack.length > 0) fail("missing )");

  return numberGroups(out, userGroups, fail);
}

function numberGroups(
  out: string,
  userGroups: number,
  fail: (msg: string, at?: number) => never,
): { out: string; groupMap: number[] } {
  const groupMap: number[] = new Array<number>(userGroups + 1).fill(0);
  const helperMap = new Map<string, number>();
  let js = 0;
  for (const m of out.matchAll(/\(\u27e8([UH])(\d+)\u27e9/g)) {
    js++;
    if (m[1] === "U") groupMap[Number(m[2])] = js;
    else helperMap.set(m[2] as string, js);
  }
  const text = out
    .replace(/\u27e8[UH]\d+\u27e9/g, "")
    .replace(/\u27e8([BR])(\d+)\u27e9/g, (_m, kind: string, d: string) => {
      const target = kind === "B" ? groupMap[Number(d)] : helperMap.get(d);
      if (target === undefined || target === 0) return fail(`reference to non-existent group ${d}`, 0);
      return `\\${target}`;
    });
  return { out: text, groupMap };
}

// ---------------------------------------------------------------------------------------------
// Compilation and ReDoS protection.

/** A translated pattern compiled for V8. */
export interface CompiledRegex {
  /** Flags `sm`, run by V8's backtracking engine (falling back to the linear one on runaway backtracking). */
  readonly fast: RegExp;
  /**
   * Flags `sml`: the same pattern on V8's linear-time engine; its presence says V8 can fall back to
   * that engine for this pattern. Undefined when the pattern needs backtracking (back-references,
   * lookarounds, counted repeats above 16) or is too big to be worth it (the linear engine is an NFA
   * simulation, O(input × pattern): 1.5 s on 2 KB for a 5000-word alternation). Not run directly.
   */
  readonly linear: RegExp | undefined;
  /** PCRE group n → JS group index. */
  readonly groupMap: readonly number[];
  /**
   * The same pattern as a lazy DFA (dfa/index.ts), linear in the input: answers whether the
   * pattern matches (`test`); captures still come from `fast`. Undefined for what it does not
   * take (lookarounds, back-references; in CRS 4.28 only 942200).
   */
  readonly dfa: DfaMatcher | undefined;
}

let safetyInstalled = false;

/** Backtracks V8 allows one match before rerunning it on the linear engine (V8's default: 50 000). */
export const BACKTRACKS_BEFORE_FALLBACK = 3000;

/**
 * ReDoS protection, chosen by measurement on Node 20.20 (test/waf/operators/redos.test.ts runs
 * every CRS 4.28 @rx pattern on crafted runs; bench/waf/operators.ts gives the typical cost):
 *
 * - (1) V8's fallback to its linear-time engine once a match exceeds a backtrack budget, with the
 *   budget lowered from 50 000 to 3 000. Chosen. With the default budget the fallback stops only
 *   exponential cases (`(a*)*b` on "a"×50000: 6 ms); quadratic rescans stay slow (CRS 921160 on
 *   "\n"×4000: 90 ms, 942370 on "-"×4000: 130 ms, 942200/942480 at 50 KB: 3.3 s / 1.5 s). At 3 000 those
 *   take 3–8 ms, and a typical 51-byte argument still costs 55 µs over all 318 patterns (at 1 000 it
 *   rose to 2 ms: benign matches started falling back). The linear engine takes no lookarounds,
 *   back-references or counted repeats above 16 ({1,255}): 23 CRS patterns (`linear` undefined) stay
 *   on backtracking alone.
 * - Running the linear engine directly for long inputs: rejected, it is an NFA simulation 3–25×
 *   slower than backtracking on benign text (1 KB of prose: 30 ms vs 2.8 ms over all patterns).
 * - (2) `re2` npm: 1.24+ requires Node ≥ 22; 1.23.3 installs on Node 20 only by compiling RE2 and
 *   abseil from source (≈20 min, after trying GitHub for a prebuilt binary: not npm-only). Its
 *   worst case is good (55 ms at 50 KB over the crafted runs) but a typical argument costs 110 µs
 *   over all patterns (UTF-16 → UTF-8 copy per call), twice V8's. Rejected.
 * - (3) input length caps per rule: an attack past the cap goes unseen. Used only where V8 has no
 *   fallback (rx.ts, NONLINEAR_INPUT_CAP), with the transaction flagged.
 * - (4) a budget scaled with input × pattern size, so that large alternations stop falling back on
 *   benign text: rejected after measuring. A flat budget makes V8 fall back for CRS 932235 (a 22 KB
 *   alternation of Unix commands) on any prose value over ~200 bytes, 1.46 ms instead of 0.05 ms
 *   for a 1.8 KB form field; but the time a pattern spends per counted backtrack grows with the
 *   input when it rescans (lazy `[^\w]*?` runs), so any budget growing with the input lets such a
 *   pattern go quadratic again: CRS 941160 (PL1) on "<"×8 KB took 618 ms scaled, 43 ms at the flat
 *   3000. Only a flat budget keeps every linear-capable pattern linear in the input.
 * - (5) a lazy DFA of our own (dfa/, RE2's design) for `test()`: chosen, ahead of (1). It takes
 *   317 of CRS 4.28's 318 patterns (not 942200's lookahead) and costs a flat ~2.3 ns per char:
 *   932235 on a 2 KB prose value 4.8 µs instead of 1.6–3.1 ms, the 2 KB form through CRS PL1
 *   0.54 ms of engine CPU instead of 2.34 ms. V8 still gives the captures, once the DFA has
 *   said there is a match, so (1) and (3) remain for those runs and for what the DFA declines.
 *
 * Must run before patterns are compiled (V8 reads the flags when it compiles a regex).
 */
export function installRegexSafety(): void {
  if (safetyInstalled) return;
  setFlagsFromString("--enable-experimental-regexp-engine-on-excessive-backtracks");
  setFlagsFromString(`--regexp-backtracks-before-fallback=${BACKTRACKS_BEFORE_FALLBACK}`);
  // Lets `compilePcre` ask V8 whether a pattern is linear-capable (the `l` flag).
  setFlagsFromString("--enable-experimental-regexp-engine");
  safetyInstalled = true;
}

/** Largest translated source left to V8's linear fallback; CRS 4.28's largest is 24 654 chars (933151). */
const LINEAR_MAX_SOURCE = 32768;

function linearRegex(source: string): RegExp | undefined {
  if (source.length > LINEAR_MAX_SOURCE) return undefined;
  try {
    return new RegExp(source, "sml");
  } catch {
    return undefined; // back-references, lookarounds, counted repeats above 16
  }
}

/** Translates and compiles a PCRE pattern; throws RegexTranslationError or SyntaxError. */
export function compilePcre(pattern: string): CompiledRegex {
  installRegexSafety();
  const t = translatePcre(pattern);
  // A pattern too big for the linear engine opts out of V8's fallback with a trailing empty
  // lookahead, which that engine cannot take: a 5000-word alternation otherwise falls back on
  // every input (each failed branch counts as a backtrack) and costs 0.3 s on 200 bytes, 37 s on
  // 20 KB. Trailing, because a leading one disables irregexp's start-of-match analysis (4.4 s).
  const dfa = compileDfa(t.source);
  if (t.source.length > LINEAR_MAX_SOURCE) {
    return { fast: new RegExp(`(?:${t.source})(?=)`, "sm"), linear: undefined, groupMap: t.groupMap, dfa };
  }
  return { fast: new RegExp(t.source, "sm"), linear: linearRegex(t.source), groupMap: t.groupMap, dfa };
}
