/**
 * The store's schema, as an ordered list of migrations. Others add tables by appending a migration
 * here (never by editing one that has shipped: a database that already ran it would not see the
 * change). Each migration runs in its own transaction together with its row in
 * `schema_migrations`, so a crash leaves the schema either before or after it, never half way.
 */
import type Database from "better-sqlite3";
import { StoreError } from "./errors.js";
import { alertsMigration } from "./schema/alerts.js";
import { incidentsMigration } from "./schema/incidents.js";
import type { Migration } from "./schema/migration.js";
import { notificationsMigration } from "./schema/notifications.js";
import { seriesMigration } from "./schema/series.js";

export type { Migration } from "./schema/migration.js";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "config versions, events, api tokens, settings",
    up(db) {
      db.exec(`
        CREATE TABLE config_versions (
          id            INTEGER PRIMARY KEY AUTOINCREMENT,
          created_at    TEXT    NOT NULL,
          author        TEXT    NOT NULL,
          message       TEXT    NOT NULL,
          document      TEXT    NOT NULL,
          canonical     TEXT    NOT NULL,
          hash          TEXT    NOT NULL CHECK (length(hash) = 64),
          parent_id     INTEGER REFERENCES config_versions(id),
          kind          TEXT    NOT NULL CHECK (kind IN ('apply', 'rollback', 'override')),
          rollback_of   INTEGER REFERENCES config_versions(id),
          overrides     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(overrides)),
          rollout_state TEXT    NOT NULL DEFAULT 'pending'
        );
        CREATE INDEX config_versions_hash ON config_versions(hash);

        -- Append-only: the stored text of a version can never change or disappear.
        -- Only rollout_state moves, as a rollout progresses.
        CREATE TRIGGER config_versions_no_delete BEFORE DELETE ON config_versions
        BEGIN SELECT RAISE(ABORT, 'config versions are append-only'); END;
        CREATE TRIGGER config_versions_no_update
        BEFORE UPDATE OF id, created_at, author, message, document, canonical, hash, parent_id, kind,
                         rollback_of, overrides ON config_versions
        BEGIN SELECT RAISE(ABORT, 'config versions are append-only'); END;

        CREATE TABLE events (
          id       INTEGER PRIMARY KEY AUTOINCREMENT,
          time     TEXT NOT NULL,
          kind     TEXT NOT NULL,
          severity TEXT NOT NULL CHECK (severity IN ('debug', 'info', 'warning', 'error', 'critical')),
          source   TEXT NOT NULL,
          subject  TEXT,
          data     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data))
        );
        CREATE INDEX events_time ON events(time);
        CREATE INDEX events_kind_time ON events(kind, time);
        CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

        CREATE TABLE api_tokens (
          id           INTEGER PRIMARY KEY AUTOINCREMENT,
          name         TEXT NOT NULL,
          role         TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
          token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
          created_at   TEXT NOT NULL,
          last_used_at TEXT,
          revoked_at   TEXT
        );

        CREATE TABLE settings (
          key        TEXT PRIMARY KEY,
          value      TEXT NOT NULL CHECK (json_valid(value)),
          updated_at TEXT NOT NULL
        );
      `);
    },
  },
  {
    version: 2,
    name: "api token role gateway",
    up(db) {
      // Gateways call the control plane with tokens of their own, which may read their config and
      // report attestation but not change anything. SQLite cannot alter a CHECK constraint, so the
      // table is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter); ids are kept.
      db.exec(`
        CREATE TABLE api_tokens_new (
          id           INTEGER PRIMARY KEY AUTOINCREMENT,
          name         TEXT NOT NULL,
          role         TEXT NOT NULL CHECK (role IN ('viewer', 'operator', 'admin', 'gateway')),
          token_sha256 TEXT NOT NULL UNIQUE CHECK (length(token_sha256) = 64),
          created_at   TEXT NOT NULL,
          last_used_at TEXT,
          revoked_at   TEXT
        );
        INSERT INTO api_tokens_new (id, name, role, token_sha256, created_at, last_used_at, revoked_at)
          SELECT id, name, role, token_sha256, created_at, last_used_at, revoked_at FROM api_tokens;
        DROP TABLE api_tokens;
        ALTER TABLE api_tokens_new RENAME TO api_tokens;
      `);
    },
  },
  // Each part's own migration, by number: monitor series, alerts, notifications, incidents.
  seriesMigration,
  alertsMigration,
  notificationsMigration,
  incidentsMigration,
];

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`;

interface AppliedRow {
  version: number;
  name: string;
}

/**
 * Reads, without writing, whether this build may use the database: refuses a database with a
 * migration this build does not know (newer version, or another name at a known version: running
 * an older Rampart on it could silently drop what the newer one stores) and another application's
 * SQLite file. Returns the schema version found (0 for a new, empty database).
 */
export function inspectSchema(
  db: Database.Database,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): number {
  const hasTable =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !==
    undefined;
  if (!hasTable) {
    // Someone else's SQLite file: adding Rampart's tables to it would mix two applications' data.
    const other = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' LIMIT 1")
      .get() as { name: string } | undefined;
    if (other !== undefined) {
      throw new StoreError(
        "STORE_OPEN_FAILED",
        `${file} is a SQLite database of another application (table ${other.name})`,
        { hint: "point Rampart at its own data folder; the file was not changed" },
      );
    }
    return 0;
  }
  const applied = db
    .prepare("SELECT version, name FROM schema_migrations ORDER BY version")
    .all() as AppliedRow[];
  const known = new Map(migrations.map((m) => [m.version, m]));
  const newest = Math.max(0, ...migrations.map((m) => m.version));
  for (const row of applied) {
    const mine = known.get(row.version);
    if (mine === undefined) {
      throw new StoreError(
        "STORE_SCHEMA_TOO_NEW",
        `${file}: schema version ${row.version} (${row.name}) is newer than this Rampart knows (${newest})`,
        {
          hint: "run the Rampart release that created this database, or a newer one; the file was not changed",
        },
      );
    }
    if (mine.name !== row.name) {
      throw new StoreError(
        "STORE_SCHEMA_TOO_NEW",
        `${file}: schema version ${row.version} is "${row.name}" here but "${mine.name}" in this Rampart`,
        { hint: "this database comes from a different Rampart build; the file was not changed" },
      );
    }
  }
  return applied.at(-1)?.version ?? 0;
}

/** Brings the database to the newest schema this build knows (after inspectSchema's checks). */
export function migrate(
  db: Database.Database,
  file: string,
  now: () => Date,
  migrations: readonly Migration[] = MIGRATIONS,
): { from: number; to: number } {
  const from = inspectSchema(db, file, migrations);
  const applied = new Set(
    from === 0
      ? []
      : (db.prepare("SELECT version FROM schema_migrations").all() as { version: number }[]).map(
          (r) => r.version,
        ),
  );
  const pending = [...migrations]
    .filter((m) => !applied.has(m.version))
    .sort((a, b) => a.version - b.version);
  if (pending.length === 0) return { from, to: from };
  db.exec(CREATE_MIGRATIONS_TABLE);
  const record = db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");
  for (const m of pending) {
    // IMMEDIATE takes the write lock before reading, so two processes opening the same new store
    // do not both run a migration: the second one sees the row and skips it.
    db.transaction(() => {
      const done = db.prepare("SELECT name FROM schema_migrations WHERE version = ?").get(m.version);
      if (done !== undefined) return;
      m.up(db);
      record.run(m.version, m.name, now().toISOString());
    }).immediate();
  }
  return { from, to: inspectSchema(db, file, migrations) };
}
