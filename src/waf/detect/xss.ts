/**
 * XSS detection, libinjection-class (what ModSecurity's @detectXSS calls).
 *
 * The algorithm is libinjection's (Nick Galbreath, https://github.com/libinjection/libinjection,
 * BSD-3-Clause), rewritten for byte strings and matched against the 3.9.2 build that ModSecurity 3
 * bundles (see test/waf/detect/differential.test.ts). A small HTML5 tokenizer (the WHATWG
 * tokenizer states 12.2.4.x, simplified, with old-IE quirks) runs over the input in five starting
 * states (text, unquoted / single / double / back-quoted attribute value, because the input may land
 * in any of them in the page), and the input is XSS when a token hits a blacklist:
 *   - a DOCTYPE, or a tag named SCRIPT, IFRAME, STYLE, ... or starting with SVG / XSL;
 *   - an attribute on* (event handler, any name of 5+ bytes), XMLNS* / XLINK*, STYLE, FILTER,
 *     DATASRC, ...; a URL attribute (HREF, SRC, ACTION, ...) whose value, HTML-entity decoded,
 *     starts with javascript:, vbscript:, data: or view-source: (prefixes JAVA, VBSCRIPT, DATA,
 *     VIEW-SOURCE);
 *   - a comment holding '`', an IE conditional comment ([if ...), <?xml, <?import or <!ENTITY.
 *
 * The tag, attribute and URL-scheme blacklists below are libinjection's data (libinjection_xss.c,
 * Copyright (c) 2012-2016 Nick Galbreath, (c) 2021 LibInjection, BSD-3-Clause; the full notice is in
 * sqli-fingerprints.ts).
 *
 * Pure, never throws, linear in the input. Tokens are (start, length) pairs into the input.
 */
import type { ByteString } from "../types.js";

// Token types (libinjection_html5.h).
const DATA_TEXT = 0;
const TAG_NAME_OPEN = 1;
const TAG_NAME_CLOSE = 2;
const TAG_NAME_SELFCLOSE = 3;
const TAG_CLOSE = 5;
const ATTR_NAME = 6;
const ATTR_VALUE = 7;
const TAG_COMMENT = 8;
const DOCTYPE = 9;

// Tokenizer states.
const S_EOF = 0;
const S_DATA = 1;
const S_TAG_OPEN = 2;
const S_TAG_NAME_CLOSE = 3;
const S_BEFORE_ATTRIBUTE_NAME = 4;
const S_AFTER_ATTRIBUTE_NAME = 5;
const S_BEFORE_ATTRIBUTE_VALUE = 6;
const S_VALUE_DOUBLE_QUOTE = 7;
const S_VALUE_SINGLE_QUOTE = 8;
const S_VALUE_BACK_QUOTE = 9;
const S_AFTER_ATTRIBUTE_VALUE_QUOTED = 10;
const S_SELF_CLOSING_START_TAG = 11;

/** libinjection's "end of input" from h5_skip_white; byte 0xFF, read as a signed char, equals it. */
const CHAR_EOF = -1;

const CH_BANG = 0x21;
const CH_DOUBLE = 0x22;
const CH_PERCENT = 0x25;
const CH_SINGLE = 0x27;
const CH_DASH = 0x2d;
const CH_SLASH = 0x2f;
const CH_EQUALS = 0x3d;
const CH_GT = 0x3e;
const CH_QUESTION = 0x3f;
const CH_RIGHTB = 0x5d;
const CH_TICK = 0x60;

/** h5_is_white: strchr(" \t\n\v\f\r", ch), which also matches NUL. */
const H5_WHITE = new Uint8Array(256);
for (const c of [0x00, 0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]) H5_WHITE[c] = 1;

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** HTML5 tokenizer over one input, one starting state. */
class Html5Tokenizer {
  s = "";
  len = 0;
  pos = 0;
  state = S_EOF;
  isClose = false;
  tokenStart = 0;
  tokenLen = 0;
  tokenType = DATA_TEXT;

  init(s: string, state: number): void {
    this.s = s;
    this.len = s.length;
    this.pos = 0;
    this.state = state;
    this.isClose = false;
    this.tokenStart = 0;
    this.tokenLen = 0;
    this.tokenType = DATA_TEXT;
  }

  /** Produces the next token; false at the end. */
  next(): boolean {
    switch (this.state) {
      case S_DATA:
        return this.data();
      case S_TAG_OPEN:
        return this.tagOpen();
      case S_TAG_NAME_CLOSE:
        return this.tagNameClose();
      case S_BEFORE_ATTRIBUTE_NAME:
        return this.beforeAttributeName();
      case S_AFTER_ATTRIBUTE_NAME:
        return this.afterAttributeName();
      case S_BEFORE_ATTRIBUTE_VALUE:
        return this.beforeAttributeValue();
      case S_VALUE_DOUBLE_QUOTE:
        return this.attributeValueQuote(CH_DOUBLE);
      case S_VALUE_SINGLE_QUOTE:
        return this.attributeValueQuote(CH_SINGLE);
      case S_VALUE_BACK_QUOTE:
        return this.attributeValueQuote(CH_TICK);
      case S_AFTER_ATTRIBUTE_VALUE_QUOTED:
        return this.afterAttributeValueQuoted();
      case S_SELF_CLOSING_START_TAG:
        return this.selfClosingStartTag();
      default:
        return false;
    }
  }

  token(type: number, start: number, len: number): void {
    this.tokenType = type;
    this.tokenStart = start;
    this.tokenLen = len;
  }

  /** Skips HTML white (and NUL, IE); returns the byte there as libinjection's signed char. */
  skipWhite(): number {
    const { s, len } = this;
    while (this.pos < len) {
      const c = s.charCodeAt(this.pos);
      if (H5_WHITE[c] === 1) {
        this.pos += 1;
      } else {
        return c >= 0x80 ? c - 0x100 : c;
      }
    }
    return CHAR_EOF;
  }

  data(): boolean {
    const { s, len, pos } = this;
    const idx = s.indexOf("<", pos);
    if (idx < 0) {
      this.token(DATA_TEXT, pos, len - pos);
      this.state = S_EOF;
      return this.tokenLen !== 0;
    }
    this.token(DATA_TEXT, pos, idx - pos);
    this.pos = idx + 1;
    this.state = S_TAG_OPEN;
    if (this.tokenLen === 0) return this.tagOpen();
    return true;
  }

  /** 12.2.4.8 */
  tagOpen(): boolean {
    const { s, len } = this;
    if (this.pos >= len) return false;
    const ch = s.charCodeAt(this.pos);
    if (ch === CH_BANG) {
      this.pos += 1;
      return this.markupDeclarationOpen();
    }
    if (ch === CH_SLASH) {
      this.pos += 1;
      this.isClose = true;
      return this.endTagOpen();
    }
    if (ch === CH_QUESTION) {
      this.pos += 1;
      return this.bogusComment();
    }
    if (ch === CH_PERCENT) {
      // Not in the spec: <% ... %> comments of IE <= 9 and old Safari.
      this.pos += 1;
      return this.bogusComment2();
    }
    // NUL in a tag name is ignored by IE.
    if (isAlpha(ch) || ch === 0) return this.tagName();
    if (this.pos === 0) return this.data();
    this.token(DATA_TEXT, this.pos - 1, 1);
    this.state = S_DATA;
    return true;
  }

  /** 12.2.4.9 */
  endTagOpen(): boolean {
    if (this.pos >= this.len) return false;
    const ch = this.s.charCodeAt(this.pos);
    if (ch === CH_GT) return this.data();
    if (isAlpha(ch)) return this.tagName();
    this.isClose = false;
    return this.bogusComment();
  }

  tagNameClose(): boolean {
    this.isClose = false;
    this.token(TAG_NAME_CLOSE, this.pos, 1);
    this.pos += 1;
    this.state = this.pos < this.len ? S_DATA : S_EOF;
    return true;
  }

  /** 12.2.4.10 */
  tagName(): boolean {
    const { s, len } = this;
    let pos = this.pos;
    while (pos < len) {
      const ch = s.charCodeAt(pos);
      if (ch === 0) {
        // Old browsers allow and ignore NULs in tag names.
        pos += 1;
      } else if (H5_WHITE[ch] === 1) {
        this.token(TAG_NAME_OPEN, this.pos, pos - this.pos);
        this.pos = pos + 1;
        this.state = S_BEFORE_ATTRIBUTE_NAME;
        return true;
      } else if (ch === CH_SLASH) {
        this.token(TAG_NAME_OPEN, this.pos, pos - this.pos);
        this.pos = pos + 1;
        this.state = S_SELF_CLOSING_START_TAG;
        return true;
      } else if (ch === CH_GT) {
        this.tokenStart = this.pos;
        this.tokenLen = pos - this.pos;
        if (this.isClose) {
          this.pos = pos + 1;
          this.isClose = false;
          this.tokenType = TAG_CLOSE;
          this.state = S_DATA;
        } else {
          this.pos = pos;
          this.tokenType = TAG_NAME_OPEN;
          this.state = S_TAG_NAME_CLOSE;
        }
        return true;
      } else {
        pos += 1;
      }
    }
    this.token(TAG_NAME_OPEN, this.pos, len - this.pos);
    this.state = S_EOF;
    return true;
  }

  /** 12.2.4.34 */
  beforeAttributeName(): boolean {
    const ch = this.skipWhite();
    if (ch === CHAR_EOF) return false;
    if (ch === CH_SLASH) {
      this.pos += 1;
      return this.selfClosingStartTag();
    }
    if (ch === CH_GT) {
      this.state = S_DATA;
      this.token(TAG_NAME_CLOSE, this.pos, 1);
      this.pos += 1;
      return true;
    }
    return this.attributeName();
  }

  attributeName(): boolean {
    const { s, len } = this;
    let pos = this.pos + 1;
    while (pos < len) {
      const ch = s.charCodeAt(pos);
      if (H5_WHITE[ch] === 1) {
        this.token(ATTR_NAME, this.pos, pos - this.pos);
        this.state = S_AFTER_ATTRIBUTE_NAME;
        this.pos = pos + 1;
        return true;
      }
      if (ch === CH_SLASH) {
        this.token(ATTR_NAME, this.pos, pos - this.pos);
        this.state = S_SELF_CLOSING_START_TAG;
        this.pos = pos + 1;
        return true;
      }
      if (ch === CH_EQUALS) {
        this.token(ATTR_NAME, this.pos, pos - this.pos);
        this.state = S_BEFORE_ATTRIBUTE_VALUE;
        this.pos = pos + 1;
        return true;
      }
      if (ch === CH_GT) {
        this.token(ATTR_NAME, this.pos, pos - this.pos);
        this.state = S_TAG_NAME_CLOSE;
        this.pos = pos;
        return true;
      }
      pos += 1;
    }
    this.token(ATTR_NAME, this.pos, len - this.pos);
    this.state = S_EOF;
    this.pos = len;
    return true;
  }

  /** 12.2.4.36 */
  afterAttributeName(): boolean {
    const c = this.skipWhite();
    if (c === CHAR_EOF) return false;
    if (c === CH_SLASH) {
      this.pos += 1;
      return this.selfClosingStartTag();
    }
    if (c === CH_EQUALS) {
      this.pos += 1;
      return this.beforeAttributeValue();
    }
    if (c === CH_GT) return this.tagNameClose();
    return this.attributeName();
  }

  /** 12.2.4.37 */
  beforeAttributeValue(): boolean {
    const c = this.skipWhite();
    if (c === CHAR_EOF) {
      this.state = S_EOF;
      return false;
    }
    if (c === CH_DOUBLE) return this.attributeValueQuote(CH_DOUBLE);
    if (c === CH_SINGLE) return this.attributeValueQuote(CH_SINGLE);
    // Back-quoted values: IE only.
    if (c === CH_TICK) return this.attributeValueQuote(CH_TICK);
    return this.attributeValueNoQuote();
  }

  attributeValueQuote(q: number): boolean {
    // At pos 0 we started inside a value (no opening quote to skip): '><foo gives an empty value.
    if (this.pos > 0) this.pos += 1;
    const pos = this.pos;
    const idx = this.s.indexOf(String.fromCharCode(q), pos);
    if (idx < 0) {
      this.token(ATTR_VALUE, pos, this.len - pos);
      this.state = S_EOF;
    } else {
      this.token(ATTR_VALUE, pos, idx - pos);
      this.state = S_AFTER_ATTRIBUTE_VALUE_QUOTED;
      this.pos = idx + 1;
    }
    return true;
  }

  attributeValueNoQuote(): boolean {
    const { s, len } = this;
    let pos = this.pos;
    while (pos < len) {
      const ch = s.charCodeAt(pos);
      if (H5_WHITE[ch] === 1) {
        this.token(ATTR_VALUE, this.pos, pos - this.pos);
        this.pos = pos + 1;
        this.state = S_BEFORE_ATTRIBUTE_NAME;
        return true;
      }
      if (ch === CH_GT) {
        this.token(ATTR_VALUE, this.pos, pos - this.pos);
        this.pos = pos;
        this.state = S_TAG_NAME_CLOSE;
        return true;
      }
      pos += 1;
    }
    this.state = S_EOF;
    this.token(ATTR_VALUE, this.pos, len - this.pos);
    return true;
  }

  /** 12.2.4.41 */
  afterAttributeValueQuoted(): boolean {
    if (this.pos >= this.len) return false;
    const ch = this.s.charCodeAt(this.pos);
    if (H5_WHITE[ch] === 1) {
      this.pos += 1;
      return this.beforeAttributeName();
    }
    if (ch === CH_SLASH) {
      this.pos += 1;
      return this.selfClosingStartTag();
    }
    if (ch === CH_GT) {
      this.token(TAG_NAME_CLOSE, this.pos, 1);
      this.pos += 1;
      this.state = S_DATA;
      return true;
    }
    return this.beforeAttributeName();
  }

  /** 12.2.4.43 */
  selfClosingStartTag(): boolean {
    if (this.pos >= this.len) return false;
    if (this.s.charCodeAt(this.pos) === CH_GT) {
      this.token(TAG_NAME_SELFCLOSE, this.pos - 1, 2);
      this.state = S_DATA;
      this.pos += 1;
      return true;
    }
    return this.beforeAttributeName();
  }

  /** 12.2.4.44 */
  bogusComment(): boolean {
    const { s, len, pos } = this;
    const idx = s.indexOf(">", pos);
    if (idx < 0) {
      this.token(TAG_COMMENT, pos, len - pos);
      this.pos = len;
      this.state = S_EOF;
    } else {
      this.token(TAG_COMMENT, pos, idx - pos);
      this.pos = idx + 1;
      this.state = S_DATA;
    }
    return true;
  }

  /** <% ... %> */
  bogusComment2(): boolean {
    const { s, len } = this;
    let pos = this.pos;
    for (;;) {
      const idx = s.indexOf("%", pos);
      if (idx < 0 || idx + 1 >= len) {
        this.token(TAG_COMMENT, this.pos, len - this.pos);
        this.pos = len;
        this.state = S_EOF;
        return true;
      }
      if (s.charCodeAt(idx + 1) !== CH_GT) {
        pos = idx + 1;
        continue;
      }
      this.token(TAG_COMMENT, this.pos, idx - this.pos);
      this.pos = idx + 2;
      this.state = S_DATA;
      return true;
    }
  }

  /** 12.2.4.45: <!DOCTYPE, <![CDATA[, <!-- or a bogus comment. */
  markupDeclarationOpen(): boolean {
    const { s, pos } = this;
    const remaining = this.len - pos;
    if (remaining >= 7 && s.substr(pos, 7).toUpperCase() === "DOCTYPE" && isAsciiWord(s, pos, 7))
      return this.doctype();
    if (remaining >= 7 && s.startsWith("[CDATA[", pos)) {
      this.pos += 7;
      return this.cdata();
    }
    if (remaining >= 2 && s.charCodeAt(pos) === CH_DASH && s.charCodeAt(pos + 1) === CH_DASH) {
      this.pos += 2;
      return this.comment();
    }
    return this.bogusComment();
  }

  /** 12.2.4.48-51: a comment ends at EOF, "-->" or "-!>" (NULs between the dashes are ignored). */
  comment(): boolean {
    const { s, len } = this;
    let pos = this.pos;
    for (;;) {
      const idx = s.indexOf("-", pos);
      if (idx < 0 || idx > len - 3) return this.commentToEof();
      let off = 1;
      while (idx + off < len && s.charCodeAt(idx + off) === 0) off += 1;
      if (idx + off === len) return this.commentToEof();
      let ch = s.charCodeAt(idx + off);
      if (ch !== CH_DASH && ch !== CH_BANG) {
        pos = idx + 1;
        continue;
      }
      off += 1;
      if (idx + off === len) return this.commentToEof();
      ch = s.charCodeAt(idx + off);
      if (ch !== CH_GT) {
        pos = idx + 1;
        continue;
      }
      off += 1;
      this.token(TAG_COMMENT, this.pos, idx - this.pos);
      this.pos = idx + off;
      this.state = S_DATA;
      return true;
    }
  }

  commentToEof(): boolean {
    this.state = S_EOF;
    this.token(TAG_COMMENT, this.pos, this.len - this.pos);
    return true;
  }

  cdata(): boolean {
    const { s, len } = this;
    let pos = this.pos;
    for (;;) {
      const idx = s.indexOf("]", pos);
      if (idx < 0 || idx > len - 3) {
        this.state = S_EOF;
        this.token(DATA_TEXT, this.pos, len - this.pos);
        return true;
      }
      if (s.charCodeAt(idx + 1) === CH_RIGHTB && s.charCodeAt(idx + 2) === CH_GT) {
        this.state = S_DATA;
        this.token(DATA_TEXT, this.pos, idx - this.pos);
        this.pos = idx + 3;
        return true;
      }
      pos = idx + 1;
    }
  }

  /** 8.2.4.52 */
  doctype(): boolean {
    const { s, len, pos } = this;
    const idx = s.indexOf(">", pos);
    if (idx < 0) {
      this.state = S_EOF;
      this.token(DOCTYPE, pos, len - pos);
    } else {
      this.state = S_DATA;
      this.token(DOCTYPE, pos, idx - pos);
      this.pos = idx + 1;
    }
    return true;
  }
}

/** True when s[pos, pos+n) holds only ASCII letters (toUpperCase must not fold Latin-1 into them). */
function isAsciiWord(s: string, pos: number, n: number): boolean {
  for (let i = pos; i < pos + n; i++) if (!isAlpha(s.charCodeAt(i))) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Blacklists (libinjection_xss.c).

const ATTR_NONE = 0;
const ATTR_BLACK = 1;
const ATTR_URL = 2;
const ATTR_STYLE = 3;
const ATTR_INDIRECT = 4;

const BLACK_TAGS = [
  "APPLET",
  "BASE",
  "COMMENT", // IE, http://html5sec.org/#38
  "EMBED",
  "FRAME",
  "FRAMESET",
  "HANDLER", // Opera SVG, effectively a script tag
  "IFRAME",
  "IMPORT",
  "ISINDEX",
  "LINK",
  "LISTENER",
  "META",
  "NOSCRIPT",
  "OBJECT",
  "SCRIPT",
  "STYLE",
  "VMLFRAME",
  "XML",
  "XSS",
];

const BLACK_ATTRS: ReadonlyArray<readonly [string, number]> = [
  ["ACTION", ATTR_URL], // form
  ["ATTRIBUTENAME", ATTR_INDIRECT], // SVG names an attribute in a value
  ["BY", ATTR_URL], // SVG
  ["BACKGROUND", ATTR_URL], // IE6, O11
  ["DATAFORMATAS", ATTR_BLACK], // IE
  ["DATASRC", ATTR_BLACK], // IE
  ["DYNSRC", ATTR_URL], // obsolete img attribute
  ["FILTER", ATTR_STYLE], // Opera, SVG inline style
  ["FORMACTION", ATTR_URL], // HTML 5
  ["FOLDER", ATTR_URL], // A tags, IE only
  ["FROM", ATTR_URL], // SVG
  ["HANDLER", ATTR_URL], // SVG Tiny, Opera
  ["HREF", ATTR_URL],
  ["LOWSRC", ATTR_URL], // obsolete img attribute
  ["POSTER", ATTR_URL], // Opera 10, 11
  ["SRC", ATTR_URL],
  ["STYLE", ATTR_STYLE],
  ["TO", ATTR_URL], // SVG
  ["VALUES", ATTR_URL], // SVG
  ["XLINK:HREF", ATTR_URL],
];

/**
 * libinjection's cstrcasecmp_with_null: does s[start, start+n), NULs skipped and a-z upper-cased,
 * equal the upper-case word exactly?
 */
function equalsIgnoringNul(word: string, s: string, start: number, n: number): boolean {
  let ai = 0;
  const wl = word.length;
  for (let i = start; i < start + n; i++) {
    let cb = i < s.length ? s.charCodeAt(i) : 0;
    if (cb === 0) continue;
    if (ai >= wl) return false;
    if (cb >= 0x61 && cb <= 0x7a) cb -= 0x20;
    if (word.charCodeAt(ai) !== cb) return false;
    ai += 1;
  }
  return ai === wl;
}

function lowerEq(c: number, upper: number): boolean {
  return c === upper || c === upper + 0x20;
}

function isBlackTag(s: string, start: number, len: number): boolean {
  if (len < 3) return false;
  // NULs only make a token longer than the name it spells, so longer names cannot match.
  for (const tag of BLACK_TAGS) if (tag.length <= len && equalsIgnoringNul(tag, s, start, len)) return true;
  const c0 = s.charCodeAt(start);
  const c1 = s.charCodeAt(start + 1);
  const c2 = s.charCodeAt(start + 2);
  // Anything SVG or XSL(T).
  if (lowerEq(c0, 0x53) && lowerEq(c1, 0x56) && lowerEq(c2, 0x47)) return true;
  if (lowerEq(c0, 0x58) && lowerEq(c1, 0x53) && lowerEq(c2, 0x4c)) return true;
  return false;
}

function blackAttr(s: string, start: number, len: number): number {
  if (len < 2) return ATTR_NONE;
  if (len >= 5) {
    // on* event handlers, whatever the event.
    if (lowerEq(s.charCodeAt(start), 0x4f) && lowerEq(s.charCodeAt(start + 1), 0x4e)) return ATTR_BLACK;
    // XMLNS and XLINK can create arbitrary tags.
    if (equalsIgnoringNul("XMLNS", s, start, 5) || equalsIgnoringNul("XLINK", s, start, 5)) return ATTR_BLACK;
  }
  for (const [name, type] of BLACK_ATTRS) {
    if (name.length <= len && equalsIgnoringNul(name, s, start, len)) return type;
  }
  return ATTR_NONE;
}

const HEX_VALUE = new Int16Array(256).fill(256);
for (let c = 0; c < 10; c++) HEX_VALUE[0x30 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[0x41 + c] = 10 + c;
  HEX_VALUE[0x61 + c] = 10 + c;
}

/** Reads s[k], 0 past the end (C reads the NUL terminator there). */
function byteAt(s: string, k: number): number {
  return k < s.length ? s.charCodeAt(k) : 0;
}

/**
 * Decodes one char at s[i] limited to n bytes: a byte, or a numeric entity &#ddd; / &#xhh;
 * (libinjection's html_decode_char_at; named entities decode to '&'). Sets `consumed`.
 */
let consumed = 0;
function htmlDecodeCharAt(s: string, i: number, n: number): number {
  consumed = 1;
  const c0 = byteAt(s, i);
  if (c0 !== 0x26 || n < 2) return c0;
  if (byteAt(s, i + 1) !== 0x23) return 0x26;
  const c2 = byteAt(s, i + 2);
  if (c2 === 0x78 || c2 === 0x58) {
    let ch = HEX_VALUE[byteAt(s, i + 3)] as number;
    if (ch === 256) return 0x26;
    let val = ch;
    let k = 4;
    while (k < n) {
      const c = byteAt(s, i + k);
      if (c === 0x3b) {
        consumed = k + 1;
        return val;
      }
      ch = HEX_VALUE[c] as number;
      if (ch === 256) {
        consumed = k;
        return val;
      }
      val = val * 16 + ch;
      if (val > 0x1000ff) return 0x26;
      k += 1;
    }
    consumed = k;
    return val;
  }
  if (c2 < 0x30 || c2 > 0x39) return 0x26;
  let val = c2 - 0x30;
  let k = 3;
  while (k < n) {
    const c = byteAt(s, i + k);
    if (c === 0x3b) {
      consumed = k + 1;
      return val;
    }
    if (c < 0x30 || c > 0x39) {
      consumed = k;
      return val;
    }
    val = val * 10 + (c - 0x30);
    if (val > 0x1000ff) return 0x26;
    k += 1;
  }
  consumed = k;
  return val;
}

/**
 * Does the HTML-encoded s[i, i+n) start with the upper-case prefix? Entities are decoded and
 * compared on their low byte (C's (char) cast); NULs and newlines are ignored. The caller has
 * already skipped the leading control chars (libinjection's `first` loop, the same for every prefix).
 */
function htmlStartsWith(prefix: string, s: string, i: number, n: number): boolean {
  let a = 0;
  while (n > 0) {
    if (a === prefix.length) return true;
    let cb = htmlDecodeCharAt(s, i, n);
    i += consumed;
    n -= consumed;
    if (cb === 0 || cb === 10) continue;
    if (cb >= 0x61 && cb <= 0x7a) cb -= 0x20;
    if (prefix.charCodeAt(a) !== (cb & 0xff)) return false;
    a += 1;
  }
  return a === prefix.length;
}

function isBlackUrl(s: string, start: number, len: number): boolean {
  // Skip white, control and high-bit bytes (Opera's UTF-8 white, ignored EUC-JP bytes).
  while (len > 0) {
    const c = s.charCodeAt(start);
    if (c > 32 && c < 127) break;
    start += 1;
    len -= 1;
  }
  // Then decoded chars <= 32 (entities such as &#9;) are ignored before the scheme.
  while (len > 0) {
    const cb = htmlDecodeCharAt(s, start, len);
    if (cb > 32) break;
    start += consumed;
    len -= consumed;
  }
  return (
    htmlStartsWith("DATA", s, start, len) ||
    htmlStartsWith("VIEW-SOURCE", s, start, len) ||
    htmlStartsWith("JAVA", s, start, len) || // JAVA and JAVASCRIPT
    htmlStartsWith("VBSCRIPT", s, start, len)
  );
}

function isBlackComment(s: string, start: number, len: number): boolean {
  // IE ends tags at '`'.
  if (s.slice(start, start + len).includes("`")) return true;
  if (len > 3) {
    const c0 = s.charCodeAt(start);
    const c1 = s.charCodeAt(start + 1);
    const c2 = s.charCodeAt(start + 2);
    // IE conditional comments and <?xml.
    if (c0 === 0x5b && lowerEq(c1, 0x49) && lowerEq(c2, 0x46)) return true;
    if (lowerEq(c0, 0x58) && lowerEq(c1, 0x4d) && lowerEq(c2, 0x4c)) return true;
  }
  if (len > 5) {
    // IE's <?import pseudo-tag and XML entity definitions.
    if (equalsIgnoringNul("IMPORT", s, start, 6) || equalsIgnoringNul("ENTITY", s, start, 6)) return true;
  }
  return false;
}

const h5 = new Html5Tokenizer();

function isXssFrom(input: string, startState: number): boolean {
  h5.init(input, startState);
  let attr = ATTR_NONE;
  while (h5.next()) {
    const type = h5.tokenType;
    const start = h5.tokenStart;
    const len = h5.tokenLen;
    if (type !== ATTR_VALUE) attr = ATTR_NONE;
    if (type === DOCTYPE) return true;
    if (type === TAG_NAME_OPEN) {
      if (isBlackTag(input, start, len)) return true;
    } else if (type === ATTR_NAME) {
      attr = blackAttr(input, start, len);
    } else if (type === ATTR_VALUE) {
      switch (attr) {
        case ATTR_BLACK:
        case ATTR_STYLE:
          return true;
        case ATTR_URL:
          if (isBlackUrl(input, start, len)) return true;
          break;
        case ATTR_INDIRECT:
          if (blackAttr(input, start, len) !== ATTR_NONE) return true;
          break;
        default:
          break;
      }
      attr = ATTR_NONE;
    } else if (type === TAG_COMMENT) {
      if (isBlackComment(input, start, len)) return true;
    }
  }
  return false;
}

/** Detects XSS in a byte string, as ModSecurity's @detectXSS (libinjection_xss) does. */
export function detectXss(input: ByteString): boolean {
  // Every blacklist needs a tag, comment or doctype ('<') or an attribute value ('='): without
  // either, no start state can produce a token that matches. Most parameter values end here.
  if (input.indexOf("<") < 0 && input.indexOf("=") < 0) return false;
  try {
    return (
      isXssFrom(input, S_DATA) ||
      isXssFrom(input, S_BEFORE_ATTRIBUTE_NAME) ||
      isXssFrom(input, S_VALUE_SINGLE_QUOTE) ||
      isXssFrom(input, S_VALUE_DOUBLE_QUOTE) ||
      isXssFrom(input, S_VALUE_BACK_QUOTE)
    );
  } finally {
    // Do not keep the request's bytes alive in the shared tokenizer.
    h5.s = "";
  }
}
