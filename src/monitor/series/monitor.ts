/**
 * The monitor's series: every gateway's attested seconds (Fleet.attest hands them over) become one
 * point per second per series, fleet-wide, per route and per gateway.
 *
 * A second is closed, once, when every live gateway has reported through it (attestation's
 * `through`) or when the lateness bound has passed since it ended; a second nobody reported is
 * idle and closes with zeros, so that traffic falling to zero is a point like any other. Closed
 * seconds go to the ring (the last hour at 1 s, in memory), to the current minute's tally (written
 * to SQLite with the hour rollup when the minute ends) and to `onSecond` listeners (alerts).
 * Data for a second already closed is dropped: a point, once handed out, never changes.
 *
 * Aggregation over gateways: counters sum; latency quantiles come from the merged histograms
 * (exact to the histogram's ~12 %; the max of p99 only for gateways of older builds that send
 * no histogram); distinct clients from merged HyperLogLog sketches.
 */
import type { Attestation, AttestedCounts, AttestedSecond } from "../../control/drift.js";
import type { Store } from "../../store/store.js";
import { startTicker } from "../../store/ticker.js";
import { SeriesError } from "./errors.js";
import { HLL_STANDARD_ERROR, sketchEstimate } from "./hll.js";
import {
  isSeriesName,
  type RouteActivity,
  SERIES_NAMES,
  type SeriesLabels,
  type SeriesName,
  type SeriesPoint,
  type SeriesResult,
  type SeriesSample,
} from "./names.js";
import { type RingColumn, SecondRing } from "./ring.js";
import { type GroupKey, type Resolution, type RollupRow, SeriesRollups } from "./rollups.js";
import { Tally } from "./tally.js";

const DAY_S = 86_400;

/**
 * How long a second waits for a live gateway that has not reported it yet. Well above the
 * attestation period (2 s by default, 1 s in drills), so that a gateway slowed by a busy machine is
 * waited for rather than counted as zero: a false zero looks like a traffic drop to the detectors
 * and hides a surge in their baseline. A gateway that stops reporting costs this much delay.
 */
export const DEFAULT_LATENESS_MS = 5000;

export interface MonitorOptions {
  readonly now?: () => number;
  /** How long after a second ends it closes even if a live gateway has not reported it. */
  readonly latenessMs?: number;
  /** A gateway is live (waited for) when it attested within this time. */
  readonly liveMs?: number;
  /** Seconds kept at 1 s resolution in memory. */
  readonly ringSeconds?: number;
  readonly minuteRetentionDays?: number;
  readonly hourRetentionDays?: number;
  /** Upper bound on series groups (fleet + routes + gateways) held in memory. */
  readonly maxGroups?: number;
}

export interface SeriesQuery {
  readonly name: string;
  readonly labels?: SeriesLabels;
  /** Unix seconds, [from, to). */
  readonly from: number;
  readonly to: number;
  readonly stepSeconds?: number;
}

export interface DistinctClientsQuery {
  /** Unix seconds, [from, to); widened to whole minutes (or hours beyond the minute retention). */
  readonly from: number;
  readonly to: number;
  readonly route?: string;
  readonly gateway?: string;
  /** Count only clients that got a 5xx, a WAF block, a 429 or a shed answer. */
  readonly failed?: boolean;
}

export interface DistinctClients {
  readonly estimate: number;
  /** Relative standard error of the estimate (HyperLogLog, p = 10). */
  readonly standardError: number;
  readonly from: number;
  readonly to: number;
}

export interface MonitorStats {
  readonly groups: number;
  readonly ringBytes: number;
  /** Ring bytes of one series for one hour (4 bytes per second). */
  readonly bytesPerSeriesHour: number;
  readonly closedThrough: number;
  /** Seconds received for a group beyond maxGroups, dropped. */
  readonly droppedGroupSeconds: number;
  /** Attested counts with a field that is not a finite, non-negative number: dropped. */
  readonly malformedCounts: number;
  /** Gateway seconds that arrived after their second had closed without them: dropped. */
  readonly lateSeconds: number;
  /** Why the last periodic tick failed, if it did (the next one retries). */
  readonly lastTickError?: string;
  readonly lastError: string | undefined;
}

export type SecondListener = (t: number, samples: readonly SeriesSample[]) => void;

interface Group {
  readonly key: GroupKey;
  readonly labels: SeriesLabels;
  readonly ring: SecondRing;
  /** The second being closed. */
  readonly second: Tally;
  /** The minute being built (written to SQLite when it ends). */
  readonly minute: Tally;
  /** Last second with requests, or when the route/gateway was last live. */
  lastActive: number;
}

interface GatewayState {
  through: number;
  lastSeenMs: number;
  routes: readonly string[];
}

const FLEET: GroupKey = { route: "", gateway: "" };

function keyOf(k: GroupKey): string {
  return `${k.route}\u0000${k.gateway}`;
}

function labelsOf(k: GroupKey): SeriesLabels {
  if (k.route !== "") return { route: k.route };
  if (k.gateway !== "") return { gateway: k.gateway };
  return {};
}

/** The fixed step sizes, smallest first, a query's default step is chosen from. */
const STEPS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21_600, DAY_S];
const MAX_DEFAULT_POINTS = 720;
/** Upper bound on the points of one answer (a 90-day range at 1 min would be 129 600). */
const MAX_POINTS = 11_000;

export class Monitor {
  readonly #now: () => number;
  readonly #latenessMs: number;
  readonly #liveMs: number;
  readonly #ringSeconds: number;
  readonly #minuteRetentionS: number;
  readonly #hourRetentionS: number;
  readonly #maxGroups: number;
  readonly #store: Store;
  readonly #rollups: SeriesRollups;
  readonly #groups = new Map<string, Group>();
  readonly #gateways = new Map<string, GatewayState>();
  readonly #pending = new Map<number, Map<string, AttestedSecond>>();
  readonly #listeners = new Set<SecondListener>();
  #closedThrough: number;
  #minute: number;
  #droppedGroupSeconds = 0;
  #malformed = 0;
  #lateSeconds = 0;
  #lastTickError: string | undefined;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, opts: MonitorOptions = {}) {
    this.#store = store;
    this.#rollups = new SeriesRollups(store.db);
    this.#now = opts.now ?? Date.now;
    this.#latenessMs = opts.latenessMs ?? DEFAULT_LATENESS_MS;
    this.#liveMs = opts.liveMs ?? 10_000;
    this.#ringSeconds = opts.ringSeconds ?? 3600;
    this.#minuteRetentionS = (opts.minuteRetentionDays ?? 7) * DAY_S;
    this.#hourRetentionS = (opts.hourRetentionDays ?? 90) * DAY_S;
    this.#maxGroups = opts.maxGroups ?? 512;
    this.#closedThrough = Math.floor(this.#now() / 1000) - 1;
    this.#minute = this.#closedThrough + 1 - ((this.#closedThrough + 1) % 60);
    this.#group(FLEET, this.#closedThrough);
  }

  /** Closes due seconds every `periodMs` (a second closes at most ~periodMs after it is due). */
  start(periodMs = 250): void {
    this.#timer ??= startTicker(this.#store, periodMs, () => this.tick(), {
      failed: (err) => {
        this.#lastTickError = err?.message;
      },
      closed: () => this.stop(),
    });
  }

  /** Stops the timer and stores the minute being built (the next write of that minute adds to it). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#flushMinute();
  }

  onSecond(listener: SecondListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes the seconds of one attestation (from Fleet.attest). */
  ingest(a: Attestation): void {
    const nowMs = this.#now();
    const g = this.#gateways.get(a.id) ?? { through: this.#closedThrough, lastSeenMs: nowMs, routes: [] };
    g.lastSeenMs = nowMs;
    g.routes = a.routes.map((r) => r.name);
    let newest = -1;
    for (const s of a.seconds) {
      newest = Math.max(newest, s.t);
      if (s.t <= this.#closedThrough) {
        // A resend (at or before what the gateway had reported through) is expected; anything
        // else arrived after its second closed without it.
        if (s.t > g.through) this.#lateSeconds++;
        continue;
      }
      if (s.t > Math.floor(nowMs / 1000) + 60) continue; // a gateway clock far ahead
      let byGateway = this.#pending.get(s.t);
      if (byGateway === undefined) {
        byGateway = new Map();
        this.#pending.set(s.t, byGateway);
      }
      // The first copy wins: a gateway resends the last seconds in case an answer was lost.
      if (!byGateway.has(a.id)) byGateway.set(a.id, s);
    }
    g.through = Math.max(g.through, a.through ?? Math.max(newest, Math.floor(nowMs / 1000) - 1));
    this.#gateways.set(a.id, g);
    this.tick();
  }

  /** Closes every second that is due (called by the timer, by ingest, and by tests). */
  tick(): void {
    const nowMs = this.#now();
    const current = Math.floor(nowMs / 1000);
    // After a pause longer than the ring (a suspended process), the gap is skipped as a block: the
    // minute being built is stored, the rings restart empty, and nothing is handed out for the gap.
    if (current - this.#closedThrough > this.#ringSeconds + 1) {
      this.#flushMinute();
      this.#closedThrough = current - 2;
      this.#minute = current - 1 - ((current - 1) % 60);
      for (const g of this.#groups.values()) g.ring.clear();
      for (const t of this.#pending.keys()) if (t <= this.#closedThrough) this.#pending.delete(t);
    }
    for (;;) {
      const t = this.#closedThrough + 1;
      if (t >= current) return; // not over yet
      const lateEnough = nowMs >= (t + 1) * 1000 + this.#latenessMs;
      if (!lateEnough && !this.#allLiveReported(t, nowMs)) return;
      this.#close(t);
    }
  }

  #allLiveReported(t: number, nowMs: number): boolean {
    for (const g of this.#gateways.values()) {
      if (nowMs - g.lastSeenMs <= this.#liveMs && g.through < t) return false;
    }
    return true;
  }

  #group(key: GroupKey, t: number): Group | undefined {
    const k = keyOf(key);
    let g = this.#groups.get(k);
    if (g === undefined) {
      if (this.#groups.size >= this.#maxGroups) return undefined;
      g = {
        key,
        labels: labelsOf(key),
        ring: new SecondRing(this.#ringSeconds),
        second: new Tally(),
        minute: new Tally(),
        lastActive: t,
      };
      this.#groups.set(k, g);
    }
    return g;
  }

  #add(key: GroupKey, t: number, counts: AttestedCounts): void {
    if (!wellFormed(counts)) {
      this.#malformed++;
      return;
    }
    const g = this.#group(key, t);
    if (g === undefined) {
      this.#droppedGroupSeconds++;
      return;
    }
    g.second.addCounts(counts);
    if (counts.requests > 0) g.lastActive = t;
  }

  #close(t: number): void {
    const reports = this.#pending.get(t);
    this.#pending.delete(t);
    const nowMs = this.#now();
    // Live gateways and their routes get a point even when idle: a drop to zero must be seen.
    for (const [id, gw] of this.#gateways) {
      if (nowMs - gw.lastSeenMs > this.#ringSeconds * 1000) this.#gateways.delete(id); // long gone
      if (nowMs - gw.lastSeenMs > this.#liveMs) continue;
      const own = this.#group({ route: "", gateway: id }, t);
      if (own !== undefined) own.lastActive = t;
      for (const route of gw.routes) {
        const g = this.#group({ route, gateway: "" }, t);
        if (g !== undefined) g.lastActive = t;
      }
    }
    for (const [id, s] of reports ?? []) {
      this.#add(FLEET, t, s);
      this.#add({ route: "", gateway: id }, t, s);
      const routes = typeof s.routes === "object" && s.routes !== null ? s.routes : {};
      for (const [route, counts] of Object.entries(routes)) this.#add({ route, gateway: "" }, t, counts);
    }
    const minute = t - (t % 60);
    if (minute !== this.#minute) this.#flushMinute();
    this.#minute = minute;
    const samples: SeriesSample[] = [];
    for (const [k, g] of this.#groups) {
      const tally = g.second;
      const unique = tally.uniqueClients();
      const failed = tally.failedClients();
      g.ring.write(t, tally, unique, failed);
      g.minute.addTally(tally);
      if (t - g.lastActive > this.#ringSeconds && g.key !== FLEET) {
        this.#groups.delete(k); // idle for longer than the ring holds: nothing left to show
        continue;
      }
      pushSamples(samples, g.labels, tally, unique, failed);
      tally.reset();
    }
    this.#closedThrough = t;
    for (const listener of this.#listeners) {
      try {
        listener(t, samples);
      } catch (err) {
        this.#lastError = `a series listener failed: ${(err as Error).message}`;
      }
    }
  }

  /** Writes the minute being built to SQLite (with its hour rollup) and prunes old rows. */
  #flushMinute(): void {
    const groups = [...this.#groups.values()].map((g) => ({ key: g.key, tally: g.minute }));
    try {
      if (this.#store.db.open) {
        this.#rollups.writeMinute(this.#minute, groups);
        const nowS = Math.floor(this.#now() / 1000);
        this.#rollups.prune(60, nowS - this.#minuteRetentionS);
        this.#rollups.prune(3600, nowS - this.#hourRetentionS);
      }
    } catch (err) {
      // The ring keeps the last hour whatever happens; the rollup of this minute is what is lost.
      this.#lastError = `series rollup of minute ${this.#minute} not stored: ${(err as Error).message}`;
    }
    for (const g of groups) g.tally.reset();
  }

  /** The last second closed (Unix s). */
  get closedThrough(): number {
    return this.#closedThrough;
  }

  names(): readonly SeriesName[] {
    return SERIES_NAMES;
  }

  /** Routes and gateways with series in memory (the last hour). */
  labelValues(): { routes: string[]; gateways: string[] } {
    const routes: string[] = [];
    const gateways: string[] = [];
    for (const g of this.#groups.values()) {
      if (g.key.route !== "") routes.push(g.key.route);
      else if (g.key.gateway !== "") gateways.push(g.key.gateway);
    }
    return { routes: routes.sort(), gateways: gateways.sort() };
  }

  query(q: SeriesQuery): SeriesResult {
    if (!isSeriesName(q.name)) {
      throw new SeriesError("SERIES_UNKNOWN_NAME", `no series named "${q.name}"`, {
        hint: `one of: ${SERIES_NAMES.join(", ")}`,
      });
    }
    const name = q.name;
    const labels = q.labels ?? {};
    const key = groupKeyOf(labels);
    const module = labels.module;
    if (!(Number.isFinite(q.from) && Number.isFinite(q.to)) || q.to <= q.from) {
      throw new SeriesError("SERIES_BAD_QUERY", `empty or invalid range ${q.from}..${q.to}`, {
        hint: "give from < to, in Unix seconds",
      });
    }
    if (q.stepSeconds !== undefined && !(Number.isInteger(q.stepSeconds) && q.stepSeconds >= 1)) {
      throw new SeriesError("SERIES_BAD_QUERY", `step must be a whole number of seconds >= 1`, {
        hint: "e.g. step=10",
      });
    }
    const to = Math.min(Math.floor(q.to), this.#closedThrough + 1);
    const from = Math.floor(q.from);
    const ringFrom = this.#closedThrough + 1 - this.#ringSeconds;
    const nowS = Math.floor(this.#now() / 1000);
    const source: SeriesResult["source"] =
      from >= ringFrom && (q.stepSeconds ?? 1) < 3600
        ? "ring"
        : from >= nowS - this.#minuteRetentionS && (q.stepSeconds ?? 60) < 3600
          ? "minute"
          : "hour";
    const resolution = source === "ring" ? 1 : source === "minute" ? 60 : 3600;
    const step = chooseStep(q.stepSeconds, to - from, resolution);
    const start = from - (from % step);
    if (to <= start) return { name, labels, stepSeconds: step, source, points: [] };
    if ((to - start) / step > MAX_POINTS) {
      throw new SeriesError(
        "SERIES_BAD_QUERY",
        `${Math.ceil((to - start) / step)} points asked, more than ${MAX_POINTS} in one answer`,
        { hint: `use a step of at least ${Math.ceil((to - start) / MAX_POINTS)} s, or a shorter range` },
      );
    }
    const points =
      source === "ring"
        ? this.#ringPoints(name, key, module, start, to, step)
        : this.#rollupPoints(name, key, module, resolution as Resolution, start, to, step);
    return { name, labels, stepSeconds: step, source, points };
  }

  #ringPoints(
    name: SeriesName,
    key: GroupKey,
    module: string | undefined,
    start: number,
    to: number,
    step: number,
  ): SeriesPoint[] {
    const ring = this.#groups.get(keyOf(key))?.ring;
    const out: SeriesPoint[] = [];
    for (let b = start; b < to; b += step) {
      const acc = new StepAccumulator();
      // No ring: a route or gateway without traffic in the last hour reads as zeros.
      if (ring !== undefined) {
        for (let t = b; t < Math.min(b + step, to); t++) {
          acc.add(
            (c: RingColumn) => ring.get(c, t),
            () => ring.waf(t, module),
          );
        }
      }
      out.push({ t: b, value: acc.value(name, step) });
    }
    return out;
  }

  #rollupPoints(
    name: SeriesName,
    key: GroupKey,
    module: string | undefined,
    resolution: Resolution,
    start: number,
    to: number,
    step: number,
  ): SeriesPoint[] {
    const rows = this.#rollups.rows(resolution, key, start, to);
    const byBucket = new Map<number, RollupRow[]>();
    for (const row of rows) {
      const b = row.t - ((row.t - start) % step);
      const list = byBucket.get(b);
      if (list === undefined) byBucket.set(b, [row]);
      else list.push(row);
    }
    const out: SeriesPoint[] = [];
    for (let b = start; b < to; b += step) {
      const acc = new StepAccumulator();
      for (const row of byBucket.get(b) ?? []) {
        let waf: Record<string, number> = {};
        try {
          waf = JSON.parse(row.waf) as Record<string, number>;
        } catch {
          waf = {};
        }
        acc.add(
          (c: RingColumn) => row[c],
          () => (module !== undefined ? (waf[module] ?? 0) : Object.values(waf).reduce((s, n) => s + n, 0)),
        );
      }
      out.push({ t: b, value: acc.value(name, step) });
    }
    return out;
  }

  /**
   * Distinct clients over [from, to), from the merged minute sketches (hour sketches for the part
   * older than the minute retention) and the minute being built.
   */
  distinctClients(q: DistinctClientsQuery): DistinctClients {
    if (!(Number.isFinite(q.from) && Number.isFinite(q.to)) || q.to <= q.from) {
      throw new SeriesError("SERIES_BAD_QUERY", `empty or invalid range ${q.from}..${q.to}`, {
        hint: "give from < to, in Unix seconds",
      });
    }
    const key: GroupKey = { route: q.route ?? "", gateway: q.route === undefined ? (q.gateway ?? "") : "" };
    const failed = q.failed === true;
    const nowS = Math.floor(this.#now() / 1000);
    const minuteCutoff = nowS - this.#minuteRetentionS;
    let from = q.from - (q.from % 60);
    const to = Math.ceil(q.to / 60) * 60;
    const merged = new Tally();
    if (from < minuteCutoff) {
      from = q.from - (q.from % 3600);
      const hourEnd = Math.min(to, minuteCutoff - (minuteCutoff % 3600) + 3600);
      this.#rollups.mergeSketches(3600, key, from, hourEnd, failed, merged);
      this.#rollups.mergeSketches(60, key, hourEnd, to, failed, merged);
    } else this.#rollups.mergeSketches(60, key, from, to, failed, merged);
    const building = this.#groups.get(keyOf(key))?.minute;
    if (building !== undefined && this.#minute < to && this.#minute + 60 > from) merged.addTally(building);
    const sketch = failed ? merged.failed : merged.clients;
    return {
      estimate: sketch === undefined ? 0 : sketchEstimate(sketch),
      standardError: HLL_STANDARD_ERROR,
      from,
      to,
    };
  }

  /** The busiest routes over the last `windowSeconds` closed seconds. */
  top(opts: { windowSeconds?: number; limit?: number } = {}): {
    from: number;
    to: number;
    fleet: RouteActivity;
    routes: RouteActivity[];
  } {
    const window = Math.max(1, Math.min(opts.windowSeconds ?? 10, this.#ringSeconds));
    const to = this.#closedThrough + 1;
    const from = to - window;
    const activity = (route: string, ring: SecondRing | undefined): RouteActivity => {
      let requests = 0;
      let s5xx = 0;
      let blocked = 0;
      let rateLimited = 0;
      let shed = 0;
      let p99 = 0;
      if (ring !== undefined) {
        for (let t = from; t < to; t++) {
          requests += ring.get("requests", t);
          s5xx += ring.get("s5xx", t);
          blocked += ring.get("blocked", t);
          rateLimited += ring.get("rate_limited", t);
          shed += ring.get("shed", t);
          p99 = Math.max(p99, ring.get("p99_ms", t));
        }
      }
      return {
        route,
        requestsPerSecond: requests / window,
        errorRatio: requests === 0 ? 0 : s5xx / requests,
        p99Ms: p99,
        blockedPerSecond: blocked / window,
        rateLimitedPerSecond: rateLimited / window,
        shedPerSecond: shed / window,
      };
    };
    const routes: RouteActivity[] = [];
    for (const g of this.#groups.values()) if (g.key.route !== "") routes.push(activity(g.key.route, g.ring));
    routes.sort((a, b) => b.requestsPerSecond - a.requestsPerSecond || a.route.localeCompare(b.route));
    return {
      from,
      to,
      fleet: activity("*", this.#groups.get(keyOf(FLEET))?.ring),
      routes: routes.slice(0, Math.max(1, opts.limit ?? 10)),
    };
  }

  stats(): MonitorStats {
    let ringBytes = 0;
    for (const g of this.#groups.values()) ringBytes += g.ring.bytes();
    return {
      groups: this.#groups.size,
      ringBytes,
      bytesPerSeriesHour: 4 * 3600,
      closedThrough: this.#closedThrough,
      droppedGroupSeconds: this.#droppedGroupSeconds,
      malformedCounts: this.#malformed,
      lateSeconds: this.#lateSeconds,
      ...(this.#lastTickError === undefined ? {} : { lastTickError: this.#lastTickError }),
      lastError: this.#lastError,
    };
  }
}

const REQUIRED_COUNTS = ["requests", "s5xx", "blocked", "p99Ms"] as const;
const OPTIONAL_COUNTS = ["s2xx", "s4xx", "rateLimited", "shed", "p50Ms"] as const;

const isCount = (v: unknown): boolean => typeof v === "number" && Number.isFinite(v) && v >= 0;

/** The API validates the overall counts against its schema; per-route counts arrive as free JSON. */
function wellFormed(c: AttestedCounts): boolean {
  if (typeof c !== "object" || c === null) return false;
  if (!REQUIRED_COUNTS.every((f) => isCount(c[f]))) return false;
  if (!OPTIONAL_COUNTS.every((f) => c[f] === undefined || isCount(c[f]))) return false;
  if (c.latency !== undefined && !Array.isArray(c.latency)) return false;
  if (c.waf !== undefined && (typeof c.waf !== "object" || c.waf === null)) return false;
  if (c.clients !== undefined && typeof c.clients !== "string") return false;
  return c.failedClients === undefined || typeof c.failedClients === "string";
}

function groupKeyOf(labels: SeriesLabels): GroupKey {
  for (const k of Object.keys(labels)) {
    if (k !== "route" && k !== "gateway" && k !== "module") {
      throw new SeriesError("SERIES_BAD_QUERY", `unknown label "${k}"`, {
        hint: "series have the labels route, gateway (one of them, or none for fleet-wide) and module (waf_blocks)",
      });
    }
  }
  if (labels.route !== undefined && labels.gateway !== undefined) {
    throw new SeriesError("SERIES_BAD_QUERY", "route and gateway series are kept apart", {
      hint: "ask for one route (summed over gateways) or one gateway (all its routes)",
    });
  }
  return { route: labels.route ?? "", gateway: labels.gateway ?? "" };
}

function chooseStep(asked: number | undefined, span: number, resolution: number): number {
  if (asked !== undefined) return Math.max(resolution, Math.ceil(asked / resolution) * resolution);
  for (const s of STEPS) if (s >= resolution && span / s <= MAX_DEFAULT_POINTS) return s;
  return STEPS.at(-1)!;
}

/**
 * Folds the seconds (or rollup rows) of one step into one value: counters become per-second rates
 * over the step, ratios divide the step's sums, p50 is the request-weighted mean of the parts' p50,
 * p99 and distinct clients the max over the parts (distinct clients of a whole window:
 * distinctClients()).
 */
class StepAccumulator {
  requests = 0;
  s2xx = 0;
  s4xx = 0;
  s5xx = 0;
  blocked = 0;
  rateLimited = 0;
  shed = 0;
  waf = 0;
  p50Weighted = 0;
  p99 = 0;
  unique = 0;
  failed = 0;

  add(get: (c: RingColumn) => number, waf: () => number): void {
    const requests = get("requests");
    this.requests += requests;
    this.s2xx += get("s2xx");
    this.s4xx += get("s4xx");
    this.s5xx += get("s5xx");
    this.blocked += get("blocked");
    this.rateLimited += get("rate_limited");
    this.shed += get("shed");
    this.waf += waf();
    this.p50Weighted += get("p50_ms") * requests;
    this.p99 = Math.max(this.p99, get("p99_ms"));
    this.unique = Math.max(this.unique, get("unique_clients"));
    this.failed = Math.max(this.failed, get("failed_clients"));
  }

  value(name: SeriesName, step: number): number {
    switch (name) {
      case "requests":
        return this.requests / step;
      case "s2xx":
        return this.s2xx / step;
      case "s4xx":
        return this.s4xx / step;
      case "s5xx":
        return this.s5xx / step;
      case "blocked":
        return this.blocked / step;
      case "rate_limited":
        return this.rateLimited / step;
      case "shed":
        return this.shed / step;
      case "waf_blocks":
        return this.waf / step;
      case "error_ratio":
        return this.requests === 0 ? 0 : this.s5xx / this.requests;
      case "block_ratio":
        return this.requests === 0 ? 0 : this.blocked / this.requests;
      case "p50_ms":
        return this.requests === 0 ? 0 : Math.round((this.p50Weighted / this.requests) * 100) / 100;
      case "p99_ms":
        return this.p99;
      case "unique_clients":
        return this.unique;
      case "failed_clients":
        return this.failed;
    }
  }
}

/** The samples of one group for one closed second, in SERIES_NAMES order (waf_blocks per module). */
function pushSamples(
  out: SeriesSample[],
  labels: SeriesLabels,
  t: Tally,
  unique: number,
  failed: number,
): void {
  const r = t.requests;
  out.push(
    { name: "requests", labels, value: r },
    { name: "s2xx", labels, value: t.s2xx },
    { name: "s4xx", labels, value: t.s4xx },
    { name: "s5xx", labels, value: t.s5xx },
    { name: "error_ratio", labels, value: r === 0 ? 0 : t.s5xx / r },
    { name: "blocked", labels, value: t.blocked },
    { name: "block_ratio", labels, value: r === 0 ? 0 : t.blocked / r },
    { name: "rate_limited", labels, value: t.rateLimited },
    { name: "shed", labels, value: t.shed },
    { name: "p50_ms", labels, value: t.quantileMs(0.5) },
    { name: "p99_ms", labels, value: t.quantileMs(0.99) },
    { name: "unique_clients", labels, value: unique },
    { name: "failed_clients", labels, value: failed },
  );
  for (const [module, n] of t.waf) out.push({ name: "waf_blocks", labels: { ...labels, module }, value: n });
}

const monitors = new WeakMap<Store, Monitor>();

/** The series monitor of a store (one per control plane process), created on first use. */
export function monitorFor(store: Store, opts?: MonitorOptions): Monitor {
  let m = monitors.get(store);
  if (m === undefined) {
    m = new Monitor(store, opts);
    monitors.set(store, m);
  }
  return m;
}
