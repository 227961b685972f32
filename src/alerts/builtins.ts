/**
 * The rules Rampart ships with (README, "Alerts"): one per way the postmortem's outage showed itself,
 * each naming its runbook (`rampart runbook NAME`). Series rules are written in the same language as
 * users' rules (expr.ts); config drift and gateway down come from the fleet's drift episodes
 * (src/control/fleet.ts), not from series. A user rule with a built-in's name replaces it;
 * `alerts.builtins: off` (or `{ NAME: off }`) turns them off.
 *
 * Thresholds: anomaly scores of the detectors are calibrated so that one threshold serves every
 * series (src/monitor/detectors/calibrate.ts); 0.9 (0.8 for drops) is well above each detector's
 * alertThreshold (0.5), so a built-in fires on a clear change, and the `for` holds it for a few
 * seconds so that a single odd second does not page anyone.
 */
import type { AlertSeverity } from "./types.js";

/** Alerts that come from the fleet's drift episodes rather than from series. */
export const SIGNALS = ["drift", "gateway-silent"] as const;
export type SignalName = (typeof SIGNALS)[number];

export interface BuiltinRule {
  readonly name: string;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly runbook: string;
  readonly expr?: string;
  readonly for?: string;
  readonly signal?: SignalName;
}

export const BUILTIN_RULES: readonly BuiltinRule[] = [
  {
    name: "surge",
    expr: "anomaly(requests, spike) > 0.9",
    for: "3s",
    severity: "warning",
    summary: "traffic surge{{on}}: {{value}} requests/s, far above the usual level",
    runbook: "surge",
  },
  {
    name: "traffic-drop",
    // 0.8, not 0.9: on a low, noisy rate (10-50 requests/s with dips) traffic stopping after a short
    // surge peaked at 0.83-0.90 (held from the first crossing by the episode's hysteresis), while
    // a 2 s dip to 30 % scored 0.5.
    expr: "anomaly(requests, drop) > 0.8",
    for: "3s",
    severity: "critical",
    summary: "traffic drop{{on}}: {{value}} requests/s, far below the usual level",
    runbook: "traffic-drop",
  },
  {
    name: "error-spike",
    expr: "error_ratio > 0.05",
    for: "30s",
    severity: "critical",
    summary: "server errors{{on}}: {{value}} of requests answered 5xx for 30 s",
    runbook: "error-spike",
  },
  {
    name: "latency-spike",
    expr: "anomaly(p99_ms, spike) > 0.9",
    for: "10s",
    severity: "warning",
    summary: "latency spike{{on}}: p99 {{value}} ms",
    runbook: "latency-spike",
  },
  {
    name: "waf-block-spike",
    expr: "anomaly(blocked, spike) > 0.9",
    for: "10s",
    severity: "warning",
    summary: "WAF blocks spike{{on}}: {{value}} blocked requests/s",
    runbook: "waf-block-spike",
  },
  {
    name: "rate-limit-storm",
    expr: "anomaly(rate_limited + shed, spike) > 0.9",
    for: "10s",
    severity: "warning",
    summary: "rate-limit storm{{on}}: {{value}} requests/s limited or shed",
    runbook: "rate-limit-storm",
  },
  {
    name: "config-drift",
    signal: "drift",
    severity: "critical",
    summary: "gateway {{gateway}} drifts from its assigned config: {{reason}}",
    runbook: "config-drift",
  },
  {
    name: "gateway-down",
    signal: "gateway-silent",
    severity: "critical",
    summary: "gateway {{gateway}} is silent: {{reason}}",
    runbook: "gateway-down",
  },
];

export const BUILTIN_RULE_NAMES = BUILTIN_RULES.map((r) => r.name);

/**
 * The built-in inhibition: a silent gateway mutes the traffic-drop alerts its silence explains (its
 * traffic dropped because it is down, not because clients left), as Alertmanager's documentation
 * example mutes warnings under a critical alert of the same cluster. Route series sum over all
 * gateways, which all serve every route: a drop alert without a gateway label counts as that
 * gateway's. Only drops: an error spike or a surge on a route is not explained by one silent
 * gateway, and muting it would hide exactly what an outage shows.
 */
export const BUILTIN_INHIBIT = [
  // The silent gateway's own series.
  {
    sourceMatchers: ['alertname="gateway-down"'],
    targetMatchers: ['alertname="traffic-drop"', 'gateway=~".+"'],
    equal: ["gateway"],
  },
  // Route series, which include the silent gateway's share; the fleet-wide drop stays loud.
  {
    sourceMatchers: ['alertname="gateway-down"'],
    targetMatchers: ['alertname="traffic-drop"', 'route=~".+"'],
    equal: ["gateway"],
    aggregated: ["gateway"],
  },
] as const;
