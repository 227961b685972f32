/**
 * Which incident a firing alert belongs to, as a pure decision: ignore it (below the opening
 * threshold), join an open incident (the same alert again, or another alert about the same service
 * within the grouping window of that incident's last alert), or open a new one. Alertmanager groups
 * notifications the same way, by labels and a time window
 * (https://prometheus.io/docs/alerting/latest/alertmanager/#grouping); here the group is an incident.
 */
import { ALERT_SEVERITIES, type AlertSeverity } from "../alerts/types.js";
import type { IncidentsConfig } from "./schema.js";
import type { IncidentSeverity } from "./types.js";

/** The fields of an alert (AlertView) grouping reads. */
export interface AlertFacts {
  readonly fingerprint: string;
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly activeAt: string;
  readonly firedAt?: string;
  readonly runbook?: string;
}

export interface OpenIncidentFacts {
  readonly id: number;
  readonly service: string;
  /** ISO; the window counts from here (the opening time when no alert joined yet). */
  readonly lastAlertAt: string | null;
  readonly openedAt: string;
  readonly fingerprints: readonly string[];
}

export type GroupingDecision =
  | { readonly kind: "ignore"; readonly reason: string }
  | { readonly kind: "join"; readonly incidentId: number; readonly again: boolean }
  | { readonly kind: "open"; readonly service: string; readonly severity: IncidentSeverity };

/** The service an alert is about: its groupBy labels ("route=checkout"), or "fleet" without them. */
export function serviceOf(labels: Readonly<Record<string, string>>, groupBy: readonly string[]): string {
  const parts = groupBy
    .filter((k) => labels[k] !== undefined && labels[k] !== "")
    .map((k) => `${k}=${labels[k]}`);
  return parts.length === 0 ? "fleet" : parts.join(",");
}

export function decideGrouping(
  alert: AlertFacts,
  open: readonly OpenIncidentFacts[],
  cfg: IncidentsConfig,
  atMs: number,
): GroupingDecision {
  const same = open.find((i) => i.fingerprints.includes(alert.fingerprint));
  if (same !== undefined) return { kind: "join", incidentId: same.id, again: true };
  if (cfg.open === "never") return { kind: "ignore", reason: "incidents.open is never" };
  if (ALERT_SEVERITIES.indexOf(alert.severity) < ALERT_SEVERITIES.indexOf(cfg.open)) {
    return { kind: "ignore", reason: `severity ${alert.severity} is below incidents.open (${cfg.open})` };
  }
  const service = serviceOf(alert.labels, cfg.groupBy);
  const windowMs = cfg.groupWindowMinutes * 60_000;
  // The most recent open incident about the service whose last alert is within the window.
  const candidates = open
    .filter((i) => i.service === service && atMs - Date.parse(i.lastAlertAt ?? i.openedAt) <= windowMs)
    .sort((a, b) => b.id - a.id);
  const join = candidates[0];
  if (join !== undefined) return { kind: "join", incidentId: join.id, again: false };
  return { kind: "open", service, severity: cfg.severity[alert.severity] };
}
