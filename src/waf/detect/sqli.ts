/**
 * SQL-injection detection, libinjection-class (what ModSecurity's @detectSQLi calls).
 *
 * The algorithm is libinjection's (Nick Galbreath, https://github.com/libinjection/libinjection,
 * BSD-3-Clause), rewritten here for byte strings and matched against the 3.9.2 build that
 * ModSecurity 3 bundles (see test/waf/detect/differential.test.ts):
 *   1. a tokenizer driven by a 256-entry char-class dispatch table turns the input into typed
 *      tokens (string, number, bareword, keyword, operator, ...), keywords from SQLI_KEYWORDS;
 *   2. a folder collapses token runs that mean "a value" ("1+1", "a.b", "x,y") and merges
 *      multi-word keywords ("UNION ALL"), keeping at most 5 tokens;
 *   3. the token types form a fingerprint ("s&sos"); it is SQLi when the fingerprint is in
 *      SQLI_FINGERPRINTS and the "not whitelist" checks do not clear it;
 *   4. this is tried in up to 5 contexts: the input as-is, as if it followed a single quote, as if it
 *      followed a double quote, each in ANSI and (when a comment hinted at it) MySQL comment syntax.
 *
 * Where libinjection's releases differ, we follow the build ModSecurity 3.0.9 ships (its "3.9.2"
 * carries later fixes): "1e" / "1.e" read as a word; [bracketed] words in every mode; any function
 * whose name starts with IF after ';' is T-SQL control flow; USER(x) with an argument is a word; the
 * fifth 5-token special case "n)o(n"; PostgreSQL $tag$ strings searched from after the tag.
 *
 * Pure, never throws, linear in the input: every byte is tokenized a bounded number of times.
 * Token state lives in preallocated objects reused across calls (the engine is synchronous); a
 * token's value is an offset into the input until something reads it as a string.
 */
import type { ByteString } from "../types.js";
import { SQLI_FINGERPRINTS } from "./sqli-fingerprints.js";
import { SQLI_KEYWORDS } from "./sqli-keywords.js";

export interface SqliResult {
  /** True when the input looks like SQL injection. */
  readonly match: boolean;
  /** The fingerprint that matched (token types, e.g. "s&sos"); "" when no match. */
  readonly fingerprint: string;
}

// Token types (char codes of libinjection's type letters).
const T_NONE = 0;
const T_KEYWORD = 0x6b; // k
const T_UNION = 0x55; // U
const T_GROUP = 0x42; // B
const T_EXPRESSION = 0x45; // E
const T_SQLTYPE = 0x74; // t
const T_FUNCTION = 0x66; // f
const T_BAREWORD = 0x6e; // n
const T_NUMBER = 0x31; // 1
const T_VARIABLE = 0x76; // v
const T_STRING = 0x73; // s
const T_OPERATOR = 0x6f; // o
const T_LOGIC_OPERATOR = 0x26; // &
const T_COMMENT = 0x63; // c
const T_COLLATE = 0x41; // A
const T_LEFTPARENS = 0x28; // (
const T_RIGHTPARENS = 0x29; // )
const T_LEFTBRACE = 0x7b; // {
const T_RIGHTBRACE = 0x7d; // }
const T_DOT = 0x2e; // .
const T_COMMA = 0x2c; // ,
const T_COLON = 0x3a; // :
const T_SEMICOLON = 0x3b; // ;
const T_TSQL = 0x54; // T
const T_UNKNOWN = 0x3f; // ?
const T_EVIL = 0x58; // X
const T_BACKSLASH = 0x5c; // \

const C_SINGLE = 0x27;
const C_DOUBLE = 0x22;
const C_TICK = 0x60;

const FLAG_QUOTE_NONE = 1;
const FLAG_QUOTE_SINGLE = 2;
const FLAG_QUOTE_DOUBLE = 4;
const FLAG_SQL_ANSI = 8;
const FLAG_SQL_MYSQL = 16;

/** libinjection keeps token values in char[32]: values are cut to 31 bytes and so are lengths. */
const TOKEN_SIZE = 32;
const MAX_TOKENS = 5;

/**
 * A token. Its value is cut out of the input only when read as a string (`val`): most tokens are
 * only looked at by type, length and a byte or two (`code`), so they keep the input, an offset
 * and a length instead.
 */
class Token {
  type = T_NONE;
  pos = 0;
  len = 0;
  strOpen = 0;
  strClose = 0;
  /** The value, unless `lazy`. */
  private v = "";
  /** When true the value is src.substr(off, vlen), not yet cut out. */
  private lazy = false;
  private src = "";
  private off = 0;
  private vlen = 0;

  get val(): string {
    if (this.lazy) {
      this.v = this.src.substr(this.off, this.vlen);
      this.lazy = false;
      this.src = "";
    }
    return this.v;
  }

  set val(value: string) {
    this.v = value;
    this.lazy = false;
    this.src = "";
  }

  /** val.charCodeAt(i) without cutting the value out (NaN past its end, as charCodeAt). */
  code(i: number): number {
    if (!this.lazy) return this.v.charCodeAt(i);
    return i < this.vlen ? this.src.charCodeAt(this.off + i) : Number.NaN;
  }

  /** val.length */
  valLength(): number {
    return this.lazy ? this.vlen : this.v.length;
  }

  /**
   * cstrcasecmp(upper, val, len) == 0: val equals the upper-case word, ASCII case-insensitively
   * (a-z folded only), without cutting the value out.
   */
  is(upper: string): boolean {
    if (this.valLength() !== upper.length) return false;
    for (let i = 0; i < upper.length; i++) {
      let c = this.code(i);
      if (c >= 0x61 && c <= 0x7a) c -= 0x20;
      if (c !== upper.charCodeAt(i)) return false;
    }
    return true;
  }

  /** Forgets the value (and with it any reference to the input); the token is not read again before it is refilled. */
  drop(): void {
    this.v = "";
    this.lazy = false;
    this.src = "";
  }

  clear(): void {
    this.type = T_NONE;
    this.pos = 0;
    this.len = 0;
    this.v = "";
    this.lazy = false;
    this.src = "";
    this.strOpen = 0;
    this.strClose = 0;
  }

  copyFrom(o: Token): void {
    this.type = o.type;
    this.pos = o.pos;
    this.len = o.len;
    this.v = o.v;
    this.lazy = o.lazy;
    this.src = o.src;
    this.off = o.off;
    this.vlen = o.vlen;
    this.strOpen = o.strOpen;
    this.strClose = o.strClose;
  }

  assign(type: number, pos: number, len: number, value: string): void {
    const last = len < TOKEN_SIZE ? len : TOKEN_SIZE - 1;
    this.type = type;
    this.pos = pos;
    this.len = last;
    this.val = value.length === last ? value : value.slice(0, last);
  }

  /** Value s.substr(pos, min(len, 31)), kept as an offset until read. */
  assignFrom(type: number, s: string, pos: number, len: number): void {
    const last = len < TOKEN_SIZE ? len : TOKEN_SIZE - 1;
    this.type = type;
    this.pos = pos;
    this.len = last;
    this.lazy = true;
    this.src = s;
    this.off = pos;
    // substr stops at the end of s.
    const room = s.length - pos;
    this.vlen = room < last ? Math.max(room, 0) : last;
  }

  assignChar(type: number, pos: number, ch: string): void {
    this.type = type;
    this.pos = pos;
    this.len = 1;
    this.val = ch;
  }
}

// ---------------------------------------------------------------------------------------------
// Character classes, computed once at load.

/** Bytes that end a bare word (libinjection parse_word's delimiter set, NUL included). */
const WORD_END = new Uint8Array(256);
for (const c of " []{}<>:\\?=@!#~+-*/&|^%(),';\t\n\v\f\r\"\u00a0\u0000") WORD_END[c.charCodeAt(0)] = 1;
/** Bytes that end a @variable name (parse_var's set; strchr also stops at NUL). */
const VAR_END = new Uint8Array(256);
for (const c of " <>:\\?=@!#~+-*/&|^%(),';\t\n\v\f\r'`\"\u0000") VAR_END[c.charCodeAt(0)] = 1;
/** char_is_white: space, \t \n \v \f \r, NUL and Latin-1 NBSP. */
const WHITE = new Uint8Array(256);
for (const c of " \t\n\v\f\r\u00a0\u0000") WHITE[c.charCodeAt(0)] = 1;
// strlenspn() is strchr()-based, so NUL always counts as a member of the accepted set.
const SPAN_HEX = spanSet("0123456789ABCDEFabcdef");
const SPAN_BIN = spanSet("01");
const SPAN_MONEY = spanSet("0123456789.,");
const SPAN_ALPHA = spanSet("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

function spanSet(chars: string): Uint8Array {
  const t = new Uint8Array(256);
  for (const c of chars) t[c.charCodeAt(0)] = 1;
  t[0] = 1;
  return t;
}

// The dispatch table: one parser per byte value (libinjection's char_parse_map).
const P_WHITE = 0;
const P_OPERATOR1 = 1;
const P_OPERATOR2 = 2;
const P_STRING = 3;
const P_HASH = 4;
const P_MONEY = 5;
const P_CHAR = 6;
const P_DASH = 7;
const P_NUMBER = 8;
const P_SLASH = 9;
const P_OTHER = 10;
const P_VAR = 11;
const P_WORD = 12;
const P_BSTRING = 13;
const P_ESTRING = 14;
const P_NQSTRING = 15;
const P_QSTRING = 16;
const P_USTRING = 17;
const P_XSTRING = 18;
const P_BWORD = 19;
const P_BACKSLASH = 20;
const P_TICK = 21;

const PARSE_MAP = new Uint8Array(256).fill(P_WORD);
{
  const set = (chars: string, p: number): void => {
    for (const c of chars) PARSE_MAP[c.charCodeAt(0)] = p;
  };
  for (let c = 0; c <= 32; c++) PARSE_MAP[c] = P_WHITE;
  PARSE_MAP[127] = P_WHITE;
  PARSE_MAP[160] = P_WHITE;
  set("!&*:<=>|", P_OPERATOR2);
  set("%+^~", P_OPERATOR1);
  set("\"'", P_STRING);
  set("#", P_HASH);
  set("$", P_MONEY);
  set("(),;{}", P_CHAR);
  set("-", P_DASH);
  set(".0123456789", P_NUMBER);
  set("/", P_SLASH);
  set("?]", P_OTHER);
  set("@", P_VAR);
  set("Bb", P_BSTRING);
  set("Ee", P_ESTRING);
  set("Nn", P_NQSTRING);
  set("Qq", P_QSTRING);
  set("Uu", P_USTRING);
  set("Xx", P_XSTRING);
  set("[", P_BWORD);
  set("\\", P_BACKSLASH);
  set("`", P_TICK);
}

/**
 * Keyword table, built once at load: open addressing over an ASCII case-folded FNV-1a hash, so a
 * lookup reads the input in place (no substring, no upper-casing) — the tokenizer's hottest call.
 * Same answers as libinjection's bsearch with cstrcasecmp, which folds a-z only.
 */
const KW_BITS = 12; // 4096 slots for ~1000 words: short probe chains
const KW_MASK = (1 << KW_BITS) - 1;
const kwSlots = new Int16Array(1 << KW_BITS).fill(-1);
const kwWords: string[] = [];
const kwTypes: number[] = [];

function foldByte(c: number): number {
  return c >= 0x61 && c <= 0x7a ? c - 0x20 : c;
}

function hashStep(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}

for (const [word, type] of SQLI_KEYWORDS) {
  let h = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) h = hashStep(h, word.charCodeAt(i));
  let slot = h & KW_MASK;
  while ((kwSlots[slot] as number) >= 0) slot = (slot + 1) & KW_MASK;
  kwSlots[slot] = kwWords.length;
  kwWords.push(word);
  kwTypes.push(type.charCodeAt(0));
}

/** Finds the keyword whose folded hash is h and that equals the folded text (a + " " + b). */
function probe(h: number, a: string, aStart: number, aLen: number, b: string | undefined): number {
  const total = b === undefined ? aLen : aLen + 1 + b.length;
  for (let slot = h & KW_MASK; ; slot = (slot + 1) & KW_MASK) {
    const k = kwSlots[slot] as number;
    if (k < 0) return 0;
    const w = kwWords[k] as string;
    if (w.length !== total) continue;
    let ok = true;
    for (let i = 0; i < aLen && ok; i++) ok = w.charCodeAt(i) === foldByte(a.charCodeAt(aStart + i));
    if (ok && b !== undefined) {
      ok = w.charCodeAt(aLen) === 0x20;
      for (let i = 0; i < b.length && ok; i++) ok = w.charCodeAt(aLen + 1 + i) === foldByte(b.charCodeAt(i));
    }
    if (ok) return kwTypes[k] as number;
  }
}

/**
 * Keyword type (char code) of s[start, start+len), 0 when it is not a keyword. No keyword holds NUL
 * or a byte above 0x7e.
 */
function lookupRange(s: string, start: number, len: number): number {
  if (len === 0 || len >= TOKEN_SIZE) return 0;
  let h = 0x811c9dc5;
  for (let i = start; i < start + len; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7e) return 0;
    h = hashStep(h, foldByte(c));
  }
  return probe(h, s, start, len, undefined);
}

function lookupWord(word: string): number {
  return lookupRange(word, 0, word.length);
}

/**
 * For the multi-word keywords ("UNION ALL", "FOR UPDATE SKIP"), split at each space: which
 * (length, upper-cased first byte) pairs start a first part and a second part. A phrase whose
 * parts are not both listed is no keyword: most word pairs ("blue mug") end here, unhashed.
 */
const PHRASE_HEAD = new Uint8Array(TOKEN_SIZE * 128);
const PHRASE_TAIL = new Uint8Array(TOKEN_SIZE * 128);
for (const [word] of SQLI_KEYWORDS) {
  for (let sp = word.indexOf(" "); sp >= 0; sp = word.indexOf(" ", sp + 1)) {
    const tail = word.length - sp - 1;
    // A part that is empty or starts beyond ASCII would escape the filter below.
    if (sp === 0 || tail === 0 || word.charCodeAt(0) > 0x7e || word.charCodeAt(sp + 1) > 0x7e)
      throw new Error(`sqli: unexpected keyword ${JSON.stringify(word)}`);
    PHRASE_HEAD[sp * 128 + word.charCodeAt(0)] = 1;
    PHRASE_TAIL[tail * 128 + word.charCodeAt(sp + 1)] = 1;
  }
}

function phrasePart(table: Uint8Array, t: Token): boolean {
  const n = t.valLength();
  const c = t.code(0); // NaN when empty: no keyword part is empty
  return n < TOKEN_SIZE && c <= 0x7e && table[n * 128 + foldByte(c)] === 1;
}

/** Keyword type of the phrase `a b` (the folder's multi-word merge), without building it. */
function lookupPhrase(a: string, b: string): number {
  if (a.length + b.length + 1 >= TOKEN_SIZE) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    if (c === 0 || c > 0x7e) return 0;
    h = hashStep(h, foldByte(c));
  }
  h = hashStep(h, 0x20);
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    if (c === 0 || c > 0x7e) return 0;
    h = hashStep(h, foldByte(c));
  }
  return probe(h, a, 0, a.length, b);
}

/** Index of the two-byte sequence c0 c1 in s[from, end), or -1 (libinjection memchr2). */
function find2(s: string, from: number, end: number, c0: number, c1: number): number {
  for (let i = from; i < end - 1; i++) {
    if (s.charCodeAt(i) === c0 && s.charCodeAt(i + 1) === c1) return i;
  }
  return -1;
}

/**
 * SQLI_FINGERPRINTS as small integers: 5 bits per upper-cased type char (FP_CODE, never 0, so
 * lengths do not collide), at most 25 bits, so V8 keeps them as Smis and the per-input check
 * builds no string. A type char no fingerprint holds gets the code FP_OTHER, which no key holds.
 */
const FP_OTHER = 31;
const FP_CODE = new Uint8Array(256).fill(FP_OTHER);
{
  let next = 1;
  for (const fp of SQLI_FINGERPRINTS) {
    for (let i = 0; i < fp.length; i++) {
      const c = fp.charCodeAt(i);
      if (FP_CODE[c] === FP_OTHER) FP_CODE[c] = next++;
    }
  }
  if (next > FP_OTHER) throw new Error("sqli: more fingerprint type chars than 5-bit codes");
}
const FINGERPRINT_KEYS = new Set<number>();
/** The keys of fingerprints of up to 4 types (below 2^20) as a bitmap, 128 KB: no hashing. */
const SHORT_KEY_BITS = new Int32Array(1 << 15);
for (const fp of SQLI_FINGERPRINTS) {
  if (fp.length > MAX_TOKENS) throw new Error(`sqli: fingerprint longer than ${MAX_TOKENS}: ${fp}`);
  let key = 0;
  for (let i = 0; i < fp.length; i++) key = key * 32 + (FP_CODE[fp.charCodeAt(i)] as number);
  FINGERPRINT_KEYS.add(key);
  if (key < 1 << 20) {
    const w = key >>> 5;
    SHORT_KEY_BITS[w] = (SHORT_KEY_BITS[w] as number) | (1 << (key & 31));
  }
}

// ---------------------------------------------------------------------------------------------

class SqliState {
  s = "";
  slen = 0;
  flags = 0;
  pos = 0;
  readonly tokens: Token[] = Array.from({ length: 8 }, () => new Token());
  current: Token = this.tokens[0] as Token;
  readonly lastComment = new Token();
  /** The fingerprint as a string: built by fingerprintString() only when needed. */
  fingerprint = "";
  /** Number of token types in the fingerprint. */
  fingerprintLen = 0;
  /** The fingerprint upper-cased and packed 5 bits per type (FP_CODE), for FINGERPRINT_KEYS. */
  fingerprintKey = 0;
  statsCommentDdx = 0;
  statsCommentHash = 0;
  statsTokens = 0;

  reset(flags: number): void {
    this.flags = flags;
    this.pos = 0;
    // Tokens are not cleared: the tokenizer clears each one before filling it, and the folder only
    // reads tokens it has filled in this context (release() clears them after each input).
    this.current = this.tokens[0] as Token;
    this.fingerprint = "";
    this.fingerprintLen = 0;
    this.statsCommentDdx = 0;
    this.statsCommentHash = 0;
    this.statsTokens = 0;
  }

  /** Drops every reference to the input (tokens keep it for values not yet cut out). */
  release(): void {
    this.s = "";
    // fetch() fills slots 0..MAX_TOKENS only; the others never hold a value.
    for (let i = 0; i <= MAX_TOKENS; i++) this.tok(i).drop();
    this.lastComment.drop();
  }

  tok(i: number): Token {
    return this.tokens[i] as Token;
  }

  // --- parsers: each reads at this.pos, may fill this.current, returns the next position ---

  parseOperator1(): number {
    const pos = this.pos;
    this.current.assignChar(T_OPERATOR, pos, this.s.charAt(pos));
    return pos + 1;
  }

  parseOther(): number {
    const pos = this.pos;
    this.current.assignChar(T_UNKNOWN, pos, this.s.charAt(pos));
    return pos + 1;
  }

  parseChar(): number {
    const pos = this.pos;
    this.current.assignChar(this.s.charCodeAt(pos), pos, this.s.charAt(pos));
    return pos + 1;
  }

  parseEolComment(): number {
    const { s, slen, pos } = this;
    const nl = s.indexOf("\n", pos);
    if (nl < 0) {
      this.current.assignFrom(T_COMMENT, s, pos, slen - pos);
      return slen;
    }
    this.current.assignFrom(T_COMMENT, s, pos, nl - pos);
    return nl + 1;
  }

  /** '#' is an operator in ANSI mode and an end-of-line comment in MySQL mode. */
  parseHash(): number {
    this.statsCommentHash += 1;
    if (this.flags & FLAG_SQL_MYSQL) {
      this.statsCommentHash += 1;
      return this.parseEolComment();
    }
    this.current.assignChar(T_OPERATOR, this.pos, "#");
    return this.pos + 1;
  }

  /** "--" followed by white or end is a comment everywhere; "--x" only in ANSI (MySQL: two minus). */
  parseDash(): number {
    const { s, slen, pos } = this;
    const next = s.charCodeAt(pos + 1);
    if (pos + 2 < slen && next === 0x2d && WHITE[s.charCodeAt(pos + 2)] === 1) return this.parseEolComment();
    if (pos + 2 === slen && next === 0x2d) return this.parseEolComment();
    if (pos + 1 < slen && next === 0x2d && this.flags & FLAG_SQL_ANSI) {
      this.statsCommentDdx += 1;
      return this.parseEolComment();
    }
    this.current.assignChar(T_OPERATOR, pos, "-");
    return pos + 1;
  }

  /** C comments; nested "/*" (PostgreSQL) and MySQL "/*!" conditional comments are evil. */
  parseSlash(): number {
    const { s, slen, pos } = this;
    if (pos + 1 === slen || s.charCodeAt(pos + 1) !== 0x2a) return this.parseOperator1();
    const end = find2(s, pos + 2, slen, 0x2a, 0x2f);
    const clen = end < 0 ? slen - pos : end + 2 - pos;
    let ctype = T_COMMENT;
    if (end >= 0 && find2(s, pos + 2, end + 1, 0x2f, 0x2a) >= 0) {
      ctype = T_EVIL;
    } else if (pos + 2 < slen && s.charCodeAt(pos + 2) === 0x21) {
      ctype = T_EVIL;
    }
    this.current.assignFrom(ctype, s, pos, clen);
    return pos + clen;
  }

  /** "\N" is MySQL's NULL. */
  parseBackslash(): number {
    const { s, slen, pos } = this;
    if (pos + 1 < slen && s.charCodeAt(pos + 1) === 0x4e) {
      this.current.assignFrom(T_NUMBER, s, pos, 2);
      return pos + 2;
    }
    this.current.assignChar(T_BACKSLASH, pos, s.charAt(pos));
    return pos + 1;
  }

  parseOperator2(): number {
    const { s, slen, pos } = this;
    if (pos + 1 >= slen) return this.parseOperator1();
    if (
      pos + 2 < slen &&
      s.charCodeAt(pos) === 0x3c &&
      s.charCodeAt(pos + 1) === 0x3d &&
      s.charCodeAt(pos + 2) === 0x3e
    ) {
      this.current.assignFrom(T_OPERATOR, s, pos, 3);
      return pos + 3;
    }
    const ch = lookupRange(s, pos, 2);
    if (ch !== 0) {
      this.current.assignFrom(ch, s, pos, 2);
      return pos + 2;
    }
    if (s.charCodeAt(pos) === 0x3a) {
      this.current.assignChar(T_COLON, pos, ":");
      return pos + 1;
    }
    return this.parseOperator1();
  }

  /**
   * A quoted string from pos+offset up to an unescaped delimiter (backslash-escaped or doubled
   * delimiters do not close it). offset 0 is the "as if a quote came before the input" context.
   */
  parseStringCore(pos: number, delim: number, offset: number): number {
    const { s, slen } = this;
    const st = this.current;
    const start = pos + offset;
    const d = String.fromCharCode(delim);
    let q = s.indexOf(d, start);
    st.strOpen = offset > 0 ? delim : 0;
    for (;;) {
      if (q < 0) {
        st.assignFrom(T_STRING, s, start, slen - start);
        st.strClose = 0;
        return slen;
      }
      // Count the backslashes just before the quote, not going before the string's start.
      let p = q - 1;
      while (p >= start && s.charCodeAt(p) === 0x5c) p--;
      if ((q - 1 - p) & 1) {
        q = s.indexOf(d, q + 1);
        continue;
      }
      if (q + 1 < slen && s.charCodeAt(q + 1) === delim) {
        q = s.indexOf(d, q + 2);
        continue;
      }
      st.assignFrom(T_STRING, s, start, q - start);
      st.strClose = delim;
      return q + 1;
    }
  }

  parseString(): number {
    return this.parseStringCore(this.pos, this.s.charCodeAt(this.pos), 1);
  }

  /** E'...' (PostgreSQL escaped string) and N'...' (national character set). */
  parseEstring(): number {
    const { s, slen, pos } = this;
    if (pos + 2 >= slen || s.charCodeAt(pos + 1) !== C_SINGLE) return this.parseWord();
    return this.parseStringCore(pos, C_SINGLE, 2);
  }

  /** U&'...' (unicode string). */
  parseUstring(): number {
    const { s, slen, pos } = this;
    if (pos + 2 < slen && s.charCodeAt(pos + 1) === 0x26 && s.charCodeAt(pos + 2) === C_SINGLE) {
      this.pos += 2;
      const next = this.parseString();
      this.current.strOpen = 0x75;
      if (this.current.strClose === C_SINGLE) this.current.strClose = 0x75;
      return next;
    }
    return this.parseWord();
  }

  /** Oracle q'Xtext X' strings, with ( [ { < closed by their pair. */
  parseQstringCore(offset: number): number {
    const { s, slen } = this;
    const pos = this.pos + offset;
    const c0 = s.charCodeAt(pos);
    if (
      pos >= slen ||
      (c0 !== 0x71 && c0 !== 0x51) ||
      pos + 2 >= slen ||
      s.charCodeAt(pos + 1) !== C_SINGLE
    ) {
      return this.parseWord();
    }
    let ch = s.charCodeAt(pos + 2);
    // C compares a signed char: bytes >= 0x80 are negative, so they fail too.
    if (ch < 33 || ch > 127) return this.parseWord();
    if (ch === 0x28) ch = 0x29;
    else if (ch === 0x5b) ch = 0x5d;
    else if (ch === 0x7b) ch = 0x7d;
    else if (ch === 0x3c) ch = 0x3e;
    const end = find2(s, pos + 3, slen, ch, C_SINGLE);
    if (end < 0) {
      this.current.assignFrom(T_STRING, s, pos + 3, slen - pos - 3);
      this.current.strOpen = 0x71;
      this.current.strClose = 0;
      return slen;
    }
    this.current.assignFrom(T_STRING, s, pos + 3, end - pos - 3);
    this.current.strOpen = 0x71;
    this.current.strClose = 0x71;
    return end + 2;
  }

  parseNqstring(): number {
    const { s, slen, pos } = this;
    if (pos + 2 < slen && s.charCodeAt(pos + 1) === C_SINGLE) return this.parseEstring();
    return this.parseQstringCore(1);
  }

  /** b'0101' and x'CAFE' literals are numbers. */
  parseSpanLiteral(span: Uint8Array): number {
    const { s, slen, pos } = this;
    if (pos + 2 >= slen || s.charCodeAt(pos + 1) !== C_SINGLE) return this.parseWord();
    let i = pos + 2;
    while (i < slen && span[s.charCodeAt(i)] === 1) i++;
    if (i >= slen || s.charCodeAt(i) !== C_SINGLE) return this.parseWord();
    this.current.assignFrom(T_NUMBER, s, pos, i + 1 - pos);
    return i + 1;
  }

  /** SQL Server [bracketed words]. */
  parseBword(): number {
    const { s, slen, pos } = this;
    const end = s.indexOf("]", pos);
    if (end < 0) {
      this.current.assignFrom(T_BAREWORD, s, pos, slen - pos);
      return slen;
    }
    this.current.assignFrom(T_BAREWORD, s, pos, end - pos + 1);
    return end + 1;
  }

  parseWord(): number {
    const { s, slen, pos } = this;
    // One pass finds the end, hashes the word for the keyword table (lookupRange's hash) and notes
    // whether it holds a byte no keyword has (above 0x7e) or a '.' / '`' that may split it.
    let end = pos;
    let h = 0x811c9dc5;
    let plain = true;
    let split = false;
    while (end < slen) {
      const c = s.charCodeAt(end);
      if (WORD_END[c] === 1) break;
      if (c > 0x7e) plain = false;
      else if (c === 0x2e || c === C_TICK) split = true;
      h = hashStep(h, foldByte(c));
      end++;
    }
    const wlen = end - pos;
    const cur = this.current;
    cur.assignFrom(T_BAREWORD, s, pos, wlen);
    // "SELECT.1" or SELECT`col`: a keyword before a '.' or '`' ends the token there.
    for (let i = 0; split && i < cur.len; i++) {
      const c = s.charCodeAt(pos + i);
      if (c === 0x2e || c === C_TICK) {
        const ch = lookupRange(s, pos, i);
        if (ch !== T_NONE && ch !== T_BAREWORD) {
          cur.clear();
          cur.assignFrom(ch, s, pos, i);
          return pos + i;
        }
      }
    }
    if (wlen < TOKEN_SIZE) {
      // As lookupRange(s, pos, wlen): a word never holds NUL (it ends words).
      const ch = wlen === 0 || !plain ? 0 : probe(h, s, pos, wlen, undefined);
      cur.type = ch === 0 ? T_BAREWORD : ch;
    }
    return end;
  }

  /** MySQL `quoted identifiers`: a function name stays a function, anything else is a word. */
  parseTick(): number {
    const next = this.parseStringCore(this.pos, C_TICK, 1);
    const ch = lookupWord(this.current.val);
    this.current.type = ch === T_FUNCTION ? T_FUNCTION : T_BAREWORD;
    return next;
  }

  /** @var, @@var, @@`var`, @'var'. */
  parseVar(): number {
    const { s, slen } = this;
    let pos = this.pos + 1;
    if (pos < slen && s.charCodeAt(pos) === 0x40) pos += 1;
    if (pos < slen) {
      const c = s.charCodeAt(pos);
      if (c === C_TICK) {
        this.pos = pos;
        const next = this.parseTick();
        this.current.type = T_VARIABLE;
        return next;
      }
      if (c === C_SINGLE || c === C_DOUBLE) {
        this.pos = pos;
        const next = this.parseString();
        this.current.type = T_VARIABLE;
        return next;
      }
    }
    let end = pos;
    while (end < slen && VAR_END[s.charCodeAt(end)] !== 1) end++;
    this.current.assignFrom(T_VARIABLE, s, pos, end - pos);
    return end;
  }

  /** $1,000.00 money, PostgreSQL $$strings$$ and $tag$strings$tag$. */
  parseMoney(): number {
    const { s, slen, pos } = this;
    if (pos + 1 === slen) {
      this.current.assignChar(T_BAREWORD, pos, "$");
      return slen;
    }
    let i = pos + 1;
    while (i < slen && SPAN_MONEY[s.charCodeAt(i)] === 1) i++;
    let xlen = i - pos - 1;
    if (xlen === 0) {
      if (s.charCodeAt(pos + 1) === 0x24) {
        const end = find2(s, pos + 2, slen, 0x24, 0x24);
        if (end < 0) {
          this.current.assignFrom(T_STRING, s, pos + 2, slen - (pos + 2));
          this.current.strOpen = 0x24;
          this.current.strClose = 0;
          return slen;
        }
        this.current.assignFrom(T_STRING, s, pos + 2, end - (pos + 2));
        this.current.strOpen = 0x24;
        this.current.strClose = 0x24;
        return end + 2;
      }
      i = pos + 1;
      while (i < slen && SPAN_ALPHA[s.charCodeAt(i)] === 1) i++;
      xlen = i - pos - 1;
      if (xlen === 0 || pos + xlen + 1 === slen || s.charCodeAt(pos + xlen + 1) !== 0x24) {
        this.current.assignChar(T_BAREWORD, pos, "$");
        return pos + 1;
      }
      // $tag$ ... $tag$
      const tag = s.substr(pos, xlen + 2);
      const bodyStart = pos + xlen + 2;
      const end = s.indexOf(tag, bodyStart);
      if (end < 0) {
        this.current.assignFrom(T_STRING, s, bodyStart, slen - bodyStart);
        this.current.strOpen = 0x24;
        this.current.strClose = 0;
        return slen;
      }
      this.current.assignFrom(T_STRING, s, bodyStart, end - bodyStart);
      this.current.strOpen = 0x24;
      this.current.strClose = 0x24;
      return end + xlen + 2;
    }
    if (xlen === 1 && s.charCodeAt(pos + 1) === 0x2e) return this.parseWord();
    this.current.assignFrom(T_NUMBER, s, pos, 1 + xlen);
    return pos + 1 + xlen;
  }

  parseNumber(): number {
    const { s, slen } = this;
    let pos = this.pos;
    if (s.charCodeAt(pos) === 0x30 && pos + 1 < slen) {
      const c1 = s.charCodeAt(pos + 1);
      const span = c1 === 0x58 || c1 === 0x78 ? SPAN_HEX : c1 === 0x42 || c1 === 0x62 ? SPAN_BIN : undefined;
      if (span !== undefined) {
        let i = pos + 2;
        while (i < slen && span[s.charCodeAt(i)] === 1) i++;
        if (i === pos + 2) {
          this.current.assignFrom(T_BAREWORD, s, pos, 2);
          return pos + 2;
        }
        this.current.assignFrom(T_NUMBER, s, pos, i - pos);
        return i;
      }
    }
    const start = pos;
    while (pos < slen && isDigit(s.charCodeAt(pos))) pos++;
    if (pos < slen && s.charCodeAt(pos) === 0x2e) {
      pos++;
      while (pos < slen && isDigit(s.charCodeAt(pos))) pos++;
      if (pos - start === 1) {
        this.current.assignChar(T_DOT, start, ".");
        return pos;
      }
    }
    let haveE = false;
    let haveExp = false;
    if (pos < slen) {
      const c = s.charCodeAt(pos);
      if (c === 0x45 || c === 0x65) {
        haveE = true;
        pos++;
        if (pos < slen && (s.charCodeAt(pos) === 0x2b || s.charCodeAt(pos) === 0x2d)) pos++;
        while (pos < slen && isDigit(s.charCodeAt(pos))) {
          haveExp = true;
          pos++;
        }
      }
    }
    // Oracle's float/double suffix: "1.2f", and "1fUNION" reads as "1f UNION".
    if (pos < slen) {
      const c = s.charCodeAt(pos);
      if (c === 0x64 || c === 0x44 || c === 0x66 || c === 0x46) {
        if (pos + 1 === slen) pos++;
        else {
          const n = s.charCodeAt(pos + 1);
          if (WHITE[n] === 1 || n === 0x3b || n === 0x75 || n === 0x55) pos++;
        }
      }
    }
    // "1e", "1.e", "10.10E" (an exponent without digits) is a word, not a number: MySQL's
    // scientific-notation quirk ("1.e(1)") must not hide the tokens after it.
    this.current.assignFrom(haveE && !haveExp ? T_BAREWORD : T_NUMBER, s, start, pos - start);
    return pos;
  }

  dispatch(ch: number): number {
    switch (PARSE_MAP[ch]) {
      case P_WHITE:
        return this.pos + 1;
      case P_OPERATOR1:
        return this.parseOperator1();
      case P_OPERATOR2:
        return this.parseOperator2();
      case P_STRING:
        return this.parseString();
      case P_HASH:
        return this.parseHash();
      case P_MONEY:
        return this.parseMoney();
      case P_CHAR:
        return this.parseChar();
      case P_DASH:
        return this.parseDash();
      case P_NUMBER:
        return this.parseNumber();
      case P_SLASH:
        return this.parseSlash();
      case P_OTHER:
        return this.parseOther();
      case P_VAR:
        return this.parseVar();
      case P_BSTRING:
        return this.parseSpanLiteral(SPAN_BIN);
      case P_ESTRING:
        return this.parseEstring();
      case P_NQSTRING:
        return this.parseNqstring();
      case P_QSTRING:
        return this.parseQstringCore(0);
      case P_USTRING:
        return this.parseUstring();
      case P_XSTRING:
        return this.parseSpanLiteral(SPAN_HEX);
      case P_BWORD:
        return this.parseBword();
      case P_BACKSLASH:
        return this.parseBackslash();
      case P_TICK:
        return this.parseTick();
      default:
        return this.parseWord();
    }
  }

  /** Reads the next token into this.current; false at the end of input. */
  tokenize(): boolean {
    const { s, slen } = this;
    if (slen === 0) return false;
    const cur = this.current;
    cur.clear();
    if (this.pos === 0 && this.flags & (FLAG_QUOTE_SINGLE | FLAG_QUOTE_DOUBLE)) {
      this.pos = this.parseStringCore(0, this.flags & FLAG_QUOTE_SINGLE ? C_SINGLE : C_DOUBLE, 0);
      this.statsTokens += 1;
      return true;
    }
    while (this.pos < slen) {
      const ch = s.charCodeAt(this.pos);
      if (PARSE_MAP[ch] === P_WHITE) {
        this.pos += 1;
        continue;
      }
      this.pos = this.dispatch(ch);
      if (cur.type !== T_NONE) {
        this.statsTokens += 1;
        return true;
      }
    }
    return false;
  }

  /** True while the tokenizer may still yield tokens (fold's `more`). */
  more = true;

  /**
   * Fetches tokens into slots from `pos` until `pos - left` reaches `want`; comments are set aside
   * in lastComment. Returns the new pos (kept out of a tuple to allocate nothing per call).
   */
  fetch(pos: number, left: number, want: number): number {
    while (this.more && pos <= MAX_TOKENS && pos - left < want) {
      this.current = this.tok(pos);
      this.more = this.tokenize();
      if (this.more) {
        if (this.current.type === T_COMMENT) {
          this.lastComment.copyFrom(this.current);
        } else {
          this.lastComment.type = T_NONE;
          pos += 1;
        }
      }
    }
    return pos;
  }

  /** Merges two word-ish tokens when "A B" is a multi-word keyword ("UNION ALL", "NOT IN"). */
  mergeWords(a: Token, b: Token): boolean {
    const at = a.type;
    if (
      !(
        at === T_KEYWORD ||
        at === T_BAREWORD ||
        at === T_OPERATOR ||
        at === T_UNION ||
        at === T_FUNCTION ||
        at === T_EXPRESSION ||
        at === T_TSQL ||
        at === T_SQLTYPE
      )
    ) {
      return false;
    }
    const bt = b.type;
    if (
      !(
        bt === T_KEYWORD ||
        bt === T_BAREWORD ||
        bt === T_OPERATOR ||
        bt === T_UNION ||
        bt === T_FUNCTION ||
        bt === T_EXPRESSION ||
        bt === T_TSQL ||
        bt === T_SQLTYPE ||
        bt === T_LOGIC_OPERATOR
      )
    ) {
      return false;
    }
    const sz3 = a.len + b.len + 1;
    if (sz3 >= TOKEN_SIZE) return false;
    if (!phrasePart(PHRASE_HEAD, a) || !phrasePart(PHRASE_TAIL, b)) return false;
    const ch = lookupPhrase(a.val, b.val);
    if (ch === 0) return false;
    a.assign(ch, a.pos, sz3, `${a.val} ${b.val}`);
    return true;
  }

  /** libinjection_sqli_fold: returns the number of tokens of the fingerprint (at most 5). */
  fold(): number {
    let pos = 0;
    let left = 0;
    this.more = true;
    this.lastComment.clear();

    // Skip leading comments, '(' , sql types and unary operators.
    this.current = this.tok(0);
    while (this.more) {
      this.more = this.tokenize();
      const c = this.current;
      if (!(c.type === T_COMMENT || c.type === T_LEFTPARENS || c.type === T_SQLTYPE || isUnaryOp(c))) break;
    }
    if (!this.more) return 0;
    pos += 1;

    for (;;) {
      if (pos >= MAX_TOKENS) {
        const t0 = this.tok(0).type;
        const t1 = this.tok(1).type;
        const t2 = this.tok(2).type;
        const t3 = this.tok(3).type;
        const t4 = this.tok(4).type;
        if (
          (t0 === T_NUMBER &&
            (t1 === T_OPERATOR || t1 === T_COMMA) &&
            t2 === T_LEFTPARENS &&
            t3 === T_NUMBER &&
            t4 === T_RIGHTPARENS) ||
          (t0 === T_BAREWORD &&
            t1 === T_OPERATOR &&
            t2 === T_LEFTPARENS &&
            (t3 === T_BAREWORD || t3 === T_NUMBER) &&
            t4 === T_RIGHTPARENS) ||
          (t0 === T_NUMBER &&
            t1 === T_RIGHTPARENS &&
            t2 === T_COMMA &&
            t3 === T_LEFTPARENS &&
            t4 === T_NUMBER) ||
          (t0 === T_BAREWORD &&
            t1 === T_RIGHTPARENS &&
            t2 === T_OPERATOR &&
            t3 === T_LEFTPARENS &&
            t4 === T_BAREWORD)
        ) {
          if (pos > MAX_TOKENS) {
            this.tok(1).copyFrom(this.tok(MAX_TOKENS));
            pos = 2;
            left = 0;
          } else {
            pos = 1;
            left = 0;
          }
        }
      }

      if (!this.more || left >= MAX_TOKENS) {
        left = pos;
        break;
      }

      pos = this.fetch(pos, left, 2);
      if (pos - left < 2) {
        left = pos;
        continue;
      }

      const a = this.tok(left);
      const b = this.tok(left + 1);
      // Two-token folds.
      if (a.type === T_STRING && b.type === T_STRING) {
        pos -= 1;
        continue;
      }
      if (a.type === T_SEMICOLON && b.type === T_SEMICOLON) {
        pos -= 1;
        continue;
      }
      if ((a.type === T_OPERATOR || a.type === T_LOGIC_OPERATOR) && (isUnaryOp(b) || b.type === T_SQLTYPE)) {
        pos -= 1;
        left = 0;
        continue;
      }
      if (a.type === T_LEFTPARENS && isUnaryOp(b)) {
        pos -= 1;
        if (left > 0) left -= 1;
        continue;
      }
      if (this.mergeWords(a, b)) {
        pos -= 1;
        if (left > 0) left -= 1;
        continue;
      }
      if (a.type === T_SEMICOLON && b.type === T_FUNCTION && isIfPrefix(b.val)) {
        // T-SQL "; IF 1=1 ...": IF after a semicolon is control flow, not a function.
        b.type = T_TSQL;
        continue;
      }
      if (
        (a.type === T_BAREWORD || a.type === T_VARIABLE) &&
        b.type === T_LEFTPARENS &&
        isFunctionLikeWord(a)
      ) {
        a.type = T_FUNCTION;
        continue;
      }
      if (a.type === T_KEYWORD && (a.is("IN") || a.is("NOT IN"))) {
        a.type = b.type === T_LEFTPARENS ? T_OPERATOR : T_BAREWORD;
        continue;
      }
      if (a.type === T_OPERATOR && (a.is("LIKE") || a.is("NOT LIKE"))) {
        if (b.type === T_LEFTPARENS) a.type = T_FUNCTION;
      } else if (
        a.type === T_SQLTYPE &&
        (b.type === T_BAREWORD ||
          b.type === T_NUMBER ||
          b.type === T_SQLTYPE ||
          b.type === T_LEFTPARENS ||
          b.type === T_FUNCTION ||
          b.type === T_VARIABLE ||
          b.type === T_STRING)
      ) {
        a.copyFrom(b);
        pos -= 1;
        left = 0;
        continue;
      } else if (a.type === T_COLLATE && b.type === T_BAREWORD) {
        // Too many collations to list: a word with '_' after COLLATE is one (strchr stops at NUL).
        const nul = b.val.indexOf("\u0000");
        const u = b.val.indexOf("_");
        if (u >= 0 && (nul < 0 || u < nul)) {
          b.type = T_SQLTYPE;
          left = 0;
        }
      } else if (a.type === T_BACKSLASH) {
        if (isArithmeticOp(b)) {
          // T-SQL reads '\%1' as '0 % 1'.
          a.type = T_NUMBER;
        } else {
          a.copyFrom(b);
          pos -= 1;
        }
        left = 0;
        continue;
      } else if (a.type === T_LEFTPARENS && b.type === T_LEFTPARENS) {
        pos -= 1;
        left = 0;
        continue;
      } else if (a.type === T_RIGHTPARENS && b.type === T_RIGHTPARENS) {
        pos -= 1;
        left = 0;
        continue;
      } else if (a.type === T_LEFTBRACE && b.type === T_BAREWORD) {
        // MySQL/ODBC "{ ``.``.id }": an empty word after '{' cannot be parsed reliably: evil.
        if (b.len === 0) {
          b.type = T_EVIL;
          return left + 2;
        }
        left = 0;
        pos -= 2;
        continue;
      } else if (b.type === T_RIGHTBRACE) {
        pos -= 1;
        left = 0;
        continue;
      }

      pos = this.fetch(pos, left, 3);
      if (pos - left < 3) {
        left = pos;
        continue;
      }

      // Three-token folds.
      const c = this.tok(left + 2);
      if (a.type === T_NUMBER && b.type === T_OPERATOR && c.type === T_NUMBER) {
        pos -= 2;
        left = 0;
        continue;
      }
      if (a.type === T_OPERATOR && b.type !== T_LEFTPARENS && c.type === T_OPERATOR) {
        left = 0;
        pos -= 2;
        continue;
      }
      if (a.type === T_LOGIC_OPERATOR && c.type === T_LOGIC_OPERATOR) {
        pos -= 2;
        left = 0;
        continue;
      }
      if (
        a.type === T_VARIABLE &&
        b.type === T_OPERATOR &&
        (c.type === T_VARIABLE || c.type === T_NUMBER || c.type === T_BAREWORD)
      ) {
        pos -= 2;
        left = 0;
        continue;
      }
      if (
        (a.type === T_BAREWORD || a.type === T_NUMBER) &&
        b.type === T_OPERATOR &&
        (c.type === T_NUMBER || c.type === T_BAREWORD)
      ) {
        pos -= 2;
        left = 0;
        continue;
      }
      if (
        (a.type === T_BAREWORD || a.type === T_NUMBER || a.type === T_VARIABLE || a.type === T_STRING) &&
        b.type === T_OPERATOR &&
        b.val === "::" &&
        c.type === T_SQLTYPE
      ) {
        pos -= 2;
        left = 0;
        continue;
      }
      if (
        (a.type === T_BAREWORD || a.type === T_NUMBER || a.type === T_STRING || a.type === T_VARIABLE) &&
        b.type === T_COMMA &&
        (c.type === T_NUMBER || c.type === T_BAREWORD || c.type === T_STRING || c.type === T_VARIABLE)
      ) {
        pos -= 2;
        left = 0;
        continue;
      }
      if (
        (a.type === T_EXPRESSION || a.type === T_GROUP || a.type === T_COMMA) &&
        isUnaryOp(b) &&
        c.type === T_LEFTPARENS
      ) {
        // SELECT + (, LIMIT + (: drop the unary operator.
        b.copyFrom(c);
        pos -= 1;
        left = 0;
        continue;
      }
      if (
        (a.type === T_KEYWORD || a.type === T_EXPRESSION || a.type === T_GROUP) &&
        isUnaryOp(b) &&
        (c.type === T_NUMBER ||
          c.type === T_BAREWORD ||
          c.type === T_VARIABLE ||
          c.type === T_STRING ||
          c.type === T_FUNCTION)
      ) {
        b.copyFrom(c);
        pos -= 1;
        left = 0;
        continue;
      }
      if (
        a.type === T_COMMA &&
        isUnaryOp(b) &&
        (c.type === T_NUMBER || c.type === T_BAREWORD || c.type === T_VARIABLE || c.type === T_STRING)
      ) {
        // ", -1" -> ",1", then back up so "1,-1" folds to "1".
        b.copyFrom(c);
        left = 0;
        pos -= 3;
        continue;
      }
      if (a.type === T_COMMA && isUnaryOp(b) && c.type === T_FUNCTION) {
        b.copyFrom(c);
        pos -= 1;
        left = 0;
        continue;
      }
      if (a.type === T_BAREWORD && b.type === T_DOT && c.type === T_BAREWORD) {
        // database.table
        pos -= 2;
        left = 0;
        continue;
      }
      if (a.type === T_EXPRESSION && b.type === T_DOT && c.type === T_BAREWORD) {
        b.copyFrom(c);
        pos -= 1;
        left = 0;
        continue;
      }
      if (a.type === T_FUNCTION && b.type === T_LEFTPARENS && c.type !== T_RIGHTPARENS) {
        // USER() takes no argument: "user(foo)" is a column or a word.
        if (a.is("USER")) a.type = T_BAREWORD;
      }
      left += 1;
    }

    if (left < MAX_TOKENS && this.lastComment.type === T_COMMENT) {
      this.tok(left).copyFrom(this.lastComment);
      left += 1;
    }
    return Math.min(left, MAX_TOKENS);
  }

  /**
   * Fingerprint of the input in one context (libinjection_sqli_fingerprint): sets fingerprintLen
   * and fingerprintKey; the string comes from fingerprintString().
   */
  fingerprintWith(flags: number): void {
    this.reset(flags);
    const tlen = this.fold();
    // PHP's unclosed empty backtick at the end acts as a comment.
    if (tlen > 2) {
      const last = this.tok(tlen - 1);
      if (last.type === T_BAREWORD && last.strOpen === C_TICK && last.len === 0 && last.strClose === 0)
        last.type = T_COMMENT;
    }
    let key = 0;
    let evil = false;
    for (let i = 0; i < tlen; i++) {
      const t = this.tok(i).type;
      if (t === T_EVIL) evil = true;
      key = key * 32 + (FP_CODE[foldByte(t)] as number);
    }
    if (evil) {
      // Unparsable (nested or MySQL-conditional comments): the whole input reads as "X".
      const t0 = this.tok(0);
      t0.type = T_EVIL;
      t0.val = "X";
      this.tok(1).type = T_NONE;
      this.fingerprintLen = 1;
      this.fingerprintKey = FP_CODE[T_EVIL] as number;
    } else {
      this.fingerprintLen = tlen;
      this.fingerprintKey = key;
    }
  }

  /** The fingerprint's token types as a string ("s&sos"); also kept in this.fingerprint. */
  fingerprintString(): string {
    let fp = "";
    for (let i = 0; i < this.fingerprintLen; i++) fp += String.fromCharCode(this.tok(i).type);
    this.fingerprint = fp;
    return fp;
  }

  /** Blacklist (fingerprint known) and not-whitelist (false-positive filters). */
  isSqliFingerprint(): boolean {
    if (this.fingerprintLen < 1) return false;
    // Fingerprints are compared upper-cased (libinjection's v0 -> v1 conversion, a-z only).
    const key = this.fingerprintKey;
    if (
      key < 1 << 20
        ? ((SHORT_KEY_BITS[key >>> 5] as number) & (1 << (key & 31))) === 0
        : !FINGERPRINT_KEYS.has(key)
    )
      return false;
    this.fingerprintString();
    return this.notWhitelist();
  }

  notWhitelist(): boolean {
    const fp = this.fingerprint;
    const tlen = fp.length;
    const t0 = this.tok(0);
    const t1 = this.tok(1);
    // MS SQL audit logs skip statements mentioning sp_password: a known way to hide SQLi.
    if (tlen > 1 && fp.charCodeAt(tlen - 1) === T_COMMENT && this.s.includes("sp_password")) return true;
    if (tlen === 2) {
      if (fp.charCodeAt(1) === T_UNION) return this.statsTokens !== 2;
      if (t1.val.charCodeAt(0) === 0x23) return false;
      if (t0.type === T_BAREWORD && t1.type === T_COMMENT && t1.val.charCodeAt(0) !== 0x2f) return false;
      if (t0.type === T_NUMBER && t1.type === T_COMMENT && t1.val.charCodeAt(0) === 0x2f) return true;
      if (t0.type === T_NUMBER && t1.type === T_COMMENT) {
        if (this.statsTokens > 2) return true;
        // "1234 --" vs base64-ish "1234-ABC--": look at the byte after the number in the input
        // (C reads a signed char, and the NUL after the end, so >= 0x80 and the end count as white).
        const ch = this.byteAt(t0.len);
        if (ch <= 32 || ch >= 0x80) return true;
        if (ch === 0x2f && this.byteAt(t0.len + 1) === 0x2a) return true;
        if (ch === 0x2d && this.byteAt(t0.len + 1) === 0x2d) return true;
        return false;
      }
      // Text often holds "--": only an input ending in "--" counts.
      if (t1.len > 2 && t1.val.charCodeAt(0) === 0x2d) return false;
    } else if (tlen === 3) {
      if (fp === "sos" || fp === "s&s") {
        const t2 = this.tok(2);
        // ...foo' + 'bar...: no opening quote, no closing quote.
        return t0.strOpen === 0 && t2.strClose === 0 && t0.strClose === t2.strOpen;
      }
      if (fp === "s&n" || fp === "n&1" || fp === "1&1" || fp === "1&v" || fp === "1&s") {
        // 'sexy and 17' is text; 'sexy and 17<18' is not.
        if (this.statsTokens === 3) return false;
      } else if (t1.type === T_KEYWORD) {
        // Only INTO OUTFILE / INTO DUMPFILE (MySQL) stay suspicious.
        if (t1.len < 5 || upperAscii(t1.val.slice(0, 4)) !== "INTO") return false;
      }
    }
    return true;
  }

  byteAt(i: number): number {
    return i < this.slen ? this.s.charCodeAt(i) : 0;
  }

  /** Reparse in MySQL mode when the ANSI parse met "--x" or '#'. */
  reparseAsMysql(): boolean {
    return this.statsCommentDdx > 0 || this.statsCommentHash > 0;
  }

  isSqli(): boolean {
    if (this.slen === 0 || isOneToken(this.s)) return false;
    this.fingerprintWith(FLAG_QUOTE_NONE | FLAG_SQL_ANSI);
    if (this.isSqliFingerprint()) return true;
    if (this.reparseAsMysql()) {
      this.fingerprintWith(FLAG_QUOTE_NONE | FLAG_SQL_MYSQL);
      if (this.isSqliFingerprint()) return true;
    }
    if (this.s.includes("'")) {
      this.fingerprintWith(FLAG_QUOTE_SINGLE | FLAG_SQL_ANSI);
      if (this.isSqliFingerprint()) return true;
      if (this.reparseAsMysql()) {
        this.fingerprintWith(FLAG_QUOTE_SINGLE | FLAG_SQL_MYSQL);
        if (this.isSqliFingerprint()) return true;
      }
    }
    if (this.s.includes('"')) {
      this.fingerprintWith(FLAG_QUOTE_DOUBLE | FLAG_SQL_MYSQL);
      if (this.isSqliFingerprint()) return true;
    }
    return false;
  }
}

/** The only one-type fingerprint is "X" (isOneToken relies on it; checked if the data changes). */
const ONE_TYPE_IS_X = [...SQLI_FINGERPRINTS].every((fp) => fp.length !== 1 || fp === "X");

/** Bytes that parse_word takes and that start no other token inside a word: [A-Za-z0-9_], 0x80+ but NBSP. */
const WORD_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  if (alnum || c === 0x5f || (c >= 0x80 && c !== 0xa0)) WORD_BYTE[c] = 1;
}

/**
 * True when the input is one word ([A-Za-z_] or a byte 0x80+ first, then word bytes) or one run
 * of digits. The ANSI context then reads one token (a word or keyword, or a number), or none when
 * the fold skips it (a type, NOT): a fingerprint of at most one type, and the only one-type
 * fingerprint is "X" (a nested or MySQL comment). No comment was seen and there is no quote, so
 * no other context runs: not SQLi, for most argument names and many values, without tokenizing.
 */
function isOneToken(s: string): boolean {
  if (!ONE_TYPE_IS_X) return false;
  const c0 = s.charCodeAt(0);
  if (isDigit(c0)) {
    for (let i = 1; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
    return true;
  }
  for (let i = 0; i < s.length; i++) if (WORD_BYTE[s.charCodeAt(i)] !== 1) return false;
  return true;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function upperAscii(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 0x61 && c <= 0x7a ? c - 0x20 : c);
  }
  return out;
}

function isUnaryOp(t: Token): boolean {
  if (t.type !== T_OPERATOR) return false;
  switch (t.len) {
    case 1: {
      const c = t.code(0);
      return c === 0x2b || c === 0x2d || c === 0x21 || c === 0x7e;
    }
    case 2:
      return t.valLength() === 2 && t.code(0) === 0x21 && t.code(1) === 0x21;
    case 3:
      return t.is("NOT");
    default:
      return false;
  }
}

function isArithmeticOp(t: Token): boolean {
  if (t.type !== T_OPERATOR || t.len !== 1) return false;
  const c = t.code(0);
  return c === 0x2a || c === 0x2f || c === 0x2d || c === 0x2b || c === 0x25;
}

function isIfPrefix(v: string): boolean {
  const c0 = v.charCodeAt(0);
  const c1 = v.charCodeAt(1);
  return (c0 === 0x49 || c0 === 0x69) && (c1 === 0x46 || c1 === 0x66);
}

/** Words that are functions only when a '(' follows (T-SQL and MySQL builtins often used as names). */
const FUNCTION_LIKE_WORDS = [
  "USER_ID",
  "USER_NAME",
  "DATABASE",
  "PASSWORD",
  "USER",
  "CURRENT_USER",
  "CURRENT_DATE",
  "CURRENT_TIME",
  "CURRENT_TIMESTAMP",
  "LOCALTIME",
  "LOCALTIMESTAMP",
];

/** Compared in place (Token.is checks the length first): no upper-cased copy per word before '('. */
function isFunctionLikeWord(t: Token): boolean {
  const n = t.valLength();
  if (n > 17 || n < 4) return false;
  for (let i = 0; i < FUNCTION_LIKE_WORDS.length; i++)
    if (t.is(FUNCTION_LIKE_WORDS[i] as string)) return true;
  return false;
}

const state = new SqliState();
const NO_MATCH: SqliResult = Object.freeze({ match: false, fingerprint: "" });

/**
 * Detects SQL injection in a byte string, as ModSecurity's @detectSQLi (libinjection) does.
 * Returns the matching fingerprint for logging (ModSecurity puts it in TX.0).
 */
export function detectSqli(input: ByteString): SqliResult {
  state.s = input;
  state.slen = input.length;
  try {
    const match = state.isSqli();
    return match ? { match, fingerprint: state.fingerprint } : NO_MATCH;
  } finally {
    // Do not keep the request's bytes alive in the shared state.
    state.release();
  }
}

/** One context's fingerprint (flags as in libinjection_sqli.h), for tests and diagnostics. */
export function sqliFingerprint(input: ByteString, flags: number): string {
  state.s = input;
  state.slen = input.length;
  try {
    state.fingerprintWith(flags);
    return state.fingerprintString();
  } finally {
    state.release();
  }
}
