/**
 * GCRA (Generic Cell Rate Algorithm) rate limiting with an in-memory, bounded store.
 *
 * Algorithm: the virtual-scheduling form of GCRA from the ATM Forum Traffic Management
 * Specification 4.0 (af-tm-0056.000, section 4.4.2), in the shape popularised for HTTP by Brandur
 * Leach ("Rate limiting, cells, and GCRA", 2015) and implemented by redis-cell / throttled:
 *   T   = periodMs / rate                 emission interval
 *   tau = T * (burst + 1)                 delay variation tolerance (burst + 1 requests at once)
 *   newTat = max(tat, now) + T
 *   allowed iff newTat - tau <= now
 * Remaining, reset and retry-after are computed as redis-cell does (`remaining = floor((tau - ttl) / T)`,
 * `reset = ttl`, `retryAfter = -(now - (newTat - tau))`), so the headers match what clients of
 * redis-cell-backed APIs already see.
 *
 * Memory: one Map from key to a slot number (a small integer, so the Map never boxes a double), and
 * the TATs in chunked Float64Arrays indexed by slot. Updating a known key allocates nothing. An
 * entry whose TAT is in the past carries no information (a fresh key behaves the same) and is
 * reclaimed by an incremental sweep that visits a couple of slots per call; the number of keys is
 * capped, and at the cap the new key evicts the entry with the earliest TAT among a few sampled
 * slots (the approximated eviction of Redis' maxmemory-samples): the entry closest to expiry is the
 * one whose loss forgives the least. No step ever walks the whole store.
 */
import { RateLimitError } from "./errors.js";
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from "./types.js";

export interface MemoryRateLimitStoreOptions {
  /** Hard cap on keys held; at the cap new keys evict old ones. Default 1,000,000. */
  readonly maxKeys?: number;
  /** Slots examined per consume() by the expiry sweep. Default 2. */
  readonly sweepPerCall?: number;
  /** Slots sampled to choose a victim at the cap. Default 8. */
  readonly evictionSamples?: number;
}

// Slots live in fixed chunks so growth never copies the whole store (no O(n) pause).
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;
/**
 * Float tolerance in ms. TATs are sums of fractional emission intervals (1000/3 ms ...) on epoch
 * clocks (~1.7e12 ms, where one double ulp is 2.4e-4 ms): 1 us is above that rounding and far
 * below any meaningful request spacing. A stored TAT within EPS of now counts as now, so rounding
 * cannot accumulate over a steady stream.
 */
const EPS = 1e-3;

export class MemoryRateLimitStore implements RateLimitStore {
  readonly maxKeys: number;
  private readonly sweepPerCall: number;
  private readonly evictionSamples: number;
  private readonly index = new Map<string, number>();
  /** TAT per slot; for a free slot, the next free slot number (-1 ends the list). */
  private readonly tats: Float64Array[] = [];
  /** Key per slot, undefined when the slot is free. */
  private readonly keys: (string | undefined)[][] = [];
  /** Slots ever handed out (the high-water mark). */
  private slots = 0;
  private freeHead = -1;
  private cursor = 0;
  private evictedCount = 0;

  constructor(options: MemoryRateLimitStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? 1_000_000;
    const sweep = options.sweepPerCall ?? 2;
    const samples = options.evictionSamples ?? 8;
    for (const [name, v, min] of [
      ["maxKeys", maxKeys, 1],
      ["sweepPerCall", sweep, 0],
      ["evictionSamples", samples, 1],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < min) {
        throw new RateLimitError(
          "RATELIMIT_BAD_POLICY",
          `MemoryRateLimitStore: ${name} must be an integer >= ${min}, got ${v}`,
        );
      }
    }
    this.maxKeys = maxKeys;
    this.sweepPerCall = sweep;
    this.evictionSamples = samples;
  }

  /**
   * One GCRA step for `key` under `policy` at time `now` (ms). Synchronous. A key must be unique
   * per policy: callers that apply several policies to one client prefix the key with the policy
   * name (a key's TAT only means something under the policy that wrote it).
   */
  consume(key: string, policy: RateLimitPolicy, now: number): RateLimitDecision {
    if (this.sweepPerCall > 0) this.sweep(now, this.sweepPerCall);
    const interval = policy.periodMs / policy.rate;
    const tolerance = interval * (policy.burst + 1);
    let slot = this.index.get(key);
    let tat = now;
    if (slot !== undefined) {
      const stored = this.tats[slot >>> CHUNK_BITS]![slot & CHUNK_MASK]!;
      if (stored - now > EPS) tat = stored;
    }
    const newTat = tat + interval;
    const diff = now - (newTat - tolerance);
    if (diff < -EPS) {
      // Refused: state unchanged. A refused key with no slot cannot happen (a fresh key always
      // passes, tolerance >= interval), so nothing is stored here.
      const ttl = tat - now;
      return {
        allowed: false,
        policy,
        remaining: 0,
        resetMs: Math.max(ttl, 0),
        retryAfterMs: -diff,
      };
    }
    if (slot === undefined) {
      slot = this.allocate(key, now);
      this.index.set(key, slot);
    }
    this.tats[slot >>> CHUNK_BITS]![slot & CHUNK_MASK] = newTat;
    const ttl = newTat - now;
    const next = tolerance - ttl;
    return {
      allowed: true,
      policy,
      remaining: next > -EPS ? Math.floor((next + EPS) / interval) : 0,
      resetMs: ttl,
      retryAfterMs: 0,
    };
  }

  size(): number {
    return this.index.size;
  }

  /** Keys evicted at the cap since creation (a metric: non-zero means maxKeys is too small or a flood). */
  evicted(): number {
    return this.evictedCount;
  }

  /**
   * Reclaims expired entries among the next `maxSlots` slots (round robin). consume() calls it
   * with a small budget; an idle gateway may call it from a timer to return memory sooner.
   * Returns how many entries were removed.
   */
  sweep(now: number, maxSlots: number): number {
    const slots = this.slots;
    if (slots === 0) return 0;
    let removed = 0;
    let c = this.cursor;
    const n = Math.min(maxSlots, slots);
    for (let i = 0; i < n; i++) {
      if (c >= slots) c = 0;
      const chunk = c >>> CHUNK_BITS;
      const off = c & CHUNK_MASK;
      const k = this.keys[chunk]![off];
      if (k !== undefined && this.tats[chunk]![off]! <= now) {
        this.release(c, k);
        removed++;
      }
      c++;
    }
    this.cursor = c;
    return removed;
  }

  /** Removes every key (for tests and config reloads that change policies). */
  clear(): void {
    this.index.clear();
    this.tats.length = 0;
    this.keys.length = 0;
    this.slots = 0;
    this.freeHead = -1;
    this.cursor = 0;
  }

  private allocate(key: string, now: number): number {
    if (this.index.size >= this.maxKeys) this.evictOne(now);
    let slot: number;
    if (this.freeHead >= 0) {
      slot = this.freeHead;
      this.freeHead = this.tats[slot >>> CHUNK_BITS]![slot & CHUNK_MASK]!;
    } else {
      slot = this.slots++;
      const chunk = slot >>> CHUNK_BITS;
      if (chunk === this.tats.length) {
        this.tats.push(new Float64Array(CHUNK));
        this.keys.push(new Array<string | undefined>(CHUNK).fill(undefined));
      }
    }
    this.keys[slot >>> CHUNK_BITS]![slot & CHUNK_MASK] = key;
    return slot;
  }

  private release(slot: number, key: string): void {
    this.index.delete(key);
    const chunk = slot >>> CHUNK_BITS;
    const off = slot & CHUNK_MASK;
    this.keys[chunk]![off] = undefined;
    this.tats[chunk]![off] = this.freeHead;
    this.freeHead = slot;
  }

  /** At the cap: frees the sampled slot with the earliest TAT (an expired one at once). */
  private evictOne(now: number): void {
    const slots = this.slots;
    let c = this.cursor;
    let victim = -1;
    let victimKey: string | undefined;
    let victimTat = Number.POSITIVE_INFINITY;
    // Occupied slots are dense enough at the cap (the store is full), so a bounded scan finds
    // `evictionSamples` of them quickly; the scan limit guards the pathological case.
    for (let seen = 0, scanned = 0; seen < this.evictionSamples && scanned < slots; scanned++) {
      if (c >= slots) c = 0;
      const chunk = c >>> CHUNK_BITS;
      const off = c & CHUNK_MASK;
      const k = this.keys[chunk]![off];
      if (k !== undefined) {
        seen++;
        const t = this.tats[chunk]![off]!;
        if (t < victimTat) {
          victim = c;
          victimKey = k;
          victimTat = t;
          if (t <= now) break;
        }
      }
      c++;
    }
    this.cursor = c;
    if (victimKey !== undefined) {
      this.release(victim, victimKey);
      if (victimTat > now) this.evictedCount++;
    }
  }
}
