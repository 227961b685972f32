/**
 * `rampart series` and `rampart top` through the real CLI against a real `rampart control` process,
 * fed by a gateway (in this process, attesting every 300 ms) in front of a test upstream: the JSON
 * and text forms, the sparkline, exit codes for bad input; and the formatters on fixed data.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSeries, sparkline } from "../../src/cli/series.js";
import { formatTop } from "../../src/cli/top.js";
import { type ControlClient, startControlledGateway } from "../../src/gateway/control-client.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import type { SeriesResult } from "../../src/monitor/series/index.js";
import { type ControlProcess, ensureBuilt, runCli, startControlProcess } from "../api/process.js";
import { doc } from "../control/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-cli-series-"));
const data = join(dir, "data");
let cp: ControlProcess | undefined;
let upstream: Server;
let gw: { gateway: Gateway; client: ControlClient } | undefined;
let origin = "";

/** Runs `rampart ARGS` against the test's control plane; the token comes from DATA/admin.token. */
const rampart = (args: string[]) => runCli(args, { control: cp?.url, data });

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${cp!.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${cp!.adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return (await res.json()) as Record<string, unknown>;
}

beforeAll(async () => {
  ensureBuilt();
  cp = await startControlProcess(data);
  upstream = createServer((_req, res) => res.end("shop"));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const shop = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  await call("POST", "/config/apply", {
    document: doc({ upstream: shop }),
    message: "series cli",
  });
  const token = (await call("POST", "/tokens", { name: "edge-1", role: "gateway" })).token as string;
  gw = await startControlledGateway({
    controlUrl: cp.url,
    token,
    id: "edge-1",
    stateFile: join(dir, "edge-1.json"),
    logger: pino({ level: "silent" }),
    attestIntervalMs: 300,
  });
  origin = `http://127.0.0.1:${gw.gateway.addresses().listen.port}`;
}, 150_000);

afterAll(async () => {
  if (gw !== undefined) {
    await gw.client.close();
    await gw.gateway.close();
  }
  if (cp !== undefined) {
    cp.child.kill("SIGTERM");
    await cp.exited;
  }
  await new Promise((r) => upstream?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("rampart series and rampart top (real process)", { timeout: 60_000 }, () => {
  it("shows the traffic sent through the gateway", async () => {
    for (let i = 0; i < 25; i++) await (await fetch(`${origin}/item/${i}`)).arrayBuffer();
    let seen = 0;
    const t0 = Date.now();
    let json: SeriesResult | undefined;
    while (seen !== 25 && Date.now() - t0 < 10_000) {
      const run = await rampart([
        "series",
        "requests",
        "--route",
        "shop",
        "--since",
        "1m",
        "--step",
        "1s",
        "--json",
      ]);
      expect(run.code, run.stderr).toBe(0);
      json = JSON.parse(run.stdout) as SeriesResult;
      seen = json.points.reduce((s, p) => s + p.value, 0);
      if (seen !== 25) await new Promise((r) => setTimeout(r, 300));
    }
    expect(seen).toBe(25);
    expect(json).toMatchObject({
      name: "requests",
      labels: { route: "shop" },
      stepSeconds: 1,
      source: "ring",
    });

    const text = await rampart(["series", "requests", "--route", "shop", "--since", "1m", "--step", "1m"]);
    expect(text.code, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines[0]).toBe("requests{route=shop} (per second)  step 60s from ring");
    expect(lines[1]).toMatch(/^[▁▂▃▄▅▆▇█]{1,2} {2}min [\d.]+ {2}max [\d.]+ {2}last [\d.]+$/);
    expect(lines[3]).toMatch(/^TIME \(UTC\) +VALUE$/);

    const top = await rampart(["top", "--once", "--window", "60s"]);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toMatch(
      /^rampart top {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC {2}last 60s\nROUTE +REQ\/S +5XX +P99 MS/,
    );
    expect(top.stdout).toMatch(/\nshop +0\.4 +0\.0% /);
    const topJson = await rampart(["top", "--once", "--json", "--limit", "1"]);
    expect(topJson.code).toBe(0);
    const view = JSON.parse(topJson.stdout) as { routes: Array<{ route: string }> };
    expect(view.routes.map((r) => r.route)).toEqual(["shop"]);
  });

  it("exits 2 on bad input, with the error's code and hint", async () => {
    const name = await rampart(["series", "rps"]);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/^error INVALID_REQUEST: /);
    const since = await rampart(["series", "requests", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toContain('error SERIES_BAD_QUERY: from "yesterday" is not a time');
    const both = await rampart(["series", "requests", "--route", "a", "--gateway", "b"]);
    expect(both.code).toBe(2);
    const limit = await rampart(["top", "--once", "--limit", "0"]);
    expect(limit.code).toBe(2);
    const help = await rampart(["top", "--help"]);
    expect(help.stdout).toContain("--once");
  });
});

describe("formatters", () => {
  it("draws a sparkline scaled to the maximum, all low for zeros", () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe("▁▂▃▄▅▆▇█");
    expect(sparkline([0, 0, 0])).toBe("▁▁▁");
    expect(sparkline([])).toBe("");
  });

  it("prints a series head, sparkline with min/max/last, and a table", () => {
    const text = formatSeries({
      name: "error_ratio",
      labels: { gateway: "edge-1" },
      stepSeconds: 10,
      source: "ring",
      from: 1_700_000_000,
      to: 1_700_000_020,
      points: [
        { t: 1_700_000_000, value: 0 },
        { t: 1_700_000_010, value: 0.05234 },
      ],
    });
    expect(text).toBe(
      [
        "error_ratio{gateway=edge-1}  step 10s from ring",
        "▁█  min 0  max 0.0523  last 0.0523",
        "",
        "TIME (UTC)           VALUE",
        "2023-11-14 22:13:20  0",
        "2023-11-14 22:13:30  0.0523",
      ].join("\n"),
    );
  });

  it("prints the top view with the fleet first", () => {
    const r = (route: string, rps: number) => ({
      route,
      requestsPerSecond: rps,
      errorRatio: 0.25,
      p99Ms: 12.5,
      blockedPerSecond: 1,
      rateLimitedPerSecond: 0,
      shedPerSecond: 0.5,
    });
    expect(
      formatTop({ from: 1_700_000_000, to: 1_700_000_010, fleet: r("*", 12), routes: [r("checkout", 12)] }),
    ).toBe(
      [
        "rampart top  2023-11-14 22:13:30 UTC  last 10s",
        "ROUTE     REQ/S  5XX  P99 MS  BLOCKED/S  429/S  SHED/S",
        "*         12     25%  12.5    1          0      0.5",
        "checkout  12     25%  12.5    1          0      0.5",
      ].join("\n"),
    );
  });
});
