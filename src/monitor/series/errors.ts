/** Typed errors of the series monitor: bad queries are bad input, never a crash. */
import { RampartError } from "../../errors.js";

export type SeriesErrorCode = "SERIES_UNKNOWN_NAME" | "SERIES_BAD_QUERY";

export class SeriesError extends RampartError {
  constructor(code: SeriesErrorCode, message: string, options?: { hint?: string }) {
    super(code, message, options);
  }
}
