/**
 * Schema version 5: the notification outbox (src/alerts/notifiers/outbox.ts reads and writes it)
 * and the receivers' health beside it.
 */
import type { Migration } from "./migration.js";

export const notificationsMigration: Migration = {
  version: 5,
  name: "notification outbox and receiver health",
  up(db) {
    db.exec(`
      CREATE TABLE notifications (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        receiver        TEXT    NOT NULL,
        group_key       TEXT    NOT NULL,
        source          TEXT    NOT NULL,
        alert_status    TEXT    NOT NULL CHECK (alert_status IN ('firing', 'resolved')),
        title           TEXT    NOT NULL,
        body            TEXT    NOT NULL CHECK (json_valid(body)),
        status          TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        created_at      TEXT    NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT    NOT NULL,
        last_attempt_at TEXT,
        last_error      TEXT,
        last_error_code TEXT,
        done_at         TEXT
      );
      CREATE INDEX notifications_pending ON notifications(receiver, id) WHERE status = 'pending';
      CREATE INDEX notifications_done ON notifications(done_at) WHERE status <> 'pending';

      CREATE TABLE notifier_health (
        receiver             TEXT    PRIMARY KEY,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        failing_since        TEXT,
        last_error           TEXT,
        updated_at           TEXT    NOT NULL
      );
    `);
  },
};
