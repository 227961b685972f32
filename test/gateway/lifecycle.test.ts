/**
 * Reload (atomic swap, bad config refused, in-flight requests unharmed), the admin listener, the
 * per-second counters and graceful shutdown.
 */
import type { ServerResponse } from "node:http";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { parseConfig } from "../../src/config/load.js";
import {
  configText,
  rawRequest,
  type Started,
  startTestGateway,
  startUpstream,
  type TestUpstream,
} from "./harness.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(
  routes: string,
  opts: Parameters<typeof startTestGateway>[1] = {},
): Promise<{ up: TestUpstream; g: Started; held: ServerResponse[]; text: (r: string) => string }> {
  const held: ServerResponse[] = [];
  const up = await startUpstream((req, res) => {
    req.resume();
    if (req.url?.startsWith("/hold")) held.push(res);
    else res.end(`ok ${req.url}`);
  });
  const text = (r: string) =>
    configText("", `upstreams: { shop: { targets: [${up.origin}] } }\nroutes:\n${r}`);
  const g = await startTestGateway(text(routes), opts);
  cleanups.push(async () => {
    for (const res of held) res.end();
    await g.gw.close(500);
    await up.close();
  });
  return { up, g, held, text };
}

async function until(cond: () => boolean): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > 3000) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function status(url: string): Promise<number> {
  const r = await request(url);
  await r.body.text();
  return r.statusCode;
}

describe("reload", () => {
  it("swaps routes atomically; a request in flight finishes on the config it started with", async () => {
    const { g, held, text } = await setup(
      "  - { name: old, match: { pathPrefix: /hold }, upstream: shop }\n",
    );
    const inflight = request(`${g.base}/hold/1`);
    await until(() => held.length === 1);
    g.gw.reload(parseConfig(text("  - { name: new, match: { pathPrefix: /new }, upstream: shop }\n")));
    expect(await status(`${g.base}/new/x`)).toBe(200);
    expect(await status(`${g.base}/hold/2`)).toBe(404); // the old route is gone for new requests
    held[0]!.end("finished");
    const r = await inflight;
    expect(r.statusCode).toBe(200);
    expect(await r.body.text()).toBe("finished");
    expect(g.log.find((l) => l.path === "/hold/1")!.route).toBe("old");
    expect(g.gw.metrics.configReloads).toBe(1);
  });

  it("refuses a bad config from its source: the old one keeps serving, the failure is counted", async () => {
    let next = "";
    const { g, text } = await setup("  - { name: all, upstream: shop }\n", {
      reloadSource: async () => parseConfig(next, "rampart.yaml"),
    });
    next = `${text("  - { name: all, upstream: nowhere }\n")}`;
    await expect(g.gw.reloadFromSource()).rejects.toBeInstanceOf(ConfigError);
    expect(await status(`${g.base}/still`)).toBe(200);

    const viaAdmin = await fetch(`${g.admin}/reload`, { method: "POST" });
    expect(viaAdmin.status).toBe(422);
    const body = (await viaAdmin.json()) as { error: string; issues: { path: string; line: number }[] };
    expect(body.error).toBe("CONFIG_INVALID");
    expect(body.issues[0]).toMatchObject({ path: "routes[0].upstream" });
    const metrics = await (await fetch(`${g.admin}/metrics`)).text();
    expect(metrics).toContain("rampart_config_reload_failures_total 2");

    next = text("  - { name: renamed, match: { pathPrefix: /only }, upstream: shop }\n");
    const ok = await fetch(`${g.admin}/reload`, { method: "POST" });
    expect(ok.status).toBe(200);
    expect(await status(`${g.base}/still`)).toBe(404);
    expect(await status(`${g.base}/only`)).toBe(200);
    expect(await (await fetch(`${g.admin}/metrics`)).text()).toContain("rampart_config_reloads_total 1");
  });

  it("keeps upstream pools whose settings did not change and closes the others", async () => {
    const { g, up, text } = await setup("  - { name: all, upstream: shop }\n");
    expect(await status(`${g.base}/a`)).toBe(200);
    g.gw.reload(parseConfig(text("  - { name: all2, upstream: shop }\n")));
    expect(await status(`${g.base}/b`)).toBe(200);
    const changed = configText(
      "",
      `upstreams: { shop: { targets: [${up.origin}], headersTimeoutMs: 999 } }\nroutes: [{ name: all, upstream: shop }]\n`,
    );
    g.gw.reload(parseConfig(changed));
    expect(await status(`${g.base}/c`)).toBe(200);
  });
});

describe("admin listener", () => {
  it("serves /healthz, /metrics, /seconds and refuses GET /reload", async () => {
    const { g } = await setup("  - { name: all, upstream: shop }\n");
    for (let i = 0; i < 5; i++) await status(`${g.base}/x`);
    const health = (await (await fetch(`${g.admin}/healthz`)).json()) as { status: string };
    expect(health.status).toBe("ok");
    const metrics = await fetch(`${g.admin}/metrics`);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toContain('rampart_requests_total{route="all",upstream="shop",class="2xx"} 5');
    expect(text).toMatch(/rampart_request_duration_seconds_count\{route="all",upstream="shop"\} 5/);
    expect(text).toMatch(
      /rampart_upstream_duration_seconds_bucket\{route="all",upstream="shop",le="\+Inf"\} 5/,
    );
    const seconds = (await (await fetch(`${g.admin}/seconds`)).json()) as {
      all: { requests: number }[];
      routes: Record<string, { requests: number; s2xx: number; p50Ms: number }[]>;
    };
    expect(seconds.all).toHaveLength(300);
    const series = g.gw.secondCounters().routes.all!;
    const total = series.reduce((n, p) => n + p.requests, 0);
    expect(total).toBe(5);
    expect(series.reduce((n, p) => n + p.s2xx, 0)).toBe(5);
    expect(series.find((p) => p.requests > 0)!.p50Ms).toBeGreaterThan(0);
    expect((await fetch(`${g.admin}/reload`)).status).toBe(405);
    expect((await fetch(`${g.admin}/nope`)).status).toBe(404);
  });

  it("answers POST /reload with 500 when the gateway has no config source", async () => {
    const { g } = await setup("  - { name: all, upstream: shop }\n");
    const r = await fetch(`${g.admin}/reload`, { method: "POST" });
    expect(r.status).toBe(500);
    expect(((await r.json()) as { error: string }).error).toBe("GATEWAY_RELOAD_REFUSED");
  });
});

describe("graceful shutdown", () => {
  it("finishes the request in flight, closes idle keep-alive sockets, refuses new connections", async () => {
    const { g, held } = await setup("  - { name: all, upstream: shop }\n");
    const inflight = request(`${g.base}/hold/1`);
    await until(() => held.length === 1);
    const t0 = performance.now();
    const closing = g.gw.close(5000);
    await new Promise((r) => setTimeout(r, 50));
    await expect(rawRequest(g.port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 300)).rejects.toThrow(
      /ECONNREFUSED/,
    );
    held[0]!.end("late but whole");
    const r = await inflight;
    expect(r.statusCode).toBe(200);
    expect(r.headers.connection).toBe("close");
    expect(await r.body.text()).toBe("late but whole");
    await closing;
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it("cuts what is left at the deadline", async () => {
    const { g, held } = await setup("  - { name: all, upstream: shop }\n");
    const inflight = request(`${g.base}/hold/forever`).then(
      (r) => r.body.text().then(() => "answered"),
      () => "cut",
    );
    await until(() => held.length === 1);
    const t0 = performance.now();
    await g.gw.close(200);
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(190);
    expect(took).toBeLessThan(1500);
    expect(await inflight).toBe("cut");
  });
});
