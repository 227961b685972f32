/**
 * Request ids: the client's (or the edge in front's) is kept when it is sane, otherwise one is made.
 * Generated ids are a per-process random prefix plus a counter: unique across restarts and hosts
 * with high probability, and about 10x cheaper than crypto.randomUUID() (see the report in
 * test/gateway/requestId.test.ts), which matters on a path run for every request.
 */
import { randomBytes } from "node:crypto";

/** Longest id kept from a client; longer ones are replaced (log lines and headers stay bounded). */
export const MAX_REQUEST_ID_LENGTH = 128;

// Letters, digits and the few punctuation marks real id schemes use (UUIDs, ULIDs, AWS/Cloudflare
// trace ids, base64). No quote, backslash or space: the id goes into JSON bodies and log lines raw.
const VALID_ID = /^[A-Za-z0-9._:+/=@-]{1,128}$/;

export function isValidRequestId(value: string | undefined): value is string {
  return value !== undefined && value.length <= MAX_REQUEST_ID_LENGTH && VALID_ID.test(value);
}

const PREFIX = `${randomBytes(5).toString("hex")}-`;
let counter = 0;

export function newRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return PREFIX + counter.toString(36);
}

/** The client's id when valid, else a fresh one. */
export function requestIdFor(value: string | string[] | undefined): string {
  return typeof value === "string" && isValidRequestId(value) ? value : newRequestId();
}
