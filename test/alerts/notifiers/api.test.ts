/**
 * The notification routes on a real control plane: receivers come from the applied config, the
 * dispatcher runs with the API (no flush here: the background worker delivers), a test message
 * goes through a receiver, and a control plane restarted over the same data folder resumes what
 * was pending, delivering it once.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { dispatcherFor } from "../../../src/alerts/notifiers/dispatcher.js";
import { startControlPlane } from "../../../src/control/server.js";
import { startTestControlPlane, type TestControlPlane } from "../../api/harness.js";
import { type HttpPeer, startHttpPeer, surgeNotification, withReceivers } from "./peers.js";

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("notification routes", () => {
  let t: TestControlPlane;
  let peer: HttpPeer;
  beforeEach(async () => {
    t = await startTestControlPlane();
    peer = await startHttpPeer();
  });
  afterEach(async () => {
    await t.close();
    await peer.close();
  });

  async function apply(document: string): Promise<void> {
    const applied = await t.call("POST", "/config/apply", {
      token: t.tokens.operator,
      body: { document, message: "receivers" },
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(201);
  }

  it("a test notification goes through a receiver of the applied config; the outbox lists it", async () => {
    const before = await t.call("POST", "/receivers/ops/test", { token: t.tokens.operator, body: {} });
    expect(before.status).toBe(404);
    expect(before.body).toMatchObject({
      error: "NOT_FOUND",
      message: 'no receiver named "ops" in the live config',
      hint: "define receivers under alerts.receivers and apply the config",
    });

    await apply(withReceivers(peer.url));
    const sent = await t.call("POST", "/receivers/ops/test", {
      token: t.tokens.operator,
      body: { waitS: 5 },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.notification).toMatchObject({
      receiver: "ops",
      status: "sent",
      attempts: 1,
      title: "[TEST] Rampart notification test for receiver ops",
    });
    expect(peer.requests).toHaveLength(1);
    expect(peer.requests[0]!.body).toMatchObject({
      version: "4",
      receiver: "ops",
      status: "firing",
      title: "[TEST] Rampart notification test for receiver ops",
      commonLabels: { alertname: "RampartNotificationTest" },
    });

    const listed = await t.call("GET", "/notifications", { token: t.tokens.viewer });
    expect(listed.status).toBe(200);
    expect(listed.body).toMatchObject({ pending: 0, receivers: ["ops"], health: [] });
    expect(listed.body.notifications.map((n: { id: number; status: string }) => [n.id, n.status])).toEqual([
      [sent.body.notification.id, "sent"],
    ]);
    expect(t.cp.store.events.list({ kinds: ["notification.test"] }).map((e) => e.data)).toEqual([
      { receiver: "ops", id: sent.body.notification.id, by: "operator-1" },
    ]);
  });

  it("roles: a viewer reads the outbox but cannot send a test; no token reads nothing", async () => {
    await apply(withReceivers(peer.url));
    expect((await t.call("POST", "/receivers/ops/test", { token: t.tokens.viewer, body: {} })).status).toBe(
      403,
    );
    expect((await t.call("GET", "/notifications", { token: null })).status).toBe(401);
    expect((await t.call("GET", "/notifications?status=lost", { token: t.tokens.viewer })).status).toBe(400);
    expect(peer.requests).toEqual([]);
  });

  it("the running dispatcher delivers what alerts enqueue and follows a newly applied config", async () => {
    await apply(withReceivers(peer.url));
    const d = dispatcherFor(t.cp.store);
    const { id } = d.enqueue("ops", surgeNotification());
    await waitFor("delivery", () => d.get(id)?.status === "sent");
    expect(peer.requests.map((r) => r.body.title)).toEqual(["[FIRING] surge on route checkout"]);

    const other = await startHttpPeer();
    try {
      await apply(withReceivers(other.url));
      await waitFor(
        "the new receivers",
        () => d.receiver("ops")?.type === "webhook" && JSON.stringify(d.receiver("ops")).includes(other.url),
      );
      d.enqueue("ops", surgeNotification({ title: "after the change" }));
      await waitFor("delivery to the new URL", () => other.requests.length === 1);
      expect(other.requests[0]!.body.title).toBe("after the change");
    } finally {
      await other.close();
    }
  });
});

describe("control plane restart", () => {
  const dir = mkdtempSync(join(tmpdir(), "rampart-notify-restart-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a notification pending when the control plane stops is delivered once after it starts again", async () => {
    const peer = await startHttpPeer({ status: 503 });
    try {
      let cp = await startControlPlane({ dataDir: dir, port: 0 });
      const admin = readFileSync(join(dir, "admin.token"), "utf8").trim();
      const call = (path: string, body: unknown) =>
        fetch(`${cp.url}/api/v1${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" },
          body: JSON.stringify(body),
        });
      expect((await call("/config/apply", { document: withReceivers(peer.url), message: "r" })).status).toBe(
        201,
      );
      const first = dispatcherFor(cp.store).enqueue("ops", surgeNotification());
      await waitFor("a failed attempt", () => peer.requests.length >= 1);
      await cp.close();
      const triedBefore = peer.requests.length;

      peer.fallback = { status: 200 };
      cp = await startControlPlane({ dataDir: dir, port: 0 });
      try {
        const d = dispatcherFor(cp.store);
        await waitFor("delivery after the restart", () => d.get(first.id)?.status === "sent");
        await new Promise((r) => setTimeout(r, 300)); // nothing more arrives
        expect(peer.requests).toHaveLength(triedBefore + 1);
        expect(d.get(first.id)?.attempts).toBe(triedBefore + 1);
      } finally {
        await cp.close();
      }
    } finally {
      await peer.close();
    }
  });
});
