/**
 * The last hour at one-second resolution for one series group (fleet, a route, a gateway), in
 * typed arrays: one Uint32Array of COLUMNS x capacity, written once per closed second, never
 * reallocated. Every group shares the monitor's timeline (seconds close for all groups at once),
 * so a slot is `t % capacity` and a group's idle seconds are written as zeros like any other.
 * Latencies are stored in hundredths of a millisecond (the histogram's own precision is coarser).
 * Memory: 4 bytes per column per second, 14.4 KB per series per hour at the default capacity.
 */
import type { Tally } from "./tally.js";

export const RING_COLUMNS = [
  "requests",
  "s2xx",
  "s4xx",
  "s5xx",
  "blocked",
  "rate_limited",
  "shed",
  "p50_ms",
  "p99_ms",
  "unique_clients",
  "failed_clients",
] as const;
export type RingColumn = (typeof RING_COLUMNS)[number];
export const COLUMN: Readonly<Record<RingColumn, number>> = Object.fromEntries(
  RING_COLUMNS.map((c, i) => [c, i]),
) as Record<RingColumn, number>;

const LATENCY_SCALE = 100;
const MAX_U32 = 0xffffffff;

export class SecondRing {
  readonly capacity: number;
  readonly #values: Uint32Array;
  /** WAF blocks per module, created when a module first blocks on this group. */
  readonly #waf = new Map<string, Uint32Array>();

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#values = new Uint32Array(RING_COLUMNS.length * capacity);
  }

  #slot(t: number): number {
    return ((t % this.capacity) + this.capacity) % this.capacity;
  }

  /** Writes second `t` (a reset tally writes zeros). */
  write(t: number, tally: Tally, uniqueClients: number, failedClients: number): void {
    const base = this.#slot(t) * RING_COLUMNS.length;
    const v = this.#values;
    v[base + COLUMN.requests] = Math.min(MAX_U32, tally.requests);
    v[base + COLUMN.s2xx] = Math.min(MAX_U32, tally.s2xx);
    v[base + COLUMN.s4xx] = Math.min(MAX_U32, tally.s4xx);
    v[base + COLUMN.s5xx] = Math.min(MAX_U32, tally.s5xx);
    v[base + COLUMN.blocked] = Math.min(MAX_U32, tally.blocked);
    v[base + COLUMN.rate_limited] = Math.min(MAX_U32, tally.rateLimited);
    v[base + COLUMN.shed] = Math.min(MAX_U32, tally.shed);
    v[base + COLUMN.p50_ms] = Math.min(MAX_U32, Math.round(tally.quantileMs(0.5) * LATENCY_SCALE));
    v[base + COLUMN.p99_ms] = Math.min(MAX_U32, Math.round(tally.quantileMs(0.99) * LATENCY_SCALE));
    v[base + COLUMN.unique_clients] = uniqueClients;
    v[base + COLUMN.failed_clients] = failedClients;
    const slot = this.#slot(t);
    for (const [module, ring] of this.#waf) ring[slot] = tally.waf.get(module) ?? 0;
    for (const [module, n] of tally.waf) {
      if (this.#waf.has(module)) continue;
      const ring = new Uint32Array(this.capacity);
      ring[slot] = n;
      this.#waf.set(module, ring);
    }
  }

  /** Zeros everywhere (after a pause longer than the ring, its slots hold seconds of another hour). */
  clear(): void {
    this.#values.fill(0);
    for (const ring of this.#waf.values()) ring.fill(0);
  }

  /** A column's value at second `t` (which the caller knows is within the last `capacity`). */
  get(column: RingColumn, t: number): number {
    const raw = this.#values[this.#slot(t) * RING_COLUMNS.length + COLUMN[column]]!;
    return column === "p50_ms" || column === "p99_ms" ? raw / LATENCY_SCALE : raw;
  }

  /** WAF blocks at `t`: of one module, or of all modules when `module` is undefined. */
  waf(t: number, module: string | undefined): number {
    const slot = this.#slot(t);
    if (module !== undefined) return this.#waf.get(module)?.[slot] ?? 0;
    let sum = 0;
    for (const ring of this.#waf.values()) sum += ring[slot]!;
    return sum;
  }

  modules(): string[] {
    return [...this.#waf.keys()];
  }

  /** Bytes of typed arrays this ring holds. */
  bytes(): number {
    let n = this.#values.byteLength;
    for (const ring of this.#waf.values()) n += ring.byteLength;
    return n;
  }
}
