/**
 * Per-second traffic counters of the last 300 seconds, per route, kept in memory for the monitor
 * (spike/drop detectors want one point per second). Each route owns a ring of 300 preallocated
 * slots; a slot is reset when its second comes round again, so recording allocates nothing.
 * Latency percentiles per second come from a log-scale histogram (src/monitor/series/latency.ts),
 * not from stored samples; distinct clients from HyperLogLog sketches (src/monitor/series/hll.ts)
 * kept for the last SKETCH_SECONDS seconds only (attestation sends a second within a few seconds;
 * 1 KiB per sketch for all 300 seconds would be 600 KiB per route for nothing).
 */
import type { AttestedCounts, AttestedSecond } from "../control/drift.js";
import { encodeSketch, HLL_REGISTERS, sketchAdd, sketchMerge } from "../monitor/series/hll.js";
import { encodeLatency, LAT_BUCKETS, latencyBucket, latencyQuantile } from "../monitor/series/latency.js";
import { WAF_MODULES } from "../waf/crs/modules.js";

export const RING_SECONDS = 300;
/** Seconds whose client sketches are kept: more than attestation looks back (30 s). */
export const SKETCH_SECONDS = 64;
/** `record`'s client hash when the client is unknown. */
export const NO_CLIENT = -1;

export type SecondOutcome = "ok" | "rate_limited" | "shed" | "blocked" | "other";

/** WAF modules by index for per-module block counts; the last index is "other" (no module known). */
const WAF_MODULE_NAMES: readonly string[] = [...WAF_MODULES.map((m) => m.name), "other"];
const WAF_MODULE_INDEX = new Map(WAF_MODULE_NAMES.map((name, i) => [name, i]));
const WAF_OTHER = WAF_MODULE_NAMES.length - 1;

/** The index `record` takes for a WAF module name ("other" for undefined or an unknown name). */
export function wafModuleIndex(name: string | undefined): number {
  return name === undefined ? WAF_OTHER : (WAF_MODULE_INDEX.get(name) ?? WAF_OTHER);
}

class Slot {
  second = -1;
  requests = 0;
  s2xx = 0;
  s4xx = 0;
  s5xx = 0;
  rateLimited = 0;
  shed = 0;
  blocked = 0;
  readonly latency = new Uint32Array(LAT_BUCKETS);
  readonly wafBlocks = new Uint32Array(WAF_MODULE_NAMES.length);

  reset(second: number): void {
    this.second = second;
    this.requests = this.s2xx = this.s4xx = this.s5xx = this.rateLimited = this.shed = this.blocked = 0;
    this.latency.fill(0);
    this.wafBlocks.fill(0);
  }

  /** Adds `o`'s counts (the same second) to this slot's. */
  add(o: Slot): void {
    this.requests += o.requests;
    this.s2xx += o.s2xx;
    this.s4xx += o.s4xx;
    this.s5xx += o.s5xx;
    this.rateLimited += o.rateLimited;
    this.shed += o.shed;
    this.blocked += o.blocked;
    for (let i = 0; i < this.latency.length; i++) this.latency[i]! += o.latency[i]!;
    for (let i = 0; i < this.wafBlocks.length; i++) this.wafBlocks[i]! += o.wafBlocks[i]!;
  }
}

class SketchSlot {
  second = -1;
  readonly clients = new Uint8Array(HLL_REGISTERS);
  /** Clients answered with a 5xx, a WAF block, a 429 or a shed 503. */
  readonly failed = new Uint8Array(HLL_REGISTERS);
  failedAny = false;

  reset(second: number): void {
    this.second = second;
    this.clients.fill(0);
    this.failed.fill(0);
    this.failedAny = false;
  }

  /** Merges `o`'s sketches (the same second) into this slot's: the union of their clients. */
  add(o: SketchSlot): void {
    sketchMerge(this.clients, o.clients);
    sketchMerge(this.failed, o.failed);
    this.failedAny ||= o.failedAny;
  }
}

/** One point of the series, as `secondCounters()` returns it. */
export interface SecondPoint {
  /** Unix time in seconds. */
  readonly t: number;
  readonly requests: number;
  readonly s2xx: number;
  readonly s4xx: number;
  readonly s5xx: number;
  readonly rateLimited: number;
  readonly shed: number;
  /** Requests the WAF blocked. */
  readonly blocked: number;
  /** Latency percentiles of that second in ms (upper bound of the histogram bucket), 0 when idle. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export class SecondSeries {
  private readonly slots: Slot[] = Array.from({ length: RING_SECONDS }, () => new Slot());
  private readonly sketches: SketchSlot[] = Array.from({ length: SKETCH_SECONDS }, () => new SketchSlot());

  /**
   * Counts one finished exchange. `clientHash` is hashClient(client address) (NO_CLIENT: unknown);
   * `wafModule` is wafModuleIndex(module) for a WAF block. Allocation-free: the hot path calls it.
   */
  record(
    nowMs: number,
    status: number,
    latencyMs: number,
    outcome: SecondOutcome,
    clientHash: number = NO_CLIENT,
    wafModule: number = WAF_OTHER,
  ): void {
    const second = Math.floor(nowMs / 1000);
    const slot = this.slots[second % RING_SECONDS]!;
    if (slot.second !== second) slot.reset(second);
    slot.requests++;
    if (status >= 500) slot.s5xx++;
    else if (status >= 400) slot.s4xx++;
    else if (status >= 200 && status < 300) slot.s2xx++;
    if (outcome === "rate_limited") slot.rateLimited++;
    else if (outcome === "shed") slot.shed++;
    else if (outcome === "blocked") {
      slot.blocked++;
      slot.wafBlocks[wafModule]!++;
    }
    slot.latency[latencyBucket(latencyMs)]!++;
    if (clientHash === NO_CLIENT) return;
    const sketch = this.sketches[second % SKETCH_SECONDS]!;
    if (sketch.second !== second) sketch.reset(second);
    sketchAdd(sketch.clients, clientHash);
    if (status >= 500 || outcome === "blocked" || outcome === "rate_limited" || outcome === "shed") {
      sketchAdd(sketch.failed, clientHash);
      sketch.failedAny = true;
    }
  }

  /** Points of the last RING_SECONDS seconds up to `nowMs`, oldest first; idle seconds are zeros. */
  points(nowMs: number): SecondPoint[] {
    const out: SecondPoint[] = [];
    for (const t of lastSeconds(nowMs)) out.push(pointOf(t, this.slotAt(t)));
    return out;
  }

  /** Everything known of second `t` in attestation form; undefined when it had no requests. */
  report(t: number): AttestedCounts | undefined {
    return reportOf(t, this.slotAt(t), this.sketchAt(t));
  }

  /** Adds second `t` of this series to `slot` and `sketch`, both reset to `t`; true if it had a sketch. */
  addTo(t: number, slot: Slot, sketch: SketchSlot): boolean {
    const own = this.slotAt(t);
    if (own.second === t) slot.add(own);
    const sk = this.sketchAt(t);
    if (sk.second !== t) return false;
    sketch.add(sk);
    return true;
  }

  private slotAt(t: number): Slot {
    return this.slots[((t % RING_SECONDS) + RING_SECONDS) % RING_SECONDS]!;
  }

  private sketchAt(t: number): SketchSlot {
    return this.sketches[((t % SKETCH_SECONDS) + SKETCH_SECONDS) % SKETCH_SECONDS]!;
  }
}

/** The RING_SECONDS seconds up to `nowMs`, oldest first. */
function lastSeconds(nowMs: number): number[] {
  const now = Math.floor(nowMs / 1000);
  return Array.from({ length: RING_SECONDS }, (_, i) => now - RING_SECONDS + 1 + i);
}

function pointOf(t: number, slot: Slot): SecondPoint {
  if (slot.second !== t || slot.requests === 0)
    return {
      t,
      requests: 0,
      s2xx: 0,
      s4xx: 0,
      s5xx: 0,
      rateLimited: 0,
      shed: 0,
      blocked: 0,
      p50Ms: 0,
      p99Ms: 0,
    };
  return {
    t,
    requests: slot.requests,
    s2xx: slot.s2xx,
    s4xx: slot.s4xx,
    s5xx: slot.s5xx,
    rateLimited: slot.rateLimited,
    shed: slot.shed,
    blocked: slot.blocked,
    p50Ms: latencyQuantile(slot.latency, 0.5),
    p99Ms: latencyQuantile(slot.latency, 0.99),
  };
}

function reportOf(t: number, slot: Slot, sketch: SketchSlot): AttestedCounts | undefined {
  if (slot.second !== t || slot.requests === 0) return undefined;
  let waf: Record<string, number> | undefined;
  for (let i = 0; i < slot.wafBlocks.length; i++) {
    if (slot.wafBlocks[i] === 0) continue;
    waf ??= {};
    waf[WAF_MODULE_NAMES[i]!] = slot.wafBlocks[i]!;
  }
  const sketched = sketch.second === t;
  const { t: _second, ...counts } = pointOf(t, slot);
  return {
    ...counts,
    latency: encodeLatency(slot.latency),
    ...(waf === undefined ? {} : { waf }),
    ...(sketched ? { clients: encodeSketch(sketch.clients) } : {}),
    ...(sketched && sketch.failedAny ? { failedClients: encodeSketch(sketch.failed) } : {}),
  };
}

/**
 * Series per route name, plus one for unrouted requests, kept across reloads. A request is recorded
 * once, in its route's series (or the unrouted one); the whole gateway's line is their sum, worked
 * out when it is read (once a second for attestation) rather than kept by every request.
 */
export class SecondCounters {
  readonly unrouted = new SecondSeries();
  private readonly byRoute = new Map<string, SecondSeries>();
  private readonly sumSlot = new Slot();
  private readonly sumSketch = new SketchSlot();

  seriesFor(route: string): SecondSeries {
    let s = this.byRoute.get(route);
    if (s === undefined) {
      s = new SecondSeries();
      this.byRoute.set(route, s);
    }
    return s;
  }

  snapshot(nowMs: number): { all: SecondPoint[]; routes: Record<string, SecondPoint[]> } {
    const routes: Record<string, SecondPoint[]> = {};
    for (const [name, s] of this.byRoute) routes[name] = s.points(nowMs);
    return { all: lastSeconds(nowMs).map((t) => pointOf(t, this.sum(t))), routes };
  }

  /** Seconds `from`..`to` (inclusive) with traffic, overall and per route, for attestation. */
  reports(from: number, to: number): AttestedSecond[] {
    const out: AttestedSecond[] = [];
    for (let t = Math.max(from, to - RING_SECONDS + 1); t <= to; t++) {
      const all = reportOf(t, this.sum(t), this.sumSketch);
      if (all === undefined) continue;
      const routes: Record<string, AttestedCounts> = {};
      for (const [name, s] of this.byRoute) {
        const r = s.report(t);
        if (r !== undefined) routes[name] = r;
      }
      out.push({ t, ...all, routes });
    }
    return out;
  }

  /** Second `t` over every series, in the reused sum slots (valid until the next call). */
  private sum(t: number): Slot {
    const slot = this.sumSlot;
    const sketch = this.sumSketch;
    slot.reset(t);
    sketch.reset(t);
    let sketched = false;
    for (const s of [this.unrouted, ...this.byRoute.values()])
      sketched = s.addTo(t, slot, sketch) || sketched;
    if (!sketched) sketch.second = -1;
    return slot;
  }
}
