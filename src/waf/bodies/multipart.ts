/**
 * MULTIPART body processor: multipart/form-data bodies become ARGS_POST (form fields), FILES
 * (uploads) and the MULTIPART_* flags CRS checks (920120, 922100–922150, 200003's
 * MULTIPART_STRICT_ERROR).
 *
 * A port of libmodsecurity v3's src/request_body_processor/multipart.cc (init, process,
 * process_part_header, parse_content_disposition, process_boundary, multipart_complete). The body
 * is cut into "lines" exactly as v3 fills its 4096-byte buffer (MULTIPART_BUF_SIZE): a line ends at
 * LF, at 4096 bytes, or before a CR that would be the buffer's last byte; only a line that follows
 * a LF may be a boundary. Flags, error cases and messages follow v3. Where we differ on purpose:
 * - a form field spanning several lines keeps its inner line breaks (v2 behaviour; v3 at the
 *   reference commit loses the reserved CRLF, so `a\r\nb` would read `ab` and header-injection
 *   payloads in fields would be missed);
 * - the first error is kept as the message (v3 overwrites most with "Final boundary missing.");
 * - `boundary=` and `boundary=""` are errors (v3 returns from init without an error there, leaving
 *   the body unparsed and REQBODY_ERROR = 0);
 * - part header names with bytes outside 0x21–0x7E are an error, as newer engines do (CRS 922130's
 *   test accepts either that error or the rule match);
 * - `filename*=charset'lang'pct-encoded` (RFC 5987/6266) is decoded and wins over `filename`;
 * - MULTIPART_FILE_LIMIT_EXCEEDED stays 0: v3 applies SecUploadFileLimit only to files it writes to
 *   disk, and Rampart writes none.
 * Runs in one pass over the body; every search is bounded or its result cached, so time is linear.
 */
import type { BodyLimits, BodyParseResult, ByteString, UploadedFile } from "../types.js";
import { registerBodyProcessor } from "./registry.js";
import { type BodyVariableValue, bodyResult, TOO_MANY_ARGUMENTS } from "./result.js";

/** v3's MULTIPART_BUF_SIZE: the longest line it looks at in one piece. */
const BUF_SIZE = 4096;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const QUOTE = 0x22;
const APOS = 0x27;

/** C isspace(): SP, HT, LF, VT, FF, CR. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** RFC 2046 bchars as v3's boundary_characters_valid: space allowed, but not last. */
function boundaryCharsValid(b: ByteString): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    const ok =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      (c === 0x20 && i + 1 < b.length) ||
      c === 0x27 ||
      c === 0x28 ||
      c === 0x29 ||
      c === 0x2b ||
      c === 0x5f ||
      c === 0x2c ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x2f ||
      c === 0x3a ||
      c === 0x3d ||
      c === 0x3f;
    if (!ok) return false;
  }
  return true;
}

/** RFC 2045 token characters as v3's is_token_char. */
function isTokenChar(c: number): boolean {
  if (c <= 32 || c >= 127) return false;
  switch (c) {
    case 0x28: // (
    case 0x29: // )
    case 0x3c: // <
    case 0x3e: // >
    case 0x40: // @
    case 0x2c: // ,
    case 0x3b: // ;
    case 0x3a: // :
    case 0x5c: // backslash
    case 0x22: // "
    case 0x2f: // /
    case 0x5b: // [
    case 0x5d: // ]
    case 0x3f: // ?
    case 0x3d: // =
      return false;
  }
  return true;
}

/** v3's count_boundary_params: "boundary" occurrences (any case) followed somewhere by '='. */
function countBoundaryParams(s: ByteString): number {
  const lower = s.toLowerCase();
  const lastEq = lower.lastIndexOf("=");
  let count = 0;
  let at = lower.indexOf("boundary");
  while (at !== -1) {
    if (lastEq > at + 7) count++;
    at = lower.indexOf("boundary", at + 8);
  }
  return count;
}

/** C string view: everything before the first NUL byte. */
function cString(s: ByteString): ByteString {
  const z = s.indexOf("\0");
  return z === -1 ? s : s.slice(0, z);
}

/** Drops trailing CR/LF unless the string is made of nothing else (v3's utils::string::chomp). */
function chomp(s: ByteString): ByteString {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === LF || s.charCodeAt(end - 1) === CR)) end--;
  return end === 0 ? s : s.slice(0, end);
}

/** Strict %XX decoding of an RFC 5987 ext-value; undefined when malformed. */
function decodeExtValue(v: ByteString): ByteString | undefined {
  const first = v.indexOf("'");
  const second = first === -1 ? -1 : v.indexOf("'", first + 1);
  if (second === -1) return undefined;
  const enc = v.slice(second + 1);
  let out = "";
  for (let i = 0; i < enc.length; i++) {
    const c = enc.charCodeAt(i);
    if (c !== 0x25) {
      out += enc[i];
      continue;
    }
    const hex = enc.slice(i + 1, i + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
    out += String.fromCharCode(Number.parseInt(hex, 16));
    i += 2;
  }
  return out;
}

interface Part {
  name: ByteString;
  filename: ByteString;
  filenameStar: ByteString | undefined;
  isFile: boolean;
  /** Part headers in order: [name as sent, value] (folded lines joined with a space). */
  readonly headers: Array<[ByteString, ByteString]>;
  lastHeader: number;
  /** Body offsets of the part's data: [dataStart, dataEnd), -1 while no data line came. */
  dataStart: number;
  dataEnd: number;
}

function newPart(): Part {
  return {
    name: "",
    filename: "",
    filenameStar: undefined,
    isFile: false,
    headers: [],
    lastHeader: -1,
    dataStart: -1,
    dataEnd: -1,
  };
}

function findHeader(part: Part, lowerName: string): number {
  for (let i = 0; i < part.headers.length; i++) {
    if (part.headers[i]![0].toLowerCase() === lowerName) return i;
  }
  return -1;
}

/** One multipart parse; fields mirror v3's Multipart members (m_flag_*). */
class MultipartParse {
  private readonly body: ByteString;
  private boundary: ByteString = "";
  private dashBoundary: ByteString = "";
  error: string | undefined;

  flagError = false;
  dataBefore = false;
  dataAfter = false;
  headerFolding = false;
  boundaryQuoted = false;
  lfLine = false;
  crlfLine = false;
  unmatchedBoundary = 0;
  boundaryWhitespace = false;
  missingSemicolon = false;
  invalidQuoting = false;
  invalidPart = false;
  invalidHeaderFolding = false;

  private seenData = false;
  isComplete = false;
  private boundaryCount = 0;
  private part: Part | null = null;
  /** 0: reading part headers, 1: reading part data. */
  private partState = 0;
  readonly parts: Part[] = [];
  readonly multipartNames: Array<[ByteString, ByteString]> = [];
  readonly multipartFilenames: Array<[ByteString, ByteString]> = [];

  // Cached "next occurrence at or after" positions that keep every search linear overall.
  private nextLf = -2;
  private nextNul = -2;
  private nextDashBoundary = -2;

  constructor(body: ByteString) {
    this.body = body;
  }

  private fail(message: string): false {
    this.flagError = true;
    if (this.error === undefined) this.error = message;
    return false;
  }

  /** v3 Multipart::init: the boundary from the Content-Type header. */
  init(contentTypeRaw: ByteString): boolean {
    // The header is a C string in v3: a NUL ends it.
    const header = cString(contentTypeRaw);
    if (header === "") return this.fail("Multipart: Content-Type header not available.");
    if (header.length > 1024) return this.fail("Multipart: Invalid boundary in C-T (length).");
    if (header.slice(0, 19).toLowerCase() !== "multipart/form-data")
      return this.fail("Multipart: Invalid MIME type.");
    if (countBoundaryParams(header) > 1) return this.fail("Multipart: Multiple boundary parameters in C-T.");

    const at = header.indexOf("boundary");
    if (at === -1) {
      // RFC 2045 allows "BOUNDARY" but v3 does not; it says why it refused.
      if (countBoundaryParams(header) > 0)
        return this.fail("Multipart: Invalid boundary in C-T (case sensitivity).");
      return this.fail("Multipart: Boundary not found in C-T.");
    }
    let seenSemicolon = false;
    for (let p = 19; p < at; p++) {
      const c = header.charCodeAt(p);
      if (isSpace(c)) continue;
      if (!seenSemicolon && c === 0x3b) seenSemicolon = true;
      else return this.fail("Multipart: Invalid boundary in C-T (malformed).");
    }
    if (!seenSemicolon) this.missingSemicolon = true;

    const eq = header.indexOf("=", at + 8);
    if (eq === -1) return this.fail("Multipart: Invalid boundary in C-T (malformed).");
    for (let p = at + 8; p < eq; p++) {
      if (isSpace(header.charCodeAt(p))) this.boundaryWhitespace = true;
      else return this.fail("Multipart: Invalid boundary in C-T (parameter name).");
    }
    const b = header.slice(eq + 1);
    if (b.length > 0 && isSpace(b.charCodeAt(0))) this.boundaryWhitespace = true;
    let boundary: ByteString;
    if (b.length >= 2 && b.charCodeAt(0) === QUOTE && b.charCodeAt(b.length - 1) === QUOTE) {
      boundary = b.slice(1, -1);
      this.boundaryQuoted = true;
    } else {
      if (b.charCodeAt(0) === QUOTE || (b.length >= 2 && b.charCodeAt(b.length - 1) === QUOTE)) {
        return this.fail("Multipart: Invalid boundary in C-T (quote).");
      }
      boundary = b;
    }
    if (boundary === "") return this.fail("Multipart: Invalid boundary in C-T (empty).");
    if (countBoundaryParams(boundary) !== 0)
      return this.fail("Multipart: Invalid boundary in C-T (content).");
    if (!boundaryCharsValid(boundary)) return this.fail("Multipart: Invalid boundary in C-T (characters).");
    this.boundary = boundary;
    this.dashBoundary = `--${boundary}`;
    return true;
  }

  /** v3 Multipart::process over the whole body; returns the bytes left in the buffer at the end. */
  process(): { start: number; containsLine: boolean } | undefined {
    const body = this.body;
    const n = body.length;
    if (n === 0) return undefined;
    this.seenData = true;
    let pos = 0;
    let containsLine = true;
    while (pos < n) {
      if (this.nextLf !== -1 && this.nextLf < pos) this.nextLf = body.indexOf("\n", pos);
      const lf = this.nextLf;
      let end: number;
      let cutBeforeCr = false;
      if (lf !== -1 && lf - pos <= BUF_SIZE - 1) {
        end = lf + 1;
      } else if (pos + BUF_SIZE - 1 < n && body.charCodeAt(pos + BUF_SIZE - 1) === CR) {
        // v3 does not take a CR as the buffer's last byte: it flushes first.
        end = pos + BUF_SIZE - 1;
        cutBeforeCr = true;
      } else if (pos + BUF_SIZE <= n) {
        end = pos + BUF_SIZE;
      } else {
        // A partial line stays in v3's buffer; multipart_complete may still take it as the final boundary.
        return { start: pos, containsLine };
      }
      const full = end - pos === BUF_SIZE;
      if (!this.line(pos, end, containsLine, full || cutBeforeCr)) return undefined;
      containsLine = !cutBeforeCr && body.charCodeAt(end - 1) === LF;
      pos = end;
      if (this.isComplete && pos < n) {
        this.dataAfter = true;
        return undefined;
      }
    }
    return undefined;
  }

  private at(i: number, end: number): number {
    return i < end ? this.body.charCodeAt(i) : 0;
  }

  /** Length of the line as C's strlen sees it (up to the first NUL). */
  private cLength(start: number, end: number): number {
    if (this.nextNul !== -1 && this.nextNul < start) this.nextNul = this.body.indexOf("\0", start);
    return this.nextNul !== -1 && this.nextNul < end ? this.nextNul - start : end - start;
  }

  /** Whether the boundary starts at `p` and lies inside the line. */
  private boundaryAt(p: number, end: number): boolean {
    return p + this.boundary.length <= end && this.body.startsWith(this.boundary, p);
  }

  /** One buffer flush of v3's process loop: body[start, end). */
  private line(start: number, end: number, containsLine: boolean, overlong: boolean): boolean {
    const body = this.body;
    const blen = this.boundary.length;
    const clen = this.cLength(start, end);
    let processedAsBoundary = false;
    if (containsLine && clen > 3 && body.charCodeAt(start) === DASH && body.charCodeAt(start + 1) === DASH) {
      if (clen >= blen + 2 && body.startsWith(this.boundary, start + 2)) {
        let be = start + 2 + blen;
        // v3 sets 2 on every boundary after the first: "!@eq 0" rules still see it, "@eq 1" does not.
        if (this.boundaryCount > 0) this.unmatchedBoundary = 2;
        let isFinal = false;
        if (this.at(be, end) === DASH && this.at(be + 1, end) === DASH) {
          isFinal = true;
          be += 2;
          if (this.isComplete) return this.fail("Multipart: Invalid boundary (final duplicate).");
        }
        const c0 = this.at(be, end);
        const c1 = this.at(be + 1, end);
        if ((c0 === CR && c1 === LF && this.at(be + 2, end) === 0) || (c0 === LF && c1 === 0)) {
          if (c0 === LF) this.lfLine = true;
          else this.crlfLine = true;
          this.processBoundary(isFinal);
          if (isFinal) this.isComplete = true;
          processedAsBoundary = true;
          this.boundaryCount++;
        } else {
          return this.fail(`Multipart: Invalid boundary: ${cString(body.slice(start, end))}`);
        }
      } else {
        if (
          this.boundaryQuoted &&
          clen >= blen + 3 &&
          body.charCodeAt(start + 2) === QUOTE &&
          body.startsWith(this.boundary, start + 3)
        ) {
          return this.fail("Multipart: Invalid boundary (quotes).");
        }
        let p = start + 2;
        while (isSpace(this.at(p, end))) p++;
        if (p !== start + 2 && this.boundaryAt(p, end))
          return this.fail("Multipart: Invalid boundary (whitespace).");
        this.unmatchedBoundary = 1;
      }
    } else if (containsLine) {
      // Something that resembles a boundary inside a line.
      if (this.nextDashBoundary !== -1 && this.nextDashBoundary < start) {
        this.nextDashBoundary = body.indexOf(this.dashBoundary, start);
      }
      const d = this.nextDashBoundary;
      if (d !== -1 && d + this.dashBoundary.length <= end) this.unmatchedBoundary = 1;
    }

    if (processedAsBoundary) return true;
    if (this.part === null) {
      this.dataBefore = true;
      return true;
    }
    if (this.partState === 0) {
      if (overlong) return this.fail(`Multipart: Part header line over ${BUF_SIZE} bytes long`);
      return this.partHeader(this.part, start, end);
    }
    this.partData(this.part, start, end);
    return true;
  }

  /** v3 process_part_header: one header line, or the empty line that ends the headers. */
  private partHeader(part: Part, start: number, end: number): boolean {
    const body = this.body;
    const len = end - start;
    if (this.cLength(start, end) !== len) return this.fail("Multipart: Nul byte in part headers.");
    if (len > 1 && body.charCodeAt(end - 2) === CR) this.crlfLine = true;
    else this.lfLine = true;

    const line = body.slice(start, end);
    if (line === "\r\n" || line === "\n") return this.endOfHeaders(part);

    if (isSpace(line.charCodeAt(0))) {
      // Header folding (RFC 2557 allows SP/HT; PHP takes any whitespace, so v3 accepts with a flag).
      this.headerFolding = true;
      if (part.lastHeader === -1) return this.fail("Multipart: Invalid part header (folding error).");
      let p = 0;
      while (p < line.length && isSpace(line.charCodeAt(p))) {
        const c = line.charCodeAt(p);
        if (c !== 0x09 && c !== 0x20) this.invalidHeaderFolding = true;
        p++;
      }
      const header = part.headers[part.lastHeader]!;
      header[1] = `${header[1]} ${chomp(line.slice(p))}`;
      if (header[1].length > BUF_SIZE) return this.fail("Multipart: Part header too long.");
      return true;
    }

    const colon = line.indexOf(":");
    if (colon === -1) return this.fail(`Multipart: Invalid part header (colon missing): ${line}`);
    if (colon === 0) return this.fail("Multipart: Invalid part header (header name missing).");
    const name = line.slice(0, colon);
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c < 0x21 || c > 0x7e)
        return this.fail("Multipart: Invalid part header (contains invalid character).");
    }
    let p = colon + 1;
    while (p < line.length && (line.charCodeAt(p) === 0x20 || line.charCodeAt(p) === 0x09)) p++;
    const value = chomp(line.slice(p));
    if (findHeader(part, name.toLowerCase()) !== -1)
      return this.fail(`Multipart: Duplicate part header: ${name}.`);
    part.headers.push([name, value]);
    part.lastHeader = part.headers.length - 1;
    return true;
  }

  private endOfHeaders(part: Part): boolean {
    const cd = findHeader(part, "content-disposition");
    if (cd === -1) return this.fail("Multipart: Part missing Content-Disposition header.");
    const value = part.headers[cd]![1];
    const rc = this.parseContentDisposition(part, value);
    if (rc < 0) return this.fail(`Multipart: Invalid Content-Disposition header (${rc}): ${value}`);
    if (part.name === "") return this.fail("Multipart: Content-Disposition header missing name field.");
    if (part.filenameStar !== undefined) part.filename = part.filenameStar;
    if (part.filename !== "") {
      // Some parsers find name and filename crudely; refuse what they would not have understood.
      if (!value.includes("filename=") && !value.includes("filename*=")) {
        return this.fail("Multipart: Invalid Content-Disposition header (filename).");
      }
      part.isFile = true;
    }
    this.partState = 1;
    part.lastHeader = -1;
    return true;
  }

  /** v3 validate_quotes: a single quote in a name or filename is suspicious. */
  private validateQuotes(v: ByteString): void {
    if (v.includes("'")) this.invalidQuoting = true;
  }

  /** v3 parse_content_disposition; returns v3's codes (negative = invalid). */
  private parseContentDisposition(part: Part, cd: ByteString): number {
    const n = cd.length;
    const at = (i: number): number => (i < n ? cd.charCodeAt(i) : 0);
    if (!cd.startsWith("form-data")) return -1;
    let p = 9;
    while (at(p) === 0x09 || at(p) === 0x20) p++;
    if (p >= n) return 1;
    if (at(p) !== 0x3b) return -2;
    p++;
    while (p < n) {
      while (at(p) === 0x09 || at(p) === 0x20) p++;
      if (p >= n) return -3;
      let start = p;
      while (p < n && at(p) !== 0x3d && at(p) !== 0x09 && at(p) !== 0x20) p++;
      if (p >= n) return -4;
      const name = cd.slice(start, p);
      while (at(p) === 0x09 || at(p) === 0x20) p++;
      if (p >= n) return -5;
      if (at(p) !== 0x3d) return -13;
      p++;
      while (at(p) === 0x09 || at(p) === 0x20) p++;
      if (p >= n) return -6;

      let value = "";
      const q = at(p);
      if (q === QUOTE || q === APOS) {
        // Both quotes accepted as some backends do, but ' is flagged (MULTIPART_INVALID_QUOTING).
        if (q === APOS) this.invalidQuoting = true;
        p++;
        if (p >= n) return -7;
        let run = p;
        while (p < n) {
          const c = at(p);
          if (c === 0x5c) {
            if (p + 1 >= n) return -8;
            const next = at(p + 1);
            // Only the quote and backslash are escapes; IE sends other backslashes unescaped, kept as is.
            if (next === q || next === 0x5c) {
              value += cd.slice(run, p);
              p++;
              run = p;
            }
          } else if (c === q) {
            break;
          }
          p++;
        }
        value += cd.slice(run, p);
        p++; // the closing quote
      } else {
        start = p;
        while (p < n && isTokenChar(at(p))) p++;
        value = cd.slice(start, p);
      }

      if (name === "name") {
        this.validateQuotes(value);
        this.multipartNames.push([value, value]);
        if (part.name !== "") return -14;
        part.name = value;
      } else if (name === "filename") {
        this.validateQuotes(value);
        this.multipartFilenames.push([value, value]);
        if (part.filename !== "") return -15;
        part.filename = value;
      } else if (name === "filename*") {
        const decoded = decodeExtValue(value);
        if (decoded === undefined) return -16;
        this.validateQuotes(decoded);
        this.multipartFilenames.push([decoded, decoded]);
        if (part.filenameStar !== undefined) return -15;
        part.filenameStar = decoded;
      } else {
        return -11;
      }

      if (p < n) {
        while (at(p) === 0x09 || at(p) === 0x20) p++;
        if (p >= n) return 1;
        if (at(p) !== 0x3b) {
          const prev = at(p - 1);
          if (prev === APOS || prev === QUOTE) this.invalidQuoting = true;
          return -12;
        }
        p++;
      }
    }
    return 1;
  }

  /**
   * v3 process_part_data: a line ending (CRLF or LF) is held back in case a boundary follows, so a
   * part's data is body[dataStart, dataEnd) with only the line ending before the boundary removed.
   */
  private partData(part: Part, start: number, end: number): void {
    let reserved = 0;
    if (end - start >= 1 && this.body.charCodeAt(end - 1) === LF) {
      reserved = end - start >= 2 && this.body.charCodeAt(end - 2) === CR ? 2 : 1;
    }
    if (part.dataStart === -1) part.dataStart = start;
    part.dataEnd = end - reserved;
  }

  /** v3 process_boundary: keep the finished part (when named), start the next one. */
  private processBoundary(last: boolean): void {
    if (this.part !== null) {
      if (this.part.name !== "") this.parts.push(this.part);
      else this.invalidPart = true;
      this.part = null;
    }
    if (!last) {
      this.part = newPart();
      this.partState = 0;
    }
  }

  /** v3 multipart_complete's check for a final boundary left in the buffer without a line ending. */
  finish(leftover: { start: number; containsLine: boolean } | undefined): boolean {
    if (!this.seenData || this.isComplete || this.error !== undefined) return this.error === undefined;
    if (this.boundaryCount === 0) return this.fail("Multipart: No boundaries found in payload.");
    if (
      leftover?.containsLine === true &&
      this.body.length - leftover.start === 4 + this.boundary.length &&
      this.body.startsWith(`${this.dashBoundary}--`, leftover.start)
    ) {
      this.processBoundary(true);
      this.isComplete = true;
      return true;
    }
    // Not a strict-error flag in v3: MULTIPART_STRICT_ERROR is computed before this check.
    if (this.error === undefined) this.error = "Multipart: Final boundary missing.";
    return false;
  }

  strictError(): boolean {
    return (
      this.flagError ||
      this.boundaryQuoted ||
      this.boundaryWhitespace ||
      this.dataBefore ||
      this.dataAfter ||
      this.headerFolding ||
      this.lfLine ||
      this.missingSemicolon ||
      this.invalidQuoting ||
      this.invalidPart ||
      this.invalidHeaderFolding
    );
  }
}

const flag = (b: boolean): ByteString => (b ? "1" : "0");

/** The MULTIPART processor. `contentType` is the request's Content-Type header value. */
export function processMultipart(
  body: ByteString,
  contentType: ByteString,
  limits: BodyLimits,
): BodyParseResult {
  const mp = new MultipartParse(body);
  let leftover: { start: number; containsLine: boolean } | undefined;
  if (mp.init(contentType)) leftover = mp.process();
  // Flags are read before the final-boundary check, as v3's multipart_complete sets them first.
  const strict = mp.strictError();
  const complete = mp.finish(leftover);

  const variables = new Map<string, BodyVariableValue>([
    ["MULTIPART_UNMATCHED_BOUNDARY", String(mp.unmatchedBoundary)],
    ["MULTIPART_DATA_BEFORE", flag(mp.dataBefore)],
    ["MULTIPART_DATA_AFTER", flag(mp.dataAfter)],
    ["MULTIPART_BOUNDARY_QUOTED", flag(mp.boundaryQuoted)],
    ["MULTIPART_BOUNDARY_WHITESPACE", flag(mp.boundaryWhitespace)],
    ["MULTIPART_HEADER_FOLDING", flag(mp.headerFolding)],
    ["MULTIPART_LF_LINE", flag(mp.lfLine)],
    ["MULTIPART_CRLF_LF_LINES", flag(mp.crlfLine && mp.lfLine)],
    ["MULTIPART_MISSING_SEMICOLON", flag(mp.missingSemicolon)],
    ["MULTIPART_INVALID_QUOTING", flag(mp.invalidQuoting)],
    ["MULTIPART_INVALID_PART", flag(mp.invalidPart)],
    ["MULTIPART_INVALID_HEADER_FOLDING", flag(mp.invalidHeaderFolding)],
    ["MULTIPART_FILE_LIMIT_EXCEEDED", "0"],
    ["MULTIPART_STRICT_ERROR", flag(strict)],
    ["MULTIPART_NAME", mp.multipartNames],
    ["MULTIPART_FILENAME", mp.multipartFilenames],
  ]);
  const prefix = "Multipart parsing error: ";
  if (!complete) {
    variables.set("MULTIPART_PART_HEADERS", []);
    return bodyResult({ error: prefix + (mp.error ?? "Multipart: Final boundary missing."), variables });
  }

  const args: Array<[ByteString, ByteString]> = [];
  const files: UploadedFile[] = [];
  const partHeaders: Array<[ByteString, ByteString]> = [];
  let error: string | undefined;
  for (const part of mp.parts) {
    for (const [h, v] of part.headers) partHeaders.push([part.name, `${h}: ${v}`]);
    if (part.isFile) {
      const ct = findHeader(part, "content-type");
      files.push({
        name: part.name,
        filename: part.filename,
        size: part.dataStart === -1 ? 0 : part.dataEnd - part.dataStart,
        contentType: ct === -1 ? undefined : part.headers[ct]![1],
      });
    } else if (error === undefined) {
      if (args.length >= limits.maxArgs) error = TOO_MANY_ARGUMENTS;
      else args.push([part.name, part.dataStart === -1 ? "" : body.slice(part.dataStart, part.dataEnd)]);
    }
  }
  variables.set("MULTIPART_PART_HEADERS", partHeaders);
  return bodyResult({ args, files, error, variables });
}

registerBodyProcessor("MULTIPART", processMultipart);
