/**
 * PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
 * a firing notification triggers, a resolved one resolves the same alert, matched by dedup_key =
 * the notification's groupKey (hashed when above the API's 255 characters). PagerDuty answers 202
 * when it accepted the event, 400 for an invalid one, 429 when throttled.
 */
import { createHash } from "node:crypto";
import type { AlertSeverity, Notification } from "../types.js";
import { alertLine, whatChangedLines } from "./format.js";
import { postJson } from "./http.js";
import type { Notifier } from "./registry.js";
import type { PagerDutyReceiver } from "./schema.js";
import { requireSecret } from "./secrets.js";

const SUMMARY_MAX = 1024;
const DEDUP_KEY_MAX = 255;

/** PagerDuty's severities are critical, error, warning, info; Rampart uses three of them. */
const SEVERITY: Readonly<Record<AlertSeverity, "critical" | "warning" | "info">> = {
  critical: "critical",
  warning: "warning",
  info: "info",
};

export function dedupKey(groupKey: string): string {
  return groupKey.length <= DEDUP_KEY_MAX ? groupKey : createHash("sha256").update(groupKey).digest("hex");
}

export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: "trigger" | "resolve";
  readonly dedup_key: string;
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: string;
    readonly timestamp: string;
    readonly component?: string;
    readonly group?: string;
    readonly class?: string;
    readonly custom_details: Record<string, unknown>;
  };
  readonly client: string;
  readonly client_url?: string;
  readonly links?: readonly { readonly href: string; readonly text: string }[];
}

export function toPagerDutyEvent(n: Notification, routingKey: string): PagerDutyEvent {
  const common = {
    routing_key: routingKey,
    dedup_key: dedupKey(n.groupKey),
    client: "Rampart",
    ...(n.url === undefined ? {} : { client_url: n.url, links: [{ href: n.url, text: "Open in Rampart" }] }),
  };
  // A resolve needs only the key (the API ignores a payload there).
  if (n.status === "resolved") return { ...common, event_action: "resolve" };
  const labels = n.commonLabels;
  const route = labels.route;
  const alertname = labels.alertname;
  return {
    ...common,
    event_action: "trigger",
    payload: {
      summary: n.title.length <= SUMMARY_MAX ? n.title : `${n.title.slice(0, SUMMARY_MAX - 1)}…`,
      source: labels.gateway ?? (route === undefined ? "rampart" : `route:${route}`),
      severity: SEVERITY[n.severity],
      timestamp: n.createdAt,
      ...(route === undefined ? {} : { component: route }),
      ...(labels.gateway === undefined ? {} : { group: labels.gateway }),
      ...(alertname === undefined ? {} : { class: alertname }),
      custom_details: {
        whatChanged: whatChangedLines(n),
        text: n.text,
        alerts: n.alerts.map(alertLine),
        labels,
        ...(n.incident === undefined ? {} : { incident: n.incident }),
      },
    },
  };
}

export const pagerdutyNotifier: Notifier<PagerDutyReceiver> = {
  kind: "pagerduty",
  async send(n, config, ctx) {
    const routingKey = requireSecret(
      ctx.receiver,
      "routingKey",
      config.routingKey,
      config.routingKeyEnv,
      ctx.env,
    );
    await postJson({
      receiver: ctx.receiver,
      url: config.url,
      body: toPagerDutyEvent(n, routingKey),
      timeoutMs: config.timeoutMs,
      signal: ctx.signal,
    });
  },
};
