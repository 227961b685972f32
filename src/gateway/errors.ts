/**
 * Errors of the gateway part, each with a stable code. Per-request failures are not thrown: they
 * become HTTP answers (see responses.ts); these are for starting, reloading and stopping.
 */
import { RampartError } from "../errors.js";

export type GatewayErrorCode = "GATEWAY_LISTEN_FAILED" | "GATEWAY_RELOAD_REFUSED" | "GATEWAY_CLOSED";

export class GatewayError extends RampartError {
  declare readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}

/** Raised inside the request body stream when a body outgrows gateway.limits.maxBodyBytes. */
export class BodyTooLargeError extends RampartError {
  constructor(limit: number) {
    super("GATEWAY_BODY_TOO_LARGE", `request body exceeds ${limit} bytes`);
  }
}
