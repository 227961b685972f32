/** The OpenAPI document is built from the routes: every route of the issue is in it with its role. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestControlPlane, type TestControlPlane } from "./harness.js";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(() => t.close());

describe("GET /api/v1/openapi.json", () => {
  const routes: [string, string, string][] = [
    ["get", "/api/v1/config", "viewer"],
    ["post", "/api/v1/config/validate", "viewer"],
    ["post", "/api/v1/config/plan", "viewer"],
    ["post", "/api/v1/config/apply", "operator"],
    ["get", "/api/v1/config/versions", "viewer"],
    ["get", "/api/v1/config/versions/{id}", "viewer"],
    ["get", "/api/v1/config/diff", "viewer"],
    ["post", "/api/v1/config/rollback", "operator"],
    ["post", "/api/v1/tokens", "admin"],
    ["get", "/api/v1/tokens", "admin"],
    ["delete", "/api/v1/tokens/{id}", "admin"],
    ["get", "/api/v1/events", "viewer"],
    ["get", "/api/v1/health", "none"],
  ];
  it.each(routes)("%s %s needs %s", async (method, path, role) => {
    const doc = (await t.call("GET", "/openapi.json", { token: null })).body;
    expect(doc.openapi).toBe("3.1.0");
    const op = doc.paths[path]?.[method];
    expect(op, `${method} ${path}`).toBeDefined();
    expect(op["x-rampart-role"]).toBe(role);
    expect(op.security).toEqual(role === "none" ? [] : [{ bearer: [] }]);
  });

  it("request bodies and parameters come from the route schemas", async () => {
    const doc = (await t.call("GET", "/openapi.json", { token: null })).body;
    const apply = doc.paths["/api/v1/config/apply"].post;
    expect(apply.requestBody.content["application/json"].schema.required).toEqual(["document", "message"]);
    const versions = doc.paths["/api/v1/config/versions"].get;
    expect(versions.parameters.map((p: { name: string }) => p.name)).toEqual(["limit", "before"]);
    const one = doc.paths["/api/v1/config/versions/{id}"].get;
    expect(one.parameters).toEqual([expect.objectContaining({ name: "id", in: "path", required: true })]);
  });
});
