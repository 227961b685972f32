/**
 * The fleet registry of the control plane: the gateways that asked for their config or attested,
 * their last attestation and when it came, the per-second counters they reported (for the rollout
 * gate), and drift episodes. A tick (every second) advances rollouts and checks drift, writing a
 * `drift` event when an episode begins and `drift.resolved` when it ends (drift.ts decides what
 * drift is). In memory: after a restart, gateways re-register within one attestation period.
 */
import { parseConfig } from "../config/load.js";
import { effectiveModules } from "../config/policies/facts.js";
import { configHash } from "../config/versions.js";
import { type Monitor, monitorFor } from "../monitor/series/monitor.js";
import type { Store } from "../store/store.js";
import { startTicker } from "../store/ticker.js";
import {
  type Attestation,
  type AttestedSecond,
  DEFAULT_SILENT_AFTER_MS,
  type DriftReason,
  detectDrift,
  driftTransitions,
  type ExpectedState,
} from "./drift.js";
import { type FleetView, type RolloutController, rolloutFor } from "./rollout.js";

/** Seconds of counters kept per gateway: covers a gate window and its baseline. */
const KEEP_SECONDS = 300;

export type GatewayState = "ok" | "drift" | "stale" | "unreachable";

export interface GatewaySummary {
  readonly id: string;
  readonly tags: readonly string[];
  readonly assignedVersion: number | null;
  readonly runningVersion: number | null;
  readonly wafMode: string | null;
  readonly modulesOff: readonly string[];
  readonly lastSeen: string;
  readonly state: GatewayState;
  readonly drift: readonly string[];
  readonly listen: string | null;
  readonly pid: number | null;
  readonly host: string | null;
  readonly lastError: string | null;
}

export interface Assignment {
  readonly version: number;
  readonly hash: string;
  readonly document: string;
}

interface Member {
  readonly id: string;
  tags: readonly string[];
  attestation: Attestation | undefined;
  lastSeenMs: number;
  assigned: number | undefined;
  assignedAtMs: number;
  readonly seconds: Map<number, AttestedSecond & { version: number | null }>;
  readonly drift: Map<string, DriftReason>;
}

export interface FleetOptions {
  readonly now?: () => number;
  readonly silentAfterMs?: number;
  readonly convergeMs?: number;
}

export class Fleet implements FleetView {
  readonly #store: Store;
  readonly #rollout: RolloutController;
  readonly #monitor: Monitor;
  readonly #now: () => number;
  readonly #silentAfterMs: number;
  readonly #convergeMs: number | undefined;
  readonly #members = new Map<string, Member>();
  readonly #expected = new Map<number, ExpectedState | undefined>();
  #waiters = new Set<() => void>();
  #timer: NodeJS.Timeout | undefined;
  /** Why the last periodic tick failed, if it did (shown by status()). */
  #lastTickError: string | undefined;

  constructor(store: Store, opts: FleetOptions = {}) {
    this.#store = store;
    this.#rollout = rolloutFor(store);
    this.#now = opts.now ?? Date.now;
    this.#monitor = monitorFor(store, { now: this.#now });
    this.#silentAfterMs = opts.silentAfterMs ?? DEFAULT_SILENT_AFTER_MS;
    this.#convergeMs = opts.convergeMs;
    this.#rollout.onChange(() => this.#wake());
  }

  /** The last error of a periodic tick, for diagnosis (the next tick retries). */
  get lastTickError(): string | undefined {
    return this.#lastTickError;
  }

  get rollout(): RolloutController {
    return this.#rollout;
  }

  /** Starts the periodic tick (rollouts and drift). */
  start(periodMs = 250): void {
    this.#timer ??= startTicker(this.#store, periodMs, () => this.tick(), {
      failed: (err) => {
        if (err !== undefined) this.#lastTickError = err.message;
      },
      closed: () => this.stop(),
    });
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#wake();
  }

  #member(id: string, tags: readonly string[] | undefined): Member {
    let m = this.#members.get(id);
    if (m === undefined) {
      m = {
        id,
        tags: tags ?? [],
        attestation: undefined,
        lastSeenMs: this.#now(),
        assigned: undefined,
        assignedAtMs: this.#now(),
        seconds: new Map(),
        drift: new Map(),
      };
      this.#members.set(id, m);
    } else if (tags !== undefined) m.tags = tags;
    return m;
  }

  /** The version a gateway should run, with its text; undefined before the first apply. */
  assignment(id: string, tags?: readonly string[]): Assignment | undefined {
    const m = this.#member(id, tags);
    m.lastSeenMs = Math.max(m.lastSeenMs, this.#now());
    // A version stored a moment ago is served now, not at the next tick.
    this.#rollout.tick(this);
    const v = this.#rollout.assignedFor(m.id, m.tags);
    if (v !== m.assigned) {
      m.assigned = v;
      m.assignedAtMs = this.#now();
    }
    if (v === undefined) return undefined;
    const version = this.#store.versions.get(v);
    if (version === undefined) return undefined;
    return { version: version.id, hash: version.hash, document: version.document };
  }

  /**
   * Long poll: resolves with the assignment once it differs from `known`, or after `waitMs` with the
   * current one (which may equal `known`). `signal` ends the wait early (client gone).
   */
  async waitForAssignment(
    id: string,
    tags: readonly string[] | undefined,
    known: number | undefined,
    waitMs: number,
    signal?: AbortSignal,
  ): Promise<Assignment | undefined> {
    const deadline = this.#now() + waitMs;
    for (;;) {
      const a = this.assignment(id, tags);
      if (
        a?.version !== known ||
        this.#now() >= deadline ||
        signal?.aborted === true ||
        this.#timer === undefined
      )
        return a;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.#waiters.delete(done);
          signal?.removeEventListener("abort", done);
          resolve();
        };
        const t = setTimeout(done, Math.max(0, deadline - this.#now()));
        this.#waiters.add(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const w of waiters) w();
  }

  /** Records an attestation; returns the drift reasons now open for the gateway. */
  attest(a: Attestation): readonly DriftReason[] {
    const m = this.#member(a.id, a.tags);
    m.attestation = a;
    m.lastSeenMs = this.#now();
    // The gate needs these five numbers; routes, histograms and sketches go to the monitor only.
    for (const s of a.seconds) {
      const { t, requests, s5xx, blocked, p99Ms } = s;
      m.seconds.set(t, { t, requests, s5xx, blocked, p99Ms, version: a.configVersion });
    }
    this.#monitor.ingest(a);
    const oldest = Math.floor(this.#now() / 1000) - KEEP_SECONDS;
    for (const t of m.seconds.keys()) if (t < oldest) m.seconds.delete(t);
    this.#checkDrift(m);
    return [...m.drift.values()];
  }

  #expectedFor(version: number | undefined): ExpectedState | undefined {
    if (version === undefined) return undefined;
    if (this.#expected.has(version)) return this.#expected.get(version);
    const v = this.#store.versions.get(version);
    let e: ExpectedState | undefined;
    if (v !== undefined) {
      try {
        const cfg = parseConfig(v.document, `version ${v.id}`);
        // The hash this build gives the version's document, as the gateways (same build) compute it
        // from what they load. The stored hash is the one of the build that applied it: a newer
        // build's defaults (a new config section) change the canonical form, and comparing with it
        // would show every gateway drifting after an upgrade.
        e = { version: v.id, hash: configHash(cfg), mode: cfg.waf.mode, modules: effectiveModules(cfg) };
      } catch {
        e = undefined;
      }
    }
    this.#expected.set(version, e);
    return e;
  }

  #checkDrift(m: Member): void {
    const assigned = this.#rollout.assignedFor(m.id, m.tags);
    if (assigned !== m.assigned) {
      m.assigned = assigned;
      m.assignedAtMs = this.#now();
    }
    const reasons = detectDrift({
      gateway: m.id,
      attestation: m.attestation,
      lastSeenMs: m.lastSeenMs,
      assignedAtMs: m.assignedAtMs,
      expected: this.#expectedFor(assigned),
      nowMs: this.#now(),
      silentAfterMs: this.#silentAfterMs,
      ...(this.#convergeMs === undefined ? {} : { convergeMs: this.#convergeMs }),
    });
    const { opened, resolved } = driftTransitions(m.drift, reasons);
    if (opened.length === 0 && resolved.length === 0) return;
    const time = new Date(this.#now());
    this.#store.events.appendMany([
      ...opened.map((r) => ({
        kind: "drift",
        severity: r.code === "module_off" || r.code === "mode" ? ("critical" as const) : ("warning" as const),
        source: "control-plane",
        subject: `gateway:${m.id}`,
        data: {
          gateway: m.id,
          code: r.code,
          reason: r.message,
          ...(r.module === undefined ? {} : { module: r.module }),
          assignedVersion: assigned ?? null,
          runningVersion: m.attestation?.configVersion ?? null,
        },
        time,
      })),
      ...resolved.map((r) => ({
        kind: "drift.resolved",
        severity: "info" as const,
        source: "control-plane",
        subject: `gateway:${m.id}`,
        data: {
          gateway: m.id,
          code: r.code,
          reason: r.message,
          ...(r.module === undefined ? {} : { module: r.module }),
        },
        time,
      })),
    ]);
    for (const r of resolved) m.drift.delete(r.key);
    for (const r of opened) m.drift.set(r.key, r);
  }

  /** Advances rollouts and checks every gateway for drift (silence included). */
  tick(): void {
    this.#rollout.tick(this);
    for (const m of this.#members.values()) this.#checkDrift(m);
  }

  // FleetView, for the rollout controller.
  gateways(): ReadonlyArray<{ id: string; tags: readonly string[]; runningVersion: number | null }> {
    const now = this.#now();
    const out: { id: string; tags: readonly string[]; runningVersion: number | null }[] = [];
    for (const m of this.#members.values()) {
      if (m.attestation === undefined || now - m.lastSeenMs > this.#silentAfterMs) continue;
      out.push({ id: m.id, tags: m.tags, runningVersion: m.attestation.configVersion });
    }
    return out;
  }

  seconds(
    id: string,
    fromMs: number,
    toMs: number,
  ): ReadonlyArray<AttestedSecond & { version: number | null }> {
    const m = this.#members.get(id);
    if (m === undefined) return [];
    const from = Math.floor(fromMs / 1000);
    const to = Math.floor(toMs / 1000);
    return [...m.seconds.values()].filter((s) => s.t >= from && s.t < to);
  }

  /** Every gateway known, for `GET /api/v1/fleet` and `rampart fleet`. */
  list(): GatewaySummary[] {
    const now = this.#now();
    return [...this.#members.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((m) => {
        const a = m.attestation;
        const assigned = this.#rollout.assignedFor(m.id, m.tags);
        const drift = [...m.drift.values()];
        const silent = now - m.lastSeenMs > this.#silentAfterMs;
        const state: GatewayState = silent
          ? "unreachable"
          : drift.some((r) => r.code !== "version")
            ? "drift"
            : a === undefined || a.configVersion !== (assigned ?? null)
              ? "stale"
              : "ok";
        return {
          id: m.id,
          tags: m.tags,
          assignedVersion: assigned ?? null,
          runningVersion: a?.configVersion ?? null,
          wafMode: a?.waf.mode ?? null,
          modulesOff: a?.waf.modules.filter((x) => x.state === "off").map((x) => x.name) ?? [],
          lastSeen: new Date(m.lastSeenMs).toISOString(),
          state,
          drift: drift.map((r) => r.message),
          listen: a?.listen ?? null,
          pid: a?.pid ?? null,
          host: a?.host ?? null,
          lastError: a?.lastError ?? null,
        };
      });
  }
}

const fleets = new WeakMap<Store, Fleet>();

/** The fleet registry of a store (one per control plane process), created on first use. */
export function fleetFor(store: Store, opts?: FleetOptions): Fleet {
  let f = fleets.get(store);
  if (f === undefined) {
    f = new Fleet(store, opts);
    fleets.set(store, f);
  }
  return f;
}
