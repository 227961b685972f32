/**
 * Authentication and roles over real HTTP: 401 without or with a bad token, 403 for a role below
 * the route's, with a body that says what is needed; the role table for every route of the issue.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TokenRole } from "../../src/store/tokens.js";
import { startTestControlPlane, type TestControlPlane, V1 } from "./harness.js";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
  await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
});
afterAll(() => t.close());

describe("401: who are you?", () => {
  const rows: [string, string | null][] = [
    ["no Authorization header", null],
    ["empty bearer", ""],
    ["not a bearer scheme", "Basic dXNlcjpwYXNz"],
    ["malformed token", "rmp_short"],
    ["well-formed but unknown token", `rmp_${"A".repeat(43)}`],
    ["huge header value", `rmp_${"x".repeat(8000)}`],
    ["non-ASCII token", "rmp_ééééééééééééééééééééééééééééééééééééééééééé"],
  ];
  it.each(rows)("%s -> 401 UNAUTHORIZED", async (_name, token) => {
    const headers: Record<string, string> = {};
    if (token !== null) headers.authorization = token.startsWith("Basic") ? token : `Bearer ${token}`;
    const res = await fetch(`${t.cp.url}/api/v1/config`, { headers });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { error: string; message: string; hint: string };
    expect(body.error).toBe("UNAUTHORIZED");
    expect(body.hint).toMatch(/token/);
  });

  it("a revoked token is refused from the next request on", async () => {
    const { id, token } = t.cp.store.tokens.create("short-lived", "admin");
    expect((await t.call("GET", "/config", { token })).status).toBe(200);
    expect((await t.call("DELETE", `/tokens/${id}`)).status).toBe(200);
    const after = await t.call("GET", "/config", { token });
    expect(after.status).toBe(401);
    expect(after.body.error).toBe("UNAUTHORIZED");
  });

  it("the scheme name is case-insensitive (RFC 9110 section 11.1)", async () => {
    const res = await fetch(`${t.cp.url}/api/v1/config`, {
      headers: { authorization: `bearer ${t.tokens.viewer}` },
    });
    expect(res.status).toBe(200);
  });
});

describe("403 per role", () => {
  type Route = [method: string, path: string, body: unknown, allowed: readonly TokenRole[]];
  const doc = { document: V1 };
  const routes: Route[] = [
    ["GET", "/config", undefined, ["viewer", "operator", "admin", "gateway"]],
    ["POST", "/config/validate", doc, ["viewer", "operator", "admin"]],
    ["POST", "/config/plan", doc, ["viewer", "operator", "admin"]],
    ["POST", "/config/apply", { ...doc, message: "same" }, ["operator", "admin"]],
    ["GET", "/config/versions", undefined, ["viewer", "operator", "admin"]],
    ["GET", "/config/versions/1", undefined, ["viewer", "operator", "admin", "gateway"]],
    ["GET", "/config/diff?a=1&b=1", undefined, ["viewer", "operator", "admin"]],
    ["POST", "/config/rollback", { version: 1 }, ["operator", "admin"]],
    ["POST", "/tokens", { name: "x", role: "viewer" }, ["admin"]],
    ["GET", "/tokens", undefined, ["admin"]],
    ["GET", "/events", undefined, ["viewer", "operator", "admin"]],
  ];
  const roles: TokenRole[] = ["viewer", "operator", "admin", "gateway"];
  const cases = routes.flatMap(([method, path, body, allowed]) =>
    roles.map(
      (role) => [`${method} ${path} as ${role}`, method, path, body, role, allowed.includes(role)] as const,
    ),
  );
  it.each(cases)("%s", async (_name, method, path, body, role, allowed) => {
    const res = await t.call(method, path, { token: t.tokens[role], body });
    if (allowed) {
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
    } else {
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: "FORBIDDEN", role });
      expect(res.body.message).toContain(role);
      expect(res.body.message).toMatch(/needs a (token with role|gateway)/);
    }
  });

  it("DELETE /tokens/:id is admin only", async () => {
    const { id } = t.cp.store.tokens.create("victim", "viewer");
    for (const role of ["viewer", "operator", "gateway"] as const) {
      expect((await t.call("DELETE", `/tokens/${id}`, { token: t.tokens[role] })).status).toBe(403);
    }
    expect((await t.call("DELETE", `/tokens/${id}`, { token: t.tokens.admin })).status).toBe(200);
  });

  it("an operator asking for a policy override gets 403 before anything is evaluated", async () => {
    const res = await t.call("POST", "/config/apply", {
      token: t.tokens.operator,
      body: { document: V1, message: "m", overrides: [{ policy: "critical-modules-on", reason: "r" }] },
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: "FORBIDDEN", needs: "admin" });
  });

  it("health and the OpenAPI document need no token", async () => {
    expect((await t.call("GET", "/health", { token: null })).status).toBe(200);
    expect((await t.call("GET", "/openapi.json", { token: null })).status).toBe(200);
  });
});
