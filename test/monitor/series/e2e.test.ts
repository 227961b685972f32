/**
 * Series end to end: a control plane and two gateways (in this process, each with its control
 * client attesting every 300 ms over real HTTP) in front of a test upstream. Traffic through both
 * gateways shows in GET /api/v1/series within a few seconds: fleet-wide sums, per gateway and per
 * route, 5xx from the upstream, a WAF block charged to its module, distinct clients, and the top
 * view; idle seconds read as zeros.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, startControlPlane } from "../../../src/control/server.js";
import { type ControlClient, startControlledGateway } from "../../../src/gateway/control-client.js";
import type { Gateway } from "../../../src/gateway/gateway.js";
import { wafGuardFactory } from "../../../src/gateway/waf.js";
import { HLL_STANDARD_ERROR, type SeriesResult } from "../../../src/monitor/series/index.js";
import { doc } from "../../control/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-series-e2e-"));
const logger = pino({ level: "silent" });
let cp: ControlPlane;
let viewer: string;
let upstream: Server;
const gateways: Array<{ gateway: Gateway; client: ControlClient; origin: string }> = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${cp.url}/api/v1${path}`, { headers: { authorization: `Bearer ${viewer}` } });
  return { status: res.status, body: (await res.json()) as T };
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const total = (r: SeriesResult) => r.points.reduce((s, p) => s + p.value, 0);

async function send(
  origin: string,
  path: string,
  n: number,
  client: (i: number) => string,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${origin}${path}`, { headers: { "x-forwarded-for": client(i) } });
    await res.arrayBuffer();
    out.push(res.status);
  }
  return out;
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    res.statusCode = req.url?.startsWith("/broken") ? 503 : 200;
    res.end("shop");
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const shop = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  cp = await startControlPlane({ dataDir: join(dir, "control"), port: 0, bootstrap: false });
  const admin = cp.store.tokens.create("ops", "admin").token;
  viewer = cp.store.tokens.create("screen", "viewer").token;
  const gwToken = cp.store.tokens.create("*", "gateway" as "admin").token;
  // Clients are told apart by X-Forwarded-For, as behind a load balancer.
  const document = doc({ upstream: shop, rate: "10000/s" }).replace(
    '  accessLog: "off"',
    '  accessLog: "off"\n  trustedProxies: [127.0.0.1/32]',
  );
  const applied = await fetch(`${cp.url}/api/v1/config/apply`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
    body: JSON.stringify({ document, message: "series e2e" }),
  });
  expect(applied.status).toBe(201);
  for (const id of ["edge-1", "edge-2"]) {
    const { gateway, client } = await startControlledGateway({
      controlUrl: cp.url,
      token: gwToken,
      id,
      stateFile: join(dir, `${id}.json`),
      logger,
      guard: wafGuardFactory({ sink: { errorLine: () => {}, auditRecord: () => {} } }),
      attestIntervalMs: 300,
    });
    const { listen } = gateway.addresses();
    gateways.push({ gateway, client, origin: `http://127.0.0.1:${listen.port}` });
  }
}, 60_000);

afterAll(async () => {
  for (const g of gateways) {
    await g.client.close();
    await g.gateway.close();
  }
  await cp?.close().catch(() => {});
  await new Promise((r) => upstream?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("series end to end", () => {
  it("shows traffic through two gateways in GET /series within a few seconds", async () => {
    const [a, b] = gateways;
    const from = Math.floor(Date.now() / 1000);
    expect(await send(a!.origin, "/", 30, (i) => `198.51.100.${i}`)).toEqual(Array(30).fill(200));
    expect(await send(b!.origin, "/", 20, (i) => `198.51.100.${i + 10}`)).toEqual(Array(20).fill(200));
    expect(await send(b!.origin, "/broken", 5, (i) => `203.0.113.${i}`)).toEqual(Array(5).fill(503));
    const blocked = await send(a!.origin, "/?id=1%27%20OR%20%271%27=%271", 1, () => "192.0.2.66");
    expect(blocked).toEqual([403]);
    const sent = Math.floor(Date.now() / 1000);
    const t0 = Date.now();

    const range = `from=${from}&to=${sent + 1}&step=1s`;
    const all = await until("all requests in the fleet-wide series", async () => {
      const r = await api<SeriesResult>(`/series?name=requests&${range}`);
      return r.status === 200 && total(r.body) === 56 && r.body.points.at(-1)!.t === sent
        ? r.body
        : undefined;
    });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(all.source).toBe("ring");
    expect(all.stepSeconds).toBe(1);

    const one = async (q: string) => total((await api<SeriesResult>(`/series?${q}&${range}`)).body);
    expect(await one("name=requests&gateway=edge-1")).toBe(31);
    expect(await one("name=requests&gateway=edge-2")).toBe(25);
    expect(await one("name=requests&route=shop")).toBe(56);
    expect(await one("name=s5xx")).toBe(5);
    expect(await one("name=s2xx")).toBe(50);
    expect(await one("name=blocked")).toBe(1);
    expect(await one("name=waf_blocks&module=sqli")).toBe(1);
    expect(await one("name=waf_blocks&route=shop&module=sqli")).toBe(1);

    // Per second, error_ratio x requests gives back the 5xx count.
    const ratio = (await api<SeriesResult>(`/series?name=error_ratio&${range}`)).body.points;
    expect(ratio.reduce((sum, p, i) => sum + p.value * all.points[i]!.value, 0)).toBeCloseTo(5, 9);

    // 30 addresses (edge-2's 20 are among edge-1's) + 5 + 1 over the window; a sketch: within 3 standard errors.
    const distinct = await api<{ estimate: number }>(`/series/distinct-clients?from=${from - 60}`);
    expect(Math.abs(distinct.body.estimate - 36) / 36).toBeLessThan(3 * HLL_STANDARD_ERROR);
    const failed = await api<{ estimate: number }>(`/series/distinct-clients?from=${from - 60}&failed=true`);
    expect(failed.body.estimate).toBe(6);

    const top = await api<{ routes: Array<{ route: string; requestsPerSecond: number }> }>(
      "/series/top?window=60s",
    );
    expect(top.body.routes.map((r) => r.route)).toEqual(["shop"]);
    expect(top.body.routes[0]!.requestsPerSecond).toBeCloseTo(56 / 60, 5);

    const stats = await api<{
      groups: number;
      ringBytes: number;
      lateSeconds: number;
      malformedCounts: number;
    }>("/series/stats");
    // fleet, route shop, gateways edge-1 and edge-2: 11 columns x 3600 s x 4 bytes each, plus WAF module rings
    expect(stats.body).toMatchObject({ groups: 4, lateSeconds: 0, malformedCounts: 0 });
    expect(stats.body.ringBytes).toBe(4 * 11 * 14_400 + 3 * 14_400);

    const names = await api<{ names: string[]; routes: string[]; gateways: string[] }>("/series/names");
    expect(names.body.names).toContain("failed_clients");
    expect(names.body.routes).toEqual(["shop"]);
    expect(names.body.gateways).toEqual(["edge-1", "edge-2"]);
  }, 30_000);

  it("reads idle seconds as zeros once they close", async () => {
    const now = Math.floor(Date.now() / 1000);
    await until("an idle second closed", async () => {
      const r = await api<SeriesResult>(`/series?name=requests&route=shop&from=${now + 1}&to=${now + 3}`);
      return r.body.points.length === 2 ? r.body : undefined;
    });
    const r = await api<SeriesResult>(`/series?name=requests&route=shop&from=${now + 1}&to=${now + 3}`);
    expect(r.body.points.map((p) => p.value)).toEqual([0, 0]);
  });

  it("refuses bad queries with coded errors and needs a token", async () => {
    const bad = await api<{ error: string }>("/series?name=rps");
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe("INVALID_REQUEST");
    const range = await api<{ error: string; hint: string }>("/series?name=requests&from=yesterday");
    expect(range.status).toBe(400);
    expect(range.body.error).toBe("SERIES_BAD_QUERY");
    const both = await api<{ error: string }>("/series?name=requests&route=a&gateway=b");
    expect(both.body.error).toBe("SERIES_BAD_QUERY");
    const anonymous = await fetch(`${cp.url}/api/v1/series?name=requests`);
    expect(anonymous.status).toBe(401);
  });
});
