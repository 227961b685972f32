/**
 * Opens the control plane's SQLite database (DATA/rampart.db) and hands out its repositories.
 *
 * - WAL journal: readers (API, dashboard) never block the writer, and a crash mid-write leaves the
 *   last committed state (https://www.sqlite.org/wal.html).
 * - synchronous=FULL: in WAL mode NORMAL keeps the database consistent but may lose the last
 *   commits on power loss; a config version that `rampart apply` reported as stored must survive
 *   that (it is the audit trail, and gateways may already run it). Writes are rare (versions,
 *   settings, tokens; events in batches), so the fsync per commit costs nothing that matters.
 * - A file that is not a database or fails `quick_check` is refused with its name and left as it
 *   is: never deleted, never recreated (the operator restores or repairs it).
 */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { StoreError } from "./errors.js";
import { EventLog } from "./events.js";
import { inspectSchema, MIGRATIONS, type Migration, migrate } from "./migrations.js";
import { SettingsRepository } from "./settings.js";
import { ApiTokenRepository } from "./tokens.js";
import { ConfigVersionRepository } from "./versions.js";

export const DB_FILE = "rampart.db";

export interface OpenStoreOptions {
  /** Clock for created_at and event times; tests pass a fixed one. */
  readonly now?: () => Date;
  /** How long a writer waits for another process's lock before failing (ms). */
  readonly busyTimeoutMs?: number;
  /** Run the full `integrity_check` instead of `quick_check` at open (slower, also checks indexes). */
  readonly fullCheck?: boolean;
  /** For tests of the migration machinery; defaults to MIGRATIONS. */
  readonly migrations?: readonly Migration[];
}

export interface Store {
  /** Absolute path of the database file. */
  readonly file: string;
  readonly db: Database.Database;
  readonly versions: ConfigVersionRepository;
  readonly events: EventLog;
  readonly tokens: ApiTokenRepository;
  readonly settings: SettingsRepository;
  /** Schema version after migrations ran. */
  readonly schemaVersion: number;
  close(): void;
}

function isSqliteCorruption(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    code === "SQLITE_NOTADB" ||
    code === "SQLITE_CORRUPT" ||
    (typeof code === "string" && code.startsWith("SQLITE_CORRUPT"))
  );
}

function corrupt(file: string, detail: string, cause?: unknown): StoreError {
  return new StoreError("STORE_CORRUPT", `${file} is damaged: ${detail}`, {
    hint: "the file was left untouched: restore it from a backup, or try `sqlite3 FILE .recover`; do not delete it",
    ...(cause === undefined ? {} : { cause }),
  });
}

export function openStore(dataDir: string, opts: OpenStoreOptions = {}): Store {
  const now = opts.now ?? (() => new Date());
  const dir = resolve(dataDir);
  const file = join(dir, DB_FILE);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new StoreError(
      "STORE_OPEN_FAILED",
      `cannot create the data folder ${dir}: ${(err as Error).message}`,
      {
        hint: "check the path and its permissions",
        cause: err,
      },
    );
  }

  let db: Database.Database;
  try {
    db = new Database(file, { timeout: opts.busyTimeoutMs ?? 5000 });
  } catch (err) {
    if (isSqliteCorruption(err)) throw corrupt(file, (err as Error).message, err);
    throw new StoreError("STORE_OPEN_FAILED", `cannot open ${file}: ${(err as Error).message}`, {
      hint: "check the file's permissions and that the disk is not full",
      cause: err,
    });
  }

  try {
    // Check before anything writes (journal_mode=WAL rewrites the header): a damaged file stays as found.
    const check = db.pragma(opts.fullCheck ? "integrity_check" : "quick_check") as Record<string, string>[];
    const first = check[0] ? Object.values(check[0])[0] : undefined;
    if (first !== "ok") {
      throw corrupt(
        file,
        check
          .slice(0, 5)
          .map((r) => Object.values(r)[0])
          .join("; "),
      );
    }
    const migrations = opts.migrations ?? MIGRATIONS;
    inspectSchema(db, file, migrations);
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("foreign_keys = ON");
    const { to } = migrate(db, file, now, migrations);
    const events = new EventLog(db, now);
    return {
      file,
      db,
      versions: new ConfigVersionRepository(db, now),
      events,
      tokens: new ApiTokenRepository(db, now),
      settings: new SettingsRepository(db, now, events),
      schemaVersion: to,
      close: () => db.close(),
    };
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    if (isSqliteCorruption(err)) throw corrupt(file, (err as Error).message, err);
    throw new StoreError("STORE_OPEN_FAILED", `cannot open ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
