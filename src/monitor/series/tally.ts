/**
 * A tally: the counters of one series group (fleet, one route, one gateway) over a span of time,
 * built by adding attested seconds or other tallies. Counters sum; latency histograms add bucket
 * by bucket; client sketches merge register-wise; WAF blocks sum per module. A closing second and
 * a minute being rolled up are both tallies, so both answer quantiles and distinct clients the
 * same way.
 */
import type { AttestedCounts } from "../../control/drift.js";
import { mergeEncodedSketch, newSketch, sketchEstimate, sketchMerge } from "./hll.js";
import { LAT_BUCKETS, latencyQuantile, mergeEncodedLatency } from "./latency.js";

export class Tally {
  requests = 0;
  s2xx = 0;
  s4xx = 0;
  s5xx = 0;
  blocked = 0;
  rateLimited = 0;
  shed = 0;
  readonly latency = new Uint32Array(LAT_BUCKETS);
  /** Quantiles from gateways that send no histogram (older builds): the max is kept. */
  p50FallbackMs = 0;
  p99FallbackMs = 0;
  readonly waf = new Map<string, number>();
  /** Allocated on first use (1 KiB each): most routes of a quiet second have no failed clients. */
  clients: Uint8Array | undefined;
  failed: Uint8Array | undefined;

  reset(): void {
    this.requests = this.s2xx = this.s4xx = this.s5xx = this.blocked = this.rateLimited = this.shed = 0;
    this.latency.fill(0);
    this.p50FallbackMs = this.p99FallbackMs = 0;
    this.waf.clear();
    this.clients?.fill(0);
    this.failed?.fill(0);
  }

  /** Adds one gateway's counters; malformed histograms or sketches are skipped, counters kept. */
  addCounts(c: AttestedCounts): void {
    this.requests += c.requests;
    this.s2xx += c.s2xx ?? 0;
    this.s4xx += c.s4xx ?? 0;
    this.s5xx += c.s5xx;
    this.blocked += c.blocked;
    this.rateLimited += c.rateLimited ?? 0;
    this.shed += c.shed ?? 0;
    if (c.latency === undefined || !mergeEncodedLatency(this.latency, c.latency)) {
      this.p50FallbackMs = Math.max(this.p50FallbackMs, c.p50Ms ?? c.p99Ms);
      this.p99FallbackMs = Math.max(this.p99FallbackMs, c.p99Ms);
    }
    if (c.waf !== undefined) {
      for (const [module, n] of Object.entries(c.waf)) {
        if (Number.isFinite(n) && n > 0) this.waf.set(module, (this.waf.get(module) ?? 0) + n);
      }
    }
    if (c.clients !== undefined) {
      this.clients ??= newSketch();
      mergeEncodedSketch(this.clients, c.clients);
    }
    if (c.failedClients !== undefined) {
      this.failed ??= newSketch();
      mergeEncodedSketch(this.failed, c.failedClients);
    }
  }

  addTally(o: Tally): void {
    this.requests += o.requests;
    this.s2xx += o.s2xx;
    this.s4xx += o.s4xx;
    this.s5xx += o.s5xx;
    this.blocked += o.blocked;
    this.rateLimited += o.rateLimited;
    this.shed += o.shed;
    for (let b = 0; b < LAT_BUCKETS; b++) this.latency[b]! += o.latency[b]!;
    this.p50FallbackMs = Math.max(this.p50FallbackMs, o.p50FallbackMs);
    this.p99FallbackMs = Math.max(this.p99FallbackMs, o.p99FallbackMs);
    for (const [module, n] of o.waf) this.waf.set(module, (this.waf.get(module) ?? 0) + n);
    if (o.clients !== undefined) sketchMerge((this.clients ??= newSketch()), o.clients);
    if (o.failed !== undefined) sketchMerge((this.failed ??= newSketch()), o.failed);
  }

  /** Quantile in ms: from the merged histogram, or the fallback when no gateway sent one. */
  quantileMs(q: 0.5 | 0.99): number {
    const fromHistogram = latencyQuantile(this.latency, q);
    if (fromHistogram > 0) return Math.max(fromHistogram, q === 0.5 ? 0 : this.p99FallbackMs);
    return q === 0.5 ? this.p50FallbackMs : this.p99FallbackMs;
  }

  uniqueClients(): number {
    return this.clients === undefined ? 0 : sketchEstimate(this.clients);
  }

  failedClients(): number {
    return this.failed === undefined ? 0 : sketchEstimate(this.failed);
  }
}
