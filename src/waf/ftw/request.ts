/**
 * Turns a go-ftw stage input into the exact bytes go-ftw would send (ftwhttp/request.go):
 * header map sorted by name, `data` run through Go's template engine (only the `repeat` function
 * that CRS tests use; any other template makes go-ftw drop the data, and so do we), then, with
 * autocomplete on, a default Content-Type, form-encoding of unescaped urlencoded data,
 * Connection: close and Content-Length. `encoded_request` is sent byte for byte.
 */
import type { FtwInput } from "./tests.js";

const METHODS_WITH_BODY = /^POST|PUT|PATCH|DELETE$/; // sic: go-ftw's own pattern, anchors and all

export function buildRawRequest(input: FtwInput): Buffer {
  if (input.encodedRequest !== undefined && input.encodedRequest !== "") {
    return Buffer.from(input.encodedRequest.replace(/\s+/g, ""), "base64");
  }
  const headers: Array<[string, string]> = input.headers
    .map(([n, v]): [string, string] => [n, v])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const has = (name: string) => headers.some(([n]) => canonical(n) === canonical(name));
  let data = input.data === undefined ? undefined : renderGoTemplate(input.data);
  let body = data === undefined ? Buffer.alloc(0) : Buffer.from(data, "utf8");

  if (body.length > 0 && input.autocompleteHeaders) {
    if (!has("Content-Type")) headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
    const formEncoded = headers.some(
      ([n, v]) => canonical(n) === "Content-Type" && v.toLowerCase() === "application/x-www-form-urlencoded",
    );
    if (formEncoded && data !== undefined) {
      const unescaped = goQueryUnescape(data);
      if (unescaped === data) {
        data = encodeFormPairs(data);
        body = Buffer.from(data, "utf8");
      }
    }
  }
  if (
    headers.some(
      ([n, v]) => canonical(n) === "Content-Type" && v.toLowerCase().includes("multipart/form-data;"),
    )
  ) {
    body = Buffer.from(body.toString("latin1").replace(/\n/g, "\r\n"), "latin1");
  }
  if (input.autocompleteHeaders) {
    if (!has("Connection")) headers.push(["Connection", "close"]);
    if (!has("Content-Length") && (body.length > 0 || METHODS_WITH_BODY.test(input.method))) {
      headers.push(["Content-Length", String(body.length)]);
    }
  }
  let head = `${input.method} ${input.uri} ${input.version}\r\n`;
  for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
  head += "\r\n";
  return Buffer.concat([Buffer.from(head, "utf8"), body]);
}

/** Go's textproto.CanonicalMIMEHeaderKey for the ASCII names that occur in tests. */
function canonical(name: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

/**
 * Go text/template with sprig, reduced to what CRS tests use: `{{ "x" | repeat N }}` and
 * `{{ repeat N "x" }}`. Returns undefined where Go's template parser would fail, since go-ftw
 * then sends no data at all.
 */
export function renderGoTemplate(text: string): string | undefined {
  if (!text.includes("{{")) return text;
  let out = "";
  let at = 0;
  for (;;) {
    const open = text.indexOf("{{", at);
    if (open < 0) return out + text.slice(at);
    const close = text.indexOf("}}", open + 2);
    if (close < 0) return undefined;
    out += text.slice(at, open);
    const action = text.slice(open + 2, close).replace(/^-?\s*|\s*-?$/g, "");
    const piped = /^"((?:[^"\\]|\\.)*)"\s*\|\s*repeat\s+(\d+)$/.exec(action);
    const direct = /^repeat\s+(\d+)\s+"((?:[^"\\]|\\.)*)"$/.exec(action);
    if (piped) out += unquoteGo(piped[1] ?? "").repeat(Number(piped[2]));
    else if (direct) out += unquoteGo(direct[2] ?? "").repeat(Number(direct[1]));
    else return undefined;
    at = close + 2;
  }
}

function unquoteGo(s: string): string {
  return s.replace(/\\(["\\nrt])/g, (_m, c: string) => ({ n: "\n", r: "\r", t: "\t" })[c] ?? c);
}

/** Go's url.QueryUnescape: `+` is a space, %XX decoded; an invalid escape is an error (undefined). */
export function goQueryUnescape(s: string): string | undefined {
  if (!s.includes("%") && !s.includes("+")) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b) bytes.push(0x20);
    else for (const b of Buffer.from(s[i] ?? "", "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Go's url.QueryEscape: all but A–Z a–z 0–9 - _ . ~ escaped, space as `+`. */
export function goQueryEscape(s: string): string {
  let out = "";
  for (const b of Buffer.from(s, "utf8")) {
    if (
      (b >= 0x30 && b <= 0x39) ||
      (b >= 0x41 && b <= 0x5a) ||
      (b >= 0x61 && b <= 0x7a) ||
      b === 0x2d ||
      b === 0x5f ||
      b === 0x2e ||
      b === 0x7e
    ) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += "+";
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** go-ftw encodes key and value of each `&`-separated pair, keeping the `=` between them. */
function encodeFormPairs(data: string): string {
  const tokens = data.split("&");
  if (tokens.length > 1 && tokens[tokens.length - 1] === "") tokens.pop(); // go-ftw's loop ends there
  return tokens
    .map((token) => {
      const eq = token.indexOf("=");
      return eq < 0
        ? goQueryEscape(token)
        : `${goQueryEscape(token.slice(0, eq))}=${goQueryEscape(token.slice(eq + 1))}`;
    })
    .join("&");
}
