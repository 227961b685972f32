/**
 * The seam where the WAF plugs into the gateway. The gateway knows nothing of rules: it hands a
 * RequestGuard the request head once the request is routed and past the rate limits, and obeys the
 * verdict. The guard is built from the config by a factory given to startGateway, and rebuilt on
 * every reload, so `waf:` settings follow config changes like everything else.
 *
 * Not yet here (for the WAF engineer): request body inspection (phase 2) needs the gateway to
 * buffer bodies up to a limit before proxying; response phases need a hook on the upstream response
 * head. Both belong in this interface as optional methods when the engine is ready.
 */
import type { RampartConfig } from "../config/schema.js";
import type { RequestHead } from "./head.js";

export interface GuardRequest extends RequestHead {
  readonly requestId: string;
  readonly clientIp: string;
  readonly route: string;
}

export interface GuardVerdict {
  /** HTTP status to answer with (403 usually). */
  readonly status: number;
  /** Short reason for the access log decision (`blocked:<reason>`), e.g. a rule id. */
  readonly reason: string;
}

export interface RequestGuard {
  /** undefined lets the request through. May be async; keep it sync when possible (hot path). */
  checkRequest(req: GuardRequest): GuardVerdict | undefined | Promise<GuardVerdict | undefined>;
}

/** Builds the guard for a config; returning undefined means no guard (waf.mode: off). */
export type RequestGuardFactory = (config: RampartConfig) => RequestGuard | undefined;
