/**
 * Rollout: which config version each gateway should run, and how a new version reaches the fleet.
 *
 * Contract with the config API: after `applyConfig` / `rollbackTo` stored a version, the route calls
 *
 *     startRollout(store, versionId, strategy?)   // strategy defaults to { kind: "all" }
 *
 * or `scheduleRollout(store, versionId)` to do it just after the answer is sent (a version left
 * "pending" without either call is picked up by the fleet's next tick with the fleet's strategy, so
 * a forgotten call delays a rollout by a tick but never loses it).
 *
 * - `all`: every gateway is assigned the version at once; it turns `live` when every gateway seen
 *   recently attests it, and the version it replaced turns `superseded`.
 * - `canary`: gateways named by id or tag run it first; the others keep the previous version. Once
 *   every canary attests the version, a health gate watches a window of their per-second counters
 *   against the control group (the other gateways, same window, previous version) — or, with no
 *   control group traffic, the canaries' own window before the rollout. Error ratio, block rate and
 *   latency p99 are compared, as in Kayenta-style canary analysis (Spinnaker): canary vs baseline
 *   over the same period rather than against fixed thresholds. Pass: the rest of the fleet gets the
 *   version. Fail: the canaries are rolled back to the previous version automatically, the version
 *   is marked `rolled-back` and a `rollout.rolled-back` event says why.
 *
 * State lives in memory, one controller per store; on a restart it is rebuilt from the versions'
 * rollout states (the newest version not failed or rolled back is what the fleet runs).
 */
import type { Store } from "../store/store.js";
import type { AttestedSecond } from "./drift.js";

export interface HealthGate {
  /** How long the canaries must run the version before the gate decides (ms). */
  readonly windowMs: number;
  /** Canary error ratio (5xx / requests) may exceed the baseline's by at most this much. */
  readonly maxErrorRatioIncrease: number;
  /** Canary block ratio may exceed the baseline's by at most this much. */
  readonly maxBlockRatioIncrease: number;
  /** Canary p99 may be at most this factor of the baseline's, plus `p99SlackMs`. */
  readonly maxP99Factor: number;
  readonly p99SlackMs: number;
  /**
   * Below this many canary requests the gate has too little to judge: it watches up to three windows,
   * then passes, saying so in the `rollout.gate-passed` event.
   */
  readonly minRequests: number;
  /** If the canaries do not all run the version after this long (ms), the rollout fails. */
  readonly convergeTimeoutMs: number;
}

export const DEFAULT_GATE: HealthGate = {
  windowMs: 10_000,
  maxErrorRatioIncrease: 0.05,
  maxBlockRatioIncrease: 0.05,
  maxP99Factor: 2,
  p99SlackMs: 50,
  minRequests: 20,
  convergeTimeoutMs: 30_000,
};

export type RolloutStrategy =
  | { readonly kind: "all" }
  | {
      readonly kind: "canary";
      /** Gateway ids or tags; a gateway matching any of them is a canary. */
      readonly canaries: readonly string[];
      readonly gate?: Partial<HealthGate>;
    };

/** Traffic figures of a set of gateways over a window. */
export interface TrafficSummary {
  readonly requests: number;
  readonly errorRatio: number;
  readonly blockRatio: number;
  /** Median over seconds with traffic of the per-second p99 (ms); 0 without traffic. */
  readonly p99Ms: number;
}

export function summarize(seconds: readonly AttestedSecond[]): TrafficSummary {
  let requests = 0;
  let errors = 0;
  let blocked = 0;
  const p99s: number[] = [];
  for (const s of seconds) {
    if (s.requests <= 0) continue;
    requests += s.requests;
    errors += s.s5xx;
    blocked += s.blocked;
    p99s.push(s.p99Ms);
  }
  p99s.sort((a, b) => a - b);
  return {
    requests,
    errorRatio: requests === 0 ? 0 : errors / requests,
    blockRatio: requests === 0 ? 0 : blocked / requests,
    p99Ms: p99s.length === 0 ? 0 : (p99s[Math.floor((p99s.length - 1) / 2)] ?? 0),
  };
}

export interface GateVerdict {
  readonly pass: boolean;
  /** Why it failed (empty when it passed), or why it could not judge. */
  readonly reasons: readonly string[];
  readonly canary: TrafficSummary;
  readonly baseline: TrafficSummary;
}

/** Pure: canary vs baseline over the same window. */
export function evaluateGate(
  canary: readonly AttestedSecond[],
  baseline: readonly AttestedSecond[],
  gate: HealthGate = DEFAULT_GATE,
): GateVerdict {
  const c = summarize(canary);
  const b = summarize(baseline);
  if (c.requests < gate.minRequests) {
    return {
      pass: true,
      reasons: [`inconclusive: ${c.requests} canary requests, fewer than ${gate.minRequests}`],
      canary: c,
      baseline: b,
    };
  }
  const reasons: string[] = [];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  if (c.errorRatio > b.errorRatio + gate.maxErrorRatioIncrease) {
    reasons.push(
      `error ratio ${pct(c.errorRatio)} on the canaries vs ${pct(b.errorRatio)} on the previous version (allowed +${pct(gate.maxErrorRatioIncrease)})`,
    );
  }
  if (c.blockRatio > b.blockRatio + gate.maxBlockRatioIncrease) {
    reasons.push(
      `block ratio ${pct(c.blockRatio)} on the canaries vs ${pct(b.blockRatio)} on the previous version (allowed +${pct(gate.maxBlockRatioIncrease)})`,
    );
  }
  if (b.requests > 0 && c.p99Ms > b.p99Ms * gate.maxP99Factor + gate.p99SlackMs) {
    reasons.push(
      `latency p99 ${c.p99Ms} ms on the canaries vs ${b.p99Ms} ms on the previous version (allowed x${gate.maxP99Factor} + ${gate.p99SlackMs} ms)`,
    );
  }
  return { pass: reasons.length === 0, reasons, canary: c, baseline: b };
}

/** Whether a gateway is selected by a list of ids and tags. */
export function matchesSelector(id: string, tags: readonly string[], selector: readonly string[]): boolean {
  return selector.includes(id) || tags.some((t) => selector.includes(t));
}

/** What the controller needs to know of the fleet (fleet.ts provides it). */
export interface FleetView {
  /** Gateways heard from recently (not silent). */
  gateways(): ReadonlyArray<{ id: string; tags: readonly string[]; runningVersion: number | null }>;
  /** Seconds attested by a gateway in [fromMs, toMs), each with the version it ran then. */
  seconds(
    id: string,
    fromMs: number,
    toMs: number,
  ): ReadonlyArray<AttestedSecond & { version: number | null }>;
}

interface ActiveRollout {
  readonly version: number;
  readonly previous: number | undefined;
  readonly strategy: RolloutStrategy;
  readonly gate: HealthGate;
  readonly startedAtMs: number;
  phase: "canary" | "all";
  /** When every canary first ran the version. */
  gateFromMs?: number;
}

/** Decides, per gateway, the version to run; advances rollouts on `tick`. */
export class RolloutController {
  #stable: number | undefined;
  #active: ActiveRollout | undefined;
  /** Bumped on every change of assignment, so waiting gateways recheck. */
  #generation = 0;
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly now: () => number = Date.now,
  ) {
    const usable = store.versions
      .list({ limit: 1000 })
      .filter(
        (v) =>
          v.rolloutState !== "failed" && v.rolloutState !== "rolled-back" && v.rolloutState !== "pending",
      );
    const head = usable[0];
    this.#stable = head?.id;
    if (head?.rolloutState !== "rolling-out") return;
    // A canary cut short by a restart resumes as a canary: its version has not passed the gate, so
    // it must not become what the whole fleet runs.
    const started = store.events
      .list({ kinds: ["rollout.started"], limit: 10_000 })
      .filter((e) => e.data.version === head.id)
      .at(-1);
    const strategy =
      started?.data.strategy === "canary"
        ? parseStrategy({ kind: "canary", canaries: started.data.canaries, gate: started.data.gate })
        : undefined;
    if (strategy?.kind !== "canary") return;
    const passed = store.events
      .list({ kinds: ["rollout.gate-passed"], limit: 10_000 })
      .some((e) => e.data.version === head.id);
    if (passed) return;
    this.#stable = usable[1]?.id;
    this.#active = {
      version: head.id,
      previous: this.#stable,
      strategy,
      gate: { ...DEFAULT_GATE, ...strategy.gate },
      startedAtMs: this.now(),
      phase: "canary",
    };
  }

  get generation(): number {
    return this.#generation;
  }

  /** Called whenever an assignment may have changed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    this.#generation++;
    for (const l of this.#listeners) l();
  }

  /** The version a gateway should run now (undefined before the first version). */
  assignedFor(id: string, tags: readonly string[]): number | undefined {
    const a = this.#active;
    if (a === undefined) return this.#stable;
    if (a.phase === "all") return a.version;
    if (a.strategy.kind === "canary" && matchesSelector(id, tags, a.strategy.canaries)) return a.version;
    return this.#stable;
  }

  /** The rollout in progress, for listings. */
  status(): { stable: number | undefined; active?: { version: number; phase: string; strategy: string } } {
    const a = this.#active;
    return {
      stable: this.#stable,
      ...(a === undefined
        ? {}
        : { active: { version: a.version, phase: a.phase, strategy: a.strategy.kind } }),
    };
  }

  start(versionId: number, strategy: RolloutStrategy = defaultStrategy(this.store)): void {
    const version = this.store.versions.get(versionId);
    if (version === undefined) throw new RangeError(`no config version ${versionId}`);
    const prior = this.#active;
    if (prior !== undefined && prior.version !== versionId) {
      // A newer apply overtakes a rollout in progress: the older version never completes.
      this.store.versions.setRolloutState(prior.version, "superseded");
    }
    const previous = this.#stable;
    const canary = strategy.kind === "canary" && previous !== undefined && previous !== versionId;
    const gate = { ...DEFAULT_GATE, ...(strategy.kind === "canary" ? strategy.gate : {}) };
    this.#active = {
      version: versionId,
      previous,
      strategy: canary ? strategy : { kind: "all" },
      gate,
      startedAtMs: this.now(),
      phase: canary ? "canary" : "all",
    };
    if (!canary) this.#stable = versionId;
    this.store.db.transaction(() => {
      this.store.versions.setRolloutState(versionId, "rolling-out");
      this.store.events.append({
        kind: "rollout.started",
        severity: "info",
        source: "control-plane",
        subject: `config:${versionId}`,
        data: {
          version: versionId,
          previous: previous ?? null,
          strategy: canary ? "canary" : "all",
          ...(canary && strategy.kind === "canary"
            ? { canaries: [...strategy.canaries], gate: { ...(strategy.gate ?? {}) } }
            : {}),
        },
      });
    })();
    this.#changed();
  }

  /** Advances the rollout in progress; also picks up versions stored without a startRollout call. */
  tick(fleet: FleetView): void {
    const latest = this.store.versions.list({ limit: 1 })[0];
    if (
      latest !== undefined &&
      latest.rolloutState === "pending" &&
      latest.id !== this.#active?.version &&
      latest.id > (this.#stable ?? 0)
    ) {
      this.start(latest.id);
    }
    const a = this.#active;
    if (a === undefined) return;
    const now = this.now();
    const gws = fleet.gateways();
    if (a.phase === "all") {
      if (gws.length > 0 && gws.every((g) => g.runningVersion === a.version)) this.#complete(a);
      return;
    }
    if (a.strategy.kind !== "canary") return;
    const selector = a.strategy.canaries;
    const canaries = gws.filter((g) => matchesSelector(g.id, g.tags, selector));
    if (a.gateFromMs === undefined) {
      if (canaries.length > 0 && canaries.every((g) => g.runningVersion === a.version)) {
        a.gateFromMs = now;
      } else if (now - a.startedAtMs > a.gate.convergeTimeoutMs) {
        const behind = canaries.filter((g) => g.runningVersion !== a.version).map((g) => g.id);
        this.#fail(a, [
          canaries.length === 0
            ? `no gateway matches the canaries ${selector.join(", ")}`
            : `canaries ${behind.join(", ")} did not run version ${a.version} within ${a.gate.convergeTimeoutMs / 1000} s`,
        ]);
      }
      return;
    }
    if (now - a.gateFromMs < a.gate.windowMs) return;
    const canaryIds = new Set(canaries.map((g) => g.id));
    const from = a.gateFromMs;
    const onVersion = (id: string, v: number | undefined, f: number, t: number) =>
      fleet.seconds(id, f, t).filter((s) => s.version === (v ?? null));
    const canarySeconds = [...canaryIds].flatMap((id) => onVersion(id, a.version, from, now));
    let baseline = gws
      .filter((g) => !canaryIds.has(g.id))
      .flatMap((g) => onVersion(g.id, a.previous, from, now));
    if (summarize(baseline).requests === 0) {
      baseline = [...canaryIds].flatMap((id) =>
        onVersion(id, a.previous, a.startedAtMs - a.gate.windowMs, a.startedAtMs),
      );
    }
    const verdict = evaluateGate(canarySeconds, baseline, a.gate);
    // Too little canary traffic to judge: watch longer (up to three windows) before letting it pass.
    if (summarize(canarySeconds).requests < a.gate.minRequests && now - a.gateFromMs < 3 * a.gate.windowMs)
      return;
    if (!verdict.pass) {
      this.#fail(a, verdict.reasons, verdict);
      return;
    }
    this.store.events.append({
      kind: "rollout.gate-passed",
      severity: "info",
      source: "control-plane",
      subject: `config:${a.version}`,
      data: {
        version: a.version,
        canaries: [...canaryIds],
        notes: [...verdict.reasons],
        canary: { ...verdict.canary },
        baseline: { ...verdict.baseline },
      },
    });
    a.phase = "all";
    this.#stable = a.version;
    this.#changed();
  }

  #complete(a: ActiveRollout): void {
    this.store.db.transaction(() => {
      this.store.versions.setRolloutState(a.version, "live");
      if (a.previous !== undefined && a.previous !== a.version) {
        this.store.versions.setRolloutState(a.previous, "superseded");
      }
      this.store.events.append({
        kind: "rollout.completed",
        severity: "info",
        source: "control-plane",
        subject: `config:${a.version}`,
        data: { version: a.version, previous: a.previous ?? null },
      });
    })();
    this.#active = undefined;
  }

  #fail(a: ActiveRollout, reasons: readonly string[], verdict?: GateVerdict): void {
    this.store.db.transaction(() => {
      this.store.versions.setRolloutState(a.version, "rolled-back");
      this.store.events.append({
        kind: "rollout.rolled-back",
        severity: "error",
        source: "control-plane",
        subject: `config:${a.version}`,
        data: {
          version: a.version,
          previous: a.previous ?? null,
          reasons: [...reasons],
          ...(verdict === undefined
            ? {}
            : { canary: { ...verdict.canary }, baseline: { ...verdict.baseline } }),
        },
      });
    })();
    this.#active = undefined;
    this.#stable = a.previous;
    this.#changed();
  }
}

const controllers = new WeakMap<Store, RolloutController>();

/** The controller of a store (one per control plane process). */
export function rolloutFor(store: Store): RolloutController {
  let c = controllers.get(store);
  if (c === undefined) {
    c = new RolloutController(store);
    controllers.set(store, c);
  }
  return c;
}

/** Store setting holding the strategy used when an apply does not name one. */
export const SETTING_ROLLOUT_STRATEGY = "rollout_strategy";

/** Parses a strategy from JSON (setting or request body); undefined when it is not one. */
export function parseStrategy(value: unknown): RolloutStrategy | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as { kind?: unknown; canaries?: unknown; gate?: unknown };
  if (v.kind === "all") return { kind: "all" };
  if (v.kind !== "canary" || !Array.isArray(v.canaries) || v.canaries.length === 0) return undefined;
  if (!v.canaries.every((c): c is string => typeof c === "string" && c !== "")) return undefined;
  const gate: Record<string, number> = {};
  if (typeof v.gate === "object" && v.gate !== null) {
    for (const [k, x] of Object.entries(v.gate)) {
      if (!(k in DEFAULT_GATE) || typeof x !== "number" || !Number.isFinite(x) || x < 0) return undefined;
      gate[k] = x;
    }
  }
  return { kind: "canary", canaries: v.canaries, gate: gate as Partial<HealthGate> };
}

/** The strategy set for the fleet (`PUT /api/v1/fleet/strategy`), `all` when none or unreadable. */
export function defaultStrategy(store: Store): RolloutStrategy {
  return parseStrategy(store.settings.get(SETTING_ROLLOUT_STRATEGY)) ?? { kind: "all" };
}

/**
 * Starts rolling a stored version out to the fleet. Called by the config API after an apply or
 * rollback; without `strategy`, the fleet's configured one (default `all`).
 */
export function startRollout(store: Store, versionId: number, strategy?: RolloutStrategy): void {
  rolloutFor(store).start(versionId, strategy ?? defaultStrategy(store));
}

/**
 * startRollout after the current request has answered: the apply's own commit stays the only write
 * between storing a version and acknowledging it. If this never runs (process killed), the version
 * stays `pending` and the fleet's tick starts it with the fleet's strategy.
 */
export function scheduleRollout(store: Store, versionId: number): void {
  setImmediate(() => {
    try {
      if (store.db.open) startRollout(store, versionId);
    } catch {
      // left pending: the next tick of the fleet picks it up
    }
  });
}
