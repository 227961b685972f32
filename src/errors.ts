/**
 * Rampart's error base. Every error that crosses a boundary (CLI, API, gateway, config) is a
 * RampartError with a stable `code` that callers switch on, never on message text. Each part keeps
 * its own subclasses in its own `errors.ts`.
 */
export class RampartError extends Error {
  readonly code: string;
  /** What the user should do about it; printed under the message by the CLI. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options?.hint;
  }
}

/** Exit codes shared by every command (README, "Exit codes"). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  invalidInput: 2,
  refusedByPolicy: 3,
} as const;

export function isRampartError(err: unknown): err is RampartError {
  return err instanceof RampartError;
}
