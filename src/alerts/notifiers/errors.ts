/**
 * Errors of the notifiers and their dispatcher. A send failure says whether trying again may help
 * (`retryable`): the dispatcher retries those with backoff and fails the others at once. HTTP
 * answers follow RFC 9110 §15: 408 and 429 are the client-side answers that invite a retry, other
 * 4xx mean the request itself is wrong and will stay wrong; 5xx, timeouts and network errors retry.
 * SMTP follows RFC 5321 §4.2.1: 4yz replies are transient, 5yz permanent.
 */
import { RampartError } from "../../errors.js";

export type NotifierErrorCode =
  /** enqueue() or a test names a receiver that the config does not define. */
  | "NOTIFIER_UNKNOWN_RECEIVER"
  /** A notification that cannot be stored (not JSON, too large). */
  | "NOTIFIER_INVALID"
  /** A secret is given by environment variable name and the variable is not set. */
  | "NOTIFIER_SECRET_MISSING"
  /** The peer answered, and refused the request for good (4xx other than 408/429, SMTP 5yz). */
  | "NOTIFIER_REJECTED"
  /** The peer answered with a transient failure (5xx, 408, 429, SMTP 4yz). */
  | "NOTIFIER_PEER_FAILED"
  /** No answer within the receiver's timeoutMs. */
  | "NOTIFIER_TIMEOUT"
  /** The peer could not be reached (DNS, refused connection, reset, TLS). */
  | "NOTIFIER_UNREACHABLE"
  /** The dispatcher stopped while the attempt was under way. */
  | "NOTIFIER_INTERRUPTED"
  /** Stored on a row given up at retry.maxAgeMs before any attempt (never thrown). */
  | "NOTIFIER_EXPIRED";

export class NotifierError extends RampartError {
  declare readonly code: NotifierErrorCode;
  /** Trying again later may succeed. */
  readonly retryable: boolean;
  /**
   * The receiver's settings or environment are wrong (a missing secret, an unknown receiver):
   * the receiver is reported failing at once instead of after several failed attempts.
   */
  readonly misconfigured: boolean;
  /** The peer asked for this pause before the next attempt (HTTP Retry-After). */
  readonly retryAfterMs: number | undefined;
  /** HTTP status or SMTP reply code, when the peer answered. */
  readonly status: number | undefined;

  constructor(
    code: NotifierErrorCode,
    message: string,
    options: {
      retryable: boolean;
      misconfigured?: boolean;
      retryAfterMs?: number;
      status?: number;
      hint?: string;
      cause?: unknown;
    },
  ) {
    super(code, message, {
      ...(options.hint === undefined ? {} : { hint: options.hint }),
      ...(options.cause === undefined ? {} : { cause: options.cause }),
    });
    this.retryable = options.retryable;
    this.misconfigured = options.misconfigured ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** Any failure as a NotifierError: unexpected ones (a bug in a notifier) are retried, not lost. */
export function asNotifierError(err: unknown): NotifierError {
  if (err instanceof NotifierError) return err;
  return new NotifierError(
    "NOTIFIER_PEER_FAILED",
    `unexpected failure: ${(err as Error)?.message ?? String(err)}`,
    {
      retryable: true,
      cause: err,
    },
  );
}
