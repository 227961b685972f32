/**
 * The alerts part's rows in the store (tables of migration.ts): alerts by lifecycle, silences, and
 * the notification log. Plain reads and writes; what they mean is decided by the pure cores.
 */
import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import { decodeState, encodeState } from "./detector-state.js";
import type { NotificationLogEntry } from "./dispatch.js";
import { AlertsError } from "./errors.js";
import type { TrackSnapshot } from "./evaluator.js";
import type { Matcher } from "./matchers.js";
import type { Silence } from "./silences.js";
import type { AlertState, AlertView } from "./types.js";

interface SilenceRow {
  id: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  created_at: string;
  expired_at: string | null;
}

function toSilence(r: SilenceRow): Silence {
  return {
    id: r.id,
    matchers: JSON.parse(r.matchers) as Matcher[],
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    createdBy: r.created_by,
    comment: r.comment,
    createdAt: r.created_at,
    ...(r.expired_at === null ? {} : { expiredAt: r.expired_at }),
  };
}

export class AlertRepository {
  readonly #db: Database.Database;
  readonly #now: () => Date;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  /** Writes an alert's new state: a new open instance, or the open one of its fingerprint moved on. */
  save(view: AlertView): void {
    const open = this.#db
      .prepare("SELECT id FROM alerts WHERE fingerprint = ? AND state != 'resolved'")
      .get(view.fingerprint) as { id: number } | undefined;
    const args = [
      view.state,
      view.activeAt,
      view.firedAt ?? null,
      view.resolvedAt ?? null,
      this.#now().toISOString(),
      JSON.stringify(view),
    ] as const;
    if (open === undefined) {
      if (view.state === "resolved") return; // its firing row is already resolved
      this.#db
        .prepare(
          "INSERT INTO alerts (fingerprint, rule, state, active_at, fired_at, resolved_at, updated_at, view) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .run(view.fingerprint, view.rule, ...args);
    } else {
      this.#db
        .prepare(
          "UPDATE alerts SET state = ?, active_at = ?, fired_at = ?, resolved_at = ?, updated_at = ?, view = ? WHERE id = ?",
        )
        .run(...args, open.id);
    }
  }

  /** A pending alert whose condition stopped was never an alert anyone saw: it leaves no row. */
  dropPending(fingerprint: string): void {
    this.#db.prepare("DELETE FROM alerts WHERE fingerprint = ? AND state = 'pending'").run(fingerprint);
  }

  /** Pending and firing alerts (what a restart resumes). */
  open(): AlertView[] {
    return (
      this.#db.prepare("SELECT view FROM alerts WHERE state != 'resolved' ORDER BY id").all() as {
        view: string;
      }[]
    ).map((r) => JSON.parse(r.view) as AlertView);
  }

  /** Newest first. */
  list(opts: { states?: readonly AlertState[]; limit?: number } = {}): AlertView[] {
    const states = opts.states ?? ["pending", "firing", "resolved"];
    if (states.length === 0) return [];
    const limit = Math.max(1, Math.min(opts.limit ?? 500, 10_000));
    const rows = this.#db
      .prepare(
        `SELECT view FROM alerts WHERE state IN (${states.map(() => "?").join(", ")}) ORDER BY active_at DESC, id DESC LIMIT ?`,
      )
      .all(...states, limit) as { view: string }[];
    return rows.map((r) => JSON.parse(r.view) as AlertView);
  }

  addSilence(s: Omit<Silence, "id" | "createdAt">): Silence {
    const silence: Silence = { ...s, id: randomUUID(), createdAt: this.#now().toISOString() };
    this.#db
      .prepare(
        "INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        silence.id,
        JSON.stringify(silence.matchers),
        silence.startsAt,
        silence.endsAt,
        silence.createdBy,
        silence.comment,
        silence.createdAt,
      );
    return silence;
  }

  silence(id: string): Silence | undefined {
    const row = this.#db.prepare("SELECT * FROM silences WHERE id = ?").get(id) as SilenceRow | undefined;
    return row === undefined ? undefined : toSilence(row);
  }

  /** All silences, newest first; expired ones too unless `activeOrPendingAt` is given. */
  silences(activeOrPendingAt?: Date): Silence[] {
    const rows =
      activeOrPendingAt === undefined
        ? (this.#db.prepare("SELECT * FROM silences ORDER BY created_at DESC").all() as SilenceRow[])
        : (this.#db
            .prepare("SELECT * FROM silences WHERE ends_at > ? ORDER BY created_at DESC")
            .all(activeOrPendingAt.toISOString()) as SilenceRow[]);
    return rows.map(toSilence);
  }

  /** Ends a silence now (kept, with endsAt moved to now). Expiring an expired one changes nothing. */
  expireSilence(id: string): Silence {
    const s = this.silence(id);
    if (s === undefined) {
      throw new AlertsError("SILENCE_NOT_FOUND", `no silence ${id}`, {
        hint: "list them with `rampart silence list`",
      });
    }
    const now = this.#now();
    if (Date.parse(s.endsAt) <= now.getTime()) return s;
    const at = now.toISOString();
    // A silence that had not started yet ends before it began: startsAt moves too.
    const startsAt = Date.parse(s.startsAt) > now.getTime() ? at : s.startsAt;
    this.#db
      .prepare("UPDATE silences SET starts_at = ?, ends_at = ?, expired_at = ? WHERE id = ?")
      .run(startsAt, at, at, id);
    return this.silence(id)!;
  }

  notificationLog(): NotificationLogEntry[] {
    const rows = this.#db.prepare("SELECT * FROM alert_notification_log").all() as {
      group_key: string;
      firing: string;
      resolved: string;
      sent_at: string;
    }[];
    return rows.map((r) => ({
      groupKey: r.group_key,
      firing: JSON.parse(r.firing) as string[],
      resolved: JSON.parse(r.resolved) as string[],
      sentAtMs: Date.parse(r.sent_at),
    }));
  }

  saveLogEntry(e: NotificationLogEntry): void {
    this.#db
      .prepare(
        "INSERT INTO alert_notification_log (group_key, firing, resolved, sent_at) VALUES (?, ?, ?, ?) ON CONFLICT(group_key) DO UPDATE SET firing = excluded.firing, resolved = excluded.resolved, sent_at = excluded.sent_at",
      )
      .run(
        e.groupKey,
        JSON.stringify(e.firing),
        JSON.stringify(e.resolved),
        new Date(e.sentAtMs).toISOString(),
      );
  }

  /** Replaces the stored detector state by `tracks` (one transaction); returns the bytes written. */
  saveTracks(tracks: readonly TrackSnapshot[]): number {
    const at = this.#now().toISOString();
    let bytes = 0;
    const insert = this.#db.prepare(
      "INSERT INTO alert_detector_state (rule_key, series_key, state, saved_at) VALUES (?, ?, ?, ?)",
    );
    this.#db.transaction(() => {
      this.#db.prepare("DELETE FROM alert_detector_state").run();
      for (const t of tracks) {
        const blob = encodeState(t.state);
        bytes += blob.length;
        insert.run(t.ruleKey, t.seriesKey, blob, at);
      }
    })();
    return bytes;
  }

  /** The stored detector state; rows that cannot be decoded are skipped (they start cold). */
  loadTracks(): TrackSnapshot[] {
    const rows = this.#db.prepare("SELECT rule_key, series_key, state FROM alert_detector_state").all() as {
      rule_key: string;
      series_key: string;
      state: Buffer;
    }[];
    const out: TrackSnapshot[] = [];
    for (const r of rows) {
      try {
        out.push({ ruleKey: r.rule_key, seriesKey: r.series_key, state: decodeState(r.state) });
      } catch {
        // a snapshot of another build or a damaged row: that detector starts cold
      }
    }
    return out;
  }
}
