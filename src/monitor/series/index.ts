/**
 * The monitor's traffic series: per-second points fleet-wide, per route and per gateway from the
 * gateways' attestations, the last hour in memory, minutes and hours in SQLite.
 */
export { SeriesError, type SeriesErrorCode } from "./errors.js";
export { HLL_PRECISION, HLL_STANDARD_ERROR } from "./hll.js";
export {
  type DistinctClients,
  type DistinctClientsQuery,
  Monitor,
  type MonitorOptions,
  type MonitorStats,
  monitorFor,
  type SecondListener,
  type SeriesQuery,
} from "./monitor.js";
export {
  isSeriesName,
  type RouteActivity,
  SERIES_NAMES,
  type SeriesLabels,
  type SeriesName,
  type SeriesPoint,
  type SeriesResult,
  type SeriesSample,
} from "./names.js";
