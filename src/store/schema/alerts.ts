/**
 * The alerts part's tables (store migration 4): alerts with their lifecycle, silences (kept after
 * they expire, for history), the notification log per group, which is what lets a restarted
 * control plane neither lose a firing alert nor notify it twice, and the detectors' state, which
 * lets it start warm.
 */
import type { Migration } from "./migration.js";

export const alertsMigration: Migration = {
  version: 4,
  name: "alerts, silences, alert notification log, detector state",
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

      -- The anomaly rules' detectors per series (detector-state.ts), so that a restart starts warm.
      CREATE TABLE alert_detector_state (
        rule_key   TEXT NOT NULL,
        series_key TEXT NOT NULL,
        state      BLOB NOT NULL,
        saved_at   TEXT NOT NULL,
        PRIMARY KEY (rule_key, series_key)
      );
    `);
  },
};
