/**
 * From the `alerts:` config section to what the evaluator and the dispatcher run: built-in rules
 * merged with the user's (a user rule replaces a built-in of the same name), expressions parsed,
 * durations in milliseconds, matchers compiled. Done once per config version, never per second.
 */
import { BUILTIN_INHIBIT, BUILTIN_RULES, type SignalName } from "./builtins.js";
import { parseDuration } from "./duration.js";
import { parseExpr, type RuleExpr } from "./expr.js";
import { type Labels, type Matcher, parseMatcher } from "./matchers.js";
import { type AlertsConfig, alertsSchema } from "./schema.js";
import type { AlertSeverity } from "./types.js";

export interface CompiledRule {
  readonly name: string;
  readonly severity: AlertSeverity;
  /** The rule's own labels (alertname and severity included). */
  readonly labels: Labels;
  /** Template: {{label}}, {{value}}, {{reason}} and {{on}} (" on route checkout") are replaced. */
  readonly summary: string;
  readonly description?: string;
  readonly runbook?: string;
  readonly forMs: number;
  readonly builtin: boolean;
  /** Exactly one of expr (series rules) and signal (fleet rules). */
  readonly expr?: RuleExpr;
  readonly signal?: SignalName;
  /** Identity of the definition: a rule whose key changes starts over (new detectors, no state). */
  readonly key: string;
}

export interface InhibitRule {
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  readonly equal: readonly string[];
  /** Labels a target may lack and still count as equal (inhibit.ts). */
  readonly aggregated?: readonly string[];
}

export interface RouteSettings {
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly receivers: readonly string[];
  readonly sendResolved: boolean;
}

export interface AlertPolicy {
  readonly rules: readonly CompiledRule[];
  readonly route: RouteSettings;
  readonly inhibit: readonly InhibitRule[];
  readonly whatChangedWindowMs: number;
}

function builtinEnabled(cfg: AlertsConfig, name: string): boolean {
  if (cfg.builtins === "on" || cfg.builtins === "off") return cfg.builtins === "on";
  return cfg.builtins[name] !== "off";
}

/** Compiles a validated `alerts` section (or none: the defaults) into the policy the core runs. */
export function compileAlerts(input: AlertsConfig | undefined): AlertPolicy {
  const cfg = input ?? alertsSchema.parse(undefined);
  const rules: CompiledRule[] = [];
  const userNames = new Set(cfg.rules.map((r) => r.name));
  for (const b of BUILTIN_RULES) {
    if (userNames.has(b.name) || !builtinEnabled(cfg, b.name)) continue;
    const expr = b.expr === undefined ? undefined : parseExpr(b.expr);
    rules.push({
      name: b.name,
      severity: b.severity,
      labels: { alertname: b.name, severity: b.severity },
      summary: b.summary,
      runbook: b.runbook,
      forMs: b.for === undefined ? 0 : parseDuration(b.for),
      builtin: true,
      ...(expr === undefined ? {} : { expr }),
      ...(b.signal === undefined ? {} : { signal: b.signal }),
      key: JSON.stringify(["builtin", b]),
    });
  }
  for (const r of cfg.rules) {
    const expr = parseExpr(r.expr);
    rules.push({
      name: r.name,
      severity: r.severity,
      labels: { ...r.labels, alertname: r.name, severity: r.severity },
      summary: r.summary ?? `${r.name}{{on}}: ${r.expr} (value {{value}})`,
      ...(r.description === undefined ? {} : { description: r.description }),
      ...(r.runbook === undefined ? {} : { runbook: r.runbook }),
      forMs: expr.forMs ?? (r.for === undefined ? 0 : parseDuration(r.for)),
      builtin: false,
      expr,
      key: JSON.stringify(["user", r]),
    });
  }
  // Without gateway-down, its inhibitions go too.
  const builtinInhibit = builtinEnabled(cfg, "gateway-down") ? BUILTIN_INHIBIT : [];
  const inhibit: InhibitRule[] = [...builtinInhibit, ...cfg.inhibit].map((i) => ({
    sourceMatchers: i.sourceMatchers.map(parseMatcher),
    targetMatchers: i.targetMatchers.map(parseMatcher),
    equal: [...i.equal],
    ...("aggregated" in i ? { aggregated: [...i.aggregated] } : {}),
  }));
  return {
    rules,
    route: {
      groupBy: cfg.route.groupBy,
      groupWaitMs: parseDuration(cfg.route.groupWait),
      groupIntervalMs: parseDuration(cfg.route.groupInterval),
      repeatIntervalMs: parseDuration(cfg.route.repeatInterval),
      receivers: cfg.route.receivers,
      sendResolved: cfg.route.sendResolved,
    },
    inhibit,
    whatChangedWindowMs: parseDuration(cfg.whatChangedWindow),
  };
}
