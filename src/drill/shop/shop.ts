/**
 * The demo shop that `rampart up` puts behind the gateway, and that drills overload on purpose.
 *
 * It behaves like a small real shop under load: it can work on `capacity` requests at once, each
 * taking about `latencyMs`; more requests wait in its own queue (so latency grows, as on a real
 * server whose worker pool is exhausted) and once that queue is full it answers 503. Its counters
 * (`stats()`) let tests and drills see what the upstream really lived through.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { catalog, findProduct } from "./catalog.js";

export interface ShopOptions {
  host?: string;
  port?: number;
  /** Requests worked on at once (a worker pool). */
  capacity?: number;
  /** Base service time per request. */
  latencyMs?: number;
  /** Requests that may wait for a worker before the shop answers 503. */
  maxQueue?: number;
}

export interface ShopStats {
  inFlight: number;
  maxInFlight: number;
  queued: number;
  served: number;
  overloaded: number;
  checkouts: number;
}

export interface Shop {
  readonly url: string;
  stats(): ShopStats;
  resetStats(): void;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

export async function startShop(options: ShopOptions = {}): Promise<Shop> {
  const capacity = options.capacity ?? 50;
  const latencyMs = options.latencyMs ?? 20;
  const maxQueue = options.maxQueue ?? 1000;
  const stats: ShopStats = { inFlight: 0, maxInFlight: 0, queued: 0, served: 0, overloaded: 0, checkouts: 0 };
  const waiting: Array<() => void> = [];
  const carts = new Map<string, Array<{ id: number; qty: number }>>();

  function release(): void {
    stats.inFlight--;
    const next = waiting.shift();
    if (next) {
      stats.queued--;
      next();
    }
  }

  function acquire(run: () => void): boolean {
    if (stats.inFlight < capacity) {
      run();
      return true;
    }
    if (waiting.length >= maxQueue) return false;
    stats.queued++;
    waiting.push(run);
    return true;
  }

  const server: Server = createServer((req, res) => {
    const accepted = acquire(() => {
      stats.inFlight++;
      if (stats.inFlight > stats.maxInFlight) stats.maxInFlight = stats.inFlight;
      let released = false;
      const done = () => {
        if (!released) {
          released = true;
          release();
        }
      };
      res.on("close", done);
      readBody(req)
        .then((body) => delay(latencyMs).then(() => route(req, res, body)))
        .catch(() => send(res, 400, { error: "bad_request" }))
        .finally(() => {
          stats.served++;
          done();
        });
    });
    if (!accepted) {
      stats.overloaded++;
      req.resume();
      send(res, 503, { error: "shop_overloaded" });
    }
  });

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? "/", "http://shop.local");
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (path === "/" && method === "GET") return sendHtml(res, homePage());
    if (path === "/healthz") return send(res, 200, { ok: true });
    if (path === "/catalog" || path === "/api/products") return send(res, 200, { products: catalog });
    if (path.startsWith("/product/")) {
      const product = findProduct(Number(path.slice("/product/".length)));
      return product ? send(res, 200, product) : send(res, 404, { error: "not_found" });
    }
    if (path === "/search") {
      const q = url.searchParams.get("q") ?? "";
      const needle = q.toLowerCase();
      return send(res, 200, { q, results: catalog.filter((p) => p.name.toLowerCase().includes(needle)) });
    }
    const session = sessionOf(req) ?? randomUUID();
    if (path === "/cart" && method === "GET")
      return send(res, 200, { items: carts.get(session) ?? [] }, session);
    if (path === "/cart" && method === "POST") {
      const item = parseItem(body, req.headers["content-type"]);
      if (!item) return send(res, 400, { error: "expected product id and qty" });
      const items = carts.get(session) ?? [];
      items.push(item);
      if (carts.size > 10_000) carts.clear(); // a demo: bounded memory over exactness
      carts.set(session, items);
      return send(res, 200, { items }, session);
    }
    if (path === "/checkout" && method === "POST") {
      stats.checkouts++;
      carts.delete(session);
      return send(res, 200, { order: randomUUID(), status: "confirmed" }, session);
    }
    if (path === "/login" && method === "POST") return send(res, 200, { ok: true }, randomUUID());
    send(res, 404, { error: "not_found" });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  server.keepAliveTimeout = 65_000;
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    stats: () => ({ ...stats }),
    resetStats() {
      stats.maxInFlight = stats.inFlight;
      stats.served = 0;
      stats.overloaded = 0;
      stats.checkouts = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sessionOf(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  if (!cookie) return undefined;
  const m = /(?:^|;\s*)shop_session=([A-Za-z0-9-]{1,64})/.exec(cookie);
  return m?.[1];
}

function parseItem(body: string, contentType: string | undefined): { id: number; qty: number } | undefined {
  let id: unknown;
  let qty: unknown;
  if (contentType?.includes("json")) {
    try {
      const parsed = JSON.parse(body) as { id?: unknown; qty?: unknown };
      id = parsed.id;
      qty = parsed.qty ?? 1;
    } catch {
      return undefined;
    }
  } else {
    const form = new URLSearchParams(body);
    id = form.get("id");
    qty = form.get("qty") ?? 1;
  }
  const item = { id: Number(id), qty: Number(qty) };
  return Number.isInteger(item.id) && Number.isInteger(item.qty) && item.qty > 0 ? item : undefined;
}

function send(res: ServerResponse, status: number, body: unknown, session?: string): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  };
  if (session) headers["set-cookie"] = `shop_session=${session}; Path=/; HttpOnly; SameSite=Lax`;
  res.writeHead(status, headers);
  res.end(text);
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(html),
  });
  res.end(html);
}

function homePage(): string {
  const items = catalog.map(
    (p) => `<li><a href="/product/${p.id}">${p.name}</a> — ${p.price.toFixed(2)} €</li>`,
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>Rampart demo shop</title></head>
<body><h1>Rampart demo shop</h1><p>This shop stands behind the Rampart gateway.</p><ul>${items.join("")}</ul>
<p>API: GET /catalog, GET /product/:id, GET /search?q=, GET|POST /cart, POST /checkout, POST /login</p></body></html>`;
}
