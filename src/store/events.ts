/**
 * The append-only event log: drift, monitor, incidents and the control plane itself write what
 * happened here, and timelines read it back. Rows are never updated or deleted (triggers refuse it).
 */
import type Database from "better-sqlite3";
import { StoreError } from "./errors.js";
import { type JsonValue, toJsonText } from "./json.js";

export const EVENT_SEVERITIES = ["debug", "info", "warning", "error", "critical"] as const;
export type EventSeverity = (typeof EVENT_SEVERITIES)[number];

export interface NewEvent {
  /** Dotted name, e.g. "config.applied", "drift.detected", "alert.fired". */
  readonly kind: string;
  readonly severity: EventSeverity;
  /** Who wrote it: "control-plane", "gateway:edge-1", "monitor". */
  readonly source: string;
  /** What it is about: "config:12", "route:checkout". */
  readonly subject?: string;
  readonly data?: { readonly [key: string]: JsonValue };
  /** Defaults to the store's clock. */
  readonly time?: Date;
}

export interface StoredEvent {
  readonly id: number;
  readonly time: string;
  readonly kind: string;
  readonly severity: EventSeverity;
  readonly source: string;
  readonly subject: string | null;
  readonly data: { readonly [key: string]: JsonValue };
}

export interface ListEventsOptions {
  /** Events at or after this time. */
  readonly since?: Date;
  /** Events with an id above this one (a cursor for tailing). */
  readonly afterId?: number;
  readonly kinds?: readonly string[];
  /** At most 10 000; default 100. */
  readonly limit?: number;
}

/** Event data stays small: it describes, the documents it points at live elsewhere. */
export const MAX_EVENT_DATA_BYTES = 64 * 1024;

interface EventRow {
  id: number;
  time: string;
  kind: string;
  severity: string;
  source: string;
  subject: string | null;
  data: string;
}

export class EventLog {
  readonly #db: Database.Database;
  readonly #now: () => Date;
  readonly #insert: Database.Statement;

  constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#now = now;
    this.#insert = db.prepare(
      "INSERT INTO events (time, kind, severity, source, subject, data) VALUES (?, ?, ?, ?, ?, ?)",
    );
  }

  append(event: NewEvent): StoredEvent {
    return this.appendMany([event])[0]!;
  }

  /** Several events in one transaction (one fsync), for writers that batch. */
  appendMany(events: readonly NewEvent[]): StoredEvent[] {
    const rows = events.map((e) => {
      if (e.kind.trim() === "" || e.source.trim() === "") {
        throw new StoreError("STORE_INVALID", "an event needs a kind and a source");
      }
      if (!(EVENT_SEVERITIES as readonly string[]).includes(e.severity)) {
        throw new StoreError("STORE_INVALID", `unknown event severity ${JSON.stringify(e.severity)}`);
      }
      const time = e.time ?? this.#now();
      if (Number.isNaN(time.getTime())) throw new StoreError("STORE_INVALID", "an event's time is invalid");
      return [
        time.toISOString(),
        e.kind,
        e.severity,
        e.source,
        e.subject ?? null,
        toJsonText(`event ${e.kind} data`, e.data ?? {}, MAX_EVENT_DATA_BYTES),
      ] as const;
    });
    const ids = this.#db.transaction(() => rows.map((r) => Number(this.#insert.run(...r).lastInsertRowid)))();
    return rows.map((r, i) => ({
      id: ids[i]!,
      time: r[0],
      kind: r[1],
      severity: r[2] as EventSeverity,
      source: r[3],
      subject: r[4],
      data: JSON.parse(r[5]) as StoredEvent["data"],
    }));
  }

  /** Oldest first, so a reader can tail with `afterId` = the last id it saw. */
  list(opts: ListEventsOptions = {}): StoredEvent[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (opts.since !== undefined) {
      where.push("time >= ?");
      params.push(opts.since.toISOString());
    }
    if (opts.afterId !== undefined) {
      where.push("id > ?");
      params.push(opts.afterId);
    }
    if (opts.kinds !== undefined) {
      if (opts.kinds.length === 0) return [];
      where.push(`kind IN (${opts.kinds.map(() => "?").join(", ")})`);
      params.push(...opts.kinds);
    }
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
    const sql = `SELECT * FROM events${where.length > 0 ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY id LIMIT ?`;
    const rows = this.#db.prepare(sql).all(...params, limit) as EventRow[];
    return rows.map((r) => ({
      id: r.id,
      time: r.time,
      kind: r.kind,
      severity: r.severity as EventSeverity,
      source: r.source,
      subject: r.subject,
      data: JSON.parse(r.data) as StoredEvent["data"],
    }));
  }
}
