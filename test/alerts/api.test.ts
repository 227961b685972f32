/**
 * The alert routes on a real control plane (real HTTP on loopback): roles, silences created,
 * listed and expired, errors with their codes, and an alert raised by a real drift event through
 * the running alerting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "../api/harness.js";

let t: TestControlPlane;

beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t.close();
});

const future = (ms: number): string => new Date(Date.now() + ms).toISOString();

describe("alerts API", () => {
  it("silences: operator creates, viewer lists, operator expires; viewer may not create", async () => {
    const body = {
      matchers: ["alertname=surge", 'route=~"check.*"'],
      duration: "2h",
      comment: "sale starts",
    };
    expect((await t.call("POST", "/silences", { token: t.tokens.viewer, body })).status).toBe(403);
    const created = await t.call("POST", "/silences", { token: t.tokens.operator, body });
    expect(created.status).toBe(201);
    const s = created.body.silence;
    expect(s).toMatchObject({
      createdBy: "operator-1",
      comment: "sale starts",
      state: "active",
      matchers: [
        { name: "alertname", op: "=", value: "surge" },
        { name: "route", op: "=~", value: "check.*" },
      ],
    });
    expect(Date.parse(s.endsAt) - Date.parse(s.startsAt)).toBe(7_200_000);

    const listed = await t.call("GET", "/silences", { token: t.tokens.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body.silences.map((x: { id: string }) => x.id)).toEqual([s.id]);

    const expired = await t.call("DELETE", `/silences/${s.id}`, { token: t.tokens.operator });
    expect(expired.status).toBe(200);
    expect(expired.body.silence.state).toBe("expired");
    // Expired now: the time is recorded, and it is not in the future.
    expect(Date.parse(expired.body.silence.expiredAt)).toBeLessThanOrEqual(Date.now());
    const after = await t.call("GET", "/silences", { token: t.tokens.viewer });
    expect(after.body.silences.map((x: { state: string }) => x.state)).toEqual(["expired"]);
  });

  it.each([
    [{ matchers: ["route"], duration: "1h", comment: "x" }, 400, "INVALID_REQUEST", /is not a matcher/],
    [{ matchers: ["route=a"], comment: "x" }, 400, "INVALID_REQUEST", /end or its duration/],
    [{ matchers: ["route=a"], duration: "soon", comment: "x" }, 400, "INVALID_REQUEST", /is not a duration/],
    [{ matchers: ['route=~".*"'], duration: "1h", comment: "x" }, 400, "INVALID_REQUEST", /every alert/],
    [{ matchers: ["route=a"], endsAt: future(-1000), comment: "x" }, 400, "INVALID_REQUEST", /in the future/],
    [{ matchers: [], duration: "1h", comment: "x" }, 400, "INVALID_REQUEST", /matchers/],
  ])("refuses silence %j", async (body, status, code, message) => {
    const r = await t.call("POST", "/silences", { token: t.tokens.operator, body });
    expect(r.status).toBe(status);
    expect(r.body.error).toBe(code);
    expect(r.body.message).toMatch(message);
  });

  it("expiring an unknown silence is a 404; a bad state filter a 400", async () => {
    const r = await t.call("DELETE", "/silences/nope", { token: t.tokens.operator });
    expect([r.status, r.body.error]).toEqual([404, "NOT_FOUND"]);
    const s = await t.call("GET", "/alerts?state=firing,bogus", { token: t.tokens.viewer });
    expect([s.status, s.body.error]).toEqual([400, "INVALID_REQUEST"]);
  });

  it("a silent-gateway drift event raises gateway-down, listed as firing; resolved after drift.resolved", async () => {
    t.cp.store.events.append({
      kind: "drift",
      severity: "critical",
      source: "control-plane",
      subject: "gateway:edge-9",
      data: { gateway: "edge-9", code: "silent", reason: "no attestation for 11 s" },
    });
    let alerts: { rule: string; state: string; labels: Record<string, string>; summary: string }[] = [];
    for (let i = 0; i < 40 && alerts.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = (await t.call("GET", "/alerts", { token: t.tokens.viewer })).body.alerts;
    }
    expect(alerts.map((a) => [a.rule, a.state, a.labels.gateway, a.summary])).toEqual([
      ["gateway-down", "firing", "edge-9", "gateway edge-9 is silent: no attestation for 11 s"],
    ]);
    // An open alert carries what changed before it: here the drift event itself.
    expect(
      (alerts[0] as unknown as { whatChanged: { kind: string }[] }).whatChanged.map((c) => c.kind),
    ).toEqual(["drift"]);
    t.cp.store.events.append({
      kind: "drift.resolved",
      severity: "info",
      source: "control-plane",
      subject: "gateway:edge-9",
      data: { gateway: "edge-9", code: "silent", reason: "back" },
    });
    for (let i = 0; i < 40 && alerts.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = (await t.call("GET", "/alerts", { token: t.tokens.viewer })).body.alerts;
    }
    expect(alerts).toEqual([]);
    const resolved = await t.call("GET", "/alerts?state=resolved", { token: t.tokens.viewer });
    expect(resolved.body.alerts.map((a: { rule: string; state: string }) => [a.rule, a.state])).toEqual([
      ["gateway-down", "resolved"],
    ]);
    const events = t.cp.store.events.list({ kinds: ["alert.firing", "alert.resolved"] });
    expect(events.map((e) => e.kind)).toEqual(["alert.firing", "alert.resolved"]);
  });
});
