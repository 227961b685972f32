/**
 * The surge of the postmortem, in small: an upstream that can serve 50 requests at once (~20 ms
 * each) takes 10x that, 500 concurrent clients for 3 s, through a gateway with a concurrency limit
 * of 50. Checkout (critical) must keep working, browsing (normal) is shed, quickly, and the
 * upstream never sees more than its 50.
 *
 * It runs alone, after the rest of the suite (package.json "test"), so that other test files do
 * not take the cores it measures.
 *
 * The upstream and the load generator run in worker threads so their event loops do not share the
 * gateway's: latencies measured by the clients are the gateway's, not the test's own congestion.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configText, type Started, startTestGateway } from "./harness.js";

const UPSTREAM = `
const { parentPort } = require("node:worker_threads");
const http = require("node:http");
let inFlight = 0, max = 0, served = 0, over = 0;
const server = http.createServer((req, res) => {
  inFlight++;
  if (inFlight > max) max = inFlight;
  if (inFlight > 50) over++;
  req.resume();
  setTimeout(() => { inFlight--; served++; res.end("ok"); }, 20);
});
server.keepAliveTimeout = 30000;
server.listen(0, "127.0.0.1", () => parentPort.postMessage({ port: server.address().port }));
parentPort.on("message", (m) => {
  if (m === "stats") parentPort.postMessage({ max, served, over });
  if (m === "close") { server.closeAllConnections(); server.close(() => process.exit(0)); }
});
`;

const LOAD = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { port, clients, checkoutClients, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
const stats = { checkout: { total: 0, ok: 0, other: {} }, browse: { total: 0, ok: 0, shed: 0, other: {} }, shedMs: [], errors: 0 };
const end = Date.now() + durationMs;
function one(path) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request({ host: "127.0.0.1", port, path, agent, method: path.startsWith("/checkout") ? "POST" : "GET" }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode, ms: performance.now() - t0 }));
    });
    req.on("error", () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(path.startsWith("/checkout") ? "order=1" : undefined);
  });
}
async function client(i) {
  const checkout = i < checkoutClients;
  const s = checkout ? stats.checkout : stats.browse;
  while (Date.now() < end) {
    const r = await one(checkout ? "/checkout/pay" : "/products/" + i);
    s.total++;
    if (r.status === 200) s.ok++;
    else if (r.status === 503 && !checkout) { s.shed++; stats.shedMs.push(r.ms); }
    else s.other[r.status] = (s.other[r.status] || 0) + 1;
    if (r.status === 0) stats.errors++;
    // A shed client honours Retry-After (1 s) with jitter, as well-behaved clients and bots do
    // (without jitter all 450 wake in the same millisecond: a thundering herd of our own making).
    if (r.status !== 200) await new Promise((res) => setTimeout(res, 500 + Math.random() * 1000));
  }
}
Promise.all(Array.from({ length: clients }, (_, i) => client(i))).then(() => {
  stats.shedMs.sort((a, b) => a - b);
  const q = (p) => stats.shedMs.length ? stats.shedMs[Math.min(stats.shedMs.length - 1, Math.floor(stats.shedMs.length * p))] : 0;
  parentPort.postMessage({ ...stats, shedCount: stats.shedMs.length, shedP50: q(0.5), shedP99: q(0.99), shedMax: q(1), shedMs: undefined });
  agent.destroy();
});
`;

function message<T>(w: Worker): Promise<T> {
  return new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
  });
}

interface LoadResult {
  checkout: { total: number; ok: number; other: Record<string, number> };
  browse: { total: number; ok: number; shed: number; other: Record<string, number> };
  shedCount: number;
  shedP50: number;
  shedP99: number;
  shedMax: number;
  errors: number;
}

describe("surge: 10x the upstream's capacity", () => {
  let upstream: Worker;
  let g: Started;
  beforeAll(async () => {
    upstream = new Worker(UPSTREAM, { eval: true });
    const { port } = await message<{ port: number }>(upstream);
    g = await startTestGateway(
      configText(
        "",
        `upstreams:
  shop:
    targets: [http://127.0.0.1:${port}]
    concurrency: { limit: 50 }
    queue: { size: 100, timeoutMs: 50 }
routes:
  - { name: checkout, match: { pathPrefix: /checkout }, upstream: shop, priority: critical, queueTimeoutMs: 2000 }
  - { name: browse, match: { pathPrefix: / }, upstream: shop, priority: normal }
`,
      ),
    );
  });
  afterAll(async () => {
    await g.gw.close(2000);
    upstream.postMessage("close");
  });

  it("keeps the upstream at 50, checkout above 99 %, sheds browsing within 100 ms", async () => {
    // Warm-up at a tenth of the load (JIT, connection pools), as a gateway in service would be.
    const warm = new Worker(LOAD, {
      eval: true,
      workerData: { port: g.port, clients: 50, checkoutClients: 5, durationMs: 500 },
    });
    await message<LoadResult>(warm);
    g.log.length = 0;
    const load = new Worker(LOAD, {
      eval: true,
      workerData: { port: g.port, clients: 500, checkoutClients: 50, durationMs: 3000 },
    });
    const eld = monitorEventLoopDelay({ resolution: 5 });
    eld.enable();
    const r = await message<LoadResult>(load);
    eld.disable();
    console.log(
      `[surge] gateway event-loop delay p99 ${(eld.percentile(99) / 1e6).toFixed(1)} ms, max ${(eld.max / 1e6).toFixed(1)} ms`,
    );
    upstream.postMessage("stats");
    const up = await message<{ max: number; served: number; over: number }>(upstream);
    const checkoutRate = r.checkout.ok / r.checkout.total;
    console.log(
      `[surge] upstream max in flight ${up.max}, served ${up.served}; checkout ${r.checkout.ok}/${r.checkout.total} ` +
        `(${(checkoutRate * 100).toFixed(2)} %); browse ok ${r.browse.ok}, shed ${r.browse.shed} of ${r.browse.total}; ` +
        `shed latency p50 ${r.shedP50.toFixed(1)} ms, p99 ${r.shedP99.toFixed(1)} ms, max ${r.shedMax.toFixed(1)} ms; ` +
        `other ${JSON.stringify({ checkout: r.checkout.other, browse: r.browse.other })}`,
    );
    expect(up.max).toBeLessThanOrEqual(50);
    expect(up.over).toBe(0);
    expect(r.errors).toBe(0);
    expect(r.checkout.total).toBeGreaterThan(100);
    expect(checkoutRate).toBeGreaterThanOrEqual(0.99);
    expect(r.browse.shed).toBeGreaterThan(0);
    // Answered at once: the gateway's own time from request head to 503, for every shed request,
    // and what clients measured (which includes connection set-up and the load generator's lag).
    const shedLog = g.log.filter((l) => l.decision.startsWith("shed:"));
    // A queue timeout is decided after the wait the config grants (50 ms here): "at once" counts from
    // the decision, so that wait is taken off.
    const gatewayShedMax = Math.max(
      ...shedLog.map((l) => (l.decision === "shed:queue_timeout" ? l.ms - 50 : l.ms)),
    );
    const reasons: Record<string, { n: number; maxMs: number }> = {};
    for (const l of shedLog) {
      const x = (reasons[l.decision] ??= { n: 0, maxMs: 0 });
      x.n++;
      x.maxMs = Math.max(x.maxMs, l.ms);
    }
    console.log(`[surge] gateway-side shed time max ${gatewayShedMax} ms; ${JSON.stringify(reasons)}`);
    expect(shedLog.length).toBeGreaterThan(0);
    // Door sheds (priority, queue_full) involve no timer: they hold even on a busy machine.
    const doorShedMax = Math.max(
      0,
      ...shedLog.filter((l) => l.decision !== "shed:queue_timeout").map((l) => l.ms),
    );
    expect(doorShedMax).toBeLessThan(100);
    // Timer-driven figures only mean something when the gateway's event loop gets a CPU: when other
    // processes starve it (loop delay p99 above 50 ms), say so rather than blame the gateway.
    const loopP99Ms = eld.percentile(99) / 1e6;
    if (loopP99Ms > 50) {
      console.warn(
        `[surge] machine overloaded (event-loop delay p99 ${loopP99Ms.toFixed(0)} ms): timing of queue timeouts not asserted`,
      );
      return;
    }
    // A queue timeout fires on a timer, which is late by as much as the loop's longest stall (one
    // GC or a busy neighbour): that lateness is the machine's, the rest is the gateway's.
    const loopMaxMs = eld.max / 1e6;
    expect(gatewayShedMax - loopMaxMs).toBeLessThan(100);
    // Client-side times include TCP set-up and the lag of 500 clients in one thread; the median shows
    // what a client sees, the p99 is printed above.
    expect(r.shedP50).toBeLessThan(100);
  }, 30_000);
});
