/**
 * A group's flush as the receivers get it: title, a plain-text body for people, the alerts, and
 * "what changed" before the earliest alert began, ranked, its first entry leading the text: in the
 * postmortem's outage that first line would have named the version that turned the WAF modules off.
 */
import type { ChangeEntry } from "../changes/types.js";
import type { GroupFlush } from "./dispatch.js";
import { ALERT_SEVERITIES, type AlertSeverity, type AlertView, type Notification } from "./types.js";

/** Labels every alert of the list has with the same value (Alertmanager's commonLabels). */
export function commonLabels(alerts: readonly AlertView[]): Record<string, string> {
  const [first, ...rest] = alerts;
  if (first === undefined) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first.labels)) if (rest.every((a) => a.labels[k] === v)) out[k] = v;
  return out;
}

function worst(alerts: readonly AlertView[]): AlertSeverity {
  let i = 0;
  for (const a of alerts) i = Math.max(i, ALERT_SEVERITIES.indexOf(a.severity));
  return ALERT_SEVERITIES[i]!;
}

/** Where one alert fires: "route checkout", "gateway edge-1", or "the fleet". */
function placeOf(labels: Readonly<Record<string, string>>): string {
  const where: string[] = [];
  if (labels.route !== undefined) where.push(`route ${labels.route}`);
  if (labels.gateway !== undefined) where.push(`gateway ${labels.gateway}`);
  return where.length === 0 ? "the fleet" : where.join(", ");
}

/** "surge on route checkout", or for a group over several places "surge on the fleet, gateway edge-1". */
function about(common: Readonly<Record<string, string>>, alerts: readonly AlertView[]): string {
  const name = common.alertname ?? "alerts";
  const places = [...new Set(alerts.map((a) => placeOf(a.labels)))];
  const shown = places.slice(0, 3).join("; ");
  return `${name} on ${shown}${places.length > 3 ? ` and ${places.length - 3} more` : ""}`;
}

/** The earliest onset of the flush's alerts: "what changed" looks back from there. */
export function onsetOf(flush: Pick<GroupFlush, "firing" | "resolved">): Date {
  const all = [...flush.firing, ...flush.resolved];
  return new Date(Math.min(...all.map((a) => Date.parse(a.activeAt))));
}

export function buildNotification(
  flush: GroupFlush,
  whatChanged: readonly ChangeEntry[],
  formatChange: (c: ChangeEntry) => string,
  now: Date,
): Notification {
  const alerts = [...flush.firing, ...flush.resolved];
  const common = commonLabels(alerts);
  const status = flush.status;
  const count = status === "firing" ? flush.firing.length : flush.resolved.length;
  const subject = about(
    { ...flush.groupLabels, ...common },
    status === "firing" ? flush.firing : flush.resolved,
  );
  const title = `[${status.toUpperCase()}${count > 1 ? `:${count}` : ""}] ${subject}`;
  const lines: string[] = [];
  const lead = whatChanged[0];
  lines.push(
    lead === undefined ? "What changed: nothing recorded before it." : `What changed: ${formatChange(lead)}`,
  );
  lines.push("");
  for (const a of flush.firing) {
    lines.push(`FIRING since ${a.firedAt ?? a.activeAt}: ${a.summary}`);
    if (a.runbook !== undefined) lines.push(`  runbook: ${a.runbook}`);
  }
  for (const a of flush.resolved) lines.push(`RESOLVED at ${a.resolvedAt ?? "?"}: ${a.summary}`);
  if (whatChanged.length > 1) {
    lines.push("", "Other changes before it:");
    for (const c of whatChanged.slice(1)) lines.push(`  ${formatChange(c)}`);
  }
  return {
    source: "alert",
    groupKey: flush.groupKey,
    status,
    severity: worst(alerts),
    title,
    text: lines.join("\n"),
    alerts,
    commonLabels: common,
    whatChanged,
    createdAt: now.toISOString(),
  };
}
