/**
 * The incident lifecycle as a pure function: an incident and a command in, the changed incident and
 * the change to record out, or a typed error and nothing changed. States only move forward
 * (triggered -> acknowledged -> mitigated -> resolved); skipping ahead is allowed (a fix found
 * before anyone acknowledged), and a skipped step takes the same who and when, since doing the
 * later step implies the earlier one. Moving back, or to the same state, is an error.
 */
import { IncidentError } from "./errors.js";
import {
  INCIDENT_SEVERITIES,
  INCIDENT_STATES,
  type Incident,
  type IncidentRole,
  type IncidentSeverity,
  type IncidentState,
} from "./types.js";

export type IncidentCommand =
  | { readonly kind: "acknowledge" }
  | { readonly kind: "mitigate" }
  | { readonly kind: "resolve" }
  | { readonly kind: "severity"; readonly severity: IncidentSeverity }
  | {
      readonly kind: "assign";
      readonly role: IncidentRole;
      readonly person: string;
      readonly remove?: boolean;
    };

/** What the change was, for the timeline: "state acknowledged -> mitigated", "severity SEV3 -> SEV2". */
export interface IncidentChange {
  readonly kind: "state" | "severity" | "role";
  readonly from: string | null;
  readonly to: string | null;
  readonly text: string;
}

const TARGET: Readonly<Record<"acknowledge" | "mitigate" | "resolve", IncidentState>> = {
  acknowledge: "acknowledged",
  mitigate: "mitigated",
  resolve: "resolved",
};

const rank = (s: IncidentState): number => INCIDENT_STATES.indexOf(s);

export function isOpen(incident: Pick<Incident, "state">): boolean {
  return incident.state !== "resolved";
}

export function isSeverity(text: string): text is IncidentSeverity {
  return (INCIDENT_SEVERITIES as readonly string[]).includes(text);
}

/**
 * Applies a command done by `by` at `at` (ISO). Throws INCIDENT_ILLEGAL_TRANSITION for a state
 * that does not move forward, INCIDENT_NO_CHANGE for a severity or role that is already so.
 */
export function applyCommand(
  incident: Incident,
  command: IncidentCommand,
  by: string,
  at: string,
): { incident: Incident; change: IncidentChange } {
  switch (command.kind) {
    case "acknowledge":
    case "mitigate":
    case "resolve": {
      const to = TARGET[command.kind];
      if (rank(to) <= rank(incident.state)) {
        throw new IncidentError(
          "INCIDENT_ILLEGAL_TRANSITION",
          `incident ${incident.id} is ${incident.state}: it cannot be ${to}${incident.state === to ? " again" : ""}`,
          {
            hint:
              incident.state === "resolved"
                ? "a resolved incident is closed; open a new one if the problem is back"
                : `states move forward only: ${INCIDENT_STATES.join(" -> ")}`,
          },
        );
      }
      const step = (s: IncidentState) => rank(s) <= rank(to) && rank(s) > rank(incident.state);
      const next: Incident = {
        ...incident,
        state: to,
        ...(step("acknowledged") ? { acknowledgedAt: at, acknowledgedBy: by } : {}),
        ...(step("mitigated") ? { mitigatedAt: at, mitigatedBy: by } : {}),
        ...(step("resolved") ? { resolvedAt: at, resolvedBy: by } : {}),
      };
      return {
        incident: next,
        change: { kind: "state", from: incident.state, to, text: `${to} by ${by} (was ${incident.state})` },
      };
    }
    case "severity": {
      if (!isSeverity(command.severity)) {
        throw new IncidentError("INCIDENT_INVALID", `unknown severity ${JSON.stringify(command.severity)}`, {
          hint: `use one of ${INCIDENT_SEVERITIES.join(", ")}`,
        });
      }
      if (command.severity === incident.severity) {
        throw new IncidentError(
          "INCIDENT_NO_CHANGE",
          `incident ${incident.id} is already ${incident.severity}`,
        );
      }
      return {
        incident: { ...incident, severity: command.severity },
        change: {
          kind: "severity",
          from: incident.severity,
          to: command.severity,
          text: `severity ${incident.severity} -> ${command.severity} by ${by}`,
        },
      };
    }
    case "assign":
      return assign(incident, command, by);
  }
}

function assign(
  incident: Incident,
  command: Extract<IncidentCommand, { kind: "assign" }>,
  by: string,
): { incident: Incident; change: IncidentChange } {
  const person = command.person.trim();
  if (person === "" || person.length > 200) {
    throw new IncidentError("INCIDENT_INVALID", "a role needs a person's name (1-200 characters)");
  }
  if (command.role === "commander") {
    if (command.remove === true) {
      if (incident.commander !== person) {
        throw new IncidentError(
          "INCIDENT_NO_CHANGE",
          `${person} is not the commander of incident ${incident.id}`,
        );
      }
      return {
        incident: { ...incident, commander: null },
        change: { kind: "role", from: person, to: null, text: `commander ${person} stood down (by ${by})` },
      };
    }
    if (incident.commander === person) {
      throw new IncidentError(
        "INCIDENT_NO_CHANGE",
        `${person} is already the commander of incident ${incident.id}`,
      );
    }
    return {
      incident: {
        ...incident,
        commander: person,
        // The commander is not also listed as a responder.
        responders: incident.responders.filter((r) => r !== person),
      },
      change: {
        kind: "role",
        from: incident.commander,
        to: person,
        text: `commander: ${person}${incident.commander === null ? "" : ` (was ${incident.commander})`} (by ${by})`,
      },
    };
  }
  const listed = incident.responders.includes(person);
  if (command.remove === true) {
    if (!listed) {
      throw new IncidentError(
        "INCIDENT_NO_CHANGE",
        `${person} is not a responder of incident ${incident.id}`,
      );
    }
    return {
      incident: { ...incident, responders: incident.responders.filter((r) => r !== person) },
      change: { kind: "role", from: person, to: null, text: `responder ${person} left (by ${by})` },
    };
  }
  if (listed || incident.commander === person) {
    throw new IncidentError("INCIDENT_NO_CHANGE", `${person} is already on incident ${incident.id}`);
  }
  return {
    incident: { ...incident, responders: [...incident.responders, person] },
    change: { kind: "role", from: null, to: person, text: `responder: ${person} (by ${by})` },
  };
}
