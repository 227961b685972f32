/**
 * Errors of the control plane's HTTP API, from one table of codes with their HTTP status (as
 * fastify's FST_ERR_* table). Every error body has the same shape:
 * `{ "error": CODE, "message": "...", "hint"?: "...", ...details }`, so clients switch on `error`.
 */
import { RampartError } from "../errors.js";

export const API_ERRORS = {
  /** No token, a malformed one, an unknown or a revoked one. */
  UNAUTHORIZED: 401,
  /** The token's role is below what the route needs. */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  /** GET /config before the first apply. */
  NO_CONFIG: 404,
  VERSION_NOT_FOUND: 404,
  TOKEN_NOT_FOUND: 404,
  /** The body or query does not match the route's schema. */
  INVALID_REQUEST: 400,
  /** The body is not JSON. */
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** The body is above the API's limit (2 MiB), or a document above the store's. */
  BODY_TOO_LARGE: 413,
  /** The config document does not validate; `issues` has every problem. */
  CONFIG_INVALID: 422,
  /** A policy refuses the config; `verdicts` and `override` say what and how to override. */
  CONFIG_POLICY_REFUSED: 409,
  /** Another version was applied since the one the caller planned against. */
  CONFIG_CONFLICT: 409,
  /** The store cannot serve the request (damaged, locked too long). */
  STORE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export type ErrorDetails = { readonly [key: string]: unknown };

export class ApiError extends RampartError {
  declare readonly code: ApiErrorCode;
  readonly status: number;
  readonly details: ErrorDetails;

  constructor(code: ApiErrorCode, message: string, options?: { hint?: string; details?: ErrorDetails }) {
    super(code, message, options?.hint === undefined ? undefined : { hint: options.hint });
    this.status = API_ERRORS[code];
    this.details = options?.details ?? {};
  }
}

/** The JSON body of an error answer. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly hint?: string;
  readonly [detail: string]: unknown;
}
