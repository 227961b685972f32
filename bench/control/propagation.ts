/**
 * Config propagation: time from `POST /api/v1/config/apply` answering to every gateway attesting
 * the new version, for N = 1, 3 and 10 gateways (target: under 1 s at N = 10). The control plane
 * and the gateways run in this process, each gateway a real gateway (listeners, WAF, reload) with
 * its own ControlClient following the API by long poll, as separate processes would. Each apply
 * changes a rate limit, so every gateway reloads; medians of several applies per N.
 *
 *   npx tsx bench/control/propagation.ts [--applies 7] [--sizes 1,3,10] [--direct]
 *
 * Through the API the apply route hands the version to the fleet (scheduleRollout) and waiting long
 * polls answer at once; `--direct` applies in process and calls startRollout itself, without HTTP.
 * (Before the route called it, a version waited for the fleet's 250 ms tick: about 0.2 s at N = 10.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { applyConfig } from "../../src/config/versions.js";
import { fleetFor } from "../../src/control/fleet.js";
import { startRollout } from "../../src/control/rollout.js";
import { startControlPlane } from "../../src/control/server.js";
import { type ControlClient, startControlledGateway } from "../../src/gateway/control-client.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { wafGuardFactory } from "../../src/gateway/waf.js";

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const APPLIES = Number(opt("applies", "7"));
const SIZES = opt("sizes", "1,3,10").split(",").map(Number);
const DIRECT = args.includes("--direct");

function doc(rate: number): string {
  return `gateway:
  listen: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
  accessLog: "off"
upstreams: { shop: { targets: ["http://127.0.0.1:9"] } }
routes:
  - { name: shop, upstream: shop, rateLimits: [{ name: per-ip, rate: ${rate}/s, burst: 100 }] }
waf: { mode: blocking, errorLog: "off" }
`;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? Number.NaN;

async function run(n: number): Promise<{ median: number; min: number; max: number }> {
  const dir = mkdtempSync(join(tmpdir(), "rampart-propagation-"));
  const cp = await startControlPlane({ dataDir: join(dir, "control"), port: 0, bootstrap: false });
  const admin = cp.store.tokens.create("bench", "admin").token;
  const gwToken = cp.store.tokens.create("bench-*", "gateway" as "admin").token;
  const apply = async (rate: number): Promise<number> => {
    if (DIRECT) {
      const r = applyConfig(cp.store, {
        document: doc(rate),
        message: `rate ${rate}`,
        actor: { name: "bench", role: "admin" },
      });
      startRollout(cp.store, r.version.id);
      return r.version.id;
    }
    const res = await fetch(`${cp.url}/api/v1/config/apply`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
      body: JSON.stringify({ document: doc(rate), message: `rate ${rate}` }),
    });
    const body = (await res.json()) as { version?: number };
    if (res.status !== 201 || body.version === undefined) throw new Error(`apply failed: ${res.status}`);
    return body.version;
  };
  const fleet = fleetFor(cp.store);
  const allOn = (v: number) => {
    const list = fleet.list();
    return list.length === n && list.every((g) => g.runningVersion === v);
  };
  const waitAll = async (v: number, timeoutMs: number) => {
    const t0 = performance.now();
    while (!allOn(v)) {
      if (performance.now() - t0 > timeoutMs) throw new Error(`gateways did not converge on ${v}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  let v = await apply(1000);
  const logger = pino({ level: "silent" });
  const running: { gateway: Gateway; client: ControlClient }[] = [];
  for (let i = 0; i < n; i++) {
    running.push(
      await startControlledGateway({
        controlUrl: cp.url,
        token: gwToken,
        id: `bench-${i}`,
        stateFile: join(dir, `gw-${i}.json`),
        logger,
        guard: wafGuardFactory({ sink: { errorLine: () => {}, auditRecord: () => {} } }),
      }),
    );
  }
  await waitAll(v, 20_000);
  const times: number[] = [];
  for (let k = 0; k < APPLIES; k++) {
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    v = await apply(1001 + k);
    await waitAll(v, 20_000);
    times.push(performance.now() - t0);
  }
  for (const r of running) {
    await r.client.close();
    await r.gateway.close(100);
  }
  await cp.close();
  rmSync(dir, { recursive: true, force: true });
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

console.log(
  `propagation: apply -> every gateway attests the version (${APPLIES} applies per size, ${DIRECT ? "in process + startRollout" : "through the API"})`,
);
console.log("gateways  median ms  min ms  max ms");
for (const n of SIZES) {
  const r = await run(n);
  console.log(
    `${String(n).padStart(8)}  ${r.median.toFixed(1).padStart(9)}  ${r.min.toFixed(1).padStart(6)}  ${r.max.toFixed(1).padStart(6)}${n === 10 ? (r.median < 1000 ? "  (target < 1000 ms: met)" : "  (target < 1000 ms: MISSED)") : ""}`,
  );
}
process.exit(0);
