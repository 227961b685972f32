/**
 * The notification outbox: every notification is a row before anything is sent, and stays `pending`
 * until its peer accepted it (then `sent`) or the dispatcher gave up (`failed`). Delivery is
 * therefore at least once: a control plane that stops after the peer accepted a message but before
 * the row was marked sends it again on restart; it never drops one. PagerDuty deduplicates by
 * dedup_key, and webhook consumers can by the `groupKey` and the alerts' fingerprints.
 *
 * Receiver health (consecutive failures, the current failing episode) is kept beside it, so that a
 * restart in the middle of an episode does not announce it a second time.
 */
import type Database from "better-sqlite3";
import type { Notification } from "../types.js";

export type DeliveryStatus = "pending" | "sent" | "failed";

/** One outbox row as the API and `rampart notify list` show it. */
export interface NotificationRecord {
  readonly id: number;
  readonly receiver: string;
  readonly groupKey: string;
  readonly source: Notification["source"];
  readonly alertStatus: Notification["status"];
  readonly title: string;
  readonly status: DeliveryStatus;
  readonly createdAt: string;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly lastAttemptAt: string | null;
  readonly lastError: string | null;
  readonly lastErrorCode: string | null;
  /** When it was sent or given up. */
  readonly doneAt: string | null;
}

export interface OutboxRow extends NotificationRecord {
  readonly notification: Notification;
}

interface Row {
  id: number;
  receiver: string;
  group_key: string;
  source: string;
  alert_status: string;
  title: string;
  body: string;
  status: string;
  created_at: string;
  attempts: number;
  next_attempt_at: string;
  last_attempt_at: string | null;
  last_error: string | null;
  last_error_code: string | null;
  done_at: string | null;
}

export interface ReceiverHealth {
  readonly receiver: string;
  readonly consecutiveFailures: number;
  readonly failingSince: string | null;
  readonly lastError: string | null;
}

function record(r: Row): NotificationRecord {
  return {
    id: r.id,
    receiver: r.receiver,
    groupKey: r.group_key,
    source: r.source as Notification["source"],
    alertStatus: r.alert_status as Notification["status"],
    title: r.title,
    status: r.status as DeliveryStatus,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.status === "pending" ? r.next_attempt_at : null,
    lastAttemptAt: r.last_attempt_at,
    lastError: r.last_error,
    lastErrorCode: r.last_error_code,
    doneAt: r.done_at,
  };
}

export interface ListNotificationsOptions {
  readonly limit?: number;
  readonly status?: DeliveryStatus;
  readonly receiver?: string;
}

/** SQL of the outbox; the dispatcher decides when and what. Times are ISO strings (they sort). */
export class Outbox {
  readonly #db: Database.Database;
  readonly #insert: Database.Statement;
  readonly #heads: Database.Statement<[]>;
  readonly #get: Database.Statement<[number]>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO notifications (receiver, group_key, source, alert_status, title, body, created_at, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The oldest pending row of each receiver: a receiver's notifications go out in order.
    this.#heads = db.prepare(
      `SELECT n.* FROM notifications n
       JOIN (SELECT receiver, MIN(id) AS id FROM notifications WHERE status = 'pending' GROUP BY receiver) h
         ON n.id = h.id`,
    );
    this.#get = db.prepare("SELECT * FROM notifications WHERE id = ?");
  }

  insert(receiver: string, n: Notification, body: string, nowIso: string): number {
    return Number(
      this.#insert.run(receiver, n.groupKey, n.source, n.status, n.title, body, nowIso, nowIso)
        .lastInsertRowid,
    );
  }

  get(id: number): NotificationRecord | undefined {
    const row = this.#get.get(id) as Row | undefined;
    return row === undefined ? undefined : record(row);
  }

  heads(): OutboxRow[] {
    return (this.#heads.all() as Row[]).map((r) => ({
      ...record(r),
      notification: { ...(JSON.parse(r.body) as Notification), id: String(r.id) },
    }));
  }

  markSent(id: number, attempts: number, nowIso: string): void {
    this.#db
      .prepare(
        "UPDATE notifications SET status = 'sent', attempts = ?, last_attempt_at = ?, done_at = ? WHERE id = ? AND status = 'pending'",
      )
      .run(attempts, nowIso, nowIso, id);
  }

  markRetry(
    id: number,
    attempts: number,
    nowIso: string,
    nextIso: string,
    error: string,
    code: string,
  ): void {
    this.#db
      .prepare(
        `UPDATE notifications SET attempts = ?, last_attempt_at = ?, next_attempt_at = ?, last_error = ?, last_error_code = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(attempts, nowIso, nextIso, error, code, id);
  }

  /** `attemptedAt` is null when the row is given up without a new attempt (too old). */
  markFailed(
    id: number,
    attempts: number,
    attemptedAt: string | null,
    nowIso: string,
    error: string,
    code: string,
  ): void {
    this.#db
      .prepare(
        `UPDATE notifications SET status = 'failed', attempts = ?, last_attempt_at = COALESCE(?, last_attempt_at),
           last_error = ?, last_error_code = ?, done_at = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(attempts, attemptedAt, error, code, nowIso, id);
  }

  /** Newest first. */
  list(opts: ListNotificationsOptions = {}): NotificationRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (opts.status !== undefined) {
      where.push("status = ?");
      params.push(opts.status);
    }
    if (opts.receiver !== undefined) {
      where.push("receiver = ?");
      params.push(opts.receiver);
    }
    const sql = `SELECT * FROM notifications ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT ?`;
    params.push(Math.min(Math.max(opts.limit ?? 100, 1), 10_000));
    return (this.#db.prepare(sql).all(...params) as Row[]).map(record);
  }

  pendingCount(): number {
    return (
      this.#db.prepare("SELECT COUNT(*) AS n FROM notifications WHERE status = 'pending'").get() as {
        n: number;
      }
    ).n;
  }

  /** Deletes sent and failed rows finished before `beforeIso`; pending rows are never pruned. */
  prune(beforeIso: string): number {
    return this.#db
      .prepare("DELETE FROM notifications WHERE status <> 'pending' AND done_at < ?")
      .run(beforeIso).changes;
  }

  health(receiver: string): ReceiverHealth {
    const row = this.#db
      .prepare(
        "SELECT consecutive_failures, failing_since, last_error FROM notifier_health WHERE receiver = ?",
      )
      .get(receiver) as
      | { consecutive_failures: number; failing_since: string | null; last_error: string | null }
      | undefined;
    return {
      receiver,
      consecutiveFailures: row?.consecutive_failures ?? 0,
      failingSince: row?.failing_since ?? null,
      lastError: row?.last_error ?? null,
    };
  }

  allHealth(): ReceiverHealth[] {
    return (
      this.#db
        .prepare(
          "SELECT receiver, consecutive_failures, failing_since, last_error FROM notifier_health ORDER BY receiver",
        )
        .all() as {
        receiver: string;
        consecutive_failures: number;
        failing_since: string | null;
        last_error: string | null;
      }[]
    ).map((r) => ({
      receiver: r.receiver,
      consecutiveFailures: r.consecutive_failures,
      failingSince: r.failing_since,
      lastError: r.last_error,
    }));
  }

  setHealth(h: ReceiverHealth, nowIso: string): void {
    this.#db
      .prepare(
        `INSERT INTO notifier_health (receiver, consecutive_failures, failing_since, last_error, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(receiver) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
           failing_since = excluded.failing_since, last_error = excluded.last_error, updated_at = excluded.updated_at`,
      )
      .run(h.receiver, h.consecutiveFailures, h.failingSince, h.lastError, nowIso);
  }
}
