/**
 * The rule evaluator, a pure core: fed one second of series samples (and the fleet's open signals)
 * at a time, it keeps every alert's lifecycle as Prometheus' alerting rules do
 * (https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/):
 * - a label set whose condition holds becomes `pending`; after holding for the rule's `for` it is
 *   `firing` (at once when `for` is 0);
 * - a pending alert whose condition stops is dropped (it was never notified); a firing one becomes
 *   `resolved`, and is kept for `resolvedRetentionMs` so that the dispatcher can send the resolution;
 * - the same label set firing again after it resolved is a new alert (new activeAt).
 * Anomaly rules keep one detector per (rule, series), fed every second whether or not the alert
 * is active, so that its baseline is the series' own. A streaming detector learns a new level
 * within seconds (a drop to zero stops being surprising), so its score alone would resolve an
 * outage that is still going on. An anomaly episode therefore holds, once the score crossed the
 * threshold, until the series has come back at least half way from its furthest point to the
 * level it had before (hysteresis, the remedy for flapping alerts that Prometheus' keep_firing_for
 * also answers): traffic that fell to zero resolves the drop alert when it is back above half its
 * usual rate, not when the detector got used to zero.
 *
 * Restarts: alerts restored from the store keep their state for `graceMs` after the restart unless
 * their condition is seen again: a detector starts cold and a gateway re-attests within seconds, so
 * a firing alert must not resolve merely because its evidence is not back yet (Prometheus restores
 * `for` state the same way, with its rules.alert.for-grace-period).
 */
import {
  createDetector,
  createRatioDetector,
  type Detector,
  type RatioDetector,
} from "../monitor/detectors/index.js";
import type { SignalName } from "./builtins.js";
import { assignState } from "./detector-state.js";
import { compare, RATIO_PARTS, type RuleExpr } from "./expr.js";
import { fingerprint, labelKey } from "./fingerprint.js";
import { type Labels, matchesAll } from "./matchers.js";
import type { CompiledRule } from "./rules.js";
import type { AlertState, AlertView } from "./types.js";

/** One value of one series in one second, as the monitor hands them out. */
export interface SeriesSample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** An open condition that does not come from series: a drifting or silent gateway. */
export interface Signal {
  readonly signal: SignalName;
  readonly labels: Labels;
  /** For people: "waf module sqli is off". */
  readonly reason: string;
}

/** One series' state of one anomaly rule, as exportTracks gives it and importTrack takes it. */
export interface TrackSnapshot {
  readonly ruleKey: string;
  readonly seriesKey: string;
  readonly state: unknown;
}

export interface Transition {
  readonly alert: AlertView;
  readonly from: AlertState | "inactive";
  readonly to: AlertState | "inactive";
}

export interface EvaluatorOptions {
  /** How long resolved alerts stay in memory (and in notifications); Prometheus keeps 15 min. */
  readonly resolvedRetentionMs?: number;
  /** Alerts restored from the store (pending and firing ones; resolved are history). */
  readonly restored?: readonly AlertView[];
  /** Restored alerts cannot resolve before this time (ms) unless their condition is seen again. */
  readonly graceUntilMs?: number;
}

interface Instance {
  view: AlertView;
  rule: CompiledRule;
  /** Restored and not yet confirmed by an evaluation. */
  restored: boolean;
}

/** Per (anomaly rule, series): the detector, the level before any episode, the open episode. */
interface SeriesTrack {
  readonly detector: Detector | RatioDetector;
  /** When the series was last seen (ms): tracks of series gone for an hour are dropped. */
  lastSeenMs: number;
  /** EW mean of the values seen outside episodes: "the level it had before". */
  level: number;
  /**
   * The open episode: the level before it, its direction (below the level: a drop), the furthest
   * value in that direction and the highest score reached during it.
   */
  episode: { readonly level: number; readonly below: boolean; furthest: number; peak: number } | undefined;
}

/** Weight of a new value in the pre-episode level: about the last 20 seconds. */
const LEVEL_ALPHA = 0.05;

interface RuleState {
  rule: CompiledRule;
  tracks: Map<string, SeriesTrack>;
  sweptMs: number;
}

const TRACK_IDLE_MS = 3_600_000;

const iso = (ms: number): string => new Date(ms).toISOString();

function roundValue(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 1000) / 1000;
}

/** Replaces {{name}} by the label or annotation; unknown names become "". */
export function renderTemplate(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, k: string) => vars[k] ?? "");
}

function where(labels: Labels): string {
  const parts: string[] = [];
  if (labels.route !== undefined) parts.push(`route ${labels.route}`);
  if (labels.gateway !== undefined) parts.push(`gateway ${labels.gateway}`);
  return parts.length === 0 ? " (fleet)" : ` on ${parts.join(", ")}`;
}

interface Point {
  labels: Labels;
  value: number;
  /** For the ratio detector: the counts behind the ratio. */
  numerator?: number;
  denominator?: number;
}

/** The expression's operand per label set this second (sums joined on identical label sets). */
function vectorOf(expr: RuleExpr, byName: ReadonlyMap<string, readonly SeriesSample[]>): Map<string, Point> {
  let out: Map<string, Point> | undefined;
  for (const term of expr.terms) {
    const next = new Map<string, Point>();
    for (const s of byName.get(term.series) ?? []) {
      if (!Number.isFinite(s.value) || !matchesAll(term.matchers, s.labels)) continue;
      const key = labelKey(s.labels);
      if (out === undefined) next.set(key, { labels: s.labels, value: s.value });
      else {
        const prev = out.get(key);
        if (prev !== undefined) next.set(key, { labels: s.labels, value: prev.value + s.value });
      }
    }
    out = next;
  }
  const vector = out ?? new Map<string, Point>();
  const parts = expr.detector === "ratio" ? RATIO_PARTS[expr.terms[0]!.series] : undefined;
  if (parts !== undefined) {
    const num = new Map((byName.get(parts.numerator) ?? []).map((s) => [labelKey(s.labels), s.value]));
    const den = new Map((byName.get(parts.denominator) ?? []).map((s) => [labelKey(s.labels), s.value]));
    for (const [key, p] of vector) {
      const n = num.get(key);
      const d = den.get(key);
      if (n === undefined || d === undefined) vector.delete(key);
      else {
        p.numerator = n;
        p.denominator = d;
      }
    }
  }
  return vector;
}

export class RuleEvaluator {
  readonly #rules = new Map<string, RuleState>();
  readonly #alerts = new Map<string, Instance>();
  readonly #retentionMs: number;
  readonly #graceUntilMs: number;

  constructor(rules: readonly CompiledRule[], opts: EvaluatorOptions = {}) {
    this.#retentionMs = opts.resolvedRetentionMs ?? 15 * 60_000;
    this.#graceUntilMs = opts.graceUntilMs ?? 0;
    this.setRules(rules);
    for (const view of opts.restored ?? []) {
      if (view.state === "resolved") continue;
      // An alert of a rule that the config no longer has ends at the first evaluation (a stand-in
      // rule that matches no current one), rather than staying open in the store for ever.
      const rule = this.#rules.get(view.rule)?.rule ?? {
        name: view.rule,
        severity: view.severity,
        labels: {},
        summary: view.summary,
        forMs: 0,
        builtin: false,
        key: "(removed)",
      };
      this.#alerts.set(view.fingerprint, { view, rule, restored: true });
    }
  }

  /**
   * Installs a new rule set (a new config version). Rules whose definition is unchanged keep their
   * detectors and alerts; the alerts of a removed or changed rule end: firing ones resolve at the
   * next evaluation, pending ones are dropped.
   */
  setRules(rules: readonly CompiledRule[]): void {
    const next = new Map<string, RuleState>();
    for (const rule of rules) {
      const old = this.#rules.get(rule.name);
      next.set(
        rule.name,
        old !== undefined && old.rule.key === rule.key ? old : { rule, tracks: new Map(), sweptMs: 0 },
      );
    }
    this.#rules.clear();
    for (const [k, v] of next) this.#rules.set(k, v);
  }

  get rules(): readonly CompiledRule[] {
    return [...this.#rules.values()].map((s) => s.rule);
  }

  /**
   * The per-series state of the anomaly rules (detectors, levels, open episodes), for the shell to
   * store: `ruleKey` is the rule definition's key, so a changed rule does not get old state.
   */
  exportTracks(): TrackSnapshot[] {
    const out: TrackSnapshot[] = [];
    for (const state of this.#rules.values()) {
      for (const [seriesKey, tr] of state.tracks) {
        out.push({
          ruleKey: state.rule.key,
          seriesKey,
          state: {
            detector: tr.detector,
            level: tr.level,
            episode: tr.episode ?? null,
            lastSeenMs: tr.lastSeenMs,
          },
        });
      }
    }
    return out;
  }

  /**
   * Restores one exported track (deserialised) onto a fresh detector of its rule. Returns false,
   * changing nothing, when its rule is gone or changed or the snapshot does not fit the detector.
   */
  importTrack(snapshot: TrackSnapshot): boolean {
    const state = [...this.#rules.values()].find((s) => s.rule.key === snapshot.ruleKey);
    const expr = state?.rule.expr;
    if (state === undefined || expr?.kind !== "anomaly") return false;
    const saved = snapshot.state as {
      detector?: unknown;
      level?: unknown;
      episode?: unknown;
      lastSeenMs?: unknown;
    };
    if (typeof saved.level !== "number" || typeof saved.lastSeenMs !== "number") return false;
    const detector = expr.detector === "ratio" ? createRatioDetector() : createDetector(expr.detector!);
    if (!assignState(detector, saved.detector)) return false;
    const ep = saved.episode as SeriesTrack["episode"] | null;
    const episodeOk =
      ep === null ||
      (typeof ep === "object" &&
        typeof ep.level === "number" &&
        typeof ep.below === "boolean" &&
        typeof ep.furthest === "number" &&
        typeof ep.peak === "number");
    if (!episodeOk) return false;
    state.tracks.set(snapshot.seriesKey, {
      detector,
      level: saved.level,
      episode: ep === null ? undefined : { ...ep },
      lastSeenMs: saved.lastSeenMs,
    });
    return true;
  }

  /** Every alert in memory: pending, firing, and resolved within the retention. */
  alerts(): AlertView[] {
    return [...this.#alerts.values()].map((i) => i.view);
  }

  /** One evaluation of every rule at time `t` (ms): the alerts that changed state. */
  evaluate(t: number, samples: readonly SeriesSample[], signals: readonly Signal[] = []): Transition[] {
    return this.#evaluate(t, samples, signals, () => true);
  }

  /** Series rules only, on one closed second of the monitor (`t` in ms). */
  evaluateSeries(t: number, samples: readonly SeriesSample[]): Transition[] {
    return this.#evaluate(t, samples, [], (r) => r.signal === undefined);
  }

  /** Signal rules only (drift, silent gateways), on the shell's own tick. */
  evaluateSignals(t: number, signals: readonly Signal[]): Transition[] {
    return this.#evaluate(t, [], signals, (r) => r.signal !== undefined);
  }

  #evaluate(
    t: number,
    samples: readonly SeriesSample[],
    signals: readonly Signal[],
    inScope: (rule: CompiledRule) => boolean,
  ): Transition[] {
    const byName = new Map<string, SeriesSample[]>();
    for (const s of samples) {
      const list = byName.get(s.name);
      if (list === undefined) byName.set(s.name, [s]);
      else list.push(s);
    }
    const transitions: Transition[] = [];
    const seen = new Set<string>();
    for (const state of this.#rules.values()) {
      const { rule } = state;
      if (!inScope(rule)) continue;
      for (const hit of this.#active(state, t, byName, signals)) {
        const labels = { ...hit.labels, ...rule.labels };
        const fp = fingerprint(labels);
        seen.add(fp);
        const tr = this.#hold(rule, fp, labels, t, hit.value, hit.score, hit.reason);
        if (tr !== undefined) transitions.push(tr);
      }
    }
    for (const [fp, inst] of this.#alerts) {
      if (seen.has(fp)) continue;
      const v = inst.view;
      const ruleGone = this.#rules.get(v.rule)?.rule !== inst.rule;
      if (!ruleGone && !inScope(inst.rule)) continue;
      if (v.state === "resolved") {
        if (t - Date.parse(v.resolvedAt ?? v.activeAt) >= this.#retentionMs) this.#alerts.delete(fp);
        continue;
      }
      if (inst.restored && t < this.#graceUntilMs && !ruleGone) continue;
      if (v.state === "pending") {
        this.#alerts.delete(fp);
        transitions.push({ alert: v, from: "pending", to: "inactive" });
        continue;
      }
      const resolved: AlertView = { ...v, state: "resolved", resolvedAt: iso(t) };
      inst.view = resolved;
      inst.restored = false;
      transitions.push({ alert: resolved, from: "firing", to: "resolved" });
    }
    return transitions;
  }

  /** The label sets for which the rule's condition holds at `t` (and feeds its detectors). */
  #active(
    state: RuleState,
    t: number,
    byName: ReadonlyMap<string, readonly SeriesSample[]>,
    signals: readonly Signal[],
  ): { labels: Labels; value?: number; score?: number; reason?: string }[] {
    const { rule } = state;
    if (rule.signal !== undefined) {
      return signals
        .filter((s) => s.signal === rule.signal)
        .map((s) => ({ labels: s.labels, reason: s.reason }));
    }
    const expr = rule.expr!;
    const out: { labels: Labels; value?: number; score?: number }[] = [];
    // Routes come and go with configs: the detectors of series unseen for an hour are let go (about
    // once a minute, so the sweep costs nothing per second).
    if (t - state.sweptMs >= 60_000) {
      state.sweptMs = t;
      for (const [k, tr] of state.tracks) if (t - tr.lastSeenMs > TRACK_IDLE_MS) state.tracks.delete(k);
    }
    for (const [key, p] of vectorOf(expr, byName)) {
      if (expr.kind === "threshold") {
        if (compare(p.value, expr.op, expr.threshold)) out.push({ labels: p.labels, value: p.value });
        continue;
      }
      let track = state.tracks.get(key);
      if (track === undefined) {
        const detector = expr.detector === "ratio" ? createRatioDetector() : createDetector(expr.detector!);
        track = { detector, level: p.value, episode: undefined, lastSeenMs: t };
        state.tracks.set(key, track);
      }
      track.lastSeenMs = t;
      const score =
        expr.detector === "ratio"
          ? (track.detector as RatioDetector).update(
              t,
              Math.min(p.numerator!, p.denominator!),
              p.denominator!,
            )
          : (track.detector as Detector).update(t, p.value);
      if (compare(score, expr.op, expr.threshold)) {
        track.episode ??= {
          level: track.level,
          below: p.value < track.level,
          furthest: p.value,
          peak: score,
        };
      }
      const ep = track.episode;
      if (ep !== undefined) {
        // Only in the episode's direction: traffic back above its old level ends a drop, it does
        // not turn it into a rise.
        if (ep.below ? p.value < ep.furthest : p.value > ep.furthest) ep.furthest = p.value;
        ep.peak = Math.max(ep.peak, score);
        // Back: on the level's side of the midpoint between the furthest value and the level (or
        // beyond the level: traffic returning above its old rate after a drop is back too).
        const mid = (ep.level + ep.furthest) / 2;
        const back = ep.below ? p.value >= mid : p.value <= mid;
        if (back && !compare(score, expr.op, expr.threshold)) track.episode = undefined;
        else {
          // The alert shows the episode's peak score: the evidence that made it fire.
          out.push({ labels: p.labels, value: p.value, score: ep.peak });
          continue;
        }
      }
      track.level += LEVEL_ALPHA * (p.value - track.level);
    }
    return out;
  }

  #hold(
    rule: CompiledRule,
    fp: string,
    labels: Labels,
    t: number,
    value: number | undefined,
    score: number | undefined,
    reason: string | undefined,
  ): Transition | undefined {
    const inst = this.#alerts.get(fp);
    const vars: Record<string, string> = { ...labels, on: where(labels), reason: reason ?? "" };
    if (value !== undefined) vars.value = String(roundValue(value));
    if (score !== undefined) vars.score = String(roundValue(score));
    const annotations = {
      summary: renderTemplate(rule.summary, vars),
      ...(rule.description === undefined ? {} : { description: renderTemplate(rule.description, vars) }),
      ...(value === undefined ? {} : { value }),
      ...(score === undefined ? {} : { score }),
    };
    if (inst === undefined || inst.view.state === "resolved") {
      const firing = rule.forMs === 0;
      const view: AlertView = {
        fingerprint: fp,
        rule: rule.name,
        state: firing ? "firing" : "pending",
        severity: rule.severity,
        labels,
        ...annotations,
        ...(rule.runbook === undefined ? {} : { runbook: rule.runbook }),
        activeAt: iso(t),
        ...(firing ? { firedAt: iso(t) } : {}),
      };
      this.#alerts.set(fp, { view, rule, restored: false });
      return { alert: view, from: "inactive", to: view.state };
    }
    inst.restored = false;
    // The annotations follow the latest value; the state and its times only move forward.
    const { summary: _s, description: _d, value: _v, score: _c, ...kept } = inst.view;
    const base: AlertView = { ...kept, ...annotations };
    if (inst.view.state === "pending" && t - Date.parse(inst.view.activeAt) >= rule.forMs) {
      inst.view = { ...base, state: "firing", firedAt: iso(t) };
      return { alert: inst.view, from: "pending", to: "firing" };
    }
    inst.view = base;
    return undefined;
  }
}
