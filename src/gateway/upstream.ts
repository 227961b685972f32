/**
 * An upstream: its targets (one undici Pool each, keep-alive, pipelining 1), round-robin choice,
 * passive health, and the concurrency limiter that sheds load before the upstream falls over.
 *
 * Passive health follows Envoy's outlier detection (consecutive_5xx / consecutive_gateway_failure):
 * N consecutive connect failures or 5xx answers eject a target for ejectMs; a success resets the
 * count. When every target is ejected the upstream is in panic mode and uses them all anyway, as
 * Envoy's healthy_panic_threshold does, because refusing everything is worse than trying.
 */
import { Pool } from "undici";
import type { UpstreamConfig } from "../config/schema.js";
import { AdaptiveLimit, ConcurrencyLimiter } from "../ratelimit/index.js";

export class Target {
  readonly origin: string;
  readonly pool: Pool;
  consecutiveFailures = 0;
  /** performance.now() until which the target is ejected; 0 when healthy. */
  ejectedUntil = 0;
  ejections = 0;

  constructor(origin: string, cfg: UpstreamConfig, connections: number | null) {
    this.origin = new URL(origin).origin;
    this.pool = new Pool(this.origin, {
      connections,
      pipelining: 1,
      connect: { timeout: cfg.connectTimeoutMs },
      headersTimeout: cfg.headersTimeoutMs,
      bodyTimeout: cfg.bodyTimeoutMs,
      keepAliveTimeout: 4_000,
    });
  }
}

export class Upstream {
  readonly name: string;
  readonly config: UpstreamConfig;
  readonly targets: readonly Target[];
  readonly limiter: ConcurrencyLimiter | undefined;
  /** Identity of the settings: a reload with the same settings keeps this object (health, pools). */
  readonly fingerprint: string;
  private next = 0;
  /** Called when a target gets ejected (metrics). */
  onEject: ((target: Target) => void) | undefined;

  constructor(name: string, cfg: UpstreamConfig) {
    this.name = name;
    this.config = cfg;
    this.fingerprint = JSON.stringify(cfg);
    const c = cfg.concurrency;
    let limit: number | AdaptiveLimit | undefined;
    if (c?.limit !== undefined) limit = c.limit;
    else if (c?.adaptive !== undefined) {
      limit = new AdaptiveLimit({
        min: c.adaptive.min,
        max: c.adaptive.max,
        initial: c.adaptive.initial ?? c.adaptive.min,
      });
    }
    this.limiter =
      limit === undefined ? undefined : new ConcurrencyLimiter({ limit, maxQueue: cfg.queue.size });
    // With a limit, the pool never needs more sockets than permits; without one, undici's unlimited.
    const maxConn = c?.limit ?? c?.adaptive?.max ?? null;
    this.targets = cfg.targets.map((t) => new Target(t, cfg, maxConn));
  }

  /** Next target in round robin, skipping ejected ones unless all are (panic mode). */
  pick(now: number): Target {
    const targets = this.targets;
    const n = targets.length;
    for (let i = 0; i < n; i++) {
      const t = targets[this.next]!;
      this.next = this.next + 1 === n ? 0 : this.next + 1;
      if (t.ejectedUntil <= now) return t;
    }
    const t = targets[this.next]!;
    this.next = this.next + 1 === n ? 0 : this.next + 1;
    return t;
  }

  /** A response head came back with `status`, or the exchange failed (`status` 0: connect/timeout). */
  report(target: Target, status: number, now: number): void {
    if (status !== 0 && status < 500) {
      target.consecutiveFailures = 0;
      return;
    }
    target.consecutiveFailures++;
    if (target.consecutiveFailures >= this.config.passiveHealth.failures && target.ejectedUntil <= now) {
      target.ejectedUntil = now + this.config.passiveHealth.ejectMs;
      target.consecutiveFailures = 0;
      target.ejections++;
      this.onEject?.(target);
    }
  }

  /** Waits for in-flight requests on every pool, then closes the sockets. */
  async close(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.pool.close().catch(() => undefined)));
  }

  /** Closes at once, failing what is in flight (shutdown past its deadline). */
  async destroy(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.pool.destroy().catch(() => undefined)));
  }
}
