/**
 * An incident's timeline, built (pure) from everything Rampart recorded in its window: the event
 * log (alerts, config versions and overrides, refusals, rollouts and rollbacks, drift, settings,
 * audits), the incident's own entries (state, severity and role changes, notes, pages), and the
 * activity read from the traffic series (rate limiting, shedding, WAF block rate; activity.ts).
 * Each entry names its source, so that a postmortem can cite it. Stable order: time, then source.
 */
import { alertOfEventData } from "../alerts/types.js";
import type { StoredEvent } from "../store/events.js";
import type { Incident, IncidentEntry } from "./types.js";

export interface TimelineEntry {
  /** ISO time. */
  readonly time: string;
  /** Where it comes from: "event:123", "incident-entry:5", "series:rate_limited{}". */
  readonly source: string;
  /** The event kind ("config.applied"), the entry kind ("note"), or the activity ("rate-limiting"). */
  readonly kind: string;
  readonly title: string;
  readonly actor?: string;
  readonly severity?: string;
}

/** How far before the onset the timeline looks: the changes that may have caused it. */
export const DEFAULT_LOOKBACK_MS = 30 * 60_000;

export interface TimelineWindow {
  readonly from: string;
  readonly to: string;
}

/** From the lookback before the onset to the resolution (or now, while open). */
export function timelineWindow(
  incident: Pick<Incident, "onsetAt" | "resolvedAt">,
  nowMs: number,
  lookbackMs = DEFAULT_LOOKBACK_MS,
): TimelineWindow {
  const from = new Date(Date.parse(incident.onsetAt) - lookbackMs).toISOString();
  const end = incident.resolvedAt === null ? nowMs : Date.parse(incident.resolvedAt);
  return { from, to: new Date(Math.max(end, Date.parse(incident.onsetAt))).toISOString() };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function list(v: unknown, field: string): string {
  return Array.isArray(v)
    ? v
        .map((x) =>
          typeof x === "object" && x !== null ? str((x as Record<string, unknown>)[field]) : str(x),
        )
        .filter((x) => x !== undefined)
        .join(", ")
    : "";
}

/** One line for an event of the log, in the words a responder needs. */
export function eventTitle(e: StoredEvent): string {
  const d = e.data as Record<string, unknown>;
  const by = str(d.author) ?? str(d.by);
  switch (e.kind) {
    case "alert.firing":
    case "alert.resolved": {
      const a = alertOfEventData(e.data) ?? {};
      return `alert ${str(a.rule) ?? e.subject ?? "?"} ${e.kind === "alert.firing" ? "firing" : "resolved"}: ${str(a.summary) ?? ""}`.trimEnd();
    }
    case "config.applied": {
      const overrides = list(d.overrides, "policy");
      const loosened = list(d.loosened, "");
      return `config v${str(d.version) ?? "?"} applied by ${by ?? "?"}: ${JSON.stringify(str(d.message) ?? "")}${overrides === "" ? "" : ` (override: ${overrides})`}${loosened === "" ? "" : `, loosened: ${loosened}`}`;
    }
    case "config.rolled-back":
      return `config v${str(d.version) ?? "?"} rolls back to v${str(d.rollbackOf) ?? "?"} by ${by ?? "?"}: ${JSON.stringify(str(d.message) ?? "")}`;
    case "config.refused":
      return `config refused by ${list(d.policies, "policy") || "policy"} (author ${by ?? "?"})`;
    case "rollout.started":
    case "rollout.completed":
    case "rollout.rolled-back":
      return `rollout of v${str(d.version) ?? "?"} ${e.kind.slice("rollout.".length).replace("-", " ")}${Array.isArray(d.reasons) ? `: ${d.reasons.map(String).join("; ")}` : ""}`;
    case "drift":
      return `drift on ${str(d.gateway) ?? e.subject ?? "a gateway"}: ${str(d.reason) ?? str(d.code) ?? ""}`.trimEnd();
    case "drift.resolved":
      return `drift resolved on ${str(d.gateway) ?? e.subject ?? "a gateway"}`;
    case "settings.changed":
      return `setting ${str(d.key) ?? e.subject ?? "?"} changed by ${by ?? "?"}`;
    default:
      return `${e.kind}${e.subject === null ? "" : ` ${e.subject}`}${by === undefined ? "" : ` by ${by}`}`;
  }
}

export interface TimelineInput {
  readonly incident: Incident;
  readonly window: TimelineWindow;
  /** The log's events of the window (any kinds; the incident's own `incident.*` events are left out). */
  readonly events: readonly StoredEvent[];
  readonly entries: readonly IncidentEntry[];
  /** Entries read from the series (activity.ts). */
  readonly activity?: readonly TimelineEntry[];
}

export function buildTimeline(input: TimelineInput): TimelineEntry[] {
  const from = Date.parse(input.window.from);
  const to = Date.parse(input.window.to);
  const inWindow = (t: string) => {
    const ms = Date.parse(t);
    return ms >= from && ms <= to;
  };
  const out: TimelineEntry[] = [];
  for (const e of input.events) {
    // The incident's own changes come from its entries, with their notes; debug events are noise.
    if (e.kind.startsWith("incident.") || e.severity === "debug" || !inWindow(e.time)) continue;
    const d = e.data as Record<string, unknown>;
    const actor = str(d.author) ?? str(d.by);
    out.push({
      time: e.time,
      source: `event:${e.id}`,
      kind: e.kind,
      title: eventTitle(e),
      severity: e.severity,
      ...(actor === undefined ? {} : { actor }),
    });
  }
  for (const x of input.entries) {
    out.push({ time: x.time, source: `incident-entry:${x.id}`, kind: x.kind, title: x.text, actor: x.actor });
  }
  for (const a of input.activity ?? []) if (inWindow(a.time)) out.push(a);
  // At the same second: what was done (events), then what the traffic showed, then what people wrote.
  const rank = (s: string) => (s.startsWith("event:") ? 0 : s.startsWith("series:") ? 1 : 2);
  const num = (s: string) => Number(s.slice(s.lastIndexOf(":") + 1)) || 0;
  return out.sort(
    (a, b) =>
      Date.parse(a.time) - Date.parse(b.time) ||
      rank(a.source) - rank(b.source) ||
      num(a.source) - num(b.source) ||
      a.source.localeCompare(b.source),
  );
}
