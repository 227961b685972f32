/**
 * The seam where the WAF plugs into the gateway. The gateway knows nothing of rules: once a request
 * is routed and past the rate limits it opens a GuardSession and calls it at each step of the
 * exchange (request head, request body, response head, response body, end), obeying its verdicts.
 * The guard is built from the config by a factory given to startGateway, and rebuilt on every
 * reload, so `waf:` settings follow config changes like everything else.
 */
import type { RampartConfig } from "../config/schema.js";
import type { RequestHead } from "./head.js";

export interface GuardRequest extends RequestHead {
  readonly requestId: string;
  readonly clientIp: string;
  readonly remotePort: number;
  readonly serverPort: number;
  readonly route: string;
  /** The protocol as sent, when it is not `HTTP/<httpVersion>` (requests node's parser refused). */
  readonly protocol?: string;
}

export interface GuardVerdict {
  /** HTTP status to answer with (403 usually). */
  readonly status: number;
  /** Short reason for the access log decision (`blocked:<reason>`), e.g. a rule id. */
  readonly reason: string;
  /** Close the connection without an answer (SecLang `drop`). */
  readonly drop?: boolean;
  /** Redirect target (SecLang `redirect`). */
  readonly location?: string;
  /** The WAF module (src/waf/crs/modules.ts) of the rule family that made the request block. */
  readonly module?: string;
}

/** One request's inspection. Every method is synchronous: the engine does no I/O. */
export interface GuardSession {
  /** Phase 1, on the request head. */
  requestHead(): GuardVerdict | undefined;
  /** Bytes of request body to buffer and show before proxying; 0 = stream it, uninspected. */
  readonly requestBodyLimit: number;
  /** Phase 2, always called (with undefined when there is no body or it is not inspected). */
  requestBody(body: Buffer | undefined): GuardVerdict | undefined;
  /** Phase 3, on the upstream's response head. */
  responseHead(
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): GuardVerdict | undefined;
  /** Bytes of response body to buffer for inspection for this content type; 0 = stream it. */
  responseBodyLimit(contentType: string | undefined): number;
  /** Phase 4 (body undefined when not inspected). */
  responseBody(body: Buffer | undefined): GuardVerdict | undefined;
  /** Phase 5 and logging; called once when the exchange is over, whatever happened. */
  finish(): void;
}

export interface RequestGuard {
  open(req: GuardRequest): GuardSession;
  /** What is live, for attestation (`rampart waf status`, admin /waf/status). */
  status(): unknown;
}

/** Builds the guard for a config; returning undefined means no guard (waf.mode: off). */
export type RequestGuardFactory = (config: RampartConfig) => RequestGuard | undefined;
