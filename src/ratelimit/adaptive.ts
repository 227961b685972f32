/**
 * Adaptive concurrency limit: how many requests the upstream can take in parallel before queueing
 * inside it makes latency climb, estimated from the latencies the gateway observes.
 *
 * Algorithm: the gradient limit of Netflix's concurrency-limits (GradientLimit.java, with the
 * smoothing of Gradient2Limit.java), fed by windows of samples as its WindowedLimit does:
 *   gradient = clamp(tolerance * rttNoLoad / shortRtt, 0.5, 1)
 *   newLimit = limit * gradient + queueSize
 *   limit    = clamp(newLimit, min, max), decreases smoothed: limit*(1-s) + newLimit*s
 * shortRtt is the window's mean latency; rttNoLoad the minimum window mean since the last probe.
 * The limit does not move while the caller uses less than half of it (app-limited, nothing learnt).
 *
 * Why not Gradient2's long-term RTT average as the baseline: under a sustained surge the average
 * follows the queueing latency up, the gradient returns to 1 and the limit creeps up without end
 * (a simulated upstream with latency = base * inFlight / capacity shows it within a few hundred
 * windows). The minimum has no such drift, but it only knows the no-load RTT if the limit has been
 * below capacity since the last reset. So, as GradientLimit does, the baseline is re-learnt by a
 * probe, first after `firstProbe` windows and then every `probeInterval` windows. GradientLimit's
 * probe drops the limit to queueSize (4) at once; a shop cannot afford that for seconds, so the probe
 * here halves the limit, lets one window settle (requests admitted under the old limit finish),
 * and halves again only while the window latency keeps falling by more than 10 %: latency that
 * falls with load was queueing. When it stops falling, that latency is the new no-load RTT, and the
 * limit jumps back to what Little's law says the pre-probe throughput sustains at the tolerated
 * latency: L = L0 * tolerance * rttNoLoad / rtt0 (never above L0), instead of regrowing by
 * queueSize per window. Near the steady state (about 1.5 x capacity) a probe costs two or three
 * windows at a half or a quarter of the limit.
 *
 * Addition for a surge: growing by queueSize per window takes tens of seconds to go from 20 to a
 * few hundred, while the queue sheds requests the upstream could take. So while the window latency
 * shows no queueing at all (shortRtt <= 1.1 x rttNoLoad) the limit grows by `growthRatio` per
 * window instead (TCP slow start's idea, RFC 5681 3.1). Latency answers within a window or two,
 * so the overshoot stays about growthRatio^2 x capacity (1.56 x with 1.25), inside the 1.5 x-ish
 * band the gradient keeps anyway.
 *
 * Addition for a gateway: a window that saw a failed request (5xx, timeout, reset) backs off
 * multiplicatively (AIMD's decrease, as GradientLimit does on a drop), since a failing upstream
 * may answer fast and fool the RTT gradient.
 */
import { RateLimitError } from "./errors.js";

export interface AdaptiveLimitOptions {
  /** Starting limit. Default 20. */
  readonly initial?: number;
  /** Default 1. */
  readonly min?: number;
  /** Default 1000. */
  readonly max?: number;
  /** How much queueing above the no-load RTT is tolerated before the limit shrinks. Default 1.5. */
  readonly tolerance?: number;
  /** Weight of a new estimate. Default 0.2. */
  readonly smoothing?: number;
  /** Requests allowed to queue in the upstream (Gradient2's queueSize). Default 4. */
  readonly queueSize?: number;
  /** Windows between two probes of the no-load RTT (0 disables probing). Default 600. */
  readonly probeInterval?: number;
  /** Windows before the first probe (a cold start may begin above capacity). Default 20. */
  readonly firstProbe?: number;
  /** Samples per window (WindowedLimit's windowSize). Default 10. */
  readonly windowSize?: number;
  /** Minimum window duration in ms (WindowedLimit's minWindowTime). Default 250. */
  readonly minWindowMs?: number;
  /** Multiplicative decrease on a window with a failure. Default 0.9. */
  readonly backoffRatio?: number;
  /** Multiplicative growth per window while latency shows no queueing (1 disables). Default 1.25. */
  readonly growthRatio?: number;
}

export class AdaptiveLimit {
  private estimate: number;
  private readonly min: number;
  private readonly max: number;
  private readonly tolerance: number;
  private readonly smoothing: number;
  private readonly queueSize: number;
  private readonly probeInterval: number;
  private readonly windowSize: number;
  private readonly minWindowMs: number;
  private readonly backoffRatio: number;
  private readonly growthRatio: number;
  private rttNoLoad = 0;
  private windowsToProbe: number;
  /** 0: normal; 1: probing, next window settles; 2: probing, next window measures. */
  private probeState: 0 | 1 | 2 = 0;
  private probeRtt = 0;
  private probeStartRtt = 0;
  private probeStartLimit = 0;
  // Current window.
  private windowStart = Number.NaN;
  private windowCount = 0;
  private windowRttSum = 0;
  private windowMaxInFlight = 0;
  private windowDropped = false;
  private listener: (() => void) | undefined;

  constructor(options: AdaptiveLimitOptions = {}) {
    this.min = options.min ?? 1;
    this.max = options.max ?? 1000;
    this.estimate = options.initial ?? Math.min(20, this.max);
    this.tolerance = options.tolerance ?? 1.5;
    this.smoothing = options.smoothing ?? 0.2;
    this.queueSize = options.queueSize ?? 4;
    this.probeInterval = options.probeInterval ?? 600;
    this.windowsToProbe = this.probeInterval === 0 ? 0 : (options.firstProbe ?? 20);
    this.windowSize = options.windowSize ?? 10;
    this.minWindowMs = options.minWindowMs ?? 250;
    this.backoffRatio = options.backoffRatio ?? 0.9;
    this.growthRatio = options.growthRatio ?? 1.25;
    const bad =
      !(this.min >= 1) ||
      !(this.max >= this.min) ||
      !Number.isFinite(this.max) ||
      !(this.estimate >= this.min && this.estimate <= this.max) ||
      !(this.tolerance >= 1) ||
      !(this.smoothing > 0 && this.smoothing <= 1) ||
      !(this.queueSize >= 0) ||
      !(Number.isSafeInteger(this.probeInterval) && this.probeInterval >= 0) ||
      !(Number.isSafeInteger(this.windowsToProbe) && this.windowsToProbe >= 0) ||
      !(this.windowSize >= 1) ||
      !(this.minWindowMs >= 0) ||
      !(this.backoffRatio > 0 && this.backoffRatio < 1) ||
      !(this.growthRatio >= 1 && this.growthRatio <= 4);
    if (bad) {
      throw new RateLimitError(
        "RATELIMIT_BAD_POLICY",
        `AdaptiveLimit: option out of range: ${JSON.stringify(options)}`,
        {
          hint: "need 1 <= min <= initial <= max, tolerance >= 1, 0 < smoothing <= 1, 0 < backoffRatio < 1, 1 <= growthRatio <= 4",
        },
      );
    }
  }

  /** Current limit, an integer >= min. */
  get limit(): number {
    return Math.floor(this.estimate);
  }

  /** The no-load RTT estimate in ms (0 before the first window); for metrics. */
  get baselineRttMs(): number {
    return this.rttNoLoad;
  }

  /** Called after each change of `limit` (the ConcurrencyLimiter uses it to admit waiters). */
  onChange(listener: (() => void) | undefined): void {
    this.listener = listener;
  }

  /**
   * One finished request: its latency, whether it succeeded, and how many requests were in flight
   * when it started (including itself). `now` is the caller's clock in ms.
   */
  sample(latencyMs: number, ok: boolean, inFlight: number, now: number): void {
    if (!(latencyMs >= 0) || !Number.isFinite(latencyMs)) return;
    if (this.windowCount === 0) this.windowStart = now;
    this.windowCount++;
    this.windowRttSum += latencyMs;
    if (inFlight > this.windowMaxInFlight) this.windowMaxInFlight = inFlight;
    if (!ok) this.windowDropped = true;
    if (this.windowCount >= this.windowSize && now - this.windowStart >= this.minWindowMs) {
      const shortRtt = this.windowRttSum / this.windowCount;
      const maxInFlight = this.windowMaxInFlight;
      const dropped = this.windowDropped;
      this.windowCount = 0;
      this.windowRttSum = 0;
      this.windowMaxInFlight = 0;
      this.windowDropped = false;
      this.update(shortRtt, maxInFlight, dropped);
    }
  }

  private update(shortRtt: number, inFlight: number, dropped: boolean): void {
    const before = Math.floor(this.estimate);
    let next = this.estimate;
    if (this.probeState === 1) {
      this.probeState = 2; // settling: requests admitted under the previous limit are finishing
    } else if (this.probeState === 2) {
      if (shortRtt < this.probeRtt * 0.9 && this.estimate > this.min) {
        this.probeRtt = shortRtt;
        this.probeState = 1;
        next = this.estimate / 2;
      } else {
        this.rttNoLoad = Math.min(shortRtt, this.probeRtt);
        this.probeState = 0;
        const restored = (this.probeStartLimit * this.tolerance * this.rttNoLoad) / this.probeStartRtt;
        next = Math.max(this.estimate, Math.min(this.probeStartLimit, restored));
      }
    } else if (this.probeInterval > 0 && --this.windowsToProbe <= 0) {
      this.windowsToProbe = this.probeInterval;
      this.probeRtt = this.probeStartRtt = shortRtt;
      this.probeStartLimit = this.estimate;
      this.probeState = 1;
      next = this.estimate / 2;
    } else {
      if (this.rttNoLoad === 0 || shortRtt < this.rttNoLoad) this.rttNoLoad = shortRtt;
      if (dropped) {
        next = this.estimate * this.backoffRatio;
      } else if (inFlight >= this.estimate / 2) {
        const gradient =
          shortRtt <= 0 ? 1 : Math.max(0.5, Math.min(1, (this.tolerance * this.rttNoLoad) / shortRtt));
        next = this.estimate * gradient + this.queueSize;
        if (shortRtt <= this.rttNoLoad * 1.1) next = Math.max(next, this.estimate * this.growthRatio);
        if (next < this.estimate) next = this.estimate * (1 - this.smoothing) + next * this.smoothing;
      }
    }
    this.estimate = Math.max(this.min, Math.min(this.max, next));
    if (Math.floor(this.estimate) !== before) this.listener?.();
  }
}
