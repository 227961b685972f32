/**
 * Plain-text pieces that several notifiers share: the "what changed" lines (ranked by
 * src/changes, security-relevant first, so the first line is the likeliest cause) and one line per
 * alert. Pure functions of a Notification.
 */
import type { AlertView, Notification } from "../types.js";

/** How many changes a message lists; the rest are counted ("and 3 more"). */
export const MAX_CHANGES_SHOWN = 5;

/** The first "what changed" line, or undefined when nothing changed in the window. */
export function leadingChange(n: Notification): string | undefined {
  return n.whatChanged[0]?.title;
}

/** Up to `max` change titles, then "and N more"; empty when nothing changed. */
export function whatChangedLines(n: Notification, max = MAX_CHANGES_SHOWN): string[] {
  const lines = n.whatChanged
    .slice(0, max)
    .map((c) => (c.security ? `${c.title} (security-relevant)` : c.title));
  const rest = n.whatChanged.length - max;
  if (rest > 0) lines.push(`and ${rest} more`);
  return lines;
}

export function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .filter(([k]) => k !== "alertname")
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

/** "[firing] surge route=checkout: requests 5.1x the usual (value 0.97), since 2026-…Z" */
export function alertLine(a: AlertView): string {
  const labels = labelText(a.labels);
  const value = a.value === undefined ? "" : ` (value ${Number(a.value.toPrecision(4))})`;
  const since =
    a.state === "resolved" && a.resolvedAt !== undefined
      ? `resolved ${a.resolvedAt}`
      : `since ${a.firedAt ?? a.activeAt}`;
  return `[${a.state}] ${a.rule}${labels === "" ? "" : ` ${labels}`}: ${a.summary}${value}, ${since}`;
}
