/**
 * SecLang lexing: text -> logical lines -> arguments.
 *
 * Lines are read as Coraza's parser reads them (internal/seclang/parser.go, parseString): each
 * physical line is trimmed, blank lines and lines starting with # are skipped (also inside a
 * continuation), a line ending in a backslash continues on the next one, whose leading whitespace
 * is dropped. CRLF files work because \r is trimmed with the other whitespace.
 *
 * Arguments are split as Apache's ap_getword_conf and libmodsecurity's scanner do: bare words end
 * at whitespace; words quoted with " or ' run to the matching unescaped quote. Inside quotes a
 * backslash before the quote character stands for the quote; `\\` is kept as written (two chars)
 * so that the quote after it closes the string (the parity rule of libmodsecurity's
 * FREE_TEXT_DOUBLE_QUOTE_MACRO_EXPANSION and Coraza's cutQuotedString); every other backslash is
 * kept as written so regexes survive.
 */
import { WafError } from "../errors.js";
import type { SourceLocation } from "../types.js";

export interface LogicalLine {
  /** The joined text, continuations resolved. */
  readonly text: string;
  /** Offsets in `text` where each physical line begins (the first is 0). */
  readonly starts: readonly number[];
  /** The 1-based physical line number of each entry of `starts`. */
  readonly lines: readonly number[];
}

export interface Token {
  readonly value: string;
  /** The quote character the argument was written in, or "" for a bare word. */
  readonly quote: '"' | "'" | "";
  /** Offset of the token's first character in the logical line. */
  readonly offset: number;
}

function isBlank(c: number): boolean {
  // Space, tab, \v, \f, \r: ASCII only, so that latin1 byte 0xA0 inside a rule is not eaten.
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 13;
}

/** Splits a file into logical lines. Never throws. */
export function logicalLines(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  let buf = "";
  let starts: number[] = [];
  let lines: number[] = [];
  let open = false;
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  // A UTF-8 byte order mark (read as latin1 or as UTF-8) is skipped, as Apache's config reader does.
  if (text.startsWith("\xef\xbb\xbf")) pos = 3;
  else if (text.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos <= n) {
    let nl = text.indexOf("\n", pos);
    if (nl < 0) nl = n;
    lineNo++;
    let a = pos;
    let b = nl;
    pos = nl + 1;
    while (a < b && isBlank(text.charCodeAt(a))) a++;
    while (b > a && isBlank(text.charCodeAt(b - 1))) b--;
    if (a === b || text.charCodeAt(a) === 35 /* # */) continue;
    if (!open) {
      buf = "";
      starts = [0];
      lines = [lineNo];
    } else {
      starts.push(buf.length);
      lines.push(lineNo);
    }
    if (text.charCodeAt(b - 1) === 92 /* \ */) {
      buf += text.slice(a, b - 1);
      open = true;
    } else {
      buf += text.slice(a, b);
      out.push({ text: buf, starts, lines });
      open = false;
    }
  }
  // A file that ends inside a continuation still yields what it holds.
  if (open && buf.length > 0) out.push({ text: buf, starts, lines });
  return out;
}

/** The physical line of an offset in a logical line. */
export function lineAt(line: LogicalLine, offset: number): number {
  let k = 0;
  const s = line.starts;
  while (k + 1 < s.length && (s[k + 1] as number) <= offset) k++;
  return line.lines[k] as number;
}

/**
 * Splits a logical line into arguments, starting at `from`. `what` names the directive for errors.
 */
export function tokenize(line: LogicalLine, from: number, file: string, what: string): Token[] {
  const text = line.text;
  const n = text.length;
  const out: Token[] = [];
  let i = from;
  for (;;) {
    while (i < n && isBlank(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === 34 || c === 39) {
      const q = c === 34 ? '"' : "'";
      let j = i + 1;
      let value = "";
      let seg = j;
      for (;;) {
        if (j >= n) {
          const loc: SourceLocation = { file, line: lineAt(line, i) };
          throw new WafError(
            "WAF_PARSE",
            `${what}: unterminated ${q} quote in argument ${out.length + 1}`,
            loc,
            {
              hint: `close the quote; write a quote inside the argument as \\${q}`,
            },
          );
        }
        const ch = text.charCodeAt(j);
        if (ch === 92 && j + 1 < n) {
          const nx = text.charCodeAt(j + 1);
          if (nx === c) {
            value += text.slice(seg, j) + q;
            j += 2;
            seg = j;
          } else j += nx === 92 ? 2 : 1;
          continue;
        }
        if (ch === c) break;
        j++;
      }
      value += text.slice(seg, j);
      out.push({ value, quote: q, offset: i });
      i = j + 1;
    } else {
      const start = i;
      while (i < n && !isBlank(text.charCodeAt(i))) i++;
      out.push({ value: text.slice(start, i), quote: "", offset: start });
    }
  }
  return out;
}
