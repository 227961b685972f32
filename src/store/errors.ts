/**
 * Errors of the control plane's store. Each carries a stable code; none of them is ever answered by
 * deleting or recreating the database file: stored config versions are the audit trail.
 */
import { RampartError } from "../errors.js";

export type StoreErrorCode =
  /** The data folder or database file cannot be opened or created. */
  | "STORE_OPEN_FAILED"
  /** The file is not a SQLite database or fails its integrity check. */
  | "STORE_CORRUPT"
  /** The database was migrated by a newer Rampart (or a different branch of the schema). */
  | "STORE_SCHEMA_TOO_NEW"
  /** A document or value is above the stored size limit. */
  | "STORE_TOO_LARGE"
  /** The latest version is not the one the caller planned against. */
  | "STORE_CONFLICT"
  /** A referenced row (version, token) does not exist. */
  | "STORE_NOT_FOUND"
  /** Input the store refuses (bad role, bad kind, non-JSON value). */
  | "STORE_INVALID";

export class StoreError extends RampartError {
  declare readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}
