/**
 * XML body processor: checks that the body is well-formed XML 1.0 and collects what CRS targets as
 * `XML:/*` (text) and `XML://@*` (attribute values).
 *
 * libmodsecurity v3 parses with libxml2 and answers `XML:/*` with xmlNodeGetContent of the root,
 * one string of all text; Coraza (internal/bodyprocessors/xml.go) answers with each character-data
 * run, trimmed, empty ones dropped, and `XML://@*` with every attribute value. We give Coraza's
 * shape, which keeps a payload's position (one value per text node) and stays linear: `xmlText`
 * holds the text runs in document order (character data and CDATA between two tags, entity and
 * character references decoded, XML whitespace trimmed), and the variable `XML://@*` holds
 * [attribute name, value] pairs. On a malformed document both are empty, as v3 frees the tree.
 *
 * The parser is our own, small and single-pass, with an explicit element stack:
 * - only the five predefined entities and character references are expanded; a DOCTYPE is
 *   skipped, never fetched, and its entities are not expanded (a reference to one stays literal
 *   text), so "billion laughs" and external entities cannot happen;
 * - well-formedness errors as libxml2 reports them: mismatched or unclosed tags, a second root,
 *   text outside the root, `<` in attribute values, duplicate attributes, undefined entities,
 *   characters outside XML's Char production, bytes that are not UTF-8 (unless the declaration
 *   says ISO-8859-1, whose bytes are then re-encoded to UTF-8 as libxml2 does);
 * - line ends normalised (CRLF and CR become LF; in attribute values whitespace becomes a space,
 *   XML 1.0 §2.11 and §3.3.3); nesting deeper than libxml2's default 256 is an error.
 * Arguments: none (v3 fills ARGS from XML only with SecParseXmlIntoArgs, off by default).
 */
import type { BodyLimits, BodyParseResult, ByteString } from "../types.js";
import { registerBodyProcessor } from "./registry.js";
import { bodyResult } from "./result.js";
import { latin1ToUtf8, utf8Bytes, utf8SequenceLength } from "./utf8.js";

/** Variable holding attribute values (what `XML://@*` yields) as [attribute name, value]. */
export const XML_ATTRIBUTES_VARIABLE = "XML://@*";

/** libxml2's xmlParserMaxDepth without XML_PARSE_HUGE (ModSecurity does not set it). */
export const XML_MAX_DEPTH = 256;

const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

class XmlError {
  constructor(readonly message: string) {}
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x3a || c >= 0x80;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e;
}

function trimXmlSpace(s: ByteString): ByteString {
  let a = 0;
  let b = s.length;
  while (a < b && isXmlSpace(s.charCodeAt(a))) a++;
  while (b > a && isXmlSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Line ends as XML 1.0 §2.11: CRLF and lone CR become LF. */
function normalizeEol(s: ByteString): ByteString {
  return s.indexOf("\r") === -1 ? s : s.replace(/\r\n?/g, "\n");
}

class XmlParse {
  private readonly s: ByteString;
  private readonly n: number;
  private pos = 0;
  private latin1 = false;
  private hasDtd = false;
  readonly text: ByteString[] = [];
  readonly attrs: Array<[ByteString, ByteString]> = [];
  /** Current text run of the open element. */
  private run = "";
  /** Attribute name → serial of the element it was last seen on (duplicate check without a Set per element). */
  private readonly attrSeen = new Map<ByteString, number>();
  private elementSerial = 0;

  constructor(s: ByteString) {
    this.s = s;
    this.n = s.length;
  }

  private fail(message: string): never {
    throw new XmlError(message);
  }

  /** Raw document bytes as UTF-8 bytes (ISO-8859-1 documents are re-encoded). */
  private raw(from: number, to: number): ByteString {
    const part = this.s.slice(from, to);
    return this.latin1 ? latin1ToUtf8(part) : part;
  }

  parse(): void {
    const s = this.s;
    if (s.startsWith("\xfe\xff") || s.startsWith("\xff\xfe") || s.startsWith("\0<") || s.startsWith("<\0")) {
      this.fail("Unsupported encoding (UTF-16 or UCS-4 document)");
    }
    if (s.startsWith("\xef\xbb\xbf")) this.pos = 3;
    if (
      s.startsWith("<?xml", this.pos) &&
      (isXmlSpace(s.charCodeAt(this.pos + 5)) || s.startsWith("?>", this.pos + 5))
    ) {
      this.declaration();
    }
    this.checkChars(this.pos);
    this.misc(true);
    if (this.pos >= this.n) this.fail("Document is empty or has no root element");
    if (s.charCodeAt(this.pos) !== 0x3c || !isNameStart(s.charCodeAt(this.pos + 1))) {
      this.fail("Start tag expected, '<' not found");
    }
    this.root();
    this.misc(false);
    if (this.pos < this.n) this.fail("Extra content at the end of the document");
  }

  /** `<?xml version="1.0" encoding="..."?>`: checks the version, picks the byte decoding. */
  private declaration(): void {
    const end = this.s.indexOf("?>", this.pos + 5);
    if (end === -1) this.fail("XML declaration not terminated");
    const decl = this.s.slice(this.pos + 5, end);
    if (!/^\s+version\s*=\s*(["'])1\.[0-9]+\1/.test(decl))
      this.fail("Malformed declaration expecting version");
    const enc = /\sencoding\s*=\s*(["'])([A-Za-z][A-Za-z0-9._-]*)\1/.exec(decl);
    if (enc !== null) {
      const name = enc[2]!.toLowerCase();
      if (name === "iso-8859-1" || name === "latin1" || name === "iso_8859-1" || name === "l1")
        this.latin1 = true;
      else if (name !== "utf-8" && name !== "utf8" && name !== "us-ascii" && name !== "ascii") {
        this.fail(`Unsupported encoding ${enc[2]}`);
      }
    }
    this.pos = end + 2;
  }

  /** One pass over the bytes: XML's Char production, and UTF-8 unless the document is Latin-1. */
  private checkChars(from: number): void {
    const s = this.s;
    for (let i = from; i < this.n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20) {
        if (c !== 0x09 && c !== 0x0a && c !== 0x0d)
          this.fail(`Char 0x${c.toString(16)} out of allowed range`);
      } else if (c >= 0x80 && !this.latin1) {
        const len = utf8SequenceLength(s, i, true);
        if (len === 0) this.fail("Input is not proper UTF-8, indicate encoding !");
        i += len - 1;
      }
    }
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.n && isXmlSpace(this.s.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  private readName(): ByteString {
    const start = this.pos;
    if (this.pos < this.n && isNameStart(this.s.charCodeAt(this.pos))) {
      this.pos++;
      while (this.pos < this.n && isNameChar(this.s.charCodeAt(this.pos))) this.pos++;
    }
    return this.s.slice(start, this.pos);
  }

  /** Comments, PIs and whitespace around the root; the DOCTYPE before it. */
  private misc(beforeRoot: boolean): void {
    const s = this.s;
    for (;;) {
      this.skipSpace();
      if (s.startsWith("<!--", this.pos)) this.comment();
      else if (s.startsWith("<?", this.pos)) this.pi();
      else if (beforeRoot && !this.hasDtd && s.startsWith("<!DOCTYPE", this.pos)) this.doctype();
      else return;
    }
  }

  private comment(): void {
    const end = this.s.indexOf("--", this.pos + 4);
    if (end === -1) this.fail("Comment not terminated");
    if (this.s.charCodeAt(end + 2) !== 0x3e) this.fail("Double hyphen within comment");
    this.pos = end + 3;
  }

  private pi(): void {
    this.pos += 2;
    const target = this.readName();
    if (target === "") this.fail("xmlParsePI : no target name");
    if (target.toLowerCase() === "xml")
      this.fail("XML declaration allowed only at the start of the document");
    if (!this.s.startsWith("?>", this.pos) && !isXmlSpace(this.s.charCodeAt(this.pos))) {
      this.fail("ParsePI: PI target space expected");
    }
    const end = this.s.indexOf("?>", this.pos);
    if (end === -1) this.fail("ParsePI: PI not terminated");
    this.pos = end + 2;
  }

  /** Skips `<!DOCTYPE name ... [ internal subset ]>` without reading any declaration in it. */
  private doctype(): void {
    const s = this.s;
    this.pos += 9;
    if (!this.skipSpace()) this.fail("Space required after 'DOCTYPE'");
    if (this.readName() === "") this.fail("xmlParseDocTypeDecl : no DOCTYPE name !");
    let inSubset = false;
    while (this.pos < this.n) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x22 || c === 0x27) {
        const end = s.indexOf(s[this.pos]!, this.pos + 1);
        if (end === -1) break;
        this.pos = end + 1;
        continue;
      }
      if (inSubset && s.startsWith("<!--", this.pos)) {
        const end = s.indexOf("-->", this.pos + 4);
        if (end === -1) break;
        this.pos = end + 3;
        continue;
      }
      if (c === 0x5b) inSubset = true;
      else if (c === 0x5d) inSubset = false;
      else if (c === 0x3e && !inSubset) {
        this.pos++;
        this.hasDtd = true;
        return;
      }
      this.pos++;
    }
    this.fail("DOCTYPE improperly terminated");
  }

  /** `&...;` at pos: the replacement text as UTF-8 bytes. */
  private reference(): ByteString {
    const s = this.s;
    this.pos++;
    if (s.charCodeAt(this.pos) === 0x23) {
      const hex = s.charCodeAt(this.pos + 1) === 0x78;
      const start = this.pos + (hex ? 2 : 1);
      const end = s.indexOf(";", start);
      const digits = end === -1 || end - start > 8 ? "" : s.slice(start, end);
      if (!(hex ? /^[0-9A-Fa-f]+$/ : /^[0-9]+$/).test(digits)) this.fail("xmlParseCharRef: invalid value");
      const cp = Number.parseInt(digits, hex ? 16 : 10);
      const isChar =
        cp === 0x09 ||
        cp === 0x0a ||
        cp === 0x0d ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd) ||
        (cp >= 0x10000 && cp <= 0x10ffff);
      if (!isChar) this.fail(`xmlParseCharRef: invalid xmlChar value ${cp}`);
      this.pos = end + 1;
      return utf8Bytes(cp);
    }
    const name = this.readName();
    if (name === "") this.fail("xmlParseEntityRef: no name");
    if (s.charCodeAt(this.pos) !== 0x3b) this.fail("EntityRef: expecting ';'");
    this.pos++;
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    // Declared (or not) in a DTD we do not read: kept as written, never expanded.
    if (this.hasDtd) return `&${name};`;
    return this.fail(`Entity '${name}' not defined`);
  }

  /** An attribute value after its opening quote `q`. */
  private attributeValue(q: number): ByteString {
    const s = this.s;
    let out = "";
    let run = this.pos;
    for (;;) {
      if (this.pos >= this.n) this.fail("AttValue: ' expected");
      const c = s.charCodeAt(this.pos);
      if (c === q) {
        out += this.raw(run, this.pos);
        this.pos++;
        return out;
      }
      if (c === 0x3c) this.fail("Unescaped '<' not allowed in attributes values");
      if (c === 0x26) {
        out += this.raw(run, this.pos) + this.reference();
        run = this.pos;
      } else if (c === 0x09 || c === 0x0a || c === 0x0d) {
        out += `${this.raw(run, this.pos)} `;
        this.pos += c === 0x0d && s.charCodeAt(this.pos + 1) === 0x0a ? 2 : 1;
        run = this.pos;
      } else {
        this.pos++;
      }
    }
  }

  /** A start tag at pos (`<name attr="v" ...>` or `/>`); returns true when it is empty (`/>`). */
  private startTag(stack: ByteString[]): boolean {
    const s = this.s;
    this.pos++;
    const name = this.readName();
    if (name === "") this.fail("StartTag: invalid element name");
    const serial = ++this.elementSerial;
    for (;;) {
      const spaced = this.skipSpace();
      const c = s.charCodeAt(this.pos);
      if (c === 0x3e) {
        this.pos++;
        stack.push(name);
        if (stack.length > XML_MAX_DEPTH) this.fail(`Excessive depth in document: ${XML_MAX_DEPTH}`);
        return false;
      }
      if (c === 0x2f && s.charCodeAt(this.pos + 1) === 0x3e) {
        this.pos += 2;
        return true;
      }
      if (this.pos >= this.n) this.fail(`Couldn't find end of Start Tag ${name}`);
      if (!spaced) this.fail("attributes construct error");
      const attr = this.readName();
      if (attr === "") this.fail("attributes construct error");
      this.skipSpace();
      if (s.charCodeAt(this.pos) !== 0x3d) this.fail(`Specification mandates value for attribute ${attr}`);
      this.pos++;
      this.skipSpace();
      const q = s.charCodeAt(this.pos);
      if (q !== 0x22 && q !== 0x27) this.fail("AttValue: \" or ' expected");
      this.pos++;
      const value = this.attributeValue(q);
      if (this.attrSeen.get(attr) === serial) this.fail(`Attribute ${attr} redefined`);
      this.attrSeen.set(attr, serial);
      this.attrs.push([attr, value]);
    }
  }

  private flushText(): void {
    if (this.run === "") return;
    const t = trimXmlSpace(this.run);
    if (t !== "") this.text.push(t);
    this.run = "";
  }

  /** The root element and everything in it. */
  private root(): void {
    const s = this.s;
    const stack: ByteString[] = [];
    if (this.startTag(stack)) return;
    let from = this.pos;
    while (stack.length > 0) {
      if (this.pos >= this.n) this.fail(`Premature end of data in tag ${stack[stack.length - 1]}`);
      const c = s.charCodeAt(this.pos);
      if (c !== 0x3c && c !== 0x26) {
        if (c === 0x5d && s.startsWith("]]>", this.pos)) this.fail("Sequence ']]>' not allowed in content");
        this.pos++;
        continue;
      }
      this.run += normalizeEol(this.raw(from, this.pos));
      if (c === 0x26) {
        this.run += this.reference();
      } else if (s.charCodeAt(this.pos + 1) === 0x2f) {
        this.flushText();
        this.pos += 2;
        const name = this.readName();
        const open = stack.pop()!;
        if (name !== open) this.fail(`Opening and ending tag mismatch: ${open} and ${name}`);
        this.skipSpace();
        if (s.charCodeAt(this.pos) !== 0x3e) this.fail(`expected '>' after end tag ${name}`);
        this.pos++;
      } else if (s.startsWith("<!--", this.pos)) {
        this.flushText();
        this.comment();
      } else if (s.startsWith("<![CDATA[", this.pos)) {
        const end = s.indexOf("]]>", this.pos + 9);
        if (end === -1) this.fail("CData section not finished");
        this.run += normalizeEol(this.raw(this.pos + 9, end));
        this.pos = end + 3;
      } else if (s.charCodeAt(this.pos + 1) === 0x3f) {
        this.flushText();
        this.pi();
      } else if (isNameStart(s.charCodeAt(this.pos + 1))) {
        this.flushText();
        this.startTag(stack);
      } else {
        this.fail("StartTag: invalid element name");
      }
      from = this.pos;
    }
  }
}

/** The XML processor: well-formedness, text runs (`xmlText`) and attribute values. */
export function processXml(body: ByteString, _contentType: ByteString, _limits: BodyLimits): BodyParseResult {
  // No body, nothing to check: an empty request is not a malformed document (as for JSON).
  if (body.length === 0)
    return bodyResult({ xmlText: [], variables: new Map([[XML_ATTRIBUTES_VARIABLE, []]]) });
  const p = new XmlParse(body);
  try {
    p.parse();
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    return bodyResult({
      error: `XML parsing error: ${err.message}`,
      xmlText: [],
      variables: new Map([[XML_ATTRIBUTES_VARIABLE, []]]),
    });
  }
  return bodyResult({ xmlText: p.text, variables: new Map([[XML_ATTRIBUTES_VARIABLE, p.attrs]]) });
}

registerBodyProcessor("XML", processXml);
