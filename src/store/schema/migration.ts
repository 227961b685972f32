/** One step of the store's schema (src/store/migrations.ts runs them in order). */
import type Database from "better-sqlite3";

export interface Migration {
  /**
   * Unique and increasing; each part owns its numbers (1-2 store core, 3 monitor series, 4 alerts,
   * 5 notifications, 6 incidents, ...). Pending ones run in version order; a database may have
   * fewer than all of them, so a number reserved by a part that lands later is not a gap.
   */
  readonly version: number;
  /** Recorded with the version: a database whose name differs at a version is from another branch. */
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}
