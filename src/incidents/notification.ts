/**
 * The notification an incident sends to its escalation receivers (through the same dispatcher as
 * alerts): what is wrong, and first of all what changed before it, ranked, so that the page a
 * responder reads at 2 AM names the config version that switched the WAF off before anything else.
 */
import type { AlertSeverity, AlertView, Notification } from "../alerts/types.js";
import { formatChange } from "../changes/what-changed.js";
import type { Incident, IncidentAlert, IncidentSeverity } from "./types.js";

const ALERT_SEVERITY: Readonly<Record<IncidentSeverity, AlertSeverity>> = {
  SEV1: "critical",
  SEV2: "critical",
  SEV3: "warning",
  SEV4: "info",
};

/** The group key receivers deduplicate on (PagerDuty's dedup_key): one per incident. */
export function incidentGroupKey(id: number): string {
  return `rampart-incident-${id}`;
}

export interface IncidentNotificationInput {
  readonly incident: Incident;
  readonly alerts: readonly IncidentAlert[];
  /** The escalation level paged, if this is a page. */
  readonly level?: number;
  readonly createdAt: string;
  readonly url?: string;
}

export function incidentNotification(input: IncidentNotificationInput): Notification {
  const i = input.incident;
  const status = i.state === "resolved" ? "resolved" : "firing";
  const title = `[${i.state.toUpperCase()}] ${i.severity} incident #${i.id}: ${i.title}`;
  const lines = [
    title,
    `Onset ${i.onsetAt}, opened ${i.openedAt} by ${i.openedBy}${input.level === undefined ? "" : `; escalation level ${input.level}`}.`,
  ];
  if (i.whatChanged.length > 0) {
    lines.push("What changed before the onset (most likely cause first):");
    i.whatChanged.slice(0, 5).forEach((c, n) => {
      lines.push(`  ${n + 1}. ${formatChange(c)}`);
    });
  } else lines.push("What changed before the onset: nothing recorded in the window.");
  if (input.alerts.length > 0) {
    lines.push("Alerts:");
    for (const a of input.alerts) lines.push(`  - ${a.rule} (${a.severity}) ${a.summary}`);
  }
  if (i.runbook !== null) lines.push(`Runbook: rampart runbook ${i.runbook}`);
  if (status === "firing") lines.push(`Acknowledge: rampart incident ack ${i.id}`);
  const alerts: AlertView[] = input.alerts.map((a) => ({
    fingerprint: a.fingerprint,
    rule: a.rule,
    state: a.state,
    severity: a.severity,
    labels: a.labels,
    summary: a.summary,
    activeAt: a.joinedAt,
  }));
  return {
    source: "incident",
    groupKey: incidentGroupKey(i.id),
    status,
    severity: ALERT_SEVERITY[i.severity],
    title,
    text: lines.join("\n"),
    alerts,
    commonLabels: { incident: String(i.id), service: i.service },
    whatChanged: i.whatChanged,
    incident: { id: i.id, state: i.state, severity: i.severity },
    ...(input.url === undefined ? {} : { url: input.url }),
    createdAt: input.createdAt,
  };
}
