/**
 * The incident tables of the store (migration.ts): rows in, typed objects out. No rules here: the
 * lifecycle (lifecycle.ts) decides, the service (service.ts) writes its decisions through this.
 */
import type Database from "better-sqlite3";
import type { ChangeEntry } from "../changes/types.js";
import { toJsonText } from "../store/json.js";
import { IncidentError, notFound } from "./errors.js";
import type {
  ActionItem,
  ActionKind,
  EntryKind,
  Incident,
  IncidentAlert,
  IncidentEntry,
  IncidentSeverity,
  IncidentState,
} from "./types.js";

const MAX_JSON_BYTES = 256 * 1024;

interface IncidentRow {
  id: number;
  title: string;
  service: string;
  severity: string;
  state: string;
  onset_at: string;
  opened_at: string;
  opened_by: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  mitigated_at: string | null;
  mitigated_by: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  commander: string | null;
  responders: string;
  last_alert_at: string | null;
  runbook: string | null;
  escalation_policy: string | null;
  escalation_level: number;
  escalation_at: string | null;
  what_changed: string;
}

function incidentOf(r: IncidentRow): Incident {
  return {
    id: r.id,
    title: r.title,
    service: r.service,
    severity: r.severity as IncidentSeverity,
    state: r.state as IncidentState,
    onsetAt: r.onset_at,
    openedAt: r.opened_at,
    openedBy: r.opened_by,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    mitigatedAt: r.mitigated_at,
    mitigatedBy: r.mitigated_by,
    resolvedAt: r.resolved_at,
    resolvedBy: r.resolved_by,
    commander: r.commander,
    responders: JSON.parse(r.responders) as string[],
    lastAlertAt: r.last_alert_at,
    runbook: r.runbook,
    escalation: { policy: r.escalation_policy, level: r.escalation_level, levelAt: r.escalation_at },
    whatChanged: JSON.parse(r.what_changed) as ChangeEntry[],
  };
}

export type NewIncident = Omit<Incident, "id">;

export interface NewAlertLink {
  readonly incidentId: number;
  readonly fingerprint: string;
  readonly rule: string;
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly joinedAt: string;
  readonly eventId: number | null;
}

export interface NewAction {
  readonly incidentId: number;
  readonly title: string;
  readonly kind: ActionKind;
  readonly owner: string;
  readonly due: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

function actionOf(r: Record<string, unknown>): ActionItem {
  return {
    id: r.id as number,
    incidentId: r.incident_id as number,
    title: r.title as string,
    kind: r.kind as ActionKind,
    owner: r.owner as string,
    due: r.due as string,
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    doneAt: (r.done_at as string | null) ?? null,
    doneBy: (r.done_by as string | null) ?? null,
  };
}

export class IncidentRepository {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  get db(): Database.Database {
    return this.#db;
  }

  insert(i: NewIncident): Incident {
    const id = Number(
      this.#db
        .prepare(
          `INSERT INTO incidents (title, service, severity, state, onset_at, opened_at, opened_by, acknowledged_at,
             acknowledged_by, mitigated_at, mitigated_by, resolved_at, resolved_by, commander, responders,
             last_alert_at, runbook, escalation_policy, escalation_level, escalation_at, what_changed)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          i.title,
          i.service,
          i.severity,
          i.state,
          i.onsetAt,
          i.openedAt,
          i.openedBy,
          i.acknowledgedAt,
          i.acknowledgedBy,
          i.mitigatedAt,
          i.mitigatedBy,
          i.resolvedAt,
          i.resolvedBy,
          i.commander,
          JSON.stringify(i.responders),
          i.lastAlertAt,
          i.runbook,
          i.escalation.policy,
          i.escalation.level,
          i.escalation.levelAt,
          toJsonText("what changed", i.whatChanged, MAX_JSON_BYTES),
        ).lastInsertRowid,
    );
    return this.require(id);
  }

  /** Writes the mutable fields of an incident (state and its who/when, severity, roles, escalation). */
  save(i: Incident): Incident {
    const changed = this.#db
      .prepare(
        `UPDATE incidents SET severity = ?, state = ?, acknowledged_at = ?, acknowledged_by = ?, mitigated_at = ?,
           mitigated_by = ?, resolved_at = ?, resolved_by = ?, commander = ?, responders = ?, last_alert_at = ?,
           escalation_level = ?, escalation_at = ? WHERE id = ?`,
      )
      .run(
        i.severity,
        i.state,
        i.acknowledgedAt,
        i.acknowledgedBy,
        i.mitigatedAt,
        i.mitigatedBy,
        i.resolvedAt,
        i.resolvedBy,
        i.commander,
        JSON.stringify(i.responders),
        i.lastAlertAt,
        i.escalation.level,
        i.escalation.levelAt,
        i.id,
      ).changes;
    if (changed === 0) throw notFound(i.id);
    return i;
  }

  get(id: number): Incident | undefined {
    const row = this.#db.prepare("SELECT * FROM incidents WHERE id = ?").get(id) as IncidentRow | undefined;
    return row === undefined ? undefined : incidentOf(row);
  }

  /** The incident, or INCIDENT_NOT_FOUND. */
  require(id: number): Incident {
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new IncidentError("INCIDENT_INVALID", `${JSON.stringify(id)} is not an incident id`, {
        hint: "incident ids are positive integers: rampart incident list",
      });
    }
    const i = this.get(id);
    if (i === undefined) throw notFound(id);
    return i;
  }

  /** Newest first. */
  list(opts: { open?: boolean; limit?: number } = {}): Incident[] {
    const where =
      opts.open === true
        ? "WHERE state <> 'resolved'"
        : opts.open === false
          ? "WHERE state = 'resolved'"
          : "";
    const rows = this.#db
      .prepare(`SELECT * FROM incidents ${where} ORDER BY id DESC LIMIT ?`)
      .all(Math.max(1, Math.min(opts.limit ?? 100, 10_000))) as IncidentRow[];
    return rows.map(incidentOf);
  }

  /** Open incidents, oldest first (grouping and escalation walk them all). */
  open(): Incident[] {
    const rows = this.#db
      .prepare("SELECT * FROM incidents WHERE state <> 'resolved' ORDER BY id")
      .all() as IncidentRow[];
    return rows.map(incidentOf);
  }

  linkAlert(a: NewAlertLink): void {
    this.#db
      .prepare(
        `INSERT INTO incident_alerts (incident_id, fingerprint, rule, severity, labels, summary, joined_at, event_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (incident_id, fingerprint) DO UPDATE SET state = 'firing'`,
      )
      .run(
        a.incidentId,
        a.fingerprint,
        a.rule,
        a.severity,
        JSON.stringify(a.labels),
        a.summary,
        a.joinedAt,
        a.eventId,
      );
  }

  /** Marks the alert firing or resolved in the open incidents that hold it; returns their ids. */
  setAlertState(fingerprint: string, state: "firing" | "resolved"): number[] {
    const rows = this.#db
      .prepare(
        `UPDATE incident_alerts SET state = ?
         WHERE fingerprint = ? AND incident_id IN (SELECT id FROM incidents WHERE state <> 'resolved')
         RETURNING incident_id AS id`,
      )
      .all(state, fingerprint) as { id: number }[];
    return rows.map((r) => r.id);
  }

  alerts(incidentId: number): IncidentAlert[] {
    const rows = this.#db
      .prepare("SELECT * FROM incident_alerts WHERE incident_id = ? ORDER BY joined_at, fingerprint")
      .all(incidentId) as Record<string, unknown>[];
    return rows.map((r) => ({
      fingerprint: r.fingerprint as string,
      rule: r.rule as string,
      severity: r.severity as IncidentAlert["severity"],
      labels: JSON.parse(r.labels as string) as Record<string, string>,
      summary: r.summary as string,
      joinedAt: r.joined_at as string,
      eventId: (r.event_id as number | null) ?? null,
      state: r.state as IncidentAlert["state"],
    }));
  }

  addEntry(e: Omit<IncidentEntry, "id">): IncidentEntry {
    const data = toJsonText("timeline entry data", e.data, MAX_JSON_BYTES);
    const id = Number(
      this.#db
        .prepare(
          "INSERT INTO incident_entries (incident_id, time, kind, actor, text, data) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .run(e.incidentId, e.time, e.kind, e.actor, e.text, data).lastInsertRowid,
    );
    return { ...e, id };
  }

  entries(incidentId: number, kinds?: readonly EntryKind[]): IncidentEntry[] {
    const rows = this.#db
      .prepare("SELECT * FROM incident_entries WHERE incident_id = ? ORDER BY id")
      .all(incidentId) as Record<string, unknown>[];
    return rows
      .map((r) => ({
        id: r.id as number,
        incidentId: r.incident_id as number,
        time: r.time as string,
        kind: r.kind as EntryKind,
        actor: r.actor as string,
        text: r.text as string,
        data: JSON.parse(r.data as string) as Record<string, unknown>,
      }))
      .filter((e) => kinds === undefined || kinds.includes(e.kind));
  }

  addAction(a: NewAction): ActionItem {
    const id = Number(
      this.#db
        .prepare(
          "INSERT INTO incident_actions (incident_id, title, kind, owner, due, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .run(a.incidentId, a.title, a.kind, a.owner, a.due, a.createdAt, a.createdBy).lastInsertRowid,
    );
    return this.action(id);
  }

  action(id: number): ActionItem {
    const row = Number.isSafeInteger(id)
      ? (this.#db.prepare("SELECT * FROM incident_actions WHERE id = ?").get(id) as
          | Record<string, unknown>
          | undefined)
      : undefined;
    if (row === undefined) {
      throw new IncidentError("ACTION_NOT_FOUND", `no action item ${id}`, {
        hint: "rampart action list shows them",
      });
    }
    return actionOf(row);
  }

  /** Oldest first. */
  actions(opts: { incidentId?: number; open?: boolean } = {}): ActionItem[] {
    const where: string[] = [];
    const params: number[] = [];
    if (opts.incidentId !== undefined) {
      where.push("incident_id = ?");
      params.push(opts.incidentId);
    }
    if (opts.open === true) where.push("done_at IS NULL");
    const rows = this.#db
      .prepare(
        `SELECT * FROM incident_actions ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id`,
      )
      .all(...params) as Record<string, unknown>[];
    return rows.map(actionOf);
  }

  markDone(id: number, at: string, by: string): ActionItem {
    const a = this.action(id);
    if (a.doneAt !== null) {
      throw new IncidentError(
        "ACTION_ALREADY_DONE",
        `action item ${id} was done at ${a.doneAt} by ${a.doneBy}`,
      );
    }
    this.#db.prepare("UPDATE incident_actions SET done_at = ?, done_by = ? WHERE id = ?").run(at, by, id);
    return this.action(id);
  }

  /** The newest event id of the log (0 when empty). */
  lastEventId(): number {
    const row = this.#db.prepare("SELECT max(id) AS id FROM events").get() as { id: number | null };
    return row.id ?? 0;
  }

  cursor(name: string): number {
    const row = this.#db.prepare("SELECT after_id FROM incident_cursors WHERE name = ?").get(name) as
      | { after_id: number }
      | undefined;
    return row?.after_id ?? 0;
  }

  setCursor(name: string, afterId: number): void {
    this.#db
      .prepare(
        "INSERT INTO incident_cursors (name, after_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET after_id = excluded.after_id",
      )
      .run(name, afterId);
  }
}
