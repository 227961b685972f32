/**
 * Pieces shared by the body processors: the result builder, the argument limit, and the error
 * texts that every processor uses the same way. A processor returns data and never throws; a body
 * it cannot process becomes `error` (REQBODY_ERROR = 1, REQBODY_ERROR_MSG = the text).
 */
import type { BodyParseResult, ByteString, UploadedFile } from "../types.js";

/** REQBODY_ERROR_MSG when a body holds more arguments than `BodyLimits.maxArgs`. */
export const TOO_MANY_ARGUMENTS = "too many arguments";

export type BodyVariableValue = ByteString | ReadonlyArray<readonly [ByteString, ByteString]>;

export interface BodyResultParts {
  readonly args?: ReadonlyArray<readonly [ByteString, ByteString]>;
  readonly files?: readonly UploadedFile[];
  readonly error?: string | undefined;
  readonly variables?: ReadonlyMap<string, BodyVariableValue>;
  readonly xmlText?: readonly ByteString[];
}

const NO_ARGS: ReadonlyArray<readonly [ByteString, ByteString]> = Object.freeze([]);
const NO_FILES: readonly UploadedFile[] = Object.freeze([]);
const NO_VARIABLES: ReadonlyMap<string, BodyVariableValue> = new Map();

/** Builds a result; absent parts are shared frozen empties, so an empty body allocates one object. */
export function bodyResult(parts: BodyResultParts): BodyParseResult {
  const base = {
    args: parts.args ?? NO_ARGS,
    files: parts.files ?? NO_FILES,
    error: parts.error,
    variables: parts.variables ?? NO_VARIABLES,
  };
  return parts.xmlText === undefined ? base : { ...base, xmlText: parts.xmlText };
}

/** The result of a processor that failed in a way it did not foresee (the registry's safety net). */
export function internalErrorResult(processor: string, cause: unknown): BodyParseResult {
  const why = cause instanceof Error ? cause.message : String(cause);
  return bodyResult({ error: `${processor} parsing error: internal error: ${why}` });
}
