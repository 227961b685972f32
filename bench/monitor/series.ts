/**
 * Cost of the traffic series, medians of 5 runs:
 * - gateway hot path: ns per `SecondSeries.record` without a client (the work before client
 *   sketches) and with one (hash + sketch update), and bytes allocated per record (JS heap,
 *   with --expose-gc): the proxy's per-request recording must stay allocation-free;
 * - control plane: attested points ingested per second (one gateway-second of one route or of
 *   "all" is a point) and series samples closed per second, for 8 gateways x 20 routes;
 * - memory: ring bytes per series per hour, measured from the typed arrays held;
 * - HyperLogLog: merge of two 1 KiB sketches, decode-and-merge of the wire forms, estimate.
 *
 *   node --expose-gc --import tsx bench/monitor/series.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attestation, AttestedSecond } from "../../src/control/drift.js";
import { NO_CLIENT, SecondCounters, SecondSeries } from "../../src/gateway/seconds.js";
import {
  encodeSketch,
  hashClient,
  mergeEncodedSketch,
  newSketch,
  sketchAdd,
  sketchEstimate,
  sketchMerge,
} from "../../src/monitor/series/hll.js";
import { Monitor } from "../../src/monitor/series/monitor.js";
import { openStore } from "../../src/store/store.js";
import { median } from "../support.js";

const RUNS = 5;
const gc = (globalThis as { gc?: () => void }).gc;
let sink = 0;

// ---- gateway hot path ----
const RECORDS = 2_000_000;
const ips = Array.from({ length: 4096 }, (_, i) => `10.${(i >> 8) & 255}.${i & 255}.${(i * 7) & 255}`);

function recordNs(withClient: boolean): number {
  const s = new SecondSeries();
  const t0 = 1_700_000_000_000;
  const start = performance.now();
  for (let i = 0; i < RECORDS; i++) {
    const client = withClient ? hashClient(ips[i & 4095]!) : NO_CLIENT;
    s.record(t0 + (i >> 1), i % 50 === 0 ? 503 : 200, 3 + (i % 40), "ok", client);
  }
  return ((performance.now() - start) * 1e6) / RECORDS;
}

function bytesPerRecord(): number | undefined {
  if (!gc) return undefined;
  const s = new SecondSeries();
  const t0 = 1_700_000_000_000;
  const n = 5_000_000;
  for (let i = 0; i < 200_000; i++) s.record(t0 + (i >> 10), 200, 5, "ok", hashClient(ips[i & 4095]!)); // warm, every slot touched
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) s.record(t0 + (i >> 10), 200, 5, "ok", hashClient(ips[i & 4095]!));
  return (process.memoryUsage().heapUsed - before) / n;
}

// ---- control plane ingest ----
const GATEWAYS = 8;
const ROUTES = 20;
const SECONDS = 120;
const T0 = 1_700_002_800;

function gatewaySeconds(g: number): AttestedSecond[] {
  const c = new SecondCounters();
  for (let t = T0; t < T0 + SECONDS; t++) {
    for (let r = 0; r < ROUTES; r++) {
      for (let i = 0; i < 20; i++) {
        const ip = hashClient(ips[(g * 131 + r * 17 + i + t) & 4095]!);
        c.seriesFor(`route-${r}`).record(t * 1000 + i, i === 0 ? 503 : 200, 2 + i, "ok", ip);
      }
    }
  }
  return c.reports(T0, T0 + SECONDS - 1);
}

const perGateway = Array.from({ length: GATEWAYS }, (_, g) => gatewaySeconds(g));

function ingest(): { pointsPerSecond: number; samplesPerSecond: number; ringBytesPerSeriesHour: number } {
  const dir = mkdtempSync(join(tmpdir(), "rampart-bench-series-"));
  let now = T0 * 1000;
  const store = openStore(dir, { now: () => new Date(now) });
  const monitor = new Monitor(store, { now: () => now });
  let samples = 0;
  monitor.onSecond((_t, s) => {
    samples += s.length;
  });
  const routes = Array.from({ length: ROUTES }, (_, r) => ({
    name: `route-${r}`,
    upstream: "u",
    rateLimits: [],
  }));
  let elapsed = 0;
  for (let i = 0; i < SECONDS; i++) {
    now = (T0 + i + 1) * 1000 + 100;
    const start = performance.now();
    for (let g = 0; g < GATEWAYS; g++) {
      const a: Attestation = {
        id: `gw-${g}`,
        tags: [],
        pid: 1,
        host: "h",
        configVersion: 1,
        configHash: null,
        controlConnected: true,
        waf: { mode: "blocking", rules: 0, modules: [] },
        routes,
        seconds: [perGateway[g]![i]!],
        through: T0 + i,
      };
      monitor.ingest(a);
    }
    elapsed += performance.now() - start;
  }
  const stats = monitor.stats();
  store.close();
  rmSync(dir, { recursive: true, force: true });
  const points = SECONDS * GATEWAYS * (ROUTES + 1);
  return {
    pointsPerSecond: points / (elapsed / 1000),
    samplesPerSecond: samples / (elapsed / 1000),
    ringBytesPerSeriesHour: stats.ringBytes / stats.groups / 11,
  };
}

// ---- HyperLogLog ----
function hllNs(): { merge: number; dense: number; sparse: number; estimate: number } {
  const a = newSketch();
  const b = newSketch();
  for (let i = 0; i < 50_000; i++) sketchAdd(i % 2 ? a : b, hashClient(`c${i}`));
  const few = newSketch();
  for (let i = 0; i < 20; i++) sketchAdd(few, hashClient(`f${i}`));
  const denseText = encodeSketch(b);
  const sparseText = encodeSketch(few);
  const N = 100_000;
  const time = (f: () => void) => {
    const start = performance.now();
    for (let i = 0; i < N; i++) f();
    return ((performance.now() - start) * 1e6) / N;
  };
  const into = newSketch();
  return {
    merge: time(() => sketchMerge(into, a)),
    dense: time(() => mergeEncodedSketch(into, denseText)),
    sparse: time(() => mergeEncodedSketch(into, sparseText)),
    estimate: time(() => {
      sink += sketchEstimate(into);
    }),
  };
}

recordNs(false);
recordNs(true);
const plain = median(Array.from({ length: RUNS }, () => recordNs(false)));
const withClient = median(Array.from({ length: RUNS }, () => recordNs(true)));
const alloc = median(Array.from({ length: RUNS }, () => bytesPerRecord() ?? Number.NaN));
ingest(); // warm-up
const runs = Array.from({ length: RUNS }, () => ingest());
const hll = Array.from({ length: RUNS }, () => hllNs());

console.log("gateway: SecondSeries.record");
console.log(`  without client sketch   ${plain.toFixed(1)} ns/record`);
console.log(`  with client sketch      ${withClient.toFixed(1)} ns/record (hash + sketch update)`);
console.log(
  `  allocated               ${Number.isNaN(alloc) ? "n/a (run with --expose-gc)" : `${alloc.toFixed(3)} bytes/record (a boxed number would be 16)`}`,
);
console.log(`control plane: ${GATEWAYS} gateways x ${ROUTES} routes, ${SECONDS} s`);
console.log(
  `  attested points ingested ${Math.round(median(runs.map((r) => r.pointsPerSecond))).toLocaleString("en")} /s`,
);
console.log(
  `  series samples closed    ${Math.round(median(runs.map((r) => r.samplesPerSecond))).toLocaleString("en")} /s`,
);
console.log(
  `  ring memory              ${median(runs.map((r) => r.ringBytesPerSeriesHour))} bytes per series per hour`,
);
console.log("HyperLogLog (p = 10, 1 KiB)");
console.log(`  merge two sketches       ${median(hll.map((h) => h.merge)).toFixed(0)} ns`);
console.log(`  decode + merge dense     ${median(hll.map((h) => h.dense)).toFixed(0)} ns`);
console.log(`  decode + merge sparse    ${median(hll.map((h) => h.sparse)).toFixed(0)} ns (20 registers)`);
console.log(`  estimate                 ${median(hll.map((h) => h.estimate)).toFixed(0)} ns`);
if (sink === Number.MIN_VALUE) console.log(sink);
