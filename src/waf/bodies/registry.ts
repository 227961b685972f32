/**
 * The body processor registry (the way Coraza's internal/bodyprocessors registers by name): each
 * processor file registers itself under an upper-case name (URLENCODED, MULTIPART, JSON, XML), and
 * the engine asks for the one `ctl:requestBodyProcessor` or the Content-Type selected. Adding a
 * processor is adding one file that calls `registerBodyProcessor` and importing it in index.ts.
 */
import type { BodyLimits, BodyParseResult, BodyProcessor, ByteString } from "../types.js";
import { internalErrorResult } from "./result.js";

const processors = new Map<string, BodyProcessor>();

/**
 * Registers `fn` under `name` (case-insensitive; stored upper-case). A later registration under
 * the same name replaces the earlier one, so a deployment can swap a processor. The stored function
 * never throws: an unexpected exception (a bug, a stack overflow) becomes an error result, because
 * bad input must never crash the gateway.
 */
export function registerBodyProcessor(name: string, fn: BodyProcessor): void {
  const upper = name.toUpperCase();
  const safe: BodyProcessor = (
    body: ByteString,
    contentType: ByteString,
    limits: BodyLimits,
  ): BodyParseResult => {
    try {
      return fn(body, contentType, limits);
    } catch (err) {
      return internalErrorResult(upper, err);
    }
  };
  processors.set(upper, safe);
}

/** The processor registered under `name` (any case), or undefined. */
export function getBodyProcessor(name: string): BodyProcessor | undefined {
  return processors.get(name.toUpperCase());
}

/** Names of the registered processors, upper-case, in registration order. */
export function bodyProcessorNames(): string[] {
  return [...processors.keys()];
}
