/** The incident routes over real HTTP on loopback: lifecycle, bad input, roles, timeline, postmortem, runbooks. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentsFor } from "../../src/incidents/service.js";
import { startTestControlPlane, type TestControlPlane } from "../api/harness.js";
import { alertView, doc, fire } from "./helpers.js";

let t: TestControlPlane;

beforeAll(async () => {
  t = await startTestControlPlane();
  expect((await t.call("POST", "/config/apply", { body: { document: doc(), message: "v1" } })).status).toBe(
    201,
  );
  const off = await t.call("POST", "/config/apply", {
    body: {
      document: doc({ sqli: "off", port: 8081 }),
      message: "routine update",
      overrides: [{ policy: "critical-modules-on", reason: "maintenance" }],
    },
  });
  expect(off.status).toBe(201);
});
afterAll(async () => t.close());

describe("incident API", () => {
  it("opens from a firing alert; the incident names the override version first", async () => {
    fire(
      t.cp.store,
      alertView({
        rule: "surge",
        labels: { route: "checkout" },
        at: Date.now(),
        summary: "surge on checkout",
      }),
    );
    incidentsFor(t.cp.store).tick(); // the 1 s tick would do the same
    const list = await t.call("GET", "/incidents?state=open");
    expect(list.status).toBe(200);
    expect(list.body.incidents).toHaveLength(1);
    const i = list.body.incidents[0];
    expect(i).toMatchObject({
      id: 1,
      state: "triggered",
      openedBy: "alerts",
      service: "route=checkout",
      runbook: "config-related",
    });
    expect(i.whatChanged[0]).toMatchObject({ version: 2, security: true, kind: "override" });
  });

  it("walks the lifecycle with who and when; illegal steps are 409 and change nothing", async () => {
    const ack = await t.call("POST", "/incidents/1/ack", { body: { as: "ann" } });
    expect(ack.status).toBe(200);
    expect(ack.body.incident).toMatchObject({ state: "acknowledged", acknowledgedBy: "ann" });
    expect(
      (await t.call("POST", "/incidents/1/notes", { body: { text: "sqli off since v2", as: "ann" } })).status,
    ).toBe(201);
    const cmd = await t.call("POST", "/incidents/1/assign", { body: { role: "commander", person: "ann" } });
    expect(cmd.body.incident.commander).toBe("ann");
    const sev = await t.call("POST", "/incidents/1/severity", { body: { severity: "SEV1" } });
    expect(sev.body.incident.severity).toBe("SEV1");
    const rb = await t.call("POST", "/config/rollback", { body: { version: 1, message: "incident 1" } });
    expect(rb.status).toBe(201);
    expect(
      (await t.call("POST", "/incidents/1/mitigate", { body: { note: "rolled back to v1" } })).status,
    ).toBe(200);
    expect((await t.call("POST", "/incidents/1/resolve", { body: {} })).body.incident.state).toBe("resolved");
    const before = (await t.call("GET", "/incidents/1")).body;
    for (const path of ["/incidents/1/resolve", "/incidents/1/ack"]) {
      const r = await t.call("POST", path, { body: {} });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ error: "INCIDENT_ILLEGAL_TRANSITION" });
      expect(r.body.hint).toContain("resolved incident is closed");
    }
    expect((await t.call("GET", "/incidents/1")).body).toEqual(before);
    expect(before.entries.map((e: { kind: string }) => e.kind)).toEqual([
      "state",
      "escalation",
      "state",
      "note",
      "role",
      "severity",
      "state",
      "state",
    ]);
  });

  it("answers unknown ids, bad ids and missing roles with clear errors", async () => {
    const missing = await t.call("GET", "/incidents/999");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: "INCIDENT_NOT_FOUND", message: "no incident 999" });
    expect((await t.call("POST", "/incidents/999/ack", { body: {} })).status).toBe(404);
    expect((await t.call("GET", "/incidents/abc")).body.error).toBe("INVALID_REQUEST");
    expect((await t.call("POST", "/incidents/1/severity", { body: { severity: "SEV9" } })).status).toBe(400);
    const viewer = await t.call("POST", "/incidents/1/notes", {
      token: t.tokens.viewer,
      body: { text: "x" },
    });
    expect(viewer.status).toBe(403);
    expect((await t.call("POST", "/actions/77/done", { body: {} })).body.error).toBe("ACTION_NOT_FOUND");
  });

  it("tracks action items and writes the postmortem", async () => {
    const add = await t.call("POST", "/incidents/1/actions", {
      body: { title: "Second admin for overrides", owner: "bob", due: "2026-12-01", kind: "preventive" },
    });
    expect(add.status).toBe(201);
    expect(
      (await t.call("POST", "/incidents/1/actions", { body: { title: "x", owner: "y", due: "soon" } }))
        .status,
    ).toBe(400);
    expect((await t.call("GET", "/actions?open=true")).body.actions).toHaveLength(1);
    expect(
      (await t.call("POST", `/actions/${add.body.action.id}/done`, { body: { as: "bob" } })).body.action
        .doneBy,
    ).toBe("bob");
    expect((await t.call("GET", "/actions?open=true")).body.actions).toHaveLength(0);

    const md = await t.call("GET", "/incidents/1/postmortem?format=md&tz=Europe/Berlin");
    expect(md.status).toBe(200);
    expect(md.body.markdown).toContain("All times are Europe/Berlin");
    expect(md.body.markdown).toContain("**DRAFT: to be confirmed by a person. Most likely cause: v2 applied");
    expect(md.body.markdown).toContain("- [x] #1 Second admin for overrides (owner bob");
    const json = await t.call("GET", "/incidents/1/postmortem");
    expect(json.body.postmortem.rootCause.resolvingAction.kind).toBe("config.rolled-back");
    expect((await t.call("GET", "/incidents/1/postmortem?tz=Nowhere/Else")).body.error).toBe(
      "POSTMORTEM_BAD_TIMEZONE",
    );
    const tl = await t.call("GET", "/incidents/1/timeline");
    expect(tl.body.entries.some((e: { kind: string }) => e.kind === "config.rolled-back")).toBe(true);
  });

  it("serves runbooks with live values and opens incidents by hand", async () => {
    const list = await t.call("GET", "/runbooks");
    expect(list.body.runbooks.map((r: { name: string }) => r.name)).toContain("config-related");
    const rb = await t.call("GET", "/runbooks/surge?incident=1");
    expect(rb.body.markdown).toContain("rampart limits tighten checkout --factor 2");
    expect((await t.call("GET", "/runbooks/ddos")).body.error).toBe("RUNBOOK_NOT_FOUND");
    const opened = await t.call("POST", "/incidents", {
      body: { title: "checkout slow", severity: "SEV2", as: "cat" },
    });
    expect(opened.status).toBe(201);
    expect(opened.body.incident).toMatchObject({
      id: 2,
      openedBy: "cat",
      severity: "SEV2",
      state: "triggered",
    });
  });
});
