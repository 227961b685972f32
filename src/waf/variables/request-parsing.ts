/**
 * How a raw request line and headers become ModSecurity variables, following libmodsecurity v3
 * (src/transaction.cc: processURI, extractArguments, addRequestHeader's cookie split). Byte strings
 * in, byte strings out; never throws.
 */
import type { ByteString } from "../types.js";

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decoding as v3's `utils::urldecode_nonstrict_inplace`: a `%` not followed by two hex
 * digits is kept as is; `+` becomes a space only when `plusAsSpace` (query and form data, not paths).
 */
export function percentDecode(s: ByteString, plusAsSpace: boolean): ByteString {
  if (s.indexOf("%") === -1 && (!plusAsSpace || s.indexOf("+") === -1)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 && i + 2 < s.length) {
      const h = hexValue(s.charCodeAt(i + 1));
      const l = hexValue(s.charCodeAt(i + 2));
      if (h >= 0 && l >= 0) {
        out += String.fromCharCode(h * 16 + l);
        i += 2;
        continue;
      }
    }
    out += plusAsSpace && c === 0x2b ? " " : s[i];
  }
  return out;
}

export interface ParsedTarget {
  /** Path and query with any `scheme://authority` prefix removed. */
  readonly relative: ByteString;
  /** Raw path (before `?`). */
  readonly path: ByteString;
  /** Raw query string (after the first `?`), "" when absent. */
  readonly query: ByteString;
  readonly hasQuery: boolean;
}

/**
 * Splits a request target. An absolute-form target (`GET http://host/p?q HTTP/1.1`, RFC 9112 §3.2.2)
 * loses its scheme and authority as v3 does, so REQUEST_FILENAME is the path in both forms.
 */
export function parseRequestTarget(target: ByteString): ParsedTarget {
  let relative = target;
  if (target.length > 0 && target.charCodeAt(0) !== 0x2f) {
    const scheme = target.indexOf("://");
    if (scheme > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(target.slice(0, scheme))) {
      const slash = target.indexOf("/", scheme + 3);
      const q = target.indexOf("?", scheme + 3);
      if (slash === -1 || (q !== -1 && q < slash)) relative = `/${q === -1 ? "" : target.slice(q)}`;
      else relative = target.slice(slash);
    }
  }
  const hash = relative.indexOf("#");
  const noFragment = hash === -1 ? relative : relative.slice(0, hash);
  const qm = noFragment.indexOf("?");
  if (qm === -1) return { relative, path: noFragment, query: "", hasQuery: false };
  return { relative, path: noFragment.slice(0, qm), query: noFragment.slice(qm + 1), hasQuery: true };
}

/** `a=1&b=2` → pairs, names and values decoded (`+` is a space). Empty pieces are skipped. */
export function parseQuery(text: ByteString, separator: string): Array<[ByteString, ByteString]> {
  const out: Array<[ByteString, ByteString]> = [];
  if (text === "") return out;
  for (const piece of text.split(separator)) {
    if (piece === "") continue;
    const eq = piece.indexOf("=");
    if (eq === -1) out.push([percentDecode(piece, true), ""]);
    else out.push([percentDecode(piece.slice(0, eq), true), percentDecode(piece.slice(eq + 1), true)]);
  }
  return out;
}

/**
 * A Cookie header as v3 splits it: on `;`, trailing space of the last pair dropped, key left-trimmed,
 * value kept verbatim (not URL-decoded), pairs with an empty key skipped.
 */
export function parseCookies(header: ByteString): Array<[ByteString, ByteString]> {
  const out: Array<[ByteString, ByteString]> = [];
  const parts = header.split(";");
  const last = parts.length - 1;
  parts[last] = parts[last]!.replace(/[ \t\r\n\v\f]+$/, "");
  for (const c of parts) {
    if (c === "") continue;
    const eq = c.indexOf("=");
    const key = (eq === -1 ? c : c.slice(0, eq)).replace(/^[ \t\r\n\v\f]+/, "");
    if (key === "") continue;
    out.push([key, eq === -1 ? "" : c.slice(eq + 1)]);
  }
  return out;
}

/** Basename as v3: what follows the last `/` or `\`; the whole path when it has neither. */
export function basename(path: ByteString): ByteString {
  const at = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return at === -1 ? path : path.slice(at + 1);
}

/**
 * The body processor a Content-Type selects by itself: v3 and Coraza pick URLENCODED and MULTIPART
 * when the header is added; XML and JSON need ctl:requestBodyProcessor.
 */
export function processorForContentType(contentType: ByteString): string | undefined {
  const ct = contentType.trim().toLowerCase();
  if (ct.startsWith("application/x-www-form-urlencoded")) return "URLENCODED";
  if (ct.startsWith("multipart/form-data")) return "MULTIPART";
  return undefined;
}
