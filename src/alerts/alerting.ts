/**
 * The alerting of one control plane, the I/O shell around the pure cores: it feeds the monitor's
 * closed seconds to the evaluator, turns the fleet's drift events into signals, mutes with silences
 * and inhibition, groups and times notifications, and hands them to the notification dispatcher
 * with "what changed" before the alerts began. It reads the live config's `alerts` section whenever
 * a new version is stored.
 *
 * Durability: every state change of an alert is written to the store, and each notification is
 * stored together with its group's notification-log entry in one transaction. A restarted control
 * plane resumes the open alerts (held through a grace period while detectors warm up and gateways
 * re-attest) and the log, so a firing alert is neither lost nor notified twice. Lifecycle events
 * `alert.firing` and `alert.resolved` (the alert and the top of "what changed") go to the event log
 * for incidents.
 */
import type { ChangeEntry } from "../changes/types.js";
import { formatChange, whatChanged } from "../changes/what-changed.js";
import { monitorFor } from "../monitor/series/monitor.js";
import type { JsonValue } from "../store/json.js";
import type { Store } from "../store/store.js";
import { startTicker } from "../store/ticker.js";
import { AlertGroups, type GroupFlush } from "./dispatch.js";
import { RuleEvaluator, type SeriesSample, type Transition } from "./evaluator.js";
import { inhibitions } from "./inhibit.js";
import { buildNotification, onsetOf } from "./notification.js";
import { dispatcherFor } from "./notifiers/dispatcher.js";
import { AlertRepository } from "./repository.js";
import { type AlertPolicy, compileAlerts } from "./rules.js";
import { alertsSchema } from "./schema.js";
import { DRIFT_EVENT_KINDS, DriftEpisodes } from "./signals.js";
import { type NewSilence, type Silence, silencedBy, silenceState, validateSilence } from "./silences.js";
import type { AlertEventData, AlertState, AlertView, NotificationSink } from "./types.js";

/** How many "what changed" entries an alert event carries (the full list is in notifications). */
const EVENT_CHANGES = 3;
/** How often the detectors' state is stored besides at stop. */
const SAVE_DETECTORS_MS = 120_000;

export interface AlertingOptions {
  /** Clock in ms (tests pass a controlled one). */
  readonly now?: () => number;
  /** Where notifications go; the store's dispatcher by default. */
  readonly sink?: NotificationSink;
  /** "What changed" before a moment; read from the store by default. */
  readonly whatChanged?: (before: Date, windowMs: number) => readonly ChangeEntry[];
  /** How long restored alerts are held without evidence after a start (default 60 s). */
  readonly graceMs?: number;
  /** How long resolved alerts stay in memory and notifications (default 15 min). */
  readonly resolvedRetentionMs?: number;
}

export interface SilenceView extends Silence {
  readonly state: "pending" | "active" | "expired";
}

export class Alerting {
  readonly #store: Store;
  readonly #repo: AlertRepository;
  readonly #now: () => number;
  readonly #sink: () => NotificationSink;
  readonly #whatChanged: (before: Date, windowMs: number) => readonly ChangeEntry[];
  readonly #drift = new DriftEpisodes();
  readonly #evaluator: RuleEvaluator;
  readonly #groups: AlertGroups;
  #policy: AlertPolicy;
  /** The config version the policy comes from (null: none stored yet). */
  #version: number | null = null;
  #lastEventId = 0;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #lastError: string | undefined;
  #lastSaveMs = 0;

  constructor(store: Store, opts: AlertingOptions = {}) {
    this.#store = store;
    this.#now = opts.now ?? Date.now;
    this.#repo = new AlertRepository(store.db, () => new Date(this.#now()));
    const sink = opts.sink;
    this.#sink = () => sink ?? dispatcherFor(store);
    this.#whatChanged =
      opts.whatChanged ?? ((before, windowMs) => whatChanged(store, { before, windowMs, limit: 10 }));
    this.#policy = compileAlerts(undefined);
    this.#readConfig();
    const startMs = this.#now();
    this.#evaluator = new RuleEvaluator(this.#policy.rules, {
      restored: this.#repo.open(),
      graceUntilMs: startMs + (opts.graceMs ?? 60_000),
      ...(opts.resolvedRetentionMs === undefined ? {} : { resolvedRetentionMs: opts.resolvedRetentionMs }),
    });
    this.#groups = new AlertGroups(this.#policy.route, this.#repo.notificationLog());
    for (const t of this.#repo.loadTracks()) this.#evaluator.importTrack(t);
    this.#lastSaveMs = startMs;
    // Drift episodes are followed from a little before this start: the fleet of this process
    // re-detects open ones within an attestation period (it keeps them in memory only).
    const since = new Date(startMs - 5000);
    for (const e of store.events.list({ since, kinds: DRIFT_EVENT_KINDS, limit: 10_000 })) {
      this.#drift.apply(e);
      this.#lastEventId = e.id;
    }
    if (this.#lastEventId === 0) this.#lastEventId = this.#maxEventId();
  }

  get policy(): AlertPolicy {
    return this.#policy;
  }

  /** Why the last tick or evaluation failed, if one did (the next one retries). */
  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Subscribes to the monitor's seconds and ticks every `periodMs` (signals, notifications). */
  start(periodMs = 1000): void {
    this.#unsubscribe ??= monitorFor(this.#store).onSecond((t, samples) => this.observe(t * 1000, samples));
    this.#timer ??= startTicker(this.#store, periodMs, () => this.tick(), {
      failed: (err) => {
        if (err !== undefined) this.#lastError = err.message;
      },
      closed: () => this.stop(),
    });
  }

  /** Stops, storing the detectors' state so that the next start is warm. */
  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#store.db.open) this.saveDetectors();
  }

  /**
   * Stores every anomaly detector's state (at stop, and every few minutes in case of a crash: a
   * baseline minutes old is still a warm one). Returns the bytes written.
   */
  saveDetectors(): number {
    this.#lastSaveMs = this.#now();
    try {
      return this.#repo.saveTracks(this.#evaluator.exportTracks());
    } catch (err) {
      this.#lastError = `saving detector state: ${(err as Error).message}`;
      return 0;
    }
  }

  /** One closed second of series (`tMs` is the second's start in ms). */
  observe(tMs: number, samples: readonly SeriesSample[]): void {
    if (!this.#store.db.open) return;
    try {
      this.#readConfig();
      this.#record(this.#evaluator.evaluateSeries(tMs, samples));
      this.#notify();
    } catch (err) {
      this.#lastError = (err as Error).message;
    }
  }

  /** Reads new config versions and drift events, evaluates signal rules, and notifies. */
  tick(): void {
    this.#readConfig();
    for (const e of this.#store.events.list({
      afterId: this.#lastEventId,
      kinds: DRIFT_EVENT_KINDS,
      limit: 10_000,
    })) {
      this.#drift.apply(e);
      this.#lastEventId = e.id;
    }
    this.#record(this.#evaluator.evaluateSignals(this.#now(), this.#drift.signals()));
    this.#notify();
    if (this.#now() - this.#lastSaveMs >= SAVE_DETECTORS_MS) this.saveDetectors();
  }

  /**
   * The alerts, newest first, with silencedBy and inhibitedBy as of now: open ones from memory (with
   * their latest values), resolved ones from the store's history.
   */
  list(opts: { states?: readonly AlertState[]; limit?: number } = {}): AlertView[] {
    const states = opts.states ?? ["pending", "firing"];
    const live = this.#annotated();
    const liveFps = new Set(live.map((a) => `${a.fingerprint}@${a.activeAt}`));
    const history = states.includes("resolved")
      ? this.#repo.list({ states: ["resolved"], ...(opts.limit === undefined ? {} : { limit: opts.limit }) })
      : [];
    const all = [
      ...live.filter((a) => states.includes(a.state)),
      ...history.filter((a) => !liveFps.has(`${a.fingerprint}@${a.activeAt}`)),
    ];
    all.sort((a, b) => Date.parse(b.activeAt) - Date.parse(a.activeAt));
    return all.slice(0, opts.limit ?? 500);
  }

  /**
   * "What changed" before each alert's onset (ranked, at most `limit` each), keyed by fingerprint;
   * alerts that began in the same second share one computation.
   */
  whatChangedFor(alerts: readonly AlertView[], limit = 3): Map<string, readonly ChangeEntry[]> {
    const bySecond = new Map<string, readonly ChangeEntry[]>();
    const out = new Map<string, readonly ChangeEntry[]>();
    for (const a of alerts) {
      const second = a.activeAt.slice(0, 19);
      let changes = bySecond.get(second);
      if (changes === undefined) {
        changes = this.#changesBefore(new Date(a.activeAt)).slice(0, limit);
        bySecond.set(second, changes);
      }
      out.set(a.fingerprint, changes);
    }
    return out;
  }

  silences(): SilenceView[] {
    const now = this.#now();
    return this.#repo.silences().map((s) => ({ ...s, state: silenceState(s, now) }));
  }

  addSilence(input: NewSilence): SilenceView {
    const now = this.#now();
    const { matchers, startsAtMs, endsAtMs } = validateSilence(input, now);
    const s = this.#repo.addSilence({
      matchers,
      startsAt: new Date(startsAtMs).toISOString(),
      endsAt: new Date(endsAtMs).toISOString(),
      createdBy: input.createdBy,
      comment: input.comment.trim(),
    });
    this.#store.events.append({
      kind: "silence.created",
      severity: "info",
      source: "control-plane",
      subject: `silence:${s.id}`,
      data: {
        id: s.id,
        matchers: input.matchers as string[],
        endsAt: s.endsAt,
        by: s.createdBy,
        comment: s.comment,
      },
    });
    return { ...s, state: silenceState(s, now) };
  }

  expireSilence(id: string, by: string): SilenceView {
    const before = this.#repo.silence(id);
    const s = this.#repo.expireSilence(id);
    if (before !== undefined && before.endsAt !== s.endsAt) {
      this.#store.events.append({
        kind: "silence.expired",
        severity: "info",
        source: "control-plane",
        subject: `silence:${id}`,
        data: { id, by },
      });
    }
    return { ...s, state: silenceState(s, this.#now()) };
  }

  #maxEventId(): number {
    const row = this.#store.db.prepare("SELECT max(id) AS id FROM events").get() as { id: number | null };
    return row.id ?? 0;
  }

  /** Installs the alerts section of the latest stored version when a new one appeared. */
  #readConfig(): void {
    const latest = this.#store.versions.list({ limit: 1 })[0]?.id ?? null;
    if (latest === this.#version) return;
    this.#version = latest;
    const version = latest === null ? undefined : this.#store.versions.get(latest);
    let policy: AlertPolicy;
    try {
      const config = version === undefined ? {} : (JSON.parse(version.canonical) as { alerts?: unknown });
      policy = compileAlerts(alertsSchema.parse(config.alerts));
    } catch (err) {
      // Every stored version validated when it was applied; a later schema may refuse it. The
      // previous rules keep running rather than none.
      this.#lastError = `version ${latest}: alerts section not usable: ${(err as Error).message}`;
      return;
    }
    this.#policy = policy;
    // The constructor reads the config before the evaluator and groups exist.
    if (this.#evaluator !== undefined) {
      this.#evaluator.setRules(policy.rules);
      this.#groups.setRoute(policy.route);
    }
  }

  /** Writes state changes and lifecycle events. */
  #record(transitions: readonly Transition[]): void {
    if (transitions.length === 0) return;
    this.#store.db.transaction(() => {
      for (const tr of transitions) {
        if (tr.to === "inactive") {
          this.#repo.dropPending(tr.alert.fingerprint);
          continue;
        }
        this.#repo.save(tr.alert);
        if (tr.to === "firing" || tr.to === "resolved") {
          const changes = this.#changesBefore(new Date(tr.alert.activeAt)).slice(0, EVENT_CHANGES);
          this.#store.events.append({
            kind: `alert.${tr.to}`,
            // Event severities include the alert's (info, warning, critical); a resolution is news.
            severity: tr.to === "resolved" ? "info" : tr.alert.severity,
            source: "monitor",
            subject: `alert:${tr.alert.fingerprint}`,
            data: { alert: tr.alert, whatChanged: changes } satisfies AlertEventData as unknown as {
              [key: string]: JsonValue;
            },
          });
        }
      }
    })();
  }

  #changesBefore(before: Date): readonly ChangeEntry[] {
    try {
      return this.#whatChanged(before, this.#policy.whatChangedWindowMs);
    } catch (err) {
      this.#lastError = `what changed: ${(err as Error).message}`;
      return [];
    }
  }

  #annotated(): AlertView[] {
    const now = this.#now();
    const silences = this.#repo.silences(new Date(now));
    const alerts = this.#evaluator.alerts().map((a) => {
      const { silencedBy: _s, inhibitedBy: _i, ...rest } = a;
      const ids = silencedBy(silences, a.labels, now);
      return ids.length === 0 ? rest : { ...rest, silencedBy: ids };
    });
    const inhibited = inhibitions(this.#policy.inhibit, alerts);
    return alerts.map((a) => {
      const by = inhibited.get(a.fingerprint);
      return by === undefined ? a : { ...a, inhibitedBy: by };
    });
  }

  #notify(): void {
    const now = this.#now();
    this.#groups.tick(now, this.#annotated(), (flush) => this.#deliver(flush, now));
  }

  /** Stores the group's notifications and its log entry together; false when that failed. */
  #deliver(flush: GroupFlush, now: number): boolean {
    const receivers = this.#policy.route.receivers;
    const notification =
      flush.send && receivers.length > 0
        ? buildNotification(flush, this.#changesBefore(onsetOf(flush)), formatChange, new Date(now))
        : undefined;
    try {
      this.#store.db.transaction(() => {
        this.#repo.saveLogEntry(flush.entry);
        if (notification !== undefined) for (const r of receivers) this.#sink().enqueue(r, notification);
      })();
      return true;
    } catch (err) {
      this.#lastError = `notification of ${flush.groupKey}: ${(err as Error).message}`;
      return false;
    }
  }
}

const services = new WeakMap<Store, Alerting>();

/** The store's alerting (one per store, as fleetFor). Options apply when it is first created. */
export function alertsFor(store: Store, opts?: AlertingOptions): Alerting {
  let a = services.get(store);
  if (a === undefined) {
    a = new Alerting(store, opts);
    services.set(store, a);
  }
  return a;
}
