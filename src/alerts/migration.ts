/**
 * The alerts part's tables (store migration 4): alerts with their lifecycle, silences (kept after
 * they expire, for history), and the notification log per group, which is what lets a restarted
 * control plane neither lose a firing alert nor notify it twice.
 */
import type { Migration } from "../store/migrations.js";

export const alertsMigration: Migration = {
  version: 4,
  name: "alerts, silences, alert notification log",
  up(db) {
    db.exec(`
      CREATE TABLE alerts (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        rule        TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'resolved')),
        active_at   TEXT NOT NULL,
        fired_at    TEXT,
        resolved_at TEXT,
        updated_at  TEXT NOT NULL,
        view        TEXT NOT NULL CHECK (json_valid(view))
      );
      -- One open (pending or firing) instance per fingerprint; resolved ones are history.
      CREATE UNIQUE INDEX alerts_open ON alerts(fingerprint) WHERE state != 'resolved';
      CREATE INDEX alerts_state_time ON alerts(state, active_at);

      CREATE TABLE silences (
        id         TEXT PRIMARY KEY,
        matchers   TEXT NOT NULL CHECK (json_valid(matchers)),
        starts_at  TEXT NOT NULL,
        ends_at    TEXT NOT NULL,
        created_by TEXT NOT NULL,
        comment    TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expired_at TEXT
      );
      CREATE INDEX silences_ends_at ON silences(ends_at);

      CREATE TABLE alert_notification_log (
        group_key TEXT PRIMARY KEY,
        firing    TEXT NOT NULL CHECK (json_valid(firing)),
        resolved  TEXT NOT NULL CHECK (json_valid(resolved)),
        sent_at   TEXT NOT NULL
      );
    `);
  },
};
