/**
 * Typed errors of the alerts part: a rule expression, a matcher or a duration that does not parse
 * (bad input, with the position), and silences that are unknown or malformed.
 */
import { RampartError } from "../errors.js";

export type AlertsErrorCode =
  | "ALERT_EXPR_INVALID"
  | "ALERT_MATCHER_INVALID"
  | "ALERT_DURATION_INVALID"
  | "SILENCE_INVALID"
  | "SILENCE_NOT_FOUND";

export class AlertsError extends RampartError {
  declare readonly code: AlertsErrorCode;

  constructor(code: AlertsErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}
