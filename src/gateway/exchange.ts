/**
 * One request through the gateway, from head to log line: door checks, routing, rate limits, the
 * guard (WAF seam), the concurrency permit, then the upstream exchange. The Exchange object is the
 * undici dispatch handler itself (undici's lib/handler layering), so proxying a request allocates
 * this one object plus the header lists, and the response body streams through with backpressure
 * (pause the upstream while the client socket drains) and is never buffered.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Transform, type TransformCallback } from "node:stream";
import type { Dispatcher } from "undici";
import type { Permit } from "../ratelimit/index.js";
import { clientIp, rateLimitHeaders, ShedError } from "../ratelimit/index.js";
import type { RateLimitDecision } from "../ratelimit/types.js";
import { BodyTooLargeError } from "./errors.js";
import type { GuardSession, GuardVerdict } from "./guard.js";
import { type BodyFraming, checkRequestHead } from "./head.js";
import { clientResponseHeaders, upstreamRequestHeaders } from "./headers.js";
import type { RouteStats } from "./metrics.js";
import { requestIdFor } from "./requestId.js";
import { type GatewayAnswer, sendAnswer } from "./responses.js";
import type { CompiledRoute, Runtime } from "./runtime.js";
import { rateLimitKey } from "./runtime.js";
import type { SecondOutcome } from "./seconds.js";
import type { Target, Upstream } from "./upstream.js";

/** What an Exchange needs from the gateway that runs it. */
export interface ExchangeHost {
  readonly closing: boolean;
  readonly unroutedStats: RouteStats;
  readonly guard: import("./guard.js").RequestGuard | undefined;
  consume(
    key: string,
    rl: CompiledRoute["rateLimits"][number],
    now: number,
  ): RateLimitDecision | Promise<RateLimitDecision>;
  countRejected(reason: string): void;
  finished(ex: Exchange): void;
}

/** Counts body bytes of a chunked request and fails the stream past the limit (413 mid-stream). */
class BodyCap extends Transform {
  seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) cb(new BodyTooLargeError(this.limit));
    else cb(null, chunk);
  }
}

class ClientGoneError extends Error {
  readonly code = "GATEWAY_CLIENT_GONE";
}

const CLIENT_GONE = new ClientGoneError("client closed the connection");

/** Upstream failures that mean "could not reach it" (502) vs "it did not answer in time" (504). */
const TIMEOUT_CODES = new Set([
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "ETIMEDOUT",
]);

function hostOf(value: string | undefined): string {
  if (value === undefined) return "";
  let end = value.length;
  if (value.charCodeAt(0) === 0x5b) {
    const close = value.indexOf("]");
    if (close > 0) end = close + 1;
  } else {
    const colon = value.indexOf(":");
    if (colon >= 0) end = colon;
  }
  return value.slice(0, end).toLowerCase();
}

/** Origin-form path of a request target (absolute-form `http://h/p` -> `/p`). */
function pathOf(url: string): string {
  if (url.charCodeAt(0) === 0x2f) return url;
  const m = /^https?:\/\/[^/?#]*/i.exec(url);
  if (m === null) return url;
  const rest = url.slice(m[0].length);
  return rest === "" ? "/" : rest;
}

export class Exchange implements Dispatcher.DispatchHandler {
  readonly start: number;
  readonly framing: BodyFraming = { contentLength: -1, chunked: false, headBytes: 0 };
  id = "";
  ip = "";
  path = "";
  route: CompiledRoute | undefined = undefined;
  stats: RouteStats;
  upstream: Upstream | undefined = undefined;
  target: Target | undefined = undefined;
  permit: Permit | undefined = undefined;
  decision = "allowed";
  outcome: SecondOutcome = "other";
  /** The WAF module of the rule family that blocked, when the WAF says (per-module block counts). */
  blockedModule: string | undefined = undefined;
  upstreamStart = 0;
  upstreamMs = -1;
  bytesOut = 0;
  responseStarted = false;
  /**
   * When the last byte was handed to the socket (0 if never): the request's duration. The response's
   * 'close' event comes later, after the event loop gets to it, and would add its lag under load.
   */
  endedAt = 0;
  done = false;
  private controller: Dispatcher.DispatchController | undefined = undefined;
  private cap: BodyCap | undefined = undefined;
  private abortWait: AbortController | undefined = undefined;
  private resumeBound: (() => void) | undefined = undefined;
  /** The WAF's view of this request, when a guard is configured. */
  private session: GuardSession | undefined = undefined;
  /** Request body read for inspection (phase 2), sent upstream as one buffer. */
  private requestBody: Buffer | undefined = undefined;
  /** Response held back for inspection (phase 4): head and chunks until the end or the limit. */
  private held:
    | { status: number; headers: string[]; chunks: Buffer[]; size: number; limit: number }
    | undefined = undefined;

  constructor(
    readonly host: ExchangeHost,
    readonly rt: Runtime,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.start = performance.now();
    this.stats = host.unroutedStats;
  }

  get bytesIn(): number {
    const f = this.framing;
    return f.headBytes + (this.cap !== undefined ? this.cap.seen : Math.max(f.contentLength, 0));
  }

  /** Runs the request; every path ends in exactly one answer and one `finished` call. */
  run(): void {
    const { req, res, rt } = this;
    this.id = requestIdFor(req.headers[rt.requestIdHeader]);
    this.path = req.url ?? "";
    res.once("close", () => this.onClientClose());

    const rejection = checkRequestHead(
      req as Required<Pick<IncomingMessage, "method" | "url">> & IncomingMessage,
      rt.limits,
      this.framing,
    );
    if (rejection !== undefined) {
      this.host.countRejected(rejection.reason);
      this.decision = `rejected:${rejection.reason}`;
      this.inspectRejected();
      let extra: string[] | undefined;
      if (rejection.answer === "method_not_allowed" && rt.limits.methods !== undefined) {
        extra = ["allow", [...rt.limits.methods].join(", ")];
      }
      this.answer(rejection.answer, extra, true);
      return;
    }
    const socket = req.socket;
    const remote = socket.remoteAddress ?? "";
    const xff = req.headers["x-forwarded-for"];
    this.ip = clientIp(remote, typeof xff === "string" ? xff : xff?.join(", "), rt.trustedList);

    const route = rt.match(hostOf(req.headers.host), pathOf(this.path), req.method!);
    if (route === undefined) {
      this.decision = "no_route";
      this.answer("not_found", undefined, false);
      return;
    }
    this.route = route;
    this.stats = route.stats;
    this.upstream = route.upstream;
    route.stats.inFlight++;

    if (route.rateLimits.length > 0) {
      const now = Date.now();
      const decisions: RateLimitDecision[] = [];
      let pending: Promise<RateLimitDecision>[] | undefined;
      for (const rl of route.rateLimits) {
        const d = this.host.consume(rateLimitKey(rl, { ip: this.ip, headers: req.headers }), rl, now);
        if (d instanceof Promise) (pending ??= []).push(d);
        else decisions.push(d);
      }
      if (pending !== undefined) {
        Promise.all(pending).then(
          (ds) => this.afterRateLimits(decisions.concat(ds)),
          () => this.afterRateLimits(decisions), // a store outage fails open: availability first
        );
        return;
      }
      this.afterRateLimits(decisions);
      return;
    }
    this.afterRateLimits(undefined);
  }

  private afterRateLimits(decisions: RateLimitDecision[] | undefined): void {
    if (this.done) return;
    if (decisions !== undefined) {
      for (let i = 0; i < decisions.length; i++) {
        if (decisions[i]!.allowed) continue;
        const route = this.route!;
        this.decision =
          route.rateLimits.find((rl) => rl.policy === decisions[i]!.policy)?.decision ?? "rate_limited";
        this.outcome = "rate_limited";
        this.stats.rateLimited++;
        const h = rateLimitHeaders(decisions);
        const extra: string[] = [];
        for (const [k, v] of Object.entries(h)) if (v !== undefined) extra.push(k, v);
        this.answer("too_many_requests", extra, false);
        return;
      }
    }
    const guard = this.host.guard;
    if (guard !== undefined) {
      const req = this.req;
      const session = guard.open({
        method: req.method!,
        url: this.path,
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        requestId: this.id,
        clientIp: this.ip,
        remotePort: req.socket.remotePort ?? 0,
        serverPort: req.socket.localPort ?? 0,
        route: this.route!.name,
      });
      this.session = session;
      const verdict = this.inspect(() => session.requestHead());
      if (verdict !== undefined) {
        this.block(verdict, true);
        return;
      }
      const f = this.framing;
      const hasBody = f.chunked || f.contentLength > 0;
      if (hasBody && session.requestBodyLimit > 0) {
        this.readRequestBody(Math.min(session.requestBodyLimit, this.rt.limits.maxBodyBytes));
        return;
      }
      this.afterRequestBody(undefined);
      return;
    }
    this.acquirePermit();
  }

  /**
   * A request refused at the door is still shown to the WAF (phases 1 and 2, no body), so that the
   * attacks that hardening stops are logged as what they are. The answer stays the rejection.
   */
  private inspectRejected(): void {
    const guard = this.host.guard;
    if (guard === undefined) return;
    const req = this.req;
    this.inspect(() => {
      const session = guard.open({
        method: req.method ?? "",
        url: this.path,
        httpVersion: req.httpVersion,
        rawHeaders: req.rawHeaders,
        requestId: this.id,
        clientIp: req.socket.remoteAddress ?? "",
        remotePort: req.socket.remotePort ?? 0,
        serverPort: req.socket.localPort ?? 0,
        route: "",
      });
      this.session = session;
      if (session.requestHead() === undefined) session.requestBody(undefined);
    });
  }

  /** Buffers the request body for phase 2 (the WAF needs all of it before the upstream sees any). */
  private readRequestBody(limit: number): void {
    const req = this.req;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off("data", onData);
        req.off("end", onEnd);
        this.decision = "rejected:413_body_too_large";
        this.host.countRejected("413_body_too_large");
        this.answer("payload_too_large", undefined, true);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      if (this.done) return;
      this.requestBody = Buffer.concat(chunks, size);
      this.afterRequestBody(this.requestBody);
    };
    req.on("data", onData);
    req.once("end", onEnd);
  }

  private afterRequestBody(body: Buffer | undefined): void {
    if (this.done) return;
    const verdict = this.inspect(() => this.session!.requestBody(body));
    if (verdict !== undefined) {
      this.block(verdict, body === undefined && (this.framing.chunked || this.framing.contentLength > 0));
      return;
    }
    this.acquirePermit();
  }

  /**
   * Runs a WAF step. The engine is never supposed to throw; if a bug makes it, the request fails
   * closed (500) instead of passing uninspected or taking the process down.
   */
  private inspect<T>(step: () => T): T | GuardVerdict {
    try {
      return step();
    } catch {
      this.host.countRejected("waf_error");
      return { status: 500, reason: "waf_error" };
    }
  }

  /** Answers as the WAF decided: a status (403 by default), a redirect, or a dropped connection. */
  private block(verdict: GuardVerdict, close: boolean): void {
    this.decision = `blocked:${verdict.reason}`;
    this.outcome = "blocked";
    this.blockedModule = verdict.module;
    this.controller?.abort(CLIENT_GONE);
    if (verdict.drop) {
      this.res.destroy();
      return;
    }
    if (verdict.location !== undefined) {
      this.answer("blocked", ["location", verdict.location], close, verdict.status || 302);
      return;
    }
    this.answer(verdict.status >= 500 ? "internal_error" : "blocked", undefined, close, verdict.status);
  }

  private acquirePermit(): void {
    const upstream = this.upstream!;
    const limiter = upstream.limiter;
    if (limiter === undefined) {
      this.proxy();
      return;
    }
    const permit = limiter.tryAcquire(this.route!.priority);
    if (permit !== undefined) {
      this.permit = permit;
      this.proxy();
      return;
    }
    this.abortWait = new AbortController();
    limiter
      .acquire(this.route!.priority, {
        timeoutMs: this.route!.queueTimeoutMs,
        signal: this.abortWait.signal,
      })
      .then(
        (p) => {
          this.abortWait = undefined;
          if (this.done) {
            p.release({ latencyMs: 0, ok: true });
            return;
          }
          this.permit = p;
          this.proxy();
        },
        (err: unknown) => {
          this.abortWait = undefined;
          if (this.done) return;
          if (err instanceof ShedError) {
            this.decision = `shed:${err.reason}`;
            this.outcome = "shed";
            const i = err.reason === "queue_full" ? 0 : err.reason === "queue_timeout" ? 1 : 2;
            this.stats.shed[i]!++;
            this.answer("service_unavailable", ["retry-after", "1"], false);
            return;
          }
          this.answer("internal_error", undefined, true);
        },
      );
  }

  private proxy(): void {
    const { req, rt } = this;
    const upstream = this.upstream!;
    const target = upstream.pick(performance.now());
    this.target = target;
    const f = this.framing;
    let body: IncomingMessage | BodyCap | Buffer | null = null;
    if (this.requestBody !== undefined) {
      body = this.requestBody;
    } else if (f.chunked) {
      const cap = new BodyCap(rt.limits.maxBodyBytes);
      this.cap = cap;
      req.on("error", (err) => cap.destroy(err));
      req.pipe(cap);
      body = cap;
    } else if (f.contentLength > 0) {
      body = req;
    }
    const headers = upstreamRequestHeaders(req.rawHeaders, {
      remoteAddress: req.socket.remoteAddress ?? "",
      peerTrusted: rt.trusted.has(req.socket.remoteAddress ?? ""),
      proto: "encrypted" in req.socket && req.socket.encrypted === true ? "https" : "http",
      requestIdHeader: rt.requestIdHeader,
      requestId: this.id,
    });
    this.upstreamStart = performance.now();
    target.pool.dispatch(
      {
        path: this.path.charCodeAt(0) === 0x2f ? this.path : pathOf(this.path),
        method: req.method as Dispatcher.HttpMethod,
        headers,
        body,
        headersTimeout: upstream.config.headersTimeoutMs,
        bodyTimeout: upstream.config.bodyTimeoutMs,
      },
      this,
    );
  }

  // undici DispatchHandler ------------------------------------------------------------------

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.done) controller.abort(CLIENT_GONE);
  }

  onResponseStart(
    _c: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    if (statusCode < 200) return; // 1xx informational: not forwarded (100 Continue is answered by node)
    const now = performance.now();
    this.upstreamMs = now - this.upstreamStart;
    this.upstream!.report(this.target!, statusCode, now);
    if (this.outcome === "other") this.outcome = "ok";
    const out = clientResponseHeaders(headers, this.rt.requestIdHeader, this.id);
    const session = this.session;
    if (session !== undefined) {
      const verdict = this.inspect(() => session.responseHead(statusCode, headers));
      if (verdict !== undefined) {
        this.block(verdict, false);
        return;
      }
      const type = headers["content-type"];
      const limit = session.responseBodyLimit(Array.isArray(type) ? type[0] : type);
      if (limit > 0 && this.req.method !== "HEAD") {
        this.held = { status: statusCode, headers: out, chunks: [], size: 0, limit };
        return;
      }
    }
    this.writeHead(statusCode, out);
  }

  private writeHead(statusCode: number, out: string[]): void {
    this.responseStarted = true;
    if (this.host.closing) {
      out.push("connection", "close");
      this.res.shouldKeepAlive = false;
    }
    this.res.writeHead(statusCode, out);
  }

  /** Phase 4 on the held response; then it goes out as it came, or the WAF's answer instead. */
  private releaseHeld(): boolean {
    const held = this.held!;
    this.held = undefined;
    // Mostly one chunk (a small body): shown and sent as it came, without a copy.
    const body = held.chunks.length === 1 ? held.chunks[0]! : Buffer.concat(held.chunks, held.size);
    const verdict = this.inspect(() => this.session!.responseBody(body));
    if (verdict !== undefined) {
      this.block(verdict, true);
      return false;
    }
    const out = held.headers;
    this.writeHead(held.status, out);
    this.bytesOut += body.length;
    if (body.length > 0) this.res.write(body);
    return true;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.done) return;
    const held = this.held;
    if (held !== undefined) {
      if (held.size + chunk.length <= held.limit) {
        held.chunks.push(chunk);
        held.size += chunk.length;
        return;
      }
      // Past the inspection limit: judge what was held (ProcessPartial), then stream the rest.
      if (!this.releaseHeld()) return;
    }
    if (!this.responseStarted) return;
    this.bytesOut += chunk.length;
    if (!this.res.write(chunk)) {
      controller.pause();
      this.resumeBound ??= () => this.controller?.resume();
      this.res.once("drain", this.resumeBound);
    }
  }

  onResponseEnd(): void {
    if (this.done) return;
    if (this.held !== undefined) {
      if (!this.releaseHeld()) return;
    } else if (this.session !== undefined && this.responseStarted) {
      const session = this.session;
      this.inspect(() => session.responseBody(undefined)); // phase 4 still runs; its verdict comes too late to act on
    }
    this.res.end();
    this.endedAt = performance.now();
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (err === CLIENT_GONE) return;
    const code = (err as { code?: string }).code ?? "";
    if (err instanceof BodyTooLargeError) {
      this.decision = "rejected:413_body_too_large";
      this.host.countRejected("413_body_too_large");
      if (!this.responseStarted) this.answer("payload_too_large", undefined, true);
      else this.res.destroy();
      return;
    }
    if (this.responseStarted) {
      // Mid-body failure: the status is on the wire already; cut the connection so the client
      // sees a truncated response rather than a complete-looking one.
      this.decision = `upstream_error:${code || err.name}`;
      this.res.destroy();
      return;
    }
    if (this.done) return;
    const timeout = TIMEOUT_CODES.has(code);
    if (code === "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH" || code === "UND_ERR_ABORTED" || this.req.destroyed) {
      // The client stopped sending its body: nobody to answer.
      this.decision = "client_aborted";
      this.res.destroy();
      return;
    }
    this.upstream!.report(this.target!, 0, performance.now());
    this.decision = `upstream_error:${code || err.name}`;
    this.answer(
      timeout ? "gateway_timeout" : "bad_gateway",
      undefined,
      this.framing.chunked || this.framing.contentLength > 0,
    );
  }

  // ------------------------------------------------------------------------------------------

  /** Sends a gateway answer (the request is over for the upstream). */
  answer(error: GatewayAnswer, extra: readonly string[] | undefined, close: boolean, status?: number): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return;
    if (this.host.closing) close = true;
    this.responseStarted = true;
    sendAnswer(res, error, this.rt.requestIdHeader, this.id, extra, close, status);
    this.endedAt = performance.now();
    this.bytesOut += 48 + this.id.length;
  }

  private onClientClose(): void {
    if (!this.res.writableFinished) {
      if (this.decision === "allowed") this.decision = "client_closed";
      this.controller?.abort(CLIENT_GONE);
      this.abortWait?.abort();
      this.cap?.destroy();
    }
    this.done = true;
    const session = this.session;
    if (session !== undefined) this.inspect(() => session.finish());
    const permit = this.permit;
    if (permit !== undefined) {
      const status = this.res.statusCode;
      permit.release({
        latencyMs: this.upstreamMs >= 0 ? this.upstreamMs : performance.now() - this.start,
        ok: this.res.writableFinished && status < 500,
      });
      this.permit = undefined;
    }
    this.host.finished(this);
  }
}
