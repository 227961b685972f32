/**
 * The shapes of incidents: an incident with its lifecycle (who and when for each step), its alerts,
 * the entries people and the escalation add to its timeline, and the action items of its postmortem.
 */
import type { AlertSeverity } from "../alerts/types.js";
import type { ChangeEntry } from "../changes/types.js";

/** Forward only: triggered -> acknowledged -> mitigated -> resolved (a step may be skipped). */
export const INCIDENT_STATES = ["triggered", "acknowledged", "mitigated", "resolved"] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** SEV1 is the worst (the whole shop down), SEV4 the mildest. */
export const INCIDENT_SEVERITIES = ["SEV1", "SEV2", "SEV3", "SEV4"] as const;
export type IncidentSeverity = (typeof INCIDENT_SEVERITIES)[number];

export const INCIDENT_ROLES = ["commander", "responder"] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

export interface Incident {
  readonly id: number;
  readonly title: string;
  /** What the incident is about, the grouping key: "route=checkout", "fleet". */
  readonly service: string;
  readonly severity: IncidentSeverity;
  readonly state: IncidentState;
  /** ISO times. Onset: when the first alert's condition began to hold (or when opened by hand). */
  readonly onsetAt: string;
  readonly openedAt: string;
  /** "alerts" when opened from firing alerts, else the person. */
  readonly openedBy: string;
  readonly acknowledgedAt: string | null;
  readonly acknowledgedBy: string | null;
  readonly mitigatedAt: string | null;
  readonly mitigatedBy: string | null;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  readonly commander: string | null;
  readonly responders: readonly string[];
  /** Last time an alert joined or fired again: the grouping window counts from here. */
  readonly lastAlertAt: string | null;
  readonly runbook: string | null;
  readonly escalation: EscalationState;
  /** "What changed" before the onset, ranked, as computed when the incident opened. */
  readonly whatChanged: readonly ChangeEntry[];
}

export interface EscalationState {
  /** Policy name from the config, null when none applies. */
  readonly policy: string | null;
  /** Levels notified so far (0: none yet). */
  readonly level: number;
  /** When the current level was notified (ISO); the next level is due its delay after this. */
  readonly levelAt: string | null;
}

/** An alert attached to an incident. */
export interface IncidentAlert {
  readonly fingerprint: string;
  readonly rule: string;
  readonly severity: AlertSeverity;
  readonly labels: Readonly<Record<string, string>>;
  readonly summary: string;
  readonly joinedAt: string;
  /** The alert.firing event that attached it. */
  readonly eventId: number | null;
  readonly state: "firing" | "resolved";
}

export const ENTRY_KINDS = ["state", "severity", "role", "note", "escalation"] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** A timeline entry that only the incident store holds (not in the event log). */
export interface IncidentEntry {
  readonly id: number;
  readonly incidentId: number;
  readonly time: string;
  readonly kind: EntryKind;
  readonly actor: string;
  readonly text: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export const ACTION_KINDS = ["corrective", "preventive", "task"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/** A postmortem action item, tracked until done. */
export interface ActionItem {
  readonly id: number;
  readonly incidentId: number;
  readonly title: string;
  readonly kind: ActionKind;
  readonly owner: string;
  /** YYYY-MM-DD. */
  readonly due: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly doneAt: string | null;
  readonly doneBy: string | null;
}
