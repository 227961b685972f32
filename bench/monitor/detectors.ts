/**
 * Throughput and memory of the streaming detectors: points per second over a 200 000-point
 * per-second series (noise, a daily wave, spikes and a drop), and bytes per detector instance (JS
 * heap plus typed-array buffers; 1000 instances, each fed one point). Medians of 5 runs.
 *
 *   node --expose-gc --import tsx bench/monitor/detectors.ts
 *
 * (`npx tsx bench/monitor/detectors.ts` also works; memory then prints "n/a" without gc.)
 */
import { createDetector, createRatioDetector, detectorNames } from "../../src/monitor/detectors/index.js";

const RUNS = 5;
const POINTS = 200_000;
const INSTANCES = 1000;
const gc = (globalThis as { gc?: () => void }).gc;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// A deterministic series: xorshift noise, a daily wave, a spike every 10 000 points, a drop.
const t0 = Date.UTC(2026, 0, 5);
const timestamps = new Float64Array(POINTS);
const values = new Float64Array(POINTS);
const errors = new Float64Array(POINTS);
let seed = 2463534242;
const rand = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
};
for (let i = 0; i < POINTS; i++) {
  timestamps[i] = t0 + i * 1000;
  const wave = 1 + 0.4 * Math.sin((2 * Math.PI * i) / 86_400);
  let v = 500 * wave * (1 + 0.05 * (rand() - 0.5));
  if (i % 10_000 === 5_000) v *= 3;
  if (i > 150_000 && i < 150_300) v = 0;
  values[i] = v;
  errors[i] = Math.floor(v * 0.01 * (0.5 + rand()));
}

let sink = 0; // keeps results alive so the JIT cannot drop the work

function pointsPerSecond(
  make: () => { update(t: number, v: number, n?: number): number },
  ratio: boolean,
): number {
  const d = make();
  const start = performance.now();
  if (ratio) {
    const r = d as { update(t: number, k: number, n: number): number };
    for (let i = 0; i < POINTS; i++) sink += r.update(timestamps[i]!, errors[i]!, values[i]!);
  } else {
    for (let i = 0; i < POINTS; i++) sink += d.update(timestamps[i]!, values[i]!);
  }
  return POINTS / ((performance.now() - start) / 1000);
}

function bytesPerInstance(
  make: () => { update(t: number, v: number, n?: number): number },
): number | undefined {
  if (!gc) return undefined;
  gc();
  // Typed arrays (the seasonal profiles) live outside the JS heap: count both.
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const keep: unknown[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const d = make();
    sink += d.update(t0, 1, 10);
    keep.push(d);
  }
  gc();
  const bytes = (used() - before) / INSTANCES;
  sink += keep.length;
  return bytes;
}

type Scorer = { update(t: number, v: number, n?: number): number };
const rows: [string, string, string][] = [];
const cases: [string, () => Scorer, boolean][] = [
  ...detectorNames().map((n): [string, () => Scorer, boolean] => [n, () => createDetector(n), false]),
  ["ratio", () => createRatioDetector() as Scorer, true],
];
for (const [name, make, ratio] of cases) {
  pointsPerSecond(make, ratio); // warm-up run for the JIT
  const speed = median(Array.from({ length: RUNS }, () => pointsPerSecond(make, ratio)));
  const mem = Array.from({ length: RUNS }, () => bytesPerInstance(make));
  const bytes = mem[0] === undefined ? "n/a" : `${Math.round(median(mem as number[]))}`;
  rows.push([name, `${(speed / 1e6).toFixed(2)} M`, bytes]);
}
console.log(`${"detector".padEnd(14)}${"points/s".padStart(12)}${"bytes/instance".padStart(18)}`);
for (const [n, s, b] of rows) console.log(`${n.padEnd(14)}${s.padStart(12)}${b.padStart(18)}`);
if (sink === Number.MIN_VALUE) console.log(sink);
