/**
 * The shapes that alerts, notifiers and incidents pass to each other. Alerts (src/alerts) decide
 * what fires; they hand notifications to the dispatcher (src/alerts/notifiers), which stores them
 * before sending (nothing is lost across a restart) and retries; incidents (src/incidents) read
 * alert events from the event log and send their own notifications through the same dispatcher.
 * Alertmanager's data model is the reference: https://prometheus.io/docs/alerting/latest/clients/
 */
import type { ChangeEntry } from "../changes/types.js";

export type AlertState = "pending" | "firing" | "resolved";
export const ALERT_SEVERITIES = ["info", "warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** One alert instance: a rule firing for one label set (e.g. rule=surge, route=checkout). */
export interface AlertView {
  /** Stable hash of the rule name and labels: deduplication key. */
  readonly fingerprint: string;
  readonly rule: string;
  readonly state: AlertState;
  readonly severity: AlertSeverity;
  /** Includes `alertname` (the rule) and the series labels (route, gateway). */
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly description?: string;
  /** Runbook link or name (`rampart runbook NAME` prints it). */
  readonly runbook?: string;
  /** ISO times: when the condition began to hold (pending), fired, resolved. */
  readonly activeAt: string;
  readonly firedAt?: string;
  readonly resolvedAt?: string;
  /** The value that made it fire (ratio, score, rate), for the message. */
  readonly value?: number;
  /** For anomaly rules: the detector's score in [0, 1] that crossed the threshold. */
  readonly score?: number;
  /** Silenced alerts stay visible but are not notified. */
  readonly silencedBy?: readonly string[];
  readonly inhibitedBy?: readonly string[];
}

/** What a receiver gets: one group of alerts (or one incident), firing or resolved. */
export interface Notification {
  /** Unique id, assigned when stored; receivers that deduplicate (PagerDuty) use groupKey. */
  readonly id?: string;
  readonly source: "alert" | "incident";
  /** Same for every notification about the same group/incident: dedup_key for PagerDuty. */
  readonly groupKey: string;
  readonly status: "firing" | "resolved";
  readonly severity: AlertSeverity;
  /** One line: "[FIRING] surge on route checkout". */
  readonly title: string;
  /** Several lines of plain text for people (email body, Slack text). */
  readonly text: string;
  readonly alerts: readonly AlertView[];
  readonly commonLabels: Readonly<Record<string, string>>;
  /** Ranked, security-relevant first; the first entry leads the message. */
  readonly whatChanged: readonly ChangeEntry[];
  readonly incident?: { readonly id: number; readonly state: string; readonly severity: string };
  /** Link to the control plane's view of the alert or incident, if known. */
  readonly url?: string;
  readonly createdAt: string;
}

/** The dispatcher's door: stores the notification durably, then sends it in the background. */
export interface NotificationSink {
  /** Returns once stored; throws a typed error for an unknown receiver. */
  enqueue(receiver: string, notification: Notification): void;
}

/** The data of an `alert.firing` / `alert.resolved` event, as the alerting writes it (alerting.ts). */
export interface AlertEventData {
  readonly alert: AlertView;
  /** The first entries of what changed before the alert began. */
  readonly whatChanged: readonly ChangeEntry[];
}

/**
 * The alert of an alert event's stored data, as untrusted JSON (readers check each field they
 * use); undefined when the data has no alert object.
 */
export function alertOfEventData(data: unknown): Readonly<Record<string, unknown>> | undefined {
  const alert = typeof data === "object" && data !== null ? (data as { alert?: unknown }).alert : undefined;
  return typeof alert === "object" && alert !== null ? (alert as Record<string, unknown>) : undefined;
}
