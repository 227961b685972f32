/**
 * A tolerant reader of one HTTP/1.x request, for inspection only: the gateway never forwards what
 * it reads this way. Node's strict parser rejects requests that attackers send on purpose
 * (unknown methods, raw bytes in the target, HTTP\1.0); the WAF must still see and log them
 * (CRS tests 911100, 920xxx, 934120 expect it), so the gateway reads such a request with this,
 * shows it to the WAF, and answers it with the rejection it deserves.
 */

export interface LenientRequest {
  readonly method: string;
  readonly uri: string;
  readonly protocol: string;
  readonly headers: Array<[string, string]>;
  readonly body: string;
}

/** Reads a request the way a lenient server would: anything goes but framing. Byte strings in and out. */
export function parseLenientRequest(raw: string): LenientRequest | undefined {
  let headEnd = raw.indexOf("\r\n\r\n");
  let sepLen = 4;
  if (headEnd < 0) {
    headEnd = raw.indexOf("\n\n");
    sepLen = 2;
  }
  if (headEnd < 0) return undefined;
  const lines = raw.slice(0, headEnd).split(/\r?\n/);
  const requestLine = lines.shift() ?? "";
  const parts = requestLine.split(" ");
  if (parts.length < 2) return undefined;
  const method = parts[0] ?? "";
  const protocol = parts.length >= 3 ? (parts[parts.length - 1] ?? "") : "HTTP/0.9";
  const uri = parts.length >= 3 ? parts.slice(1, -1).join(" ") : (parts[1] ?? "");
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const last = headers[headers.length - 1];
    if ((line.startsWith(" ") || line.startsWith("\t")) && last) {
      last[1] += ` ${line.trim()}`; // obs-fold
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
  }
  const rest = raw.slice(headEnd + sepLen);
  const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  let body = rest;
  if ((header("transfer-encoding") ?? "").toLowerCase().includes("chunked")) body = dechunk(rest);
  else if (header("content-length") !== undefined)
    body = rest.slice(0, Math.max(0, Number(header("content-length")) || 0));
  return { method, uri, protocol, headers, body };
}

function dechunk(s: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const lineEnd = s.indexOf("\r\n", at);
    if (lineEnd < 0) return out;
    const size = Number.parseInt(s.slice(at, lineEnd), 16);
    if (!Number.isFinite(size) || size <= 0) return out;
    out += s.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
