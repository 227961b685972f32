/**
 * The gateway process: a thin node:http server (parsing and hardening live in head.ts, proxying in
 * exchange.ts), the admin listener, reload and graceful shutdown.
 *
 * Reload compiles a new Runtime and swaps one reference: requests that arrived before keep the
 * runtime they started with, new ones see the new one; upstreams whose settings did not change are
 * carried over (pools, health, limiter), the others are closed once their last request ends.
 * Shutdown follows nginx's graceful quit: stop accepting, answer in-flight requests with
 * `Connection: close`, close idle keep-alive sockets, and cut what is left at the deadline.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Logger } from "pino";
import type { RampartConfig } from "../config/schema.js";
import type { AttestedSecond } from "../control/drift.js";
import { hashClient } from "../monitor/series/hll.js";
import { MemoryRateLimitStore } from "../ratelimit/index.js";
import type { RateLimitDecision, RateLimitStore } from "../ratelimit/types.js";
import { type AccessLog, createAccessLog } from "./accessLog.js";
import { handleAdmin } from "./admin.js";
import { GatewayError } from "./errors.js";
import { Exchange, type ExchangeHost } from "./exchange.js";
import type { RequestGuard, RequestGuardFactory } from "./guard.js";
import { parseLenientRequest } from "./lenient.js";
import { GatewayMetrics, type RouteStats } from "./metrics.js";
import { newRequestId } from "./requestId.js";
import { type GatewayAnswer, rawAnswer } from "./responses.js";
import type { CompiledRateLimit } from "./runtime.js";
import { Runtime } from "./runtime.js";
import { SecondCounters, type SecondPoint, wafModuleIndex } from "./seconds.js";
import type { Upstream } from "./upstream.js";

/**
 * Parser errors about what a lenient server would still accept (a method node does not know, bytes
 * in the target, an odd version): such requests are shown to the WAF before the 400/501, as nginx
 * would pass them to ModSecurity. Broken framing and header syntax are refused unseen, as by any
 * server, since nothing behind the parser could read them the same way.
 */
const INSPECTED_PARSER_ERRORS: ReadonlySet<string> = new Set([
  "HPE_INVALID_METHOD",
  "HPE_INVALID_URL",
  "HPE_INVALID_VERSION",
  "HPE_INVALID_CONSTANT",
]);

export interface GatewayOptions {
  /** Operational log (start, reload, errors). */
  readonly logger: Logger;
  /** Access log; default: built from config.gateway.accessLog. */
  readonly accessLog?: AccessLog;
  /** The WAF seam: builds the request guard for each config (see guard.ts). */
  readonly guard?: RequestGuardFactory;
  /** Where POST /reload on the admin listener gets a fresh config (the CLI re-reads the file). */
  readonly reloadSource?: () => Promise<RampartConfig>;
  /** Rate-limit store; default in memory. Kept across reloads. */
  readonly rateLimitStore?: RateLimitStore;
}

export interface GatewayAddresses {
  readonly listen: AddressInfo;
  readonly admin: AddressInfo;
}

export interface Gateway {
  /** The config now serving. */
  readonly config: RampartConfig;
  readonly metrics: GatewayMetrics;
  /** Swaps routes, upstreams and limits atomically; in-flight requests finish on the old ones. */
  reload(config: RampartConfig): void;
  /** Reloads from `reloadSource`; on failure the old config keeps serving and the error is counted. */
  reloadFromSource(): Promise<void>;
  /** Graceful stop: resolves when every connection is closed (at the latest after deadlineMs). */
  close(deadlineMs?: number): Promise<void>;
  addresses(): GatewayAddresses;
  /** Per-second counters of the last 300 s, overall and per route. */
  secondCounters(): { all: SecondPoint[]; routes: Record<string, SecondPoint[]> };
  /** Seconds `from`..`to` with traffic in attestation form (overall, per route, client sketches). */
  secondReports(from: number, to: number): AttestedSecond[];
  /** Requests being handled now. */
  inFlight(): number;
  /** What the WAF really runs (attestation); `{ mode: "off" }` without a guard. */
  wafStatus(): unknown;
}

/** llhttp error codes (node's parser) -> our answer; anything else is a plain 400. */
const PARSER_ANSWERS: Readonly<Record<string, GatewayAnswer>> = {
  HPE_HEADER_OVERFLOW: "request_header_fields_too_large",
  HPE_INVALID_METHOD: "not_implemented",
  HPE_INVALID_TRANSFER_ENCODING: "bad_request",
  HPE_UNEXPECTED_CONTENT_LENGTH: "bad_request",
  HPE_INVALID_CONTENT_LENGTH: "bad_request",
  ERR_HTTP_REQUEST_TIMEOUT: "request_timeout",
  HPE_HEADERS_TIMEOUT: "request_timeout",
};

/** True when the packet starts with `TOKEN SP`: a request line with a method we do not know. */
function looksLikeMethod(packet: Buffer | undefined): boolean {
  if (packet === undefined) return false;
  const sp = packet.indexOf(0x20);
  return (
    sp > 0 && sp <= 32 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(packet.subarray(0, sp).toString("latin1"))
  );
}

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      reject(
        new GatewayError("GATEWAY_LISTEN_FAILED", `cannot listen on ${host}:${port}: ${err.message}`, {
          hint: "choose another port in gateway.listen / gateway.admin, or stop what uses it",
          cause: err,
        }),
      );
    };
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

class GatewayServer implements Gateway, ExchangeHost {
  runtime: Runtime;
  readonly metrics = new GatewayMetrics();
  readonly seconds = new SecondCounters();
  readonly unroutedStats: RouteStats;
  guard: RequestGuard | undefined;
  closing = false;
  private active = 0;
  private readonly upstreamUse = new Map<Upstream, number>();
  private readonly retired = new Set<Upstream>();
  private readonly store: RateLimitStore;
  private readonly accessLog: AccessLog;
  readonly server: Server;
  readonly admin: Server;
  private idleWaiters: (() => void)[] = [];
  private closed: Promise<void> | undefined;

  constructor(
    config: RampartConfig,
    private readonly opts: GatewayOptions,
  ) {
    this.runtime = new Runtime(config, this.metrics, this.seconds, undefined);
    this.metrics.configLoadedAt = Math.floor(Date.now() / 1000);
    this.unroutedStats = this.metrics.statsFor("_none", "_none");
    this.guard = opts.guard?.(config);
    this.store = opts.rateLimitStore ?? new MemoryRateLimitStore();
    this.accessLog = opts.accessLog ?? createAccessLog(config.gateway.accessLog);
    const g = config.gateway;
    this.server = createServer(
      {
        // Node's own cap must let our finer checks (431 for headers, 414 for the URI) run first.
        maxHeaderSize: g.limits.maxHeaderBytes + g.limits.maxUriBytes + 1024,
        insecureHTTPParser: false,
        requireHostHeader: false, // head.ts answers it, with our JSON body
        joinDuplicateHeaders: false,
        headersTimeout: g.timeouts.headersMs,
        // Node checks header deadlines on this period (30 s by default): a slowloris client would
        // otherwise hold its socket up to 30 s past headersMs.
        connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(g.timeouts.headersMs / 4))),
        requestTimeout: 0, // bodies may stream for long; idle sockets are cut by keepAliveTimeout/timeout
        keepAliveTimeout: g.timeouts.idleMs,
      },
      (req, res) => this.onRequest(req, res),
    );
    this.server.timeout = g.timeouts.idleMs;
    this.server.on("clientError", (err: Error & { code?: string }, socket: Socket) =>
      this.onClientError(err, socket),
    );
    // CONNECT asks for a tunnel: a gateway is not a forward proxy. The WAF still sees it.
    this.server.on("connect", (req: IncomingMessage, socket: Socket) => {
      const id = newRequestId();
      this.countRejected("405_connect");
      const rawHeaders = req.rawHeaders;
      this.inspectHead(
        {
          method: req.method ?? "CONNECT",
          url: req.url ?? "",
          protocol: `HTTP/${req.httpVersion}`,
          rawHeaders,
          body: "",
        },
        socket,
        id,
      );
      socket.end(rawAnswer("method_not_allowed", this.runtime.requestIdHeader, id));
    });
    this.admin = createServer((req, res) => {
      handleAdmin(this, req, res).catch((err: unknown) => {
        this.opts.logger.error({ err }, "admin request failed");
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
  }

  get config(): RampartConfig {
    return this.runtime.config;
  }

  async start(): Promise<void> {
    const g = this.config.gateway;
    await listen(this.server, g.listen.host, g.listen.port);
    try {
      await listen(this.admin, g.admin.host, g.admin.port);
    } catch (err) {
      this.server.close();
      throw err;
    }
    this.opts.logger.info(
      { listen: this.addresses().listen, admin: this.addresses().admin },
      "gateway listening",
    );
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.active++;
    const ex = new Exchange(this, this.runtime, req, res);
    ex.run();
    const up = ex.upstream;
    if (up !== undefined) this.upstreamUse.set(up, (this.upstreamUse.get(up) ?? 0) + 1);
  }

  private onClientError(err: Error & { code?: string }, socket: Socket): void {
    const inProgress = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (err.code === "ECONNRESET" || !socket.writable || inProgress?.headersSent === true) {
      socket.destroy();
      return;
    }
    let answer = PARSER_ANSWERS[err.code ?? ""] ?? "bad_request";
    // An unknown method is 501 (RFC 9110 §9.1) only if it looks like one; binary junk is a 400.
    if (answer === "not_implemented" && !looksLikeMethod((err as { rawPacket?: Buffer }).rawPacket))
      answer = "bad_request";
    const id = newRequestId();
    const reason = `parser_${(err.code ?? "error").toLowerCase()}`;
    this.countRejected(reason);
    if (INSPECTED_PARSER_ERRORS.has(err.code ?? "")) {
      this.inspectRefused((err as { rawPacket?: Buffer }).rawPacket, socket, id);
    }
    socket.end(rawAnswer(answer, this.runtime.requestIdHeader, id));
    this.accessLog.write({
      id,
      ip: socket.remoteAddress ?? "",
      method: "",
      path: "",
      route: "",
      target: "",
      status: 0,
      bytesIn: socket.bytesRead,
      bytesOut: 0,
      ms: 0,
      upstreamMs: -1,
      decision: `rejected:${reason}`,
    });
  }

  /**
   * Shows a request that node's parser refused to the WAF, read leniently (lenient.ts), so that what
   * attackers send is logged even though it is never forwarded. The answer stays the rejection.
   */
  private inspectRefused(raw: Buffer | undefined, socket: Socket, requestId: string): void {
    if (this.guard === undefined || raw === undefined || raw.length === 0) return;
    const req = parseLenientRequest(raw.toString("latin1"));
    if (req === undefined) return;
    const rawHeaders: string[] = [];
    for (const [name, value] of req.headers) rawHeaders.push(name, value);
    this.inspectHead(
      { method: req.method, url: req.uri, protocol: req.protocol, rawHeaders, body: req.body },
      socket,
      requestId,
    );
  }

  /** Runs the WAF's request phases and logging on a request that will not be proxied. */
  private inspectHead(
    head: { method: string; url: string; protocol: string; rawHeaders: string[]; body: string },
    socket: Socket,
    requestId: string,
  ): void {
    const guard = this.guard;
    if (guard === undefined) return;
    try {
      const session = guard.open({
        method: head.method,
        url: head.url,
        httpVersion: /^HTTP\/(\d\.\d)$/.exec(head.protocol)?.[1] ?? "1.1",
        protocol: head.protocol,
        rawHeaders: head.rawHeaders,
        requestId,
        clientIp: socket.remoteAddress ?? "",
        remotePort: socket.remotePort ?? 0,
        serverPort: socket.localPort ?? 0,
        route: "",
      });
      if (session.requestHead() === undefined) {
        session.requestBody(head.body.length > 0 ? Buffer.from(head.body, "latin1") : undefined);
      }
      session.finish();
    } catch (err) {
      this.opts.logger.error({ err: (err as Error).message }, "WAF failed on a refused request");
    }
  }

  consume(key: string, rl: CompiledRateLimit, now: number): RateLimitDecision | Promise<RateLimitDecision> {
    return this.store.consume(key, rl.policy, now);
  }

  countRejected(reason: string): void {
    this.metrics.countRejected(reason);
  }

  finished(ex: Exchange): void {
    const now = performance.now();
    const ms = (ex.endedAt > 0 ? ex.endedAt : now) - ex.start;
    const status = ex.res.headersSent ? ex.res.statusCode : 499; // 499: nginx's "client closed request"
    const stats = ex.stats;
    if (ex.route !== undefined) stats.inFlight--;
    stats.byClass[Math.min(5, Math.max(1, Math.floor(status / 100)))]!++;
    stats.totalLatency.observe(ms / 1000);
    if (ex.upstreamMs >= 0) stats.upstreamLatency.observe(ex.upstreamMs / 1000);
    stats.bytesIn += ex.bytesIn;
    stats.bytesOut += ex.bytesOut;
    const wall = Date.now();
    const ip = ex.ip || (ex.req.socket.remoteAddress ?? "");
    const client = hashClient(ip);
    const wafModule = wafModuleIndex(ex.blockedModule);
    (ex.route?.series ?? this.seconds.unrouted).record(wall, status, ms, ex.outcome, client, wafModule);
    this.accessLog.write({
      id: ex.id,
      ip,
      method: ex.req.method ?? "",
      path: ex.path,
      route: ex.route?.name ?? "",
      target: ex.target?.origin ?? "",
      status,
      bytesIn: ex.bytesIn,
      bytesOut: ex.bytesOut,
      ms: Math.round(ms * 100) / 100,
      upstreamMs: ex.upstreamMs >= 0 ? Math.round(ex.upstreamMs * 100) / 100 : -1,
      decision: ex.decision,
    });
    const up = ex.upstream;
    if (up !== undefined) {
      const n = (this.upstreamUse.get(up) ?? 1) - 1;
      if (n === 0) {
        this.upstreamUse.delete(up);
        if (this.retired.delete(up)) void up.close();
      } else this.upstreamUse.set(up, n);
    }
    this.active--;
    if (this.active === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  reload(config: RampartConfig): void {
    const old = this.runtime;
    let next: Runtime;
    let guard: RequestGuard | undefined;
    try {
      next = new Runtime(config, this.metrics, this.seconds, old);
      // The WAF is compiled before anything is swapped: a rule set that does not load leaves the
      // old config, WAF included, serving.
      guard = this.opts.guard?.(config);
    } catch (err) {
      this.metrics.configReloadFailures++;
      throw new GatewayError("GATEWAY_RELOAD_REFUSED", `config not applied: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const g0 = old.config.gateway;
    const g1 = config.gateway;
    if (
      g0.listen.host !== g1.listen.host ||
      g0.listen.port !== g1.listen.port ||
      g0.admin.host !== g1.admin.host ||
      g0.admin.port !== g1.admin.port
    ) {
      this.opts.logger.warn("listen/admin addresses changed: they take effect at the next restart");
    }
    this.runtime = next;
    this.guard = guard;
    for (const up of old.retiredBy(next)) {
      // Requests queued on the old limiter get their 503 now rather than a closed pool later.
      up.limiter?.shedAll();
      if ((this.upstreamUse.get(up) ?? 0) === 0) void up.close();
      else this.retired.add(up);
    }
    this.metrics.configReloads++;
    this.metrics.configLoadedAt = Math.floor(Date.now() / 1000);
    this.opts.logger.info(
      { routes: config.routes.length, upstreams: Object.keys(config.upstreams).length },
      "config reloaded",
    );
  }

  async reloadFromSource(): Promise<void> {
    const source = this.opts.reloadSource;
    if (source === undefined) {
      throw new GatewayError("GATEWAY_RELOAD_REFUSED", "this gateway has no config source to reload from");
    }
    let config: RampartConfig;
    try {
      config = await source();
    } catch (err) {
      this.metrics.configReloadFailures++;
      this.opts.logger.error(
        { err: (err as Error).message },
        "config reload failed: the previous config keeps serving",
      );
      throw err;
    }
    this.reload(config);
  }

  addresses(): GatewayAddresses {
    return { listen: this.server.address() as AddressInfo, admin: this.admin.address() as AddressInfo };
  }

  secondCounters(): { all: SecondPoint[]; routes: Record<string, SecondPoint[]> } {
    return this.seconds.snapshot(Date.now());
  }

  secondReports(from: number, to: number): AttestedSecond[] {
    return this.seconds.reports(from, to);
  }

  inFlight(): number {
    return this.active;
  }

  wafStatus(): unknown {
    return this.guard?.status() ?? { mode: "off", engine: "Off", modules: [], rules: 0 };
  }

  close(deadlineMs: number = this.config.gateway.timeouts.shutdownMs): Promise<void> {
    this.closed ??= this.doClose(deadlineMs);
    return this.closed;
  }

  private async doClose(deadlineMs: number): Promise<void> {
    this.closing = true;
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    this.admin.close();
    this.admin.closeAllConnections();
    let timer: NodeJS.Timeout | undefined;
    const drained =
      this.active === 0
        ? Promise.resolve(true)
        : new Promise<boolean>((r) => this.idleWaiters.push(() => r(true)));
    const deadline = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), deadlineMs);
    });
    const clean = await Promise.race([drained, deadline]);
    clearTimeout(timer);
    if (!clean)
      this.opts.logger.warn(
        { inFlight: this.active },
        "shutdown deadline reached: cutting remaining requests",
      );
    // Sockets idle after their last response, and (past the deadline) the ones still busy.
    this.server.closeIdleConnections();
    if (!clean) this.server.closeAllConnections();
    const ups = new Set([...this.runtime.upstreams.values(), ...this.retired]);
    await Promise.all([...ups].map((u) => (clean ? u.close() : u.destroy())));
    await serverClosed;
    await this.accessLog.close();
    this.opts.logger.info("gateway stopped");
  }
}

/** Starts the gateway and its admin listener; rejects with GatewayError if a port is taken. */
export async function startGateway(config: RampartConfig, opts: GatewayOptions): Promise<Gateway> {
  const gw = new GatewayServer(config, opts);
  await gw.start();
  return gw;
}
