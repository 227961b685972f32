/**
 * Prometheus metrics of the gateway, with a small text-format writer of our own (exposition format
 * 0.0.4). Every label set is resolved once, when a config is loaded: a request only bumps numbers in
 * a RouteStats object it already holds, it never builds a label string.
 */

/** Upper bounds in seconds, as Prometheus client libraries default to, plus the tails a proxy sees. */
export const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export class Histogram {
  readonly counts = new Float64Array(LATENCY_BUCKETS.length + 1);
  sum = 0;
  count = 0;

  observe(seconds: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }
}

export const SHED_REASONS = ["queue_full", "queue_timeout", "priority"] as const;
export type ShedReasonLabel = (typeof SHED_REASONS)[number];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Counters of one (route, upstream) pair. */
export class RouteStats {
  /** `route="checkout",upstream="shop"`, rendered once. */
  readonly labels: string;
  /** Responses by status class: index 1..5 for 1xx..5xx. */
  readonly byClass = new Float64Array(6);
  readonly upstreamLatency = new Histogram();
  readonly totalLatency = new Histogram();
  inFlight = 0;
  rateLimited = 0;
  readonly shed = new Float64Array(SHED_REASONS.length);
  bytesIn = 0;
  bytesOut = 0;

  constructor(
    readonly route: string,
    readonly upstream: string,
  ) {
    this.labels = `route="${escapeLabel(route)}",upstream="${escapeLabel(upstream)}"`;
  }
}

export class GatewayMetrics {
  private readonly routes = new Map<string, RouteStats>();
  /** Requests refused before routing (431, 414, 400...), by reason. */
  private readonly rejected = new Map<string, number>();
  configReloads = 0;
  configReloadFailures = 0;
  /** Unix seconds of the config now serving. */
  configLoadedAt = 0;
  readonly upstreamTargetsEjected = new Map<string, number>();

  /** The stats object of a (route, upstream) pair; kept across reloads so counters never go back. */
  statsFor(route: string, upstream: string): RouteStats {
    const key = `${route}\u0000${upstream}`;
    let s = this.routes.get(key);
    if (s === undefined) {
      s = new RouteStats(route, upstream);
      this.routes.set(key, s);
    }
    return s;
  }

  countRejected(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  /** Prometheus text exposition of every metric. */
  render(): string {
    const out: string[] = [];
    const all = [...this.routes.values()];
    const family = (name: string, type: string, help: string) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    };

    family("rampart_requests_total", "counter", "Requests answered, by route, upstream and status class.");
    for (const s of all) {
      for (let c = 1; c <= 5; c++) {
        if (s.byClass[c]! > 0) out.push(`rampart_requests_total{${s.labels},class="${c}xx"} ${s.byClass[c]}`);
      }
    }
    family("rampart_requests_in_flight", "gauge", "Requests being handled now.");
    for (const s of all) out.push(`rampart_requests_in_flight{${s.labels}} ${s.inFlight}`);
    family("rampart_rate_limited_total", "counter", "Requests refused with 429 by a rate limit.");
    for (const s of all) out.push(`rampart_rate_limited_total{${s.labels}} ${s.rateLimited}`);
    family("rampart_shed_total", "counter", "Requests shed with 503 by the concurrency limiter, by reason.");
    for (const s of all) {
      SHED_REASONS.forEach((r, i) => {
        out.push(`rampart_shed_total{${s.labels},reason="${r}"} ${s.shed[i]}`);
      });
    }
    family("rampart_request_bytes_total", "counter", "Request bytes received from clients (head and body).");
    for (const s of all) out.push(`rampart_request_bytes_total{${s.labels}} ${s.bytesIn}`);
    family("rampart_response_bytes_total", "counter", "Response bytes written to clients.");
    for (const s of all) out.push(`rampart_response_bytes_total{${s.labels}} ${s.bytesOut}`);
    this.renderHistogram(
      out,
      "rampart_request_duration_seconds",
      "Time from request head to response end.",
      all,
      (s) => s.totalLatency,
    );
    this.renderHistogram(
      out,
      "rampart_upstream_duration_seconds",
      "Time from dispatch to the upstream until its response head.",
      all,
      (s) => s.upstreamLatency,
    );
    family("rampart_rejected_total", "counter", "Requests refused at the door before routing, by reason.");
    for (const [reason, n] of this.rejected)
      out.push(`rampart_rejected_total{reason="${escapeLabel(reason)}"} ${n}`);
    family(
      "rampart_upstream_target_ejections_total",
      "counter",
      "Passive health ejections of an upstream target.",
    );
    for (const [target, n] of this.upstreamTargetsEjected) {
      out.push(`rampart_upstream_target_ejections_total{target="${escapeLabel(target)}"} ${n}`);
    }
    family("rampart_config_reloads_total", "counter", "Successful config reloads.");
    out.push(`rampart_config_reloads_total ${this.configReloads}`);
    family(
      "rampart_config_reload_failures_total",
      "counter",
      "Config reloads refused (the previous config kept serving).",
    );
    out.push(`rampart_config_reload_failures_total ${this.configReloadFailures}`);
    family("rampart_config_loaded_timestamp_seconds", "gauge", "When the config now serving was loaded.");
    out.push(`rampart_config_loaded_timestamp_seconds ${this.configLoadedAt}`);
    out.push("");
    return out.join("\n");
  }

  private renderHistogram(
    out: string[],
    name: string,
    help: string,
    all: RouteStats[],
    pick: (s: RouteStats) => Histogram,
  ): void {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    for (const s of all) {
      const h = pick(s);
      let cumulative = 0;
      for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
        cumulative += h.counts[i]!;
        out.push(`${name}_bucket{${s.labels},le="${LATENCY_BUCKETS[i]}"} ${cumulative}`);
      }
      out.push(`${name}_bucket{${s.labels},le="+Inf"} ${h.count}`);
      out.push(`${name}_sum{${s.labels}} ${h.sum}`);
      out.push(`${name}_count{${s.labels}} ${h.count}`);
    }
  }
}
