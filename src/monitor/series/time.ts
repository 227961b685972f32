/**
 * Times and durations as people type them in queries and on the command line: `90s`, `10m`, `2h`,
 * `7d` (durations; as a time, that long ago), an ISO 8601 time, or Unix seconds.
 */
import { SeriesError } from "./errors.js";

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `10s`, `5m`, `2h`, `7d`, `1w` (or a bare number of seconds) -> seconds. */
export function parseDurationSeconds(text: string, what = "duration"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$/.exec(text);
  if (m === null) {
    throw new SeriesError("SERIES_BAD_QUERY", `${what} ${JSON.stringify(text)} is not a duration`, {
      hint: "use a number with a unit: 30s, 10m, 2h, 7d",
    });
  }
  return Number(m[1]) * UNIT_SECONDS[m[2] || "s"]!;
}

/** A duration (that long before `nowS`), an ISO 8601 time or Unix seconds -> Unix seconds. */
export function parseTimeSeconds(text: string, nowS: number, what = "time"): number {
  const t = text.trim();
  if (/^\d{9,}$/.test(t)) return Number(t);
  if (/^\d+(?:\.\d+)?[smhdw]$/.test(t)) return Math.floor(nowS - parseDurationSeconds(t, what));
  const ms = Date.parse(t);
  if (Number.isNaN(ms) || !/^\d{4}-\d{2}-\d{2}/.test(t)) {
    throw new SeriesError("SERIES_BAD_QUERY", `${what} ${JSON.stringify(text)} is not a time`, {
      hint: "use ISO 8601 (2026-01-31T12:00:00Z), Unix seconds, or a duration ago (10m)",
    });
  }
  return Math.floor(ms / 1000);
}
