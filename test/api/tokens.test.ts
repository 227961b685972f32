/** Token and event routes over real HTTP: create / list / revoke with who did it, events filters. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane, V1 } from "./harness.js";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(() => t.close());

describe("tokens", () => {
  it("create answers the clear token once; it works with its role; list never shows secrets", async () => {
    const res = await t.call("POST", "/tokens", { body: { name: "ci deploy", role: "operator" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "ci deploy", role: "operator" });
    expect(res.body.token).toMatch(/^rmp_[A-Za-z0-9_-]{43}$/);
    const applied = await t.call("POST", "/config/apply", {
      token: res.body.token,
      body: { document: V1, message: "m" },
    });
    expect(applied.status).toBe(201);
    expect(t.cp.store.versions.get(applied.body.version)!.author).toBe("ci deploy");

    const list = await t.call("GET", "/tokens");
    expect(JSON.stringify(list.body)).not.toContain(res.body.token);
    expect(list.body.tokens).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: res.body.id, name: "ci deploy", role: "operator", revokedAt: null }),
      ]),
    );
    const created = t.cp.store.events.list({ kinds: ["token.created"] }).at(-1);
    expect(created?.data).toMatchObject({ id: res.body.id, by: "bootstrap-admin" });
  });

  it("a gateway token can be created", async () => {
    const res = await t.call("POST", "/tokens", { body: { name: "edge-1", role: "gateway" } });
    expect(res.status).toBe(201);
  });

  it("a gateway token speaks only for the gateway ids its name covers", async () => {
    await t.call("POST", "/config/apply", { body: { document: V1, message: "for the fleet" } });
    const one = t.cp.store.tokens.create("edge-1", "gateway").token;
    const family = t.cp.store.tokens.create("edge-*", "gateway").token;
    const poll = (token: string, id: string) => t.call("GET", `/fleet/gateways/${id}/config`, { token });
    expect((await poll(one, "edge-1")).status).toBe(200);
    const other = await poll(one, "edge-2");
    expect(other.status).toBe(403);
    expect(other.body).toMatchObject({ error: "FORBIDDEN", gateway: "edge-2" });
    expect(other.body.message).toBe('gateway token "edge-1" does not speak for gateway "edge-2"');
    expect((await poll(family, "edge-2")).status).toBe(200);
    expect((await poll(family, "edge-10")).status).toBe(200);
    expect((await poll(family, "edge")).status).toBe(403);
    expect((await poll(family, "core-edge-1")).status).toBe(403);
    // Attesting in another gateway's name is refused before anything is recorded.
    const forged = await t.call("POST", "/fleet/gateways/edge-9/attest", {
      token: one,
      body: {
        tags: [],
        pid: 1,
        host: "h",
        configVersion: null,
        configHash: null,
        controlConnected: true,
        waf: { mode: "blocking", rules: 0, modules: [] },
        routes: [],
        seconds: [],
      },
    });
    expect(forged.status).toBe(403);
    const fleet = await t.call("GET", "/fleet");
    expect(fleet.body.gateways.map((g: { id: string }) => g.id)).not.toContain("edge-9");
  });

  const bad: [string, unknown][] = [
    ["unknown role", { name: "x", role: "root" }],
    ["empty name", { name: "", role: "viewer" }],
    ["blank name", { name: "   ", role: "viewer" }],
    ["name too long", { name: "n".repeat(201), role: "viewer" }],
    ["missing role", { name: "x" }],
    ["name an object", { name: { a: 1 }, role: "viewer" }],
  ];
  it.each(bad)("400 for %s", async (_name, body) => {
    const before = t.cp.store.tokens.list().length;
    const res = await t.call("POST", "/tokens", { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("INVALID_REQUEST");
    expect(t.cp.store.tokens.list()).toHaveLength(before);
  });

  it("revoke: 200 with the time, recorded with who; unknown id 404; revoking twice keeps the first time", async () => {
    const { id } = t.cp.store.tokens.create("temp", "viewer");
    const first = await t.call("DELETE", `/tokens/${id}`);
    expect(first.status).toBe(200);
    expect(Date.parse(first.body.revokedAt)).not.toBeNaN();
    const second = await t.call("DELETE", `/tokens/${id}`);
    expect(second.body.revokedAt).toBe(first.body.revokedAt);
    expect(t.cp.store.events.list({ kinds: ["token.revoked"] }).at(-1)?.data).toMatchObject({
      id,
      name: "temp",
      by: "bootstrap-admin",
    });
    const missing = await t.call("DELETE", "/tokens/9999");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toBe("TOKEN_NOT_FOUND");
  });
});

describe("events", () => {
  it("filters by kinds, since, after and limit; oldest first", async () => {
    const all = await t.call("GET", "/events?limit=1000", { token: t.tokens.viewer });
    expect(all.status).toBe(200);
    const ids = all.body.events.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const kinds = await t.call("GET", "/events?kinds=token.created,token.revoked");
    expect(new Set(kinds.body.events.map((e: { kind: string }) => e.kind))).toEqual(
      new Set(["token.created", "token.revoked"]),
    );
    const limited = await t.call("GET", "/events?limit=1");
    expect(limited.body.events).toHaveLength(1);
    const after = await t.call("GET", `/events?after=${limited.body.next}`);
    expect(after.body.events[0].id).toBeGreaterThan(limited.body.next);
    const future = await t.call("GET", "/events?since=2999-01-01T00:00:00Z");
    expect(future.body.events).toEqual([]);
  });

  it.each([["since=yesterday"], ["limit=0"], ["limit=10001"], ["after=-1"]])("400 for ?%s", async (q) => {
    const res = await t.call("GET", `/events?${q}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("INVALID_REQUEST");
  });
});
