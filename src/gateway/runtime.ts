/**
 * A config compiled for the request path: routes with their matchers, rate-limit policies and key
 * builders, upstreams with pools and limiters, head limits, trusted proxies, metrics handles. Built
 * once per (re)load; a request picks up the runtime current when it arrives and keeps it to the end,
 * which is what makes a reload atomic without draining anything.
 */
import type { RampartConfig, RoutePriority } from "../config/schema.js";
import { CidrSet, createPolicy, parseRate } from "../ratelimit/index.js";
import type { RateLimitPolicy } from "../ratelimit/types.js";
import type { HeadLimits } from "./head.js";
import type { GatewayMetrics, RouteStats } from "./metrics.js";
import type { SecondCounters, SecondSeries } from "./seconds.js";
import { Upstream } from "./upstream.js";

/** critical=0 ... low=3, the limiter's priority classes. */
export const PRIORITY_CLASS: Readonly<Record<RoutePriority, number>> = {
  critical: 0,
  high: 1,
  normal: 2,
  low: 3,
};

enum KeyKind {
  Ip = 0,
  Route = 1,
  Header = 2,
  Cookie = 3,
}

interface KeyPart {
  readonly kind: KeyKind;
  /** Lower-case header name or cookie name. */
  readonly name: string;
}

export interface CompiledRateLimit {
  readonly policy: RateLimitPolicy;
  /** `policy|route|`: a key is unique per policy and route, as the store requires. */
  readonly prefix: string;
  readonly parts: readonly KeyPart[];
  /** "rate_limited:per-ip", for the access log. */
  readonly decision: string;
}

export interface RequestFacts {
  readonly ip: string;
  readonly headers: NodeJS.Dict<string | string[]>;
}

/** Value of cookie `name` in a Cookie header (RFC 6265 §5.4 syntax: `a=b; c=d`), or "". */
export function cookieValue(header: string | undefined, name: string): string {
  if (header === undefined) return "";
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(";", start);
    if (end < 0) end = header.length;
    while (start < end && header.charCodeAt(start) === 0x20) start++;
    const eq = header.indexOf("=", start);
    if (eq > start && eq < end && header.slice(start, eq).trimEnd() === name)
      return header.slice(eq + 1, end).trim();
    start = end + 1;
  }
  return "";
}

function headerValue(v: string | string[] | undefined): string {
  if (v === undefined) return "";
  return typeof v === "string" ? v : v.join(",");
}

/** The store key of one request under one policy. Absent headers/cookies share the "" bucket. */
export function rateLimitKey(rl: CompiledRateLimit, facts: RequestFacts): string {
  let key = rl.prefix;
  const parts = rl.parts;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (i > 0) key += "|";
    switch (p.kind) {
      case KeyKind.Ip:
        key += facts.ip;
        break;
      case KeyKind.Route:
        break; // the prefix already holds the route
      case KeyKind.Header:
        key += headerValue(facts.headers[p.name]);
        break;
      case KeyKind.Cookie:
        key += cookieValue(headerValue(facts.headers.cookie), p.name);
        break;
    }
  }
  return key;
}

function compileKeyPart(text: string): KeyPart {
  if (text === "ip") return { kind: KeyKind.Ip, name: "" };
  if (text === "route") return { kind: KeyKind.Route, name: "" };
  if (text.startsWith("header:")) return { kind: KeyKind.Header, name: text.slice(7).toLowerCase() };
  return { kind: KeyKind.Cookie, name: text.slice(7) };
}

export class CompiledRoute {
  readonly name: string;
  readonly host: string | undefined;
  readonly pathPrefix: string | undefined;
  readonly methods: ReadonlySet<string> | undefined;
  readonly upstream: Upstream;
  readonly priority: number;
  /** How long a request of this route may wait for a permit: checkout may wait, browsing may not. */
  readonly queueTimeoutMs: number;
  readonly rateLimits: readonly CompiledRateLimit[];
  readonly stats: RouteStats;
  readonly series: SecondSeries;

  constructor(
    cfg: RampartConfig["routes"][number],
    upstream: Upstream,
    stats: RouteStats,
    series: SecondSeries,
  ) {
    this.name = cfg.name;
    this.host = cfg.match.host;
    this.pathPrefix = cfg.match.pathPrefix;
    this.methods = cfg.match.methods === undefined ? undefined : new Set(cfg.match.methods);
    this.upstream = upstream;
    this.priority = PRIORITY_CLASS[cfg.priority];
    this.queueTimeoutMs = cfg.queueTimeoutMs ?? upstream.config.queue.timeoutMs;
    this.stats = stats;
    this.series = series;
    this.rateLimits = cfg.rateLimits.map((rl) => ({
      policy: createPolicy(rl.name, parseRate(rl.rate), rl.burst),
      prefix: `${rl.name}|${cfg.name}|`,
      parts: rl.key.map(compileKeyPart),
      decision: `rate_limited:${rl.name}`,
    }));
  }

  /** `host` is lower-case without port; `path` the request target. */
  matches(host: string, path: string, method: string): boolean {
    if (this.host !== undefined && this.host !== host) return false;
    if (this.pathPrefix !== undefined && !path.startsWith(this.pathPrefix)) return false;
    if (this.methods !== undefined && !this.methods.has(method)) return false;
    return true;
  }
}

export class Runtime {
  readonly config: RampartConfig;
  readonly routes: readonly CompiledRoute[];
  readonly upstreams: ReadonlyMap<string, Upstream>;
  readonly limits: HeadLimits;
  readonly trusted: CidrSet;
  readonly trustedList: readonly string[];
  readonly requestIdHeader: string;

  /**
   * Compiles `config`. Upstreams whose settings did not change are taken over from `previous`
   * (pools, health and limiter state survive a reload); the caller closes the ones left behind.
   */
  constructor(
    config: RampartConfig,
    metrics: GatewayMetrics,
    seconds: SecondCounters,
    previous: Runtime | undefined,
  ) {
    this.config = config;
    const g = config.gateway;
    this.limits = {
      maxHeaderBytes: g.limits.maxHeaderBytes,
      maxUriBytes: g.limits.maxUriBytes,
      maxBodyBytes: g.limits.maxBodyBytes,
      methods: g.limits.methods === undefined ? undefined : new Set(g.limits.methods),
    };
    this.trustedList = g.trustedProxies;
    this.trusted = new CidrSet(g.trustedProxies);
    this.requestIdHeader = g.requestIdHeader;
    const upstreams = new Map<string, Upstream>();
    for (const [name, cfg] of Object.entries(config.upstreams)) {
      const old = previous?.upstreams.get(name);
      const fresh =
        old !== undefined && old.fingerprint === JSON.stringify(cfg) ? old : new Upstream(name, cfg);
      fresh.onEject = (t) => {
        metrics.upstreamTargetsEjected.set(t.origin, (metrics.upstreamTargetsEjected.get(t.origin) ?? 0) + 1);
      };
      upstreams.set(name, fresh);
    }
    this.upstreams = upstreams;
    this.routes = config.routes.map(
      (r) =>
        new CompiledRoute(
          r,
          upstreams.get(r.upstream)!,
          metrics.statsFor(r.name, r.upstream),
          seconds.seriesFor(r.name),
        ),
    );
  }

  match(host: string, path: string, method: string): CompiledRoute | undefined {
    const routes = this.routes;
    for (let i = 0; i < routes.length; i++) if (routes[i]!.matches(host, path, method)) return routes[i];
    return undefined;
  }

  /** Upstreams of this runtime that `next` no longer uses (to close once their requests end). */
  retiredBy(next: Runtime): Upstream[] {
    const kept = new Set(next.upstreams.values());
    return [...this.upstreams.values()].filter((u) => !kept.has(u));
  }
}
