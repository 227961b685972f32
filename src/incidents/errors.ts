/**
 * Errors of incidents, actions, runbooks and postmortems. Each has a stable code the API maps to a
 * status (the table below, read by src/api/app.ts) and the CLI to an exit code; a refused request
 * changes nothing.
 */
import { RampartError } from "../errors.js";

export type IncidentErrorCode =
  /** No incident with that id. */
  | "INCIDENT_NOT_FOUND"
  /** The state change is not allowed from the incident's state (resolve twice, acknowledge a resolved one). */
  | "INCIDENT_ILLEGAL_TRANSITION"
  /** The request would change nothing (same severity, a responder already listed). */
  | "INCIDENT_NO_CHANGE"
  /** Input the incident store refuses (empty title, unknown severity, bad date). */
  | "INCIDENT_INVALID"
  /** No action item with that id. */
  | "ACTION_NOT_FOUND"
  /** The action item is already done. */
  | "ACTION_ALREADY_DONE"
  /** No built-in runbook with that name. */
  | "RUNBOOK_NOT_FOUND"
  /** `--tz` names no IANA time zone. */
  | "POSTMORTEM_BAD_TIMEZONE"
  /** `rampart limits tighten`: the route does not exist or has nothing to tighten. */
  | "LIMITS_NOT_TIGHTENABLE";

export class IncidentError extends RampartError {
  declare readonly code: IncidentErrorCode;

  constructor(code: IncidentErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}

/** HTTP status of each code, for the API (a table, as src/api/errors.ts). */
export const INCIDENT_ERROR_STATUS: Readonly<Record<IncidentErrorCode, number>> = {
  INCIDENT_NOT_FOUND: 404,
  INCIDENT_ILLEGAL_TRANSITION: 409,
  INCIDENT_NO_CHANGE: 409,
  INCIDENT_INVALID: 400,
  ACTION_NOT_FOUND: 404,
  ACTION_ALREADY_DONE: 409,
  RUNBOOK_NOT_FOUND: 404,
  POSTMORTEM_BAD_TIMEZONE: 400,
  LIMITS_NOT_TIGHTENABLE: 400,
};

export function notFound(id: number): IncidentError {
  return new IncidentError("INCIDENT_NOT_FOUND", `no incident ${id}`, {
    hint: "rampart incident list shows the incidents and their ids",
  });
}
