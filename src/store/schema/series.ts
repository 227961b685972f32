/** Schema version 3: the monitor's minute and hour rollups (src/monitor/series/rollups.ts). */
import type { Migration } from "./migration.js";

const SERIES_ROLLUPS_DDL = `
  CREATE TABLE series_rollups (
    resolution     INTEGER NOT NULL CHECK (resolution IN (60, 3600)),
    t              INTEGER NOT NULL,
    route          TEXT    NOT NULL DEFAULT '',
    gateway        TEXT    NOT NULL DEFAULT '',
    requests       INTEGER NOT NULL DEFAULT 0,
    s2xx           INTEGER NOT NULL DEFAULT 0,
    s4xx           INTEGER NOT NULL DEFAULT 0,
    s5xx           INTEGER NOT NULL DEFAULT 0,
    blocked        INTEGER NOT NULL DEFAULT 0,
    rate_limited   INTEGER NOT NULL DEFAULT 0,
    shed           INTEGER NOT NULL DEFAULT 0,
    p50_ms         REAL    NOT NULL DEFAULT 0,
    p99_ms         REAL    NOT NULL DEFAULT 0,
    unique_clients INTEGER NOT NULL DEFAULT 0,
    failed_clients INTEGER NOT NULL DEFAULT 0,
    waf            TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(waf)),
    latency        TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(latency)),
    clients        TEXT,
    failed         TEXT,
    PRIMARY KEY (resolution, route, gateway, t)
  ) WITHOUT ROWID;
  CREATE INDEX series_rollups_age ON series_rollups(resolution, t);
`;

export const seriesMigration: Migration = {
  version: 3,
  name: "monitor series rollups",
  up(db) {
    db.exec(SERIES_ROLLUPS_DDL);
  },
};
