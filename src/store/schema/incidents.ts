/**
 * Schema version 6: incidents, their alerts, the timeline entries that are not already events
 * (state, severity and role changes, notes, escalation), postmortem action items, and the cursor
 * with which incidents tail the event log. Entries are append-only, as events are: what happened
 * during an incident is not rewritten afterwards.
 */
import type { Migration } from "./migration.js";

export const incidentsMigration: Migration = {
  version: 6,
  name: "incidents, timeline entries, action items",
  up(db) {
    db.exec(`
      CREATE TABLE incidents (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        title              TEXT NOT NULL,
        service            TEXT NOT NULL,
        severity           TEXT NOT NULL CHECK (severity IN ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
        state              TEXT NOT NULL CHECK (state IN ('triggered', 'acknowledged', 'mitigated', 'resolved')),
        onset_at           TEXT NOT NULL,
        opened_at          TEXT NOT NULL,
        opened_by          TEXT NOT NULL,
        acknowledged_at    TEXT,
        acknowledged_by    TEXT,
        mitigated_at       TEXT,
        mitigated_by       TEXT,
        resolved_at        TEXT,
        resolved_by        TEXT,
        commander          TEXT,
        responders         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(responders)),
        last_alert_at      TEXT,
        runbook            TEXT,
        escalation_policy  TEXT,
        escalation_level   INTEGER NOT NULL DEFAULT 0,
        escalation_at      TEXT,
        what_changed       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(what_changed))
      );
      CREATE INDEX incidents_state ON incidents(state, service);

      CREATE TABLE incident_alerts (
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        fingerprint TEXT NOT NULL,
        rule        TEXT NOT NULL,
        severity    TEXT NOT NULL,
        labels      TEXT NOT NULL CHECK (json_valid(labels)),
        summary     TEXT NOT NULL,
        joined_at   TEXT NOT NULL,
        event_id    INTEGER,
        state       TEXT NOT NULL DEFAULT 'firing' CHECK (state IN ('firing', 'resolved')),
        PRIMARY KEY (incident_id, fingerprint)
      );
      CREATE INDEX incident_alerts_fingerprint ON incident_alerts(fingerprint);

      CREATE TABLE incident_entries (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        time        TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('state', 'severity', 'role', 'note', 'escalation')),
        actor       TEXT NOT NULL,
        text        TEXT NOT NULL,
        data        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
      );
      CREATE INDEX incident_entries_incident ON incident_entries(incident_id, id);
      CREATE TRIGGER incident_entries_no_delete BEFORE DELETE ON incident_entries
      BEGIN SELECT RAISE(ABORT, 'incident timeline entries are append-only'); END;
      CREATE TRIGGER incident_entries_no_update BEFORE UPDATE ON incident_entries
      BEGIN SELECT RAISE(ABORT, 'incident timeline entries are append-only'); END;

      CREATE TABLE incident_actions (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id INTEGER NOT NULL REFERENCES incidents(id),
        title       TEXT NOT NULL,
        kind        TEXT NOT NULL CHECK (kind IN ('corrective', 'preventive', 'task')),
        owner       TEXT NOT NULL,
        due         TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        created_by  TEXT NOT NULL,
        done_at     TEXT,
        done_by     TEXT
      );
      CREATE INDEX incident_actions_incident ON incident_actions(incident_id);

      CREATE TABLE incident_cursors (
        name     TEXT PRIMARY KEY,
        after_id INTEGER NOT NULL
      );
    `);
  },
};
