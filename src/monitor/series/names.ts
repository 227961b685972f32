/**
 * The series the monitor keeps and the shapes it hands out. The names are fixed: alert rules,
 * the CLI and the dashboard refer to them.
 */

export const SERIES_NAMES = [
  "requests",
  "s2xx",
  "s4xx",
  "s5xx",
  "error_ratio",
  "blocked",
  "block_ratio",
  "rate_limited",
  "shed",
  "p50_ms",
  "p99_ms",
  "unique_clients",
  "failed_clients",
  "waf_blocks",
] as const;

export type SeriesName = (typeof SERIES_NAMES)[number];

export function isSeriesName(name: string): name is SeriesName {
  return (SERIES_NAMES as readonly string[]).includes(name);
}

/** {} fleet-wide, {route} or {gateway}; waf_blocks also carries {module}. */
export type SeriesLabels = Readonly<Record<string, string>>;

/** One value of one series at one closed second, as `onSecond` listeners get it. */
export interface SeriesSample {
  readonly name: string;
  readonly labels: SeriesLabels;
  readonly value: number;
}

export interface SeriesPoint {
  /** Unix seconds: the start of the step. */
  readonly t: number;
  readonly value: number;
}

export interface SeriesResult {
  readonly name: SeriesName;
  readonly labels: SeriesLabels;
  readonly stepSeconds: number;
  /** Where the points came from: the 1 s ring in memory, or the 1 min / 1 h rollups. */
  readonly source: "ring" | "minute" | "hour";
  readonly points: readonly SeriesPoint[];
}

/** One route of `rampart top`: rates are per second over the window. */
export interface RouteActivity {
  readonly route: string;
  readonly requestsPerSecond: number;
  readonly errorRatio: number;
  readonly p99Ms: number;
  readonly blockedPerSecond: number;
  readonly rateLimitedPerSecond: number;
  readonly shedPerSecond: number;
}
