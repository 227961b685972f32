/**
 * Per-second traffic counters of the last 300 seconds, per route, kept in memory for the monitor
 * (spike/drop detectors want one point per second). Each route owns a ring of 300 preallocated
 * slots; a slot is reset when its second comes round again, so recording allocates nothing.
 * Latency percentiles per second come from a log-scale histogram (factor 1.25, like HdrHistogram
 * with ~12 % relative error), not from stored samples.
 */

export const RING_SECONDS = 300;
const LAT_BASE_MS = 0.25;
const LAT_FACTOR = 1.25;
const LAT_BUCKETS = 64; // 0.25 ms * 1.25^63 ~ 320 s: anything longer lands in the last bucket
const LOG_FACTOR = Math.log(LAT_FACTOR);

export type SecondOutcome = "ok" | "rate_limited" | "shed" | "blocked" | "other";

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

  reset(second: number): void {
    this.second = second;
    this.requests = this.s2xx = this.s4xx = this.s5xx = this.rateLimited = this.shed = this.blocked = 0;
    this.latency.fill(0);
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

function bucketOf(ms: number): number {
  if (ms <= LAT_BASE_MS) return 0;
  const b = Math.ceil(Math.log(ms / LAT_BASE_MS) / LOG_FACTOR);
  return b >= LAT_BUCKETS ? LAT_BUCKETS - 1 : b;
}

function bucketUpperMs(b: number): number {
  return LAT_BASE_MS * LAT_FACTOR ** b;
}

function percentile(latency: Uint32Array, total: number, q: number): number {
  if (total === 0) return 0;
  const rank = Math.ceil(total * q);
  let seen = 0;
  for (let b = 0; b < LAT_BUCKETS; b++) {
    seen += latency[b]!;
    if (seen >= rank) return Math.round(bucketUpperMs(b) * 100) / 100;
  }
  return bucketUpperMs(LAT_BUCKETS - 1);
}

export class SecondSeries {
  private readonly slots: Slot[] = Array.from({ length: RING_SECONDS }, () => new Slot());

  record(nowMs: number, status: number, latencyMs: number, outcome: SecondOutcome): void {
    const second = Math.floor(nowMs / 1000);
    const slot = this.slots[second % RING_SECONDS]!;
    if (slot.second !== second) slot.reset(second);
    slot.requests++;
    if (status >= 500) slot.s5xx++;
    else if (status >= 400) slot.s4xx++;
    else if (status >= 200 && status < 300) slot.s2xx++;
    if (outcome === "rate_limited") slot.rateLimited++;
    else if (outcome === "shed") slot.shed++;
    else if (outcome === "blocked") slot.blocked++;
    slot.latency[bucketOf(latencyMs)]!++;
  }

  /** Points of the last RING_SECONDS seconds up to `nowMs`, oldest first; idle seconds are zeros. */
  points(nowMs: number): SecondPoint[] {
    const now = Math.floor(nowMs / 1000);
    const out: SecondPoint[] = [];
    for (let t = now - RING_SECONDS + 1; t <= now; t++) {
      const slot = this.slots[((t % RING_SECONDS) + RING_SECONDS) % RING_SECONDS]!;
      if (slot.second !== t) {
        out.push({
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
        });
        continue;
      }
      out.push({
        t,
        requests: slot.requests,
        s2xx: slot.s2xx,
        s4xx: slot.s4xx,
        s5xx: slot.s5xx,
        rateLimited: slot.rateLimited,
        shed: slot.shed,
        blocked: slot.blocked,
        p50Ms: percentile(slot.latency, slot.requests, 0.5),
        p99Ms: percentile(slot.latency, slot.requests, 0.99),
      });
    }
    return out;
  }
}

/** Series per route name (plus "_all" and "_none" for unrouted requests), kept across reloads. */
export class SecondCounters {
  readonly all = new SecondSeries();
  private readonly byRoute = new Map<string, SecondSeries>();

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
    return { all: this.all.points(nowMs), routes };
  }
}
