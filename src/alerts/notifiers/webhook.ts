/**
 * Generic webhook: the JSON body Prometheus Alertmanager posts to webhook receivers (version "4",
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config), so that tools written
 * for Alertmanager accept Rampart's notifications unchanged, plus Rampart's extensions beside it:
 * `whatChanged` (the ranked changes before the alert), `title`, `severity` and, for incident
 * notifications, `incident`.
 */
import type { ChangeEntry } from "../../changes/types.js";
import type { AlertView, Notification } from "../types.js";
import { postJson } from "./http.js";
import type { Notifier } from "./registry.js";
import type { WebhookReceiver } from "./schema.js";
import { requireSecret } from "./secrets.js";

/** Alertmanager's "not resolved yet" endsAt: Go's zero time. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

export interface AlertmanagerAlert {
  readonly status: "firing" | "resolved";
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly generatorURL: string;
  readonly fingerprint: string;
}

export interface WebhookBody {
  readonly version: "4";
  readonly groupKey: string;
  readonly truncatedAlerts: number;
  readonly status: "firing" | "resolved";
  readonly receiver: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly commonLabels: Readonly<Record<string, string>>;
  readonly commonAnnotations: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly alerts: readonly AlertmanagerAlert[];
  readonly title: string;
  readonly severity: string;
  readonly whatChanged: readonly ChangeEntry[];
  readonly incident?: Notification["incident"];
}

function annotationsOf(a: AlertView): Record<string, string> {
  const out: Record<string, string> = { summary: a.summary };
  if (a.description !== undefined) out.description = a.description;
  if (a.runbook !== undefined) out.runbook_url = a.runbook;
  if (a.value !== undefined) out.value = String(a.value);
  return out;
}

/** Annotations with the same value on every alert of the group (Alertmanager's commonAnnotations). */
function commonAnnotations(alerts: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((r) => r[k] === v)));
}

export function toWebhookBody(n: Notification, receiver: string): WebhookBody {
  const annotations = n.alerts.map(annotationsOf);
  return {
    version: "4",
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver,
    // A Notification does not carry the grouping labels apart; they are among the common labels.
    groupLabels: n.commonLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: commonAnnotations(annotations),
    externalURL: n.url ?? "",
    alerts: n.alerts.map((a, i) => ({
      status: a.state === "resolved" ? "resolved" : "firing",
      labels: a.labels,
      annotations: annotations[i] ?? {},
      startsAt: a.firedAt ?? a.activeAt,
      endsAt: a.resolvedAt ?? ZERO_TIME,
      generatorURL: n.url ?? "",
      fingerprint: a.fingerprint,
    })),
    title: n.title,
    severity: n.severity,
    whatChanged: n.whatChanged,
    ...(n.incident === undefined ? {} : { incident: n.incident }),
  };
}

export const webhookNotifier: Notifier<WebhookReceiver> = {
  kind: "webhook",
  async send(n, config, ctx) {
    const url = requireSecret(ctx.receiver, "url", config.url, config.urlEnv, ctx.env);
    await postJson({
      receiver: ctx.receiver,
      url,
      body: toWebhookBody(n, ctx.receiver),
      ...(config.headers === undefined ? {} : { headers: config.headers }),
      timeoutMs: config.timeoutMs,
      signal: ctx.signal,
    });
  },
};
