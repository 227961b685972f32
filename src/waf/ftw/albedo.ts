/**
 * An echo upstream that imitates "albedo", the backend behind the WAF in CRS's own test setup:
 * every path answers 200 with an empty body, and `POST /reflect` answers with the status, headers
 * and body given in its JSON request body (`{"status", "headers", "body" | "encodedBody"}`), so
 * that response rules (phases 3 and 4) can be tested. Behaviour follows albedo's server.go.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Albedo {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface ReflectionSpec {
  status?: unknown;
  headers?: unknown;
  body?: unknown;
  encodedBody?: unknown;
}

const MAX_BODY = 8 * 1024 * 1024;

export async function startAlbedo(host = "127.0.0.1", port = 0): Promise<Albedo> {
  const server: Server = createServer({ insecureHTTPParser: true }, (req, res) => {
    readBody(req).then(
      (body) => (isReflect(req) ? reflect(res, body) : answer(res, 200, "", {})),
      () => answer(res, 400, "Failed to parse request body", {}),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function isReflect(req: IncomingMessage): boolean {
  if (req.method !== "POST") return false;
  const path = (req.url ?? "").split("?")[0];
  return path === "/reflect" || path === "/reflect/";
}

function reflect(res: ServerResponse, raw: Buffer): void {
  let spec: ReflectionSpec;
  try {
    spec = JSON.parse(raw.toString("utf8")) as ReflectionSpec;
    if (spec === null || typeof spec !== "object") throw new Error("not an object");
  } catch {
    return answer(res, 400, "Invalid JSON in request body", {});
  }
  const status = typeof spec.status === "number" ? spec.status : 0;
  if ((status > 0 && status < 100) || status >= 600)
    return answer(res, 400, `Invalid status code: ${status}`, {});
  const headers: Record<string, string> = {};
  if (spec.headers && typeof spec.headers === "object") {
    for (const [name, value] of Object.entries(spec.headers as Record<string, unknown>)) {
      if (
        typeof value === "string" &&
        /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) &&
        !/[\r\n\0]/.test(value)
      ) {
        headers[name] = value;
      }
    }
  }
  let body = "";
  if (typeof spec.body === "string" && spec.body !== "") body = spec.body;
  else if (typeof spec.encodedBody === "string")
    body = Buffer.from(spec.encodedBody, "base64").toString("latin1");
  answer(res, status === 0 ? 200 : status, body, headers, typeof spec.body === "string" && spec.body !== "");
}

function answer(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string>,
  utf8 = true,
): void {
  const bytes = Buffer.from(body, utf8 ? "utf8" : "latin1");
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
  // Go's net/http sniffs a Content-Type for a body written without one; response rules depend on it.
  if (!hasType && bytes.length > 0) headers["Content-Type"] = sniffContentType(bytes);
  res.writeHead(status, { ...headers, "Content-Length": String(bytes.length) });
  res.end(bytes);
}

/** The text/html vs text/plain part of the WHATWG MIME sniffing that Go's DetectContentType does. */
export function sniffContentType(body: Buffer): string {
  const head = body
    .subarray(0, 512)
    .toString("latin1")
    .replace(/^[\t\n\f\r ]+/, "")
    .toLowerCase();
  const htmlTags = [
    "<!doctype html",
    "<html",
    "<head",
    "<script",
    "<iframe",
    "<h1",
    "<div",
    "<font",
    "<table",
    "<a",
    "<style",
    "<title",
    "<b",
    "<body",
    "<br",
    "<p",
    "<!--",
  ];
  for (const tag of htmlTags) {
    if (head.startsWith(tag)) {
      const next = head.charCodeAt(tag.length);
      if (tag === "<!--" || next === 0x20 || next === 0x3e) return "text/html; charset=utf-8";
    }
  }
  if (head.startsWith("<?xml")) return "text/xml; charset=utf-8";
  if (head.startsWith("%pdf-")) return "application/pdf";
  for (const byte of body.subarray(0, 512)) {
    if (byte <= 0x08 || byte === 0x0b || (byte >= 0x0e && byte <= 0x1a) || (byte >= 0x1c && byte <= 0x1f)) {
      return "application/octet-stream";
    }
  }
  return "text/plain; charset=utf-8";
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy();
        reject(new Error("body too large"));
      } else chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}
