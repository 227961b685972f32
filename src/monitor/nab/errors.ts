/**
 * Typed errors of the series readers and the NAB scorer. Codes ending in `_INVALID` are bad input
 * (the CLI exits with 2); the others are missing files or folders.
 */
import { RampartError } from "../../errors.js";

export type SeriesErrorCode =
  | "SERIES_NOT_FOUND" // the CSV file does not exist or cannot be read
  | "SERIES_CSV_INVALID" // a line is not `timestamp,value`
  | "SERIES_ORDER_INVALID" // timestamps do not strictly increase
  | "NAB_NOT_FOUND" // a NAB folder lacks data/, labels/ or config/
  | "NAB_LABELS_INVALID" // combined_windows.json or profiles.json is malformed or names a missing timestamp
  | "NAB_RESULTS_INVALID"; // a results file is missing, short or has no anomaly_score column

export class SeriesError extends RampartError {
  constructor(code: SeriesErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}
