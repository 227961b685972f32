import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError } from "../../src/store/errors.js";
import { MIGRATIONS, type Migration } from "../../src/store/migrations.js";
import { DB_FILE, openStore, type Store } from "../../src/store/store.js";
import { MAX_DOCUMENT_BYTES, sha256Hex } from "../../src/store/versions.js";

let dir: string;
let store: Store | undefined;
let clock = Date.parse("2026-11-25T10:00:00.000Z");
const now = () => new Date(clock);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rampart-store-"));
  clock = Date.parse("2026-11-25T10:00:00.000Z");
});
afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function open(): Store {
  store = openStore(dir, { now });
  return store;
}

function thrown(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error("expected a StoreError");
}

const v = (document: string, extra: object = {}) => ({
  author: "ana",
  message: "change",
  document,
  canonical: JSON.stringify({ document }),
  kind: "apply" as const,
  ...extra,
});

describe("openStore", () => {
  it("creates the database in WAL mode with FULL sync, foreign keys and the schema", () => {
    const s = open();
    expect(s.file).toBe(join(dir, DB_FILE));
    expect(s.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(s.db.pragma("synchronous", { simple: true })).toBe(2);
    expect(s.db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(s.schemaVersion).toBe(MIGRATIONS.at(-1)!.version);
    // Listed in order, each number once (parts own their numbers; see migrations.ts).
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    const tables = s.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((r) => (r as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(["api_tokens", "config_versions", "events", "schema_migrations", "settings"]),
    );
  });

  it("reopens without running migrations again and keeps the data", () => {
    open().versions.append(v("a: 1"));
    store!.close();
    const s = open();
    expect(s.versions.latest()!.document).toBe("a: 1");
    expect(s.db.prepare("SELECT count(*) AS n FROM schema_migrations").get()).toEqual({
      n: MIGRATIONS.length,
    });
  });

  it("runs a new migration added to the list, once", () => {
    open().close();
    store = undefined;
    const extra: Migration = {
      version: MIGRATIONS.length + 1,
      name: "audits",
      up: (db) => db.exec("CREATE TABLE audits (id INTEGER PRIMARY KEY)"),
    };
    store = openStore(dir, { now, migrations: [...MIGRATIONS, extra] });
    expect(store.schemaVersion).toBe(extra.version);
    expect(store.db.prepare("SELECT count(*) AS n FROM audits").get()).toEqual({ n: 0 });
  });

  it("rolls a failing migration back whole and reports it", () => {
    const bad: Migration = {
      version: MIGRATIONS.length + 1,
      name: "half",
      up: (db) => {
        db.exec("CREATE TABLE half (id INTEGER)");
        db.exec("THIS IS NOT SQL");
      },
    };
    expect(() => openStore(dir, { now, migrations: [...MIGRATIONS, bad] })).toThrow(StoreError);
    const s = open();
    expect(s.db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    expect(s.schemaVersion).toBe(MIGRATIONS.length);
  });

  it("refuses a database migrated by a newer Rampart, without touching it", () => {
    open().close();
    store = undefined;
    const raw = new Database(join(dir, DB_FILE));
    raw
      .prepare("INSERT INTO schema_migrations VALUES (999, 'from the future', '2030-01-01T00:00:00Z')")
      .run();
    raw.close();
    const before = readFileSync(join(dir, DB_FILE));
    const err = thrown(() => openStore(dir, { now }));
    expect(err.code).toBe("STORE_SCHEMA_TOO_NEW");
    expect(err.message).toContain("999");
    expect(err.message).toContain(join(dir, DB_FILE));
    expect(readFileSync(join(dir, DB_FILE)).equals(before)).toBe(true);
  });

  it("refuses a database whose migration of the same number has another name", () => {
    open().close();
    store = undefined;
    const other: Migration = { version: 1, name: "something else", up: () => {} };
    expect(thrown(() => openStore(dir, { now, migrations: [other] })).code).toBe("STORE_SCHEMA_TOO_NEW");
  });

  const damaged: [string, (file: string) => void][] = [
    ["random bytes", (f) => writeFileSync(f, Buffer.alloc(8192, 0x5a))],
    ["text file", (f) => writeFileSync(f, "rampart: yes\n".repeat(400))],
    [
      "a page overwritten in the middle",
      (f) => {
        const buf = readFileSync(f);
        buf.fill(0xff, 4096 * 2, 4096 * 3);
        writeFileSync(f, buf);
      },
    ],
  ];
  it.each(damaged)("refuses a damaged file (%s), naming it and leaving it as it is", (_name, damage) => {
    const s = open();
    for (let i = 0; i < 30; i++) s.versions.append(v(`doc ${i} `.repeat(300)));
    s.db.pragma("wal_checkpoint(TRUNCATE)");
    s.close();
    store = undefined;
    const file = join(dir, DB_FILE);
    damage(file);
    const before = readFileSync(file);
    const err = thrown(() => openStore(dir, { now }));
    expect(err.code).toBe("STORE_CORRUPT");
    expect(err.message).toContain(file);
    expect(err.hint).toContain("untouched");
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("reports a data folder that cannot be created", () => {
    writeFileSync(join(dir, "file"), "x");
    expect(thrown(() => openStore(join(dir, "file", "sub"))).code).toBe("STORE_OPEN_FAILED");
  });
});

describe("versions", () => {
  it("appends with increasing ids, parents, hashes of the canonical JSON and the clock", () => {
    const s = open();
    const a = s.versions.append(v("a: 1"));
    clock += 1000;
    const b = s.versions.append(v("a: 2", { message: "second" }));
    expect([a.id, b.id]).toEqual([1, 2]);
    expect(a.parentId).toBeNull();
    expect(b.parentId).toBe(1);
    expect(b.hash).toBe(sha256Hex(b.canonical));
    expect(b.createdAt).toBe("2026-11-25T10:00:01.000Z");
    expect(b.rolloutState).toBe("pending");
    expect(s.versions.get(1)).toEqual(a);
    expect(s.versions.get(3)).toBeUndefined();
    expect(s.versions.latest()!.id).toBe(2);
  });

  it("is empty at first", () => {
    const s = open();
    expect(s.versions.latest()).toBeUndefined();
    expect(s.versions.list()).toEqual([]);
  });

  it("lists newest first, pages with before, without the texts", () => {
    const s = open();
    for (let i = 1; i <= 7; i++) s.versions.append(v(`n: ${i}`));
    expect(s.versions.list({ limit: 3 }).map((x) => x.id)).toEqual([7, 6, 5]);
    expect(s.versions.list({ limit: 3, before: 5 }).map((x) => x.id)).toEqual([4, 3, 2]);
    expect(s.versions.list({ before: 1 })).toEqual([]);
    expect(s.versions.list()[0]).not.toHaveProperty("document");
  });

  it("stores a rollback as a new version and overrides as given", () => {
    const s = open();
    const a = s.versions.append(v("a: 1"));
    s.versions.append(v("a: 2"));
    const o = { policy: "critical-modules-on", reason: "drill", by: "root" };
    const r = s.versions.append({ ...v(a.document), kind: "rollback", rollbackOf: a.id, overrides: [o] });
    expect(r).toMatchObject({ id: 3, parentId: 2, kind: "rollback", rollbackOf: 1, overrides: [o] });
    expect(r.hash).toBe(a.hash);
    expect(thrown(() => s.versions.append({ ...v("x"), kind: "rollback", rollbackOf: 42 })).code).toBe(
      "STORE_NOT_FOUND",
    );
  });

  it("refuses an append planned against another version", () => {
    const s = open();
    s.versions.append(v("a: 1", { expectParent: null }));
    expect(thrown(() => s.versions.append(v("a: 2", { expectParent: null }))).code).toBe("STORE_CONFLICT");
    expect(s.versions.append(v("a: 2", { expectParent: 1 })).id).toBe(2);
  });

  const bad: [string, object, string][] = [
    ["oversized document", { document: "x".repeat(MAX_DOCUMENT_BYTES + 1) }, "STORE_TOO_LARGE"],
    ["oversized by UTF-8 bytes", { document: "é".repeat(MAX_DOCUMENT_BYTES / 2 + 1) }, "STORE_TOO_LARGE"],
    ["empty author", { author: "  " }, "STORE_INVALID"],
    ["unknown kind", { kind: "merge" }, "STORE_INVALID"],
    ["override without reason", { overrides: [{ policy: "p", reason: " ", by: "x" }] }, "STORE_INVALID"],
  ];
  it.each(bad)("refuses %s and stores nothing", (_name, patch, code) => {
    const s = open();
    expect(thrown(() => s.versions.append({ ...v("a: 1"), ...patch })).code).toBe(code);
    expect(s.versions.latest()).toBeUndefined();
  });

  it("accepts a document of exactly the limit", () => {
    const s = open();
    expect(s.versions.append(v("x".repeat(MAX_DOCUMENT_BYTES))).document.length).toBe(MAX_DOCUMENT_BYTES);
  });

  it("keeps documents byte for byte (unicode, NUL, CRLF)", () => {
    const s = open();
    const doc = "name: \u00e9\u{1F600}\r\nnul: \u0000end\n";
    expect(s.versions.get(s.versions.append(v(doc)).id)!.document).toBe(doc);
  });

  it("cannot be rewritten or deleted, even with SQL; only the rollout state moves", () => {
    const s = open();
    s.versions.append(v("a: 1"));
    expect(() => s.db.prepare("UPDATE config_versions SET document = 'evil'").run()).toThrow(/append-only/);
    expect(() => s.db.prepare("DELETE FROM config_versions").run()).toThrow(/append-only/);
    s.versions.setRolloutState(1, "live");
    expect(s.versions.get(1)!.rolloutState).toBe("live");
    expect(thrown(() => s.versions.setRolloutState(9, "live")).code).toBe("STORE_NOT_FOUND");
    expect(thrown(() => s.versions.setRolloutState(1, "done" as never)).code).toBe("STORE_INVALID");
  });
});

describe("events", () => {
  it("appends and lists by time, kind, cursor and limit", () => {
    const s = open();
    s.events.append({
      kind: "config.applied",
      severity: "info",
      source: "control-plane",
      subject: "config:1",
    });
    clock += 60_000;
    s.events.appendMany([
      { kind: "drift.detected", severity: "warning", source: "gateway:a", data: { module: "sqli" } },
      { kind: "alert.fired", severity: "critical", source: "monitor", data: { n: [1, 2] } },
    ]);
    expect(s.events.list().map((e) => e.id)).toEqual([1, 2, 3]);
    expect(s.events.list({ since: new Date(clock) }).map((e) => e.kind)).toEqual([
      "drift.detected",
      "alert.fired",
    ]);
    expect(s.events.list({ kinds: ["alert.fired", "config.applied"] }).map((e) => e.id)).toEqual([1, 3]);
    expect(s.events.list({ kinds: [] })).toEqual([]);
    expect(s.events.list({ afterId: 2 }).map((e) => e.id)).toEqual([3]);
    expect(s.events.list({ limit: 1 }).map((e) => e.id)).toEqual([1]);
    expect(s.events.list({ afterId: 1 })[0]).toEqual({
      id: 2,
      time: "2026-11-25T10:01:00.000Z",
      kind: "drift.detected",
      severity: "warning",
      source: "gateway:a",
      subject: null,
      data: { module: "sqli" },
    });
  });

  const bad: [string, object, string][] = [
    ["empty kind", { kind: "" }, "STORE_INVALID"],
    ["unknown severity", { severity: "fatal" }, "STORE_INVALID"],
    ["NaN in data", { data: { x: Number.NaN } }, "STORE_INVALID"],
    ["bigint in data", { data: { x: 1n } }, "STORE_INVALID"],
    ["huge data", { data: { x: "y".repeat(70_000) } }, "STORE_TOO_LARGE"],
    ["invalid time", { time: new Date("nope") }, "STORE_INVALID"],
  ];
  it.each(bad)("refuses %s; a batch with one bad event stores none", (_name, patch, code) => {
    const s = open();
    const ok = { kind: "k", severity: "info" as const, source: "s" };
    expect(thrown(() => s.events.appendMany([ok, { ...ok, ...patch }])).code).toBe(code);
    expect(s.events.list()).toEqual([]);
  });

  it("is append-only", () => {
    const s = open();
    s.events.append({ kind: "k", severity: "info", source: "s" });
    expect(() => s.db.prepare("UPDATE events SET kind = 'x'").run()).toThrow(/append-only/);
    expect(() => s.db.prepare("DELETE FROM events").run()).toThrow(/append-only/);
  });
});

describe("api tokens", () => {
  it("creates rmp_ tokens, stores only their hash, verifies and revokes", () => {
    const s = open();
    const { id, token } = s.tokens.create("ci", "operator");
    expect(token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
    const raw = readFileSync(join(dir, DB_FILE)).toString("latin1") + readWal();
    expect(raw).not.toContain(token.slice(4));
    expect(s.tokens.verify(token)).toEqual({ id, role: "operator" });
    expect(s.tokens.list()[0]).toMatchObject({
      id,
      name: "ci",
      role: "operator",
      lastUsedAt: expect.any(String),
    });
    s.tokens.revoke(id);
    s.tokens.revoke(id);
    expect(s.tokens.verify(token)).toBeUndefined();
    expect(thrown(() => s.tokens.revoke(99)).code).toBe("STORE_NOT_FOUND");
  });

  it("refreshes last_used_at at most once a minute", () => {
    const s = open();
    const { token } = s.tokens.create("ci", "viewer");
    s.tokens.verify(token);
    const first = s.tokens.list()[0]!.lastUsedAt;
    clock += 30_000;
    s.tokens.verify(token);
    expect(s.tokens.list()[0]!.lastUsedAt).toBe(first);
    clock += 30_000;
    s.tokens.verify(token);
    expect(s.tokens.list()[0]!.lastUsedAt).toBe(new Date(clock).toISOString());
  });

  const wrong: [string, (t: string) => string][] = [
    ["empty", () => ""],
    ["without prefix", (t) => t.slice(4)],
    ["one character changed", (t) => t.slice(0, -1) + (t.endsWith("A") ? "B" : "A")],
    ["too long", (t) => `${t}x`],
    ["invalid UTF-16", (t) => `${t.slice(0, -1)}\ud800`],
    ["huge", () => `rmp_${"a".repeat(1_000_000)}`],
  ];
  it.each(wrong)("rejects a token that is %s", (_name, mangle) => {
    const s = open();
    const { token } = s.tokens.create("ci", "admin");
    expect(s.tokens.verify(mangle(token))).toBeUndefined();
  });

  it("refuses bad roles and names", () => {
    const s = open();
    expect(thrown(() => s.tokens.create("x", "root" as never)).code).toBe("STORE_INVALID");
    expect(thrown(() => s.tokens.create(" ", "viewer")).code).toBe("STORE_INVALID");
  });
});

function readWal(): string {
  try {
    return readFileSync(join(dir, `${DB_FILE}-wal`)).toString("latin1");
  } catch {
    return "";
  }
}

describe("settings", () => {
  it("gets what was set, logs each change with who made it", () => {
    const s = open();
    expect(s.settings.get("critical_modules")).toBeUndefined();
    s.settings.set("critical_modules", ["sqli", "xss"], "root");
    s.settings.set("critical_modules", ["sqli"], "mallory");
    expect(s.settings.get("critical_modules")).toEqual(["sqli"]);
    expect(s.settings.all()).toEqual({ critical_modules: ["sqli"] });
    const log = s.events.list({ kinds: ["settings.changed"] });
    expect(log.map((e) => e.data)).toEqual([
      { key: "critical_modules", before: null, after: ["sqli", "xss"], by: "root" },
      { key: "critical_modules", before: ["sqli", "xss"], after: ["sqli"], by: "mallory" },
    ]);
  });

  it("refuses values that are not JSON", () => {
    const s = open();
    expect(thrown(() => s.settings.set("x", Number.POSITIVE_INFINITY, "root")).code).toBe("STORE_INVALID");
    expect(s.settings.get("x")).toBeUndefined();
  });
});

describe("a SQLite file of another application", () => {
  it("is refused and left as it is", () => {
    const raw = new Database(join(dir, DB_FILE));
    raw.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
    raw.close();
    const bytes = readFileSync(join(dir, DB_FILE));
    const err = thrown(() => openStore(dir, { now }));
    expect(err.code).toBe("STORE_OPEN_FAILED");
    expect(readFileSync(join(dir, DB_FILE)).equals(bytes)).toBe(true);
    expect(err.message).toContain("another application");
    const check = new Database(join(dir, DB_FILE));
    expect(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: "customers" },
    ]);
    check.close();
  });
});
