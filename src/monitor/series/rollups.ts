/**
 * The 1-minute and 1-hour rollups in SQLite (table series_rollups, migration 3): one row per
 * resolution, group (route, gateway: '' for fleet-wide) and period start. A row keeps the counters,
 * quantiles from the merged latency histogram (kept too, so the hour row merges minute histograms
 * instead of guessing from quantiles) and the merged client sketches, so that distinct clients
 * over any window of minutes or hours can be answered after a restart.
 * Each minute is added to its minute row and its hour row when it ends (or when the control plane
 * stops), so the hour row is current and a restart loses nothing that was closed.
 */
import type Database from "better-sqlite3";
import { encodeSketch, newSketch } from "./hll.js";
import { encodeLatency } from "./latency.js";
import { Tally } from "./tally.js";

export type Resolution = 60 | 3600;

export interface GroupKey {
  readonly route: string;
  readonly gateway: string;
}

export interface RollupRow {
  readonly t: number;
  readonly requests: number;
  readonly s2xx: number;
  readonly s4xx: number;
  readonly s5xx: number;
  readonly blocked: number;
  readonly rate_limited: number;
  readonly shed: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly unique_clients: number;
  readonly failed_clients: number;
  readonly waf: string;
  readonly latency: string;
  readonly clients: string | null;
  readonly failed: string | null;
}

/** The table, for migration 3 in src/store/migrations.ts. */

const COLUMNS =
  "t, requests, s2xx, s4xx, s5xx, blocked, rate_limited, shed, p50_ms, p99_ms, unique_clients, failed_clients, waf, latency, clients, failed";

/** A tally rebuilt from a stored row (to merge minutes into an hour, or sketches over a window). */
export function tallyFromRow(row: RollupRow, into: Tally = new Tally()): Tally {
  let waf: Record<string, number> = {};
  let latency: number[] = [];
  try {
    waf = JSON.parse(row.waf) as Record<string, number>;
    latency = JSON.parse(row.latency) as number[];
  } catch {
    // json_valid guards the column; a row edited by hand only loses its histogram and modules.
  }
  into.addCounts({
    requests: row.requests,
    s2xx: row.s2xx,
    s4xx: row.s4xx,
    s5xx: row.s5xx,
    blocked: row.blocked,
    rateLimited: row.rate_limited,
    shed: row.shed,
    p50Ms: row.p50_ms,
    p99Ms: row.p99_ms,
    ...(Array.isArray(latency) && latency.length > 0 ? { latency } : {}),
    waf,
    ...(row.clients === null ? {} : { clients: row.clients }),
    ...(row.failed === null ? {} : { failedClients: row.failed }),
  });
  return into;
}

export class SeriesRollups {
  readonly #db: Database.Database;
  readonly #upsert: Database.Statement;
  readonly #select: Database.Statement;
  readonly #prune: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#upsert = db.prepare(
      `INSERT OR REPLACE INTO series_rollups (resolution, route, gateway, ${COLUMNS})
       VALUES (@resolution, @route, @gateway, @t, @requests, @s2xx, @s4xx, @s5xx, @blocked, @rate_limited,
               @shed, @p50_ms, @p99_ms, @unique_clients, @failed_clients, @waf, @latency, @clients, @failed)`,
    );
    this.#select = db.prepare(
      `SELECT ${COLUMNS} FROM series_rollups
       WHERE resolution = ? AND route = ? AND gateway = ? AND t >= ? AND t < ? ORDER BY t`,
    );
    this.#prune = db.prepare("DELETE FROM series_rollups WHERE resolution = ? AND t < ?");
  }

  #write(resolution: Resolution, t: number, key: GroupKey, tally: Tally): void {
    this.#upsert.run({
      resolution,
      route: key.route,
      gateway: key.gateway,
      t,
      requests: tally.requests,
      s2xx: tally.s2xx,
      s4xx: tally.s4xx,
      s5xx: tally.s5xx,
      blocked: tally.blocked,
      rate_limited: tally.rateLimited,
      shed: tally.shed,
      p50_ms: tally.quantileMs(0.5),
      p99_ms: tally.quantileMs(0.99),
      unique_clients: tally.uniqueClients(),
      failed_clients: tally.failedClients(),
      waf: JSON.stringify(Object.fromEntries(tally.waf)),
      latency: JSON.stringify(encodeLatency(tally.latency)),
      clients: tally.clients === undefined ? null : encodeSketch(tally.clients),
      failed: tally.failed === undefined ? null : encodeSketch(tally.failed),
    });
  }

  /**
   * Adds one minute's tallies to its minute rows and to their hour rows (groups without requests
   * are skipped: a missing row reads as zero), in one transaction. Adding, not replacing: each part
   * of a minute is written once (a minute cut by a restart comes in two parts, the stopping
   * process's and the starting one's), so a row is the sum of its parts, and the hour row is kept
   * up to date by reading one row, not the hour's sixty.
   */
  writeMinute(minute: number, groups: ReadonlyArray<{ key: GroupKey; tally: Tally }>): void {
    const hour = minute - (minute % 3600);
    this.#db.transaction(() => {
      for (const { key, tally } of groups) {
        if (tally.requests === 0) continue;
        this.#addTo(60, minute, key, tally);
        this.#addTo(3600, hour, key, tally);
      }
    })();
  }

  #addTo(resolution: Resolution, t: number, key: GroupKey, tally: Tally): void {
    const [earlier] = this.rows(resolution, key, t, t + 1);
    if (earlier === undefined) {
      this.#write(resolution, t, key, tally);
      return;
    }
    const sum = tallyFromRow(earlier);
    sum.addTally(tally);
    this.#write(resolution, t, key, sum);
  }

  rows(resolution: Resolution, key: GroupKey, from: number, to: number): RollupRow[] {
    return this.#select.all(resolution, key.route, key.gateway, from, to) as RollupRow[];
  }

  /** Deletes rows of `resolution` that start before `before`; returns how many. */
  prune(resolution: Resolution, before: number): number {
    return this.#prune.run(resolution, before).changes;
  }

  /** Merges the stored client sketches of a group over [from, to) at one resolution. */
  mergeSketches(
    resolution: Resolution,
    key: GroupKey,
    from: number,
    to: number,
    failed: boolean,
    into: Tally,
  ): number {
    const rows = this.rows(resolution, key, from, to);
    for (const row of rows) {
      const text = failed ? row.failed : row.clients;
      if (text === null) continue;
      into.addCounts({
        requests: 0,
        s5xx: 0,
        blocked: 0,
        p99Ms: 0,
        latency: [],
        ...(failed ? { failedClients: text } : { clients: text }),
      });
    }
    if (failed) into.failed ??= newSketch();
    else into.clients ??= newSketch();
    return rows.length;
  }

  /** Routes and gateways with rows since `from` (for names and the CLI's completions). */
  groupsSince(from: number): GroupKey[] {
    return this.#db
      .prepare("SELECT DISTINCT route, gateway FROM series_rollups WHERE resolution = 3600 AND t >= ?")
      .all(from) as GroupKey[];
  }
}
