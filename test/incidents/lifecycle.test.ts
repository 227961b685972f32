/** The lifecycle core (src/incidents/lifecycle.ts): every state x command, and what an error leaves. */
import { describe, expect, it } from "vitest";
import { IncidentError } from "../../src/incidents/errors.js";
import { applyCommand, type IncidentCommand } from "../../src/incidents/lifecycle.js";
import type { Incident, IncidentState } from "../../src/incidents/types.js";

const AT = "2026-03-01T02:10:00.000Z";

function incident(state: IncidentState): Incident {
  const earlier = "2026-03-01T02:05:00.000Z";
  const done = (s: IncidentState) =>
    ["triggered", "acknowledged", "mitigated", "resolved"].indexOf(state) >=
    ["triggered", "acknowledged", "mitigated", "resolved"].indexOf(s);
  return {
    id: 7,
    title: "surge on checkout",
    service: "route=checkout",
    severity: "SEV3",
    state,
    onsetAt: "2026-03-01T02:00:00.000Z",
    openedAt: "2026-03-01T02:01:00.000Z",
    openedBy: "alerts",
    acknowledgedAt: done("acknowledged") ? earlier : null,
    acknowledgedBy: done("acknowledged") ? "ann" : null,
    mitigatedAt: done("mitigated") ? earlier : null,
    mitigatedBy: done("mitigated") ? "ann" : null,
    resolvedAt: done("resolved") ? earlier : null,
    resolvedBy: done("resolved") ? "ann" : null,
    commander: null,
    responders: [],
    lastAlertAt: null,
    runbook: null,
    escalation: { policy: null, level: 0, levelAt: null },
    whatChanged: [],
  };
}

const cmd = (kind: "acknowledge" | "mitigate" | "resolve"): IncidentCommand => ({ kind });

// state before, command, state after (or the error code)
const TABLE: [
  IncidentState,
  "acknowledge" | "mitigate" | "resolve",
  IncidentState | "INCIDENT_ILLEGAL_TRANSITION",
][] = [
  ["triggered", "acknowledge", "acknowledged"],
  ["triggered", "mitigate", "mitigated"],
  ["triggered", "resolve", "resolved"],
  ["acknowledged", "acknowledge", "INCIDENT_ILLEGAL_TRANSITION"],
  ["acknowledged", "mitigate", "mitigated"],
  ["acknowledged", "resolve", "resolved"],
  ["mitigated", "acknowledge", "INCIDENT_ILLEGAL_TRANSITION"],
  ["mitigated", "mitigate", "INCIDENT_ILLEGAL_TRANSITION"],
  ["mitigated", "resolve", "resolved"],
  ["resolved", "acknowledge", "INCIDENT_ILLEGAL_TRANSITION"],
  ["resolved", "mitigate", "INCIDENT_ILLEGAL_TRANSITION"],
  ["resolved", "resolve", "INCIDENT_ILLEGAL_TRANSITION"],
];

describe("incident lifecycle", () => {
  it.each(TABLE)("%s + %s -> %s", (from, command, expected) => {
    const before = incident(from);
    const snapshot = structuredClone(before);
    if (expected === "INCIDENT_ILLEGAL_TRANSITION") {
      let caught: unknown;
      try {
        applyCommand(before, cmd(command), "bob", AT);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(IncidentError);
      expect((caught as IncidentError).code).toBe(expected);
      expect((caught as IncidentError).hint).toBeTruthy();
      expect(before).toEqual(snapshot);
      return;
    }
    const { incident: after, change } = applyCommand(before, cmd(command), "bob", AT);
    expect(after.state).toBe(expected);
    expect(change).toMatchObject({ kind: "state", from, to: expected });
    // Steps done before keep their who and when; skipped steps take this one's.
    expect(after.acknowledgedBy).toBe(from === "triggered" ? "bob" : "ann");
    expect(after.acknowledgedAt).toBe(from === "triggered" ? AT : "2026-03-01T02:05:00.000Z");
    if (expected === "resolved") expect([after.resolvedBy, after.resolvedAt]).toEqual(["bob", AT]);
    if (expected !== "resolved") expect(after.resolvedAt).toBeNull();
  });

  it("records severity changes and refuses a change to the same severity", () => {
    const { incident: after, change } = applyCommand(
      incident("triggered"),
      { kind: "severity", severity: "SEV1" },
      "cat",
      AT,
    );
    expect(after.severity).toBe("SEV1");
    expect(change).toEqual({
      kind: "severity",
      from: "SEV3",
      to: "SEV1",
      text: "severity SEV3 -> SEV1 by cat",
    });
    expect(() => applyCommand(after, { kind: "severity", severity: "SEV1" }, "cat", AT)).toThrow(
      expect.objectContaining({ code: "INCIDENT_NO_CHANGE" }),
    );
    expect(() => applyCommand(after, { kind: "severity", severity: "SEV9" as "SEV1" }, "cat", AT)).toThrow(
      expect.objectContaining({ code: "INCIDENT_INVALID" }),
    );
  });

  it("assigns a commander and responders, each once", () => {
    let i = incident("acknowledged");
    i = applyCommand(i, { kind: "assign", role: "responder", person: "dan" }, "ann", AT).incident;
    i = applyCommand(i, { kind: "assign", role: "responder", person: "eve" }, "ann", AT).incident;
    const r = applyCommand(i, { kind: "assign", role: "commander", person: "dan" }, "ann", AT);
    expect(r.incident.commander).toBe("dan");
    expect(r.incident.responders).toEqual(["eve"]);
    expect(r.change.text).toBe("commander: dan (by ann)");
    expect(() =>
      applyCommand(r.incident, { kind: "assign", role: "responder", person: "dan" }, "ann", AT),
    ).toThrow(expect.objectContaining({ code: "INCIDENT_NO_CHANGE" }));
    const left = applyCommand(
      r.incident,
      { kind: "assign", role: "responder", person: "eve", remove: true },
      "eve",
      AT,
    );
    expect(left.incident.responders).toEqual([]);
    expect(() =>
      applyCommand(r.incident, { kind: "assign", role: "commander", person: " " }, "ann", AT),
    ).toThrow(expect.objectContaining({ code: "INCIDENT_INVALID" }));
  });
});
