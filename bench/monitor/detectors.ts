/**
 * Throughput and memory of the streaming detectors: points per second over a 200 000-point
 * per-second series (noise, a daily wave, spikes and a drop), the slowest single point of a run
 * (the contextual detector rebuilds its memory when the range widens), and bytes per detector
 * instance (JS heap plus typed-array buffers): fresh (1000 instances, each fed one point) and
 * learnt (20 instances, each fed the first 20 000 points; the contextual memory grows up to its
 * maxContexts cap). Medians of 5 runs.
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

/** The slowest single update of one run, in microseconds. */
function slowestPoint(
  make: () => { update(t: number, v: number, n?: number): number },
  ratio: boolean,
): number {
  const d = make();
  let worst = 0;
  for (let i = 0; i < POINTS; i++) {
    const start = performance.now();
    sink += ratio ? d.update(timestamps[i]!, errors[i]!, values[i]!) : d.update(timestamps[i]!, values[i]!);
    const took = performance.now() - start;
    if (took > worst) worst = took;
  }
  return worst * 1000;
}

function bytesPerInstance(
  make: () => { update(t: number, v: number, n?: number): number },
  instances = INSTANCES,
  points = 1,
  ratio = false,
): number | undefined {
  if (!gc) return undefined;
  // Several collections, so that garbage of earlier runs (and typed arrays freed only after a
  // second pass) does not count against, or for, the instances measured here.
  const collect = () => {
    for (let i = 0; i < 4; i++) gc();
  };
  collect();
  // Typed arrays (the seasonal profiles) live outside the JS heap: count both.
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  const before = used();
  const keep: unknown[] = [];
  for (let k = 0; k < instances; k++) {
    const d = make();
    for (let i = 0; i < points; i++)
      sink += ratio ? d.update(timestamps[i]!, errors[i]!, values[i]!) : d.update(timestamps[i]!, values[i]!);
    keep.push(d);
  }
  collect();
  const bytes = (used() - before) / instances;
  sink += keep.length;
  return bytes;
}

type Scorer = { update(t: number, v: number, n?: number): number };
const rows: string[][] = [];
const cases: [string, () => Scorer, boolean][] = [
  ...detectorNames().map((n): [string, () => Scorer, boolean] => [n, () => createDetector(n), false]),
  ["ratio", () => createRatioDetector() as Scorer, true],
];
for (const [name, make, ratio] of cases) {
  pointsPerSecond(make, ratio); // warm-up run for the JIT
  const speed = median(Array.from({ length: RUNS }, () => pointsPerSecond(make, ratio)));
  const slowest = slowestPoint(make, ratio);
  const mem = Array.from({ length: RUNS }, () => bytesPerInstance(make));
  const bytes = mem[0] === undefined ? "n/a" : `${Math.round(median(mem as number[]))}`;
  const learnt = bytesPerInstance(make, 20, 20_000, ratio);
  rows.push([
    name,
    `${(speed / 1e6).toFixed(3)} M`,
    `${(1e6 / speed).toFixed(2)}`,
    `${slowest.toFixed(0)}`,
    bytes,
    learnt === undefined ? "n/a" : `${Math.round(learnt)}`,
  ]);
}
const head = ["detector", "points/s", "µs/point", "slowest µs", "bytes fresh", "bytes learnt"];
const widths = [14, 12, 10, 12, 13, 14];
const line = (cells: string[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("");
console.log(line(head));
for (const r of rows) console.log(line(r));
if (sink === Number.MIN_VALUE) console.log(sink);
