/**
 * Global concurrency limit with priority load shedding: at most `limit` requests in flight to the
 * upstream, a bounded wait queue, and under pressure the least important classes go first, with
 * an immediate answer (a shed request must get its 503 at once, not after a timeout).
 *
 * Rules (priority 0 = most important, e.g. checkout=0, cart=1, browse=2, bots=3):
 * 1. A free permit goes to the head of the most important non-empty class (FIFO within a class).
 * 2. Queue share: class p may join the queue only while the queue holds fewer than
 *    ceil(maxQueue * share[p]) waiters; the default share is 1 - p / classes (4 classes: 100 %,
 *    75 %, 50 %, 25 %), so bots are refused once the queue is a quarter full and browse at half,
 *    while checkout can use all of it. Refused at once with reason "priority".
 * 3. Full queue: an arrival evicts the newest waiter of the least important class below its own
 *    (that waiter is rejected at once with "priority", it has waited least); if there is none the
 *    arrival is refused with "queue_full".
 * 4. A waiter that gets no permit within `timeoutMs` is rejected with "queue_timeout"; an aborted
 *    signal rejects with RATELIMIT_ABORTED. Every waiter is settled exactly once.
 * This is the shape of priority shedding in Netflix's concurrency-limits (PartitionedLimiter) and
 * of CoDel-free LIFO-evicting queues; the shares stand in for its partitions' guaranteed
 * percentages.
 *
 * The limit is a number or an AdaptiveLimit fed by the permits' release outcomes.
 */
import type { AdaptiveLimit } from "./adaptive.js";
import { RateLimitError, ShedError, type ShedReason } from "./errors.js";

export interface ConcurrencyLimiterOptions {
  /** A fixed limit, or an AdaptiveLimit owned by this limiter alone (it holds one change listener). */
  readonly limit: number | AdaptiveLimit;
  /** Waiters held at most, all classes together. 0 means shed at once when the limit is reached. */
  readonly maxQueue: number;
  /** Number of priority classes (0 .. classes-1); larger priorities are clamped. Default 4. */
  readonly classes?: number;
  /** Fraction of maxQueue each class may fill (index = priority). Default 1 - p / classes. */
  readonly queueShare?: readonly number[];
  /** Clock in ms for latency samples of the adaptive limit. Default performance.now. */
  readonly clock?: () => number;
}

export interface AcquireOptions {
  /** How long to wait for a permit before rejecting with "queue_timeout". */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface ReleaseOutcome {
  readonly latencyMs: number;
  /** False for a failed upstream exchange (5xx, timeout, reset): the adaptive limit backs off. */
  readonly ok: boolean;
}

export interface ConcurrencyStats {
  readonly limit: number;
  readonly inFlight: number;
  /** Waiters per priority class. */
  readonly queued: readonly number[];
  readonly queuedTotal: number;
  readonly shed: Readonly<Record<ShedReason, number>>;
  readonly aborted: number;
  readonly acquired: number;
}

/** The right to have one request in flight. Release it exactly when the upstream exchange ends. */
export class Permit {
  private released = false;

  /** @internal created by ConcurrencyLimiter only. */
  constructor(
    private readonly limiter: ConcurrencyLimiter,
    readonly priority: number,
    /** Requests in flight when this one started, itself included. */
    readonly inFlightAtStart: number,
  ) {}

  /** Idempotent: only the first call frees the permit and records the outcome. */
  release(outcome?: ReleaseOutcome): void {
    if (this.released) return;
    this.released = true;
    this.limiter.releasePermit(this, outcome);
  }

  get isReleased(): boolean {
    return this.released;
  }
}

interface Waiter {
  readonly priority: number;
  resolve: (p: Permit) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  queued: boolean;
}

/** Doubly linked FIFO: O(1) push, shift, pop and removal from the middle (timeouts, aborts). */
class WaitList {
  head: Waiter | undefined;
  tail: Waiter | undefined;
  length = 0;

  push(w: Waiter): void {
    w.prev = this.tail;
    w.next = undefined;
    if (this.tail === undefined) this.head = w;
    else this.tail.next = w;
    this.tail = w;
    this.length++;
  }

  remove(w: Waiter): void {
    if (w.prev === undefined) this.head = w.next;
    else w.prev.next = w.next;
    if (w.next === undefined) this.tail = w.prev;
    else w.next.prev = w.prev;
    w.prev = w.next = undefined;
    this.length--;
  }
}

export class ConcurrencyLimiter {
  private readonly fixedLimit: number;
  private readonly adaptive: AdaptiveLimit | undefined;
  readonly maxQueue: number;
  private readonly classes: number;
  /** Per class: the queue length at which it is refused. */
  private readonly admitBelow: number[];
  private readonly lists: WaitList[];
  private readonly clock: () => number;
  private inFlight = 0;
  private queuedTotal = 0;
  private readonly shedCounts: Record<ShedReason, number> = { queue_full: 0, queue_timeout: 0, priority: 0 };
  private abortedCount = 0;
  private acquiredCount = 0;

  constructor(options: ConcurrencyLimiterOptions) {
    const classes = options.classes ?? 4;
    if (!Number.isSafeInteger(classes) || classes < 1 || classes > 64) {
      throw new RateLimitError(
        "RATELIMIT_BAD_POLICY",
        `ConcurrencyLimiter: classes must be 1..64, got ${classes}`,
      );
    }
    if (!Number.isSafeInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RateLimitError(
        "RATELIMIT_BAD_POLICY",
        `ConcurrencyLimiter: maxQueue must be an integer >= 0, got ${options.maxQueue}`,
      );
    }
    if (typeof options.limit === "number") {
      if (!Number.isSafeInteger(options.limit) || options.limit < 1) {
        throw new RateLimitError(
          "RATELIMIT_BAD_POLICY",
          `ConcurrencyLimiter: limit must be an integer >= 1, got ${options.limit}`,
        );
      }
      this.fixedLimit = options.limit;
      this.adaptive = undefined;
    } else {
      this.fixedLimit = 0;
      this.adaptive = options.limit;
      // A raised limit admits waiters at once rather than at the next release.
      this.adaptive.onChange(() => this.drain());
    }
    const shares = options.queueShare ?? Array.from({ length: classes }, (_, p) => 1 - p / classes);
    if (shares.length !== classes || shares.some((s) => !(s >= 0 && s <= 1))) {
      throw new RateLimitError(
        "RATELIMIT_BAD_POLICY",
        `ConcurrencyLimiter: queueShare needs ${classes} fractions in [0, 1], got ${JSON.stringify(shares)}`,
      );
    }
    this.maxQueue = options.maxQueue;
    this.classes = classes;
    this.admitBelow = shares.map((s) => Math.ceil(options.maxQueue * s));
    this.lists = Array.from({ length: classes }, () => new WaitList());
    this.clock = options.clock ?? (() => performance.now());
  }

  /** The current limit (fixed, or the adaptive estimate). */
  get limit(): number {
    return this.adaptive === undefined ? this.fixedLimit : this.adaptive.limit;
  }

  /** A permit now if one is free and nobody waits; otherwise undefined (no queueing). */
  tryAcquire(priority: number): Permit | undefined {
    if (this.inFlight >= this.limit || this.queuedTotal > 0) return undefined;
    return this.grant(this.clampPriority(priority));
  }

  /**
   * A permit now, or after waiting in the queue; rejects with ShedError (queue_full, priority,
   * queue_timeout) or RateLimitError RATELIMIT_ABORTED. Shed decisions are taken synchronously.
   */
  acquire(priority: number, options: AcquireOptions): Promise<Permit> {
    const p = this.clampPriority(priority);
    const signal = options.signal;
    const timeoutMs = options.timeoutMs;
    if (!(timeoutMs >= 0) || !Number.isFinite(timeoutMs)) {
      return Promise.reject(
        new RateLimitError(
          "RATELIMIT_BAD_POLICY",
          `acquire: timeoutMs must be a finite number >= 0, got ${timeoutMs}`,
        ),
      );
    }
    if (signal?.aborted) {
      this.abortedCount++;
      return Promise.reject(abortedError(signal));
    }
    if (this.inFlight < this.limit && this.queuedTotal === 0) return Promise.resolve(this.grant(p));
    if (this.queuedTotal >= this.admitBelow[p]!) {
      // Over this class's share (rule 2). Only a class whose share is the whole queue meets a
      // full queue, and it may get in by evicting a less important waiter (rule 3).
      const full = this.queuedTotal >= this.maxQueue;
      const wholeQueue = this.admitBelow[p]! >= this.maxQueue;
      if (!(full && wholeQueue && this.evictBelow(p))) {
        const reason: ShedReason = full && wholeQueue ? "queue_full" : "priority";
        this.shedCounts[reason]++;
        return Promise.reject(new ShedError(reason, p));
      }
    }
    return new Promise<Permit>((resolve, reject) => {
      const w: Waiter = {
        priority: p,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
        prev: undefined,
        next: undefined,
        queued: true,
      };
      this.lists[p]!.push(w);
      this.queuedTotal++;
      w.timer = setTimeout(() => {
        if (!w.queued) return;
        this.unqueue(w);
        this.shedCounts.queue_timeout++;
        w.reject(new ShedError("queue_timeout", p));
      }, timeoutMs);
      w.timer.unref?.();
      if (signal !== undefined) {
        w.onAbort = () => {
          if (!w.queued) return;
          this.unqueue(w);
          this.abortedCount++;
          w.reject(abortedError(signal));
        };
        signal.addEventListener("abort", w.onAbort, { once: true });
      }
    });
  }

  /** Rejects every waiter with "queue_full" (shutdown, config reload). In-flight permits stay valid. */
  shedAll(): number {
    let n = 0;
    for (const list of this.lists) {
      while (list.head !== undefined) {
        const w = list.head;
        this.unqueue(w);
        this.shedCounts.queue_full++;
        w.reject(new ShedError("queue_full", w.priority));
        n++;
      }
    }
    return n;
  }

  stats(): ConcurrencyStats {
    return {
      limit: this.limit,
      inFlight: this.inFlight,
      queued: this.lists.map((l) => l.length),
      queuedTotal: this.queuedTotal,
      shed: { ...this.shedCounts },
      aborted: this.abortedCount,
      acquired: this.acquiredCount,
    };
  }

  /** @internal called by Permit.release (once per permit). */
  releasePermit(permit: Permit, outcome: ReleaseOutcome | undefined): void {
    this.inFlight--;
    if (outcome !== undefined && this.adaptive !== undefined) {
      this.adaptive.sample(outcome.latencyMs, outcome.ok, permit.inFlightAtStart, this.clock());
    }
    this.drain();
  }

  private clampPriority(priority: number): number {
    if (!(priority >= 0)) return 0; // NaN and negatives: treat as most important rather than crash
    const p = Math.floor(priority);
    return p < this.classes ? p : this.classes - 1;
  }

  private grant(priority: number): Permit {
    this.inFlight++;
    this.acquiredCount++;
    return new Permit(this, priority, this.inFlight);
  }

  private drain(): void {
    while (this.queuedTotal > 0 && this.inFlight < this.limit) {
      let w: Waiter | undefined;
      for (const list of this.lists) {
        if (list.head !== undefined) {
          w = list.head;
          break;
        }
      }
      if (w === undefined) return;
      this.unqueue(w);
      w.resolve(this.grant(w.priority));
    }
  }

  /** Rejects the newest waiter of the least important class below `priority`; false if none. */
  private evictBelow(priority: number): boolean {
    for (let c = this.classes - 1; c > priority; c--) {
      const victim = this.lists[c]!.tail;
      if (victim !== undefined) {
        this.unqueue(victim);
        this.shedCounts.priority++;
        victim.reject(new ShedError("priority", c));
        return true;
      }
    }
    return false;
  }

  private unqueue(w: Waiter): void {
    w.queued = false;
    this.lists[w.priority]!.remove(w);
    this.queuedTotal--;
    if (w.timer !== undefined) clearTimeout(w.timer);
    if (w.signal !== undefined && w.onAbort !== undefined) w.signal.removeEventListener("abort", w.onAbort);
  }
}

function abortedError(signal: AbortSignal): RateLimitError {
  return new RateLimitError("RATELIMIT_ABORTED", "request aborted while waiting for a concurrency permit", {
    cause: signal.reason,
  });
}
