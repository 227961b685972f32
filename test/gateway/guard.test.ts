/**
 * The WAF seam: a RequestGuard built from the config opens a session per routed request, is
 * called at each step of the exchange and obeyed; a reload rebuilds it from the new config.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { createAccessLog } from "../../src/gateway/accessLog.js";
import type {
  GuardRequest,
  GuardSession,
  GuardVerdict,
  RequestGuard,
  RequestGuardFactory,
} from "../../src/gateway/guard.js";
import {
  configText,
  rawRequest,
  type Started,
  startTestGateway,
  startUpstream,
  type TestUpstream,
} from "./harness.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function setup(
  waf: string,
  guard: RequestGuardFactory,
): Promise<{ g: Started; up: TestUpstream; text: (w: string) => string }> {
  const up = await startUpstream();
  const text = (w: string) =>
    configText(
      "",
      `upstreams: { shop: { targets: [${up.origin}] } }\nroutes: [{ name: all, upstream: shop }]\nwaf: ${w}\n`,
    );
  const g = await startTestGateway(text(waf), { guard });
  stops.push(async () => {
    await g.gw.close(500);
    await up.close();
  });
  return { g, up, text };
}

/** A guard whose session decides on the request head only, and records the calls it gets. */
function headGuard(
  decide: (req: GuardRequest) => GuardVerdict | undefined,
  calls: string[] = [],
): RequestGuard {
  return {
    status: () => ({}),
    open(req): GuardSession {
      return {
        requestBodyLimit: 0,
        requestHead: () => (calls.push("head"), decide(req)),
        requestBody: () => (calls.push("body"), undefined),
        responseHead: () => (calls.push("responseHead"), undefined),
        responseBodyLimit: () => 0,
        responseBody: () => (calls.push("responseBody"), undefined),
        finish: () => void calls.push("finish"),
      };
    },
  };
}

describe("request guard (WAF seam)", () => {
  it("passes the request head to the guard and answers 403 with the request id when it blocks", async () => {
    const seen: GuardRequest[] = [];
    const calls: string[] = [];
    const { g, up } = await setup("{ mode: blocking }", (cfg) =>
      cfg.waf.mode === "off"
        ? undefined
        : headGuard((req) => {
            seen.push(req);
            return req.url.includes("union%20select") ? { status: 403, reason: "942100" } : undefined;
          }, calls),
    );
    const ok = await request(`${g.base}/p?id=1`, { headers: { "x-request-id": "g-1" } });
    await ok.body.text();
    expect(ok.statusCode).toBe(200);
    expect(seen[0]).toMatchObject({
      method: "GET",
      url: "/p?id=1",
      route: "all",
      requestId: "g-1",
      clientIp: "127.0.0.1",
      httpVersion: "1.1",
    });
    expect(seen[0]!.rawHeaders).toContain("x-request-id");
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual(["head", "body", "responseHead", "responseBody", "finish"]);

    const before = up.seen.length;
    const blocked = await request(`${g.base}/p?id=1%20union%20select`);
    const body = JSON.parse(await blocked.body.text());
    expect(blocked.statusCode).toBe(403);
    expect(body).toEqual({ error: "blocked", request_id: blocked.headers["x-request-id"] });
    expect(up.seen.length).toBe(before);
    expect(g.log.at(-1)!.decision).toBe("blocked:942100");
  });

  it("rebuilds the guard on reload (waf.mode: off -> none)", async () => {
    const { g, text } = await setup("{ mode: blocking }", (cfg) =>
      cfg.waf.mode === "off" ? undefined : headGuard(() => ({ status: 403, reason: "all" })),
    );
    expect((await request(`${g.base}/x`)).statusCode).toBe(403);
    g.gw.reload(parseConfig(text('{ mode: "off" }')));
    const r = await request(`${g.base}/x`);
    await r.body.text();
    expect(r.statusCode).toBe(200);
  });

  it("answers 500 (not a pass, not a crash) when the guard throws", async () => {
    const { g } = await setup("{ mode: blocking }", () =>
      headGuard(() => {
        throw new Error("engine bug");
      }),
    );
    const r = await request(`${g.base}/x`);
    expect(r.statusCode).toBe(500);
    expect(JSON.parse(await r.body.text()).error).toBe("internal_error");
  });
});

describe("access log to a file", () => {
  it("writes one JSON line per request with time and the documented fields", async () => {
    const up = await startUpstream();
    const file = join(mkdtempSync(join(tmpdir(), "rampart-log-")), "access.log");
    const g = await startTestGateway(
      configText(
        "",
        `upstreams: { shop: { targets: [${up.origin}] } }\nroutes: [{ name: all, upstream: shop }]\n`,
      ),
      { accessLog: createAccessLog(file) },
    );
    try {
      for (let i = 0; i < 3; i++) {
        const r = await request(`${g.base}/f${i}`, { headers: { "x-request-id": `f-${i}` } });
        await r.body.text();
      }
      await rawRequest(g.port, "GET / HTTP/1.1\r\n\r\n");
    } finally {
      await g.gw.close(500);
      await up.close();
    }
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatchObject({
      id: "f-0",
      method: "GET",
      path: "/f0",
      route: "all",
      status: 200,
      decision: "allowed",
    });
    expect(typeof lines[0]!.time).toBe("string");
    expect(lines[3]).toMatchObject({ status: 400, decision: "rejected:400_missing_host" });
  });
});

describe("protocol upgrades", () => {
  it("answers an Upgrade request (not supported yet) with a well-formed response", async () => {
    const { g } = await setup("{ mode: blocking }", () => undefined);
    const r = await rawRequest(
      g.port,
      "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      800,
    );
    expect(r.status).toBeGreaterThanOrEqual(200);
    expect(r.headers["x-request-id"]).toBeDefined();
  });
});
