/**
 * A raw HTTP/1.1 client for conformance tests: writes the given bytes to a fresh TCP connection
 * (no normalisation at all: tests send broken HTTP on purpose) and reads one response, framed by
 * Content-Length, chunked encoding or connection close. Any socket error, a timeout, or a
 * connection closed before a status line is an error, as go-ftw sees it.
 */
import { connect } from "node:net";

export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Status line, headers and body as received (latin1), for `response_contains`. */
  readonly raw: string;
}

export function sendRaw(
  host: string,
  port: number,
  request: Buffer,
  timeoutMs: number,
  method = "GET",
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (err: Error | undefined, res?: RawResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else if (res) resolve(res);
    };
    const timer = setTimeout(() => finish(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
    socket.on("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const res = tryParse(buf, method, false);
      if (res) finish(undefined, res);
    });
    socket.on("end", () => {
      const res = tryParse(buf, method, true);
      finish(res ? undefined : new Error("connection closed without a complete response"), res);
    });
    socket.on("error", (err) => finish(err));
  });
}

function tryParse(buf: Buffer, method: string, closed: boolean): RawResponse | undefined {
  const end = buf.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = buf.subarray(0, end).toString("latin1").split("\r\n");
  const m = /^HTTP\/\d\.\d (\d{3})/.exec(head[0] ?? "");
  if (!m) return undefined;
  const status = Number(m[1]);
  const headers = head.slice(1).map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
  });
  const get = (name: string) => headers.find(([n]) => n === name)?.[1];
  const bodyStart = end + 4;
  const done = (bodyEnd: number): RawResponse => ({
    status,
    headers,
    raw: buf.subarray(0, bodyEnd).toString("latin1"),
  });
  if (method === "HEAD" || status < 200 || status === 204 || status === 304) return done(bodyStart);
  if ((get("transfer-encoding") ?? "").toLowerCase().includes("chunked")) {
    let at = bodyStart;
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", at);
      if (lineEnd < 0) return closed ? done(buf.length) : undefined;
      const size = Number.parseInt(buf.subarray(at, lineEnd).toString("latin1"), 16);
      if (Number.isNaN(size)) return done(buf.length);
      if (size === 0) return done(Math.min(buf.length, lineEnd + 4));
      at = lineEnd + 2 + size + 2;
      if (at > buf.length) return closed ? done(buf.length) : undefined;
    }
  }
  const length = get("content-length");
  if (length !== undefined) {
    const bodyEnd = bodyStart + Number(length);
    return buf.length >= bodyEnd ? done(bodyEnd) : closed ? done(buf.length) : undefined;
  }
  return closed ? done(buf.length) : undefined;
}
