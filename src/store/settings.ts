/**
 * The control plane's own settings (e.g. `critical_modules`): what the config must obey, so the
 * config cannot change it. Every change is also written to the event log, in the same transaction,
 * because loosening a guardrail is itself something an incident timeline must show.
 */
import type Database from "better-sqlite3";
import type { EventLog } from "./events.js";
import { type JsonValue, toJsonText } from "./json.js";

const MAX_SETTING_BYTES = 64 * 1024;

export class SettingsRepository {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #events: EventLog;
  readonly #get: Database.Statement<[string]>;

  constructor(db: Database.Database, now: () => Date, events: EventLog) {
    this.#db = db;
    this.#now = now;
    this.#events = events;
    this.#get = db.prepare("SELECT value FROM settings WHERE key = ?");
  }

  /** The stored value, or undefined when the key was never set (callers apply their default). */
  get(key: string): JsonValue | undefined {
    const row = this.#get.get(key) as { value: string } | undefined;
    return row === undefined ? undefined : (JSON.parse(row.value) as JsonValue);
  }

  set(key: string, value: JsonValue, by: string): void {
    const text = toJsonText(`setting ${key}`, value, MAX_SETTING_BYTES);
    this.#db.transaction(() => {
      const before = this.get(key);
      this.#db
        .prepare(
          "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .run(key, text, this.#now().toISOString());
      this.#events.append({
        kind: "settings.changed",
        severity: "info",
        source: "control-plane",
        subject: `setting:${key}`,
        data: { key, before: before ?? null, after: JSON.parse(text) as JsonValue, by },
      });
    })();
  }

  all(): Record<string, JsonValue> {
    const rows = this.#db.prepare("SELECT key, value FROM settings ORDER BY key").all() as {
      key: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value) as JsonValue]));
  }
}
