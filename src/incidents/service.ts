/**
 * The incident service of a control plane: tails the event log for `alert.firing` / `alert.resolved`
 * (a cursor persisted in the same transaction as what each event caused, so a restart neither loses
 * nor repeats one), opens or joins incidents by the config's rules (grouping.ts), pages escalation
 * levels while nobody acknowledges (escalation.ts), and carries out people's commands through the
 * pure lifecycle (lifecycle.ts). Everything it decides is stored before it returns; a tick is cheap
 * when nothing is new. One per store: `incidentsFor(store)`.
 */
import { alertOfEventData, type NotificationSink } from "../alerts/types.js";
import { whatChanged } from "../changes/what-changed.js";
import { parseConfig } from "../config/load.js";
import type { StoredEvent } from "../store/events.js";
import type { Store } from "../store/store.js";
import { startTicker } from "../store/ticker.js";
import { IncidentError } from "./errors.js";
import { dueEscalations, type EscalationStep } from "./escalation.js";
import { type AlertFacts, decideGrouping } from "./grouping.js";
import { applyCommand, type IncidentCommand, isSeverity } from "./lifecycle.js";
import { incidentNotification } from "./notification.js";
import { IncidentRepository } from "./repository.js";
import { runbookFor } from "./runbooks/index.js";
import { DEFAULT_INCIDENTS_CONFIG, escalationPolicyOf, type IncidentsConfig } from "./schema.js";
import {
  ACTION_KINDS,
  type ActionItem,
  type ActionKind,
  INCIDENT_SEVERITIES,
  type Incident,
  type IncidentAlert,
  type IncidentEntry,
  type IncidentSeverity,
} from "./types.js";

export const ALERT_EVENT_KINDS = ["alert.firing", "alert.resolved"] as const;
const CURSOR = "alerts";
/** Events read per tick: a burst is worked off over a few ticks rather than in one long transaction. */
const BATCH = 500;

export interface IncidentServiceOptions {
  readonly now?: () => number;
  /** Where pages go (the notification dispatcher); without one, pages are recorded but not sent. */
  readonly sink?: NotificationSink;
  /** The incidents section to use; default: the latest config version's. */
  readonly config?: () => IncidentsConfig;
}

export interface OpenIncidentInput {
  readonly title: string;
  readonly severity?: IncidentSeverity;
  readonly service?: string;
  /** Onset, if earlier than now (ISO). */
  readonly onsetAt?: string;
  readonly runbook?: string;
  readonly by: string;
}

export interface TickResult {
  readonly events: number;
  readonly opened: readonly number[];
  readonly joined: readonly number[];
  readonly escalated: readonly (EscalationStep & { incidentId: number })[];
}

export interface IncidentDetail {
  readonly incident: Incident;
  readonly alerts: readonly IncidentAlert[];
  readonly entries: readonly IncidentEntry[];
  readonly actions: readonly ActionItem[];
}

const DUE = /^\d{4}-\d{2}-\d{2}$/;

function clean(text: string, what: string, max: number): string {
  const t = text.trim();
  if (t === "" || t.length > max) {
    throw new IncidentError("INCIDENT_INVALID", `${what} must be 1-${max} characters`);
  }
  return t;
}

function isTime(v: unknown): v is string {
  return typeof v === "string" && !Number.isNaN(Date.parse(v));
}

/** The alert fields of an alert event's data (AlertView), or undefined when they are missing. */
function alertFacts(e: StoredEvent): AlertFacts | undefined {
  const d = alertOfEventData(e.data);
  if (d === undefined || typeof d.fingerprint !== "string" || typeof d.rule !== "string") return undefined;
  const severity =
    d.severity === "critical" || d.severity === "warning" || d.severity === "info" ? d.severity : "warning";
  const labels: Record<string, string> = {};
  if (typeof d.labels === "object" && d.labels !== null) {
    for (const [k, v] of Object.entries(d.labels)) if (typeof v === "string") labels[k] = v;
  }
  return {
    fingerprint: d.fingerprint,
    rule: d.rule,
    severity,
    labels,
    summary: typeof d.summary === "string" ? d.summary : d.rule,
    // Normalised, so that stored times compare as strings (grouping window, lastAlertAt).
    activeAt: isTime(d.activeAt) ? new Date(d.activeAt).toISOString() : e.time,
    ...(isTime(d.firedAt) ? { firedAt: new Date(d.firedAt).toISOString() } : {}),
    ...(typeof d.runbook === "string" ? { runbook: d.runbook } : {}),
  };
}

export class IncidentService {
  readonly repo: IncidentRepository;
  readonly #store: Store;
  readonly #now: () => number;
  #sink: NotificationSink | undefined;
  readonly #config: (() => IncidentsConfig) | undefined;
  #configCache: { version: number; config: IncidentsConfig } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #lastTickError: string | undefined;

  constructor(store: Store, opts: IncidentServiceOptions = {}) {
    this.#store = store;
    this.repo = new IncidentRepository(store.db);
    this.#now = opts.now ?? Date.now;
    this.#sink = opts.sink;
    this.#config = opts.config;
  }

  get lastTickError(): string | undefined {
    return this.#lastTickError;
  }

  /** Connects the notification dispatcher (when it is created after the service). */
  setSink(sink: NotificationSink): void {
    this.#sink = sink;
  }

  #iso(): string {
    return new Date(this.#now()).toISOString();
  }

  /** The incidents section of the live config version (cached per version), defaults without one. */
  config(): IncidentsConfig {
    if (this.#config !== undefined) return this.#config();
    const latest = this.#store.versions.latest();
    if (latest === undefined) return DEFAULT_INCIDENTS_CONFIG;
    if (this.#configCache?.version !== latest.id) {
      let config = DEFAULT_INCIDENTS_CONFIG;
      try {
        config = parseConfig(latest.document, `version ${latest.id}`).incidents;
      } catch {
        // A stored version always validated when applied; under a newer schema it may not. Rules
        // then fall back to the defaults rather than stop incidents from opening.
      }
      this.#configCache = { version: latest.id, config };
    }
    return this.#configCache.config;
  }

  start(periodMs = 1000): void {
    this.#timer ??= startTicker(this.#store, periodMs, () => this.tick(), {
      failed: (err) => {
        this.#lastTickError = err?.message;
      },
      closed: () => this.stop(),
    });
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** New alert events, then due escalations. */
  tick(): TickResult {
    const opened: number[] = [];
    const joined: number[] = [];
    let count = 0;
    const cfg = this.config();
    const cursor = this.repo.cursor(CURSOR);
    // Read before the list: writes are serialised, so no event at or below it can still appear.
    const head = this.repo.lastEventId();
    const events = this.#store.events.list({ afterId: cursor, kinds: ALERT_EVENT_KINDS, limit: BATCH });
    for (const e of events) {
      // One transaction per event: what it caused and the cursor move together.
      this.#store.db.transaction(() => {
        const r = this.#onAlertEvent(e, cfg);
        if (r?.kind === "open") opened.push(r.id);
        if (r?.kind === "join") joined.push(r.id);
        this.repo.setCursor(CURSOR, e.id);
      })();
      count += 1;
    }
    // Past the other events too, so that the next tick does not scan them again.
    if (events.length < BATCH && head > (events.at(-1)?.id ?? cursor)) this.repo.setCursor(CURSOR, head);
    return { events: count, opened, joined, escalated: this.escalate(cfg) };
  }

  #onAlertEvent(e: StoredEvent, cfg: IncidentsConfig): { kind: "open" | "join"; id: number } | undefined {
    const alert = alertFacts(e);
    if (alert === undefined) return undefined;
    if (e.kind === "alert.resolved") {
      this.repo.setAlertState(alert.fingerprint, "resolved");
      return undefined;
    }
    const open = this.repo.open();
    const facts = open.map((i) => ({
      id: i.id,
      service: i.service,
      lastAlertAt: i.lastAlertAt,
      openedAt: i.openedAt,
      fingerprints: this.repo.alerts(i.id).map((a) => a.fingerprint),
    }));
    const firedAt = alert.firedAt ?? e.time;
    const decision = decideGrouping(alert, facts, cfg, Date.parse(firedAt));
    if (decision.kind === "ignore") return undefined;
    const link = {
      fingerprint: alert.fingerprint,
      rule: alert.rule,
      severity: alert.severity,
      labels: alert.labels,
      summary: alert.summary,
      joinedAt: firedAt,
      eventId: e.id,
    };
    if (decision.kind === "join") {
      const i = this.repo.require(decision.incidentId);
      this.repo.linkAlert({ ...link, incidentId: i.id });
      const last = i.lastAlertAt === null || i.lastAlertAt < firedAt ? firedAt : i.lastAlertAt;
      let joined: Incident = { ...i, lastAlertAt: last };
      // A worse alert joining raises the severity (never lowers it: people decide that).
      const severity = cfg.severity[alert.severity];
      if (
        !decision.again &&
        INCIDENT_SEVERITIES.indexOf(severity) < INCIDENT_SEVERITIES.indexOf(i.severity)
      ) {
        const at = this.#iso();
        const { incident, change } = applyCommand(joined, { kind: "severity", severity }, "alerts", at);
        joined = incident;
        this.repo.addEntry({
          incidentId: i.id,
          time: at,
          kind: "severity",
          actor: "alerts",
          text: `${change.text}: alert ${alert.rule} (${alert.severity}) joined`,
          data: { from: change.from, to: change.to },
        });
      }
      this.repo.save(joined);
      return { kind: "join", id: i.id };
    }
    const onsetAt = new Date(Math.min(Date.parse(alert.activeAt), Date.parse(firedAt))).toISOString();
    const changes = whatChanged(this.#store, { before: new Date(onsetAt) });
    const top = changes[0];
    const runbook =
      top?.security === true ? "config-related" : (runbookFor(alert.runbook ?? alert.rule)?.name ?? null);
    const incident = this.repo.insert({
      title: alert.summary,
      service: decision.service,
      severity: decision.severity,
      state: "triggered",
      onsetAt,
      openedAt: this.#iso(),
      openedBy: "alerts",
      acknowledgedAt: null,
      acknowledgedBy: null,
      mitigatedAt: null,
      mitigatedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      commander: null,
      responders: [],
      lastAlertAt: firedAt,
      runbook,
      escalation: { policy: escalationPolicyOf(cfg), level: 0, levelAt: null },
      whatChanged: changes,
    });
    this.repo.linkAlert({ ...link, incidentId: incident.id });
    this.#recordOpened(incident, `opened from alert ${alert.rule}: ${alert.summary}`);
    return { kind: "open", id: incident.id };
  }

  #recordOpened(i: Incident, text: string): void {
    this.repo.addEntry({
      incidentId: i.id,
      time: i.openedAt,
      kind: "state",
      actor: i.openedBy,
      text,
      data: { from: null, to: "triggered", severity: i.severity },
    });
    this.#store.events.append({
      kind: "incident.opened",
      severity: i.severity === "SEV1" || i.severity === "SEV2" ? "critical" : "warning",
      source: "incidents",
      subject: `incident:${i.id}`,
      data: { incident: i.id, title: i.title, severity: i.severity, service: i.service, by: i.openedBy },
      time: new Date(i.openedAt),
    });
  }

  /** Pages the levels that are due; each page is stored before the next is considered. */
  escalate(cfg: IncidentsConfig = this.config()): (EscalationStep & { incidentId: number })[] {
    const done: (EscalationStep & { incidentId: number })[] = [];
    for (const i of this.repo.open()) {
      const policy = i.escalation.policy;
      const levels = policy === null ? undefined : cfg.escalationPolicies[policy];
      const steps = dueEscalations(i, levels, this.#now());
      if (steps.length === 0) continue;
      this.#store.db.transaction(() => {
        let current = i;
        for (const step of steps) {
          current = {
            ...current,
            escalation: { ...current.escalation, level: step.level, levelAt: step.dueAt },
          };
          this.repo.save(current);
          this.#page(current, step);
          done.push({ ...step, incidentId: i.id });
        }
      })();
    }
    return done;
  }

  #page(i: Incident, step: EscalationStep): void {
    const failed: string[] = [];
    const notification = incidentNotification({
      incident: i,
      alerts: this.repo.alerts(i.id),
      level: step.level,
      createdAt: this.#iso(),
    });
    for (const receiver of step.receivers) {
      try {
        this.#sink?.enqueue(receiver, notification);
      } catch (err) {
        failed.push(`${receiver}: ${(err as Error).message}`);
      }
    }
    const reason = step.level === 1 ? "opened" : `not acknowledged within ${step.afterMinutes} min`;
    this.repo.addEntry({
      incidentId: i.id,
      time: step.dueAt,
      kind: "escalation",
      actor: "escalation",
      text: `level ${step.level} paged (${step.receivers.join(", ")}): ${reason}${this.#sink === undefined ? " [no notifier connected]" : ""}${failed.length > 0 ? `; failed: ${failed.join("; ")}` : ""}`,
      data: { level: step.level, receivers: [...step.receivers], failed, sent: this.#sink !== undefined },
    });
  }

  /** `rampart incident open`: an incident opened by a person, paged like any other. */
  open(input: OpenIncidentInput): Incident {
    const title = clean(input.title, "a title", 500);
    const by = clean(input.by, "who opens it", 200);
    if (input.severity !== undefined && !isSeverity(input.severity)) {
      throw new IncidentError("INCIDENT_INVALID", `unknown severity ${JSON.stringify(input.severity)}`, {
        hint: "use SEV1, SEV2, SEV3 or SEV4",
      });
    }
    const now = this.#iso();
    let onsetAt = now;
    if (input.onsetAt !== undefined) {
      const t = Date.parse(input.onsetAt);
      if (Number.isNaN(t) || t > this.#now()) {
        throw new IncidentError(
          "INCIDENT_INVALID",
          `onset ${JSON.stringify(input.onsetAt)} is not a past time`,
        );
      }
      onsetAt = new Date(t).toISOString();
    }
    if (input.runbook !== undefined && runbookFor(input.runbook) === undefined) {
      throw new IncidentError("RUNBOOK_NOT_FOUND", `no runbook ${JSON.stringify(input.runbook)}`, {
        hint: "rampart runbook --list shows them",
      });
    }
    const cfg = this.config();
    const changes = whatChanged(this.#store, { before: new Date(onsetAt) });
    const incident = this.#store.db.transaction(() => {
      const i = this.repo.insert({
        title,
        service: input.service?.trim() || "fleet",
        severity: input.severity ?? "SEV3",
        state: "triggered",
        onsetAt,
        openedAt: now,
        openedBy: by,
        acknowledgedAt: null,
        acknowledgedBy: null,
        mitigatedAt: null,
        mitigatedBy: null,
        resolvedAt: null,
        resolvedBy: null,
        commander: null,
        responders: [],
        lastAlertAt: null,
        runbook: input.runbook ?? (changes[0]?.security === true ? "config-related" : null),
        escalation: { policy: escalationPolicyOf(cfg), level: 0, levelAt: null },
        whatChanged: changes,
      });
      this.#recordOpened(i, `opened by ${by}`);
      return i;
    })();
    this.escalate(cfg);
    return this.repo.require(incident.id);
  }

  /** A state, severity or role change; an optional note goes into the timeline with it. */
  act(id: number, command: IncidentCommand, by: string, note?: string): Incident {
    const who = clean(by, "who acts", 200);
    const text = note === undefined ? undefined : clean(note, "a note", 10_000);
    return this.#store.db.transaction(() => {
      const before = this.repo.require(id);
      const at = this.#iso();
      const { incident, change } = applyCommand(before, command, who, at);
      this.repo.save(incident);
      this.repo.addEntry({
        incidentId: id,
        time: at,
        kind: change.kind,
        actor: who,
        text: text === undefined ? change.text : `${change.text}: ${text}`,
        data: { from: change.from, to: change.to, ...(text === undefined ? {} : { note: text }) },
      });
      if (change.kind !== "role") {
        this.#store.events.append({
          kind: change.kind === "state" ? `incident.${change.to}` : "incident.severity",
          severity: "info",
          source: "incidents",
          subject: `incident:${id}`,
          data: { incident: id, from: change.from, to: change.to, by: who },
          time: new Date(at),
        });
      }
      if (change.kind === "state" && change.to === "resolved") this.#notifyResolved(incident);
      return incident;
    })();
  }

  #notifyResolved(i: Incident): void {
    const policy =
      i.escalation.policy === null ? undefined : this.config().escalationPolicies[i.escalation.policy];
    if (policy === undefined || this.#sink === undefined) return;
    // Everyone who was paged hears that it is over.
    const receivers = new Set(policy.slice(0, i.escalation.level).flatMap((l) => l.receivers));
    const n = incidentNotification({ incident: i, alerts: this.repo.alerts(i.id), createdAt: this.#iso() });
    for (const r of receivers) {
      try {
        this.#sink.enqueue(r, n);
      } catch {
        // An unknown receiver was already recorded when it was paged.
      }
    }
  }

  note(id: number, text: string, by: string): IncidentEntry {
    const who = clean(by, "who writes", 200);
    const body = clean(text, "a note", 10_000);
    this.repo.require(id);
    return this.repo.addEntry({
      incidentId: id,
      time: this.#iso(),
      kind: "note",
      actor: who,
      text: body,
      data: {},
    });
  }

  show(id: number): IncidentDetail {
    const incident = this.repo.require(id);
    return {
      incident,
      alerts: this.repo.alerts(id),
      entries: this.repo.entries(id),
      actions: this.repo.actions({ incidentId: id }),
    };
  }

  addAction(input: {
    incidentId: number;
    title: string;
    owner: string;
    due: string;
    kind?: ActionKind;
    by: string;
  }): ActionItem {
    this.repo.require(input.incidentId);
    const kind = input.kind ?? "task";
    if (!(ACTION_KINDS as readonly string[]).includes(kind)) {
      throw new IncidentError("INCIDENT_INVALID", `unknown action kind ${JSON.stringify(kind)}`, {
        hint: `use one of ${ACTION_KINDS.join(", ")}`,
      });
    }
    // Date.parse rolls 2026-02-30 over to March 2: a real day prints back as itself.
    const day = Date.parse(`${input.due}T00:00:00Z`);
    if (!DUE.test(input.due) || Number.isNaN(day) || new Date(day).toISOString().slice(0, 10) !== input.due) {
      throw new IncidentError("INCIDENT_INVALID", `due date ${JSON.stringify(input.due)} is not YYYY-MM-DD`);
    }
    return this.repo.addAction({
      incidentId: input.incidentId,
      title: clean(input.title, "an action's title", 500),
      kind,
      owner: clean(input.owner, "an owner", 200),
      due: input.due,
      createdAt: this.#iso(),
      createdBy: clean(input.by, "who adds it", 200),
    });
  }

  actionDone(id: number, by: string): ActionItem {
    return this.repo.markDone(id, this.#iso(), clean(by, "who did it", 200));
  }
}

const services = new WeakMap<Store, IncidentService>();

/** The incident service of a store (one per control plane process), created on first use. */
export function incidentsFor(store: Store, opts?: IncidentServiceOptions): IncidentService {
  let s = services.get(store);
  if (s === undefined) {
    s = new IncidentService(store, opts);
    services.set(store, s);
  }
  return s;
}
