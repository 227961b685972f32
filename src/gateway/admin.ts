/**
 * The admin listener (loopback by default, separate port): GET /metrics (Prometheus text), GET
 * /healthz, GET /seconds (per-second counters as JSON, for the monitor), POST /reload (re-reads the
 * config source; loopback callers only, since it changes what the gateway does).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ConfigError } from "../config/errors.js";
import type { Gateway } from "./gateway.js";

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function isLoopback(addr: string | undefined): boolean {
  return (
    addr === "127.0.0.1" ||
    addr === "::1" ||
    addr === "::ffff:127.0.0.1" ||
    (addr?.startsWith("127.") ?? false)
  );
}

export async function handleAdmin(gw: Gateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (req.method === "GET" && path === "/metrics") {
    const text = gw.metrics.render();
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
    res.end(text);
    return;
  }
  if (req.method === "GET" && path === "/healthz") {
    json(res, 200, { status: "ok", inFlight: gw.inFlight(), configLoadedAt: gw.metrics.configLoadedAt });
    return;
  }
  if (req.method === "GET" && path === "/waf/status") {
    json(res, 200, gw.wafStatus());
    return;
  }
  if (req.method === "GET" && path === "/seconds") {
    json(res, 200, gw.secondCounters());
    return;
  }
  if (path === "/reload") {
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      json(res, 405, { error: "method_not_allowed" });
      return;
    }
    if (!isLoopback(req.socket.remoteAddress)) {
      json(res, 403, { error: "forbidden", message: "POST /reload is accepted from loopback only" });
      return;
    }
    try {
      await gw.reloadFromSource();
      json(res, 200, { status: "reloaded", configLoadedAt: gw.metrics.configLoadedAt });
    } catch (err) {
      if (err instanceof ConfigError) {
        json(res, 422, { error: err.code, file: err.file, issues: err.issues });
      } else {
        const e = err as { code?: string; message?: string };
        json(res, 500, { error: e.code ?? "reload_failed", message: e.message ?? String(err) });
      }
    }
    return;
  }
  json(res, 404, { error: "not_found" });
}
