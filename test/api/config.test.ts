/**
 * Config routes over real HTTP: the live version, validate, plan, apply (201 / 422 / 409 / 413 /
 * 400), history and paging, one version, diff, rollback; the postmortem's flow end to end.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  INVALID,
  startTestControlPlane,
  type TestControlPlane,
  V1,
  V1_PORT,
  V2_SQLI_OFF,
} from "./harness.js";

let t: TestControlPlane;
beforeEach(async () => {
  t = await startTestControlPlane();
});
afterEach(() => t.close());

const versionCount = () => t.cp.store.versions.list({ limit: 1000 }).length;

describe("GET /config", () => {
  it("404 NO_CONFIG before the first apply, then the live version with its document", async () => {
    const before = await t.call("GET", "/config");
    expect(before.status).toBe(404);
    expect(before.body).toMatchObject({ error: "NO_CONFIG" });
    expect(before.body.hint).toContain("rampart config apply");

    const applied = await t.call("POST", "/config/apply", {
      token: t.tokens.operator,
      body: { document: V1, message: "initial" },
    });
    expect(applied.status).toBe(201);
    const live = await t.call("GET", "/config", { token: t.tokens.viewer });
    expect(live.status).toBe(200);
    expect(live.body).toMatchObject({
      version: 1,
      hash: applied.body.hash,
      author: "operator-1",
      message: "initial",
      kind: "apply",
      overrides: [],
      document: V1,
    });
    expect(Date.parse(live.body.createdAt)).not.toBeNaN();
  });
});

describe("POST /config/validate", () => {
  it("a valid document: ok, no issues, the verdicts", async () => {
    const res = await t.call("POST", "/config/validate", { body: { document: V1 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, valid: true, issues: [], against: null });
    expect(res.body.verdicts.length).toBeGreaterThan(0);
  });

  it("an invalid document: ok false with every issue's path and line, nothing stored", async () => {
    const res = await t.call("POST", "/config/validate", { body: { document: INVALID } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: "routes", line: 3 }),
        expect.objectContaining({ path: "waf.mode", line: 4 }),
      ]),
    );
    expect(versionCount()).toBe(0);
  });

  it("policies are checked against the live version: turning sqli off fails", async () => {
    await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
    const res = await t.call("POST", "/config/validate", { body: { document: V2_SQLI_OFF } });
    expect(res.body).toMatchObject({ ok: false, valid: true, against: 1, blocking: ["critical-modules-on"] });
  });

  const odd: [string, string][] = [
    ["empty document", ""],
    ["only a comment", "# nothing\n"],
    ["YAML syntax error", "routes: [unclosed\n"],
    ["lone surrogate from bad UTF-8", "routes: \ud800\n"],
    ["a scalar", "42"],
  ];
  it.each(odd)("%s: 200 with ok false and issues, never a crash", async (_name, document) => {
    const res = await t.call("POST", "/config/validate", { body: { document } });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.issues.length).toBeGreaterThan(0);
  });
});

describe("POST /config/plan", () => {
  it("first version: the plan, its text and verdicts", async () => {
    const res = await t.call("POST", "/config/plan", { body: { document: V1 } });
    expect(res.status).toBe(200);
    expect(res.body.plan.initial).toBe(true);
    expect(res.body.text).toContain("Plan: first version");
    expect(res.body.unchanged).toBe(false);
  });

  it("the postmortem's change is shown as loosening and refused, without storing", async () => {
    await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
    const res = await t.call("POST", "/config/plan", { body: { document: V2_SQLI_OFF } });
    expect(res.body.plan.summary.loosened).toBe(1);
    expect(res.body.text).toMatch(/waf\.modules\.sqli: on -> off/);
    expect(res.body.text).toContain("Refused: 1 policy fails (critical-modules-on)");
    expect(versionCount()).toBe(1);
  });

  it("422 CONFIG_INVALID for an invalid document", async () => {
    const res = await t.call("POST", "/config/plan", { body: { document: INVALID, file: "shop.yaml" } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: "CONFIG_INVALID", file: "shop.yaml" });
  });
});

describe("POST /config/apply", () => {
  it("201 with version, hash and overrides; the author is the token's name", async () => {
    const res = await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, kind: "apply", overrides: [], unchanged: false });
    expect(res.body.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(t.cp.store.versions.get(1)!.author).toBe("bootstrap-admin");
  });

  it("re-applying the live config stores nothing and answers 200 unchanged", async () => {
    await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
    const again = await t.call("POST", "/config/apply", {
      body: { document: `# same\n${V1}`, message: "again" },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ version: 1, unchanged: true });
    expect(versionCount()).toBe(1);
  });

  it("422 with every issue, nothing stored", async () => {
    const res = await t.call("POST", "/config/apply", {
      body: { document: INVALID, message: "x", file: "shop.yaml" },
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toBe("CONFIG_INVALID");
    expect(res.body.issues.length).toBeGreaterThanOrEqual(2);
    expect(res.body.message).toContain("shop.yaml:3 routes");
    expect(versionCount()).toBe(0);
  });

  it("409 CONFIG_CONFLICT when another version landed after the one planned against", async () => {
    await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
    await t.call("POST", "/config/apply", { body: { document: V1_PORT, message: "port" } });
    const res = await t.call("POST", "/config/apply", {
      body: { document: V1, message: "stale", expectParent: 1 },
    });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe("CONFIG_CONFLICT");
    expect(versionCount()).toBe(2);
  });

  const bad: [string, number, string, string | undefined, unknown][] = [
    ["malformed JSON", 400, "MALFORMED_JSON", '{"document": ', undefined],
    ["empty JSON body", 400, "MALFORMED_JSON", "", undefined],
    ["JSON null", 400, "INVALID_REQUEST", "null", undefined],
    ["missing message", 400, "INVALID_REQUEST", undefined, { document: V1 }],
    ["document an object", 400, "INVALID_REQUEST", undefined, { document: { a: 1 }, message: "m" }],
    ["array body", 400, "INVALID_REQUEST", "[1,2]", undefined],
    [
      "override without reason",
      400,
      "INVALID_REQUEST",
      undefined,
      { document: V1, message: "m", overrides: [{ policy: "x" }] },
    ],
    [
      "body above 2 MiB",
      413,
      "BODY_TOO_LARGE",
      undefined,
      { document: `# ${"x".repeat(2 * 1024 * 1024)}`, message: "m" },
    ],
    [
      "document above the store's 1 MiB",
      413,
      "BODY_TOO_LARGE",
      undefined,
      { document: `${V1}# ${"x".repeat(1024 * 1024 + 10)}\n`, message: "m" },
    ],
  ];
  it.each(bad)("%s -> %i %s, nothing stored, server still serves", async (_n, status, code, raw, body) => {
    const res = await t.call("POST", "/config/apply", raw === undefined ? { body } : { raw });
    expect(res.status).toBe(status);
    expect(res.body.error).toBe(code);
    expect(typeof res.body.message).toBe("string");
    expect(versionCount()).toBe(0);
    expect((await t.call("GET", "/health")).status).toBe(200);
  });

  it("415 for a body that is not JSON", async () => {
    const res = await t.call("POST", "/config/apply", {
      raw: "document=x",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(res.status).toBe(415);
    expect(res.body.error).toBe("UNSUPPORTED_MEDIA_TYPE");
  });
});

describe("the postmortem's policy flow", () => {
  it("sqli off: 409 and nothing stored; with an admin override and reason: stored, override recorded, warning event", async () => {
    await t.call("POST", "/config/apply", {
      token: t.tokens.operator,
      body: { document: V1, message: "initial" },
    });

    const refused = await t.call("POST", "/config/apply", {
      token: t.tokens.operator,
      body: { document: V2_SQLI_OFF, message: "server update" },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: "CONFIG_POLICY_REFUSED",
      verdicts: [
        expect.objectContaining({ policy: "critical-modules-on", path: "waf.modules.sqli", ok: false }),
      ],
      override: { possible: true, role: "admin" },
    });
    expect(refused.body.override.cli).toContain("--override critical-modules-on --reason");
    expect(refused.body.override.body).toEqual({
      overrides: [{ policy: "critical-modules-on", reason: "..." }],
    });
    expect(versionCount()).toBe(1);
    expect(t.cp.store.events.list({ kinds: ["config.refused"] })).toHaveLength(1);

    const overridden = await t.call("POST", "/config/apply", {
      token: t.tokens.admin,
      body: {
        document: V2_SQLI_OFF,
        message: "server update",
        overrides: [{ policy: "critical-modules-on", reason: "drill: replay of the postmortem" }],
      },
    });
    expect(overridden.status).toBe(201);
    expect(overridden.body).toMatchObject({
      version: 2,
      kind: "override",
      overrides: [
        { policy: "critical-modules-on", reason: "drill: replay of the postmortem", by: "bootstrap-admin" },
      ],
    });
    const stored = await t.call("GET", "/config/versions/2", { token: t.tokens.viewer });
    expect(stored.body.overrides).toEqual(overridden.body.overrides);
    const events = await t.call("GET", "/events?kinds=config.applied", { token: t.tokens.viewer });
    const last = events.body.events.at(-1);
    expect(last).toMatchObject({ kind: "config.applied", severity: "warning", subject: "config:2" });
    expect(last.data.overrides).toEqual(overridden.body.overrides);
  });

  it("an override of a policy that cannot be overridden stays refused (waf off)", async () => {
    await t.call("POST", "/config/apply", { body: { document: V1, message: "initial" } });
    const res = await t.call("POST", "/config/apply", {
      body: {
        document: V1.replace("mode: blocking", "mode: off"),
        message: "off",
        overrides: [{ policy: "waf-not-off", reason: "r" }],
      },
    });
    expect(res.status).toBe(409);
    expect(res.body.override.possible).toBe(false);
    expect(versionCount()).toBe(1);
  });
});

describe("versions, diff, rollback", () => {
  beforeEach(async () => {
    for (const [document, message] of [
      [V1, "one"],
      [V1_PORT, "two"],
      [V1, "three"],
    ] as const) {
      expect((await t.call("POST", "/config/apply", { body: { document, message } })).status).toBe(201);
    }
  });

  it("history newest first, pages with before/next", async () => {
    const page1 = await t.call("GET", "/config/versions?limit=2");
    expect(page1.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2]);
    expect(page1.body.versions[0]).not.toHaveProperty("document");
    expect(page1.body.next).toBe(2);
    const page2 = await t.call("GET", `/config/versions?limit=2&before=${page1.body.next}`);
    expect(page2.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect(page2.body.next).toBeNull();
  });

  it.each([["limit=0"], ["limit=1001"], ["limit=abc"], ["before=-1"]])("400 for ?%s", async (q) => {
    const res = await t.call("GET", `/config/versions?${q}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("INVALID_REQUEST");
  });

  it.each([["/config/versions/99"], ["/config/diff?a=1&b=99"]])(
    "404 VERSION_NOT_FOUND for %s",
    async (path) => {
      const res = await t.call("GET", path);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe("VERSION_NOT_FOUND");
    },
  );

  it("400 for a version id that is not a number", async () => {
    expect((await t.call("GET", "/config/versions/abc")).status).toBe(400);
  });

  it("diff is the plan between two stored versions", async () => {
    const res = await t.call("GET", "/config/diff?a=1&b=2");
    expect(res.status).toBe(200);
    expect(res.body.plan.changes).toEqual([
      expect.objectContaining({ path: "gateway.listen.port", before: 8080, after: 8081 }),
    ]);
    expect(res.body.text).toContain("gateway.listen.port");
    const same = await t.call("GET", "/config/diff?a=1&b=3");
    expect(same.body.plan.changes).toEqual([]);
  });

  it("rollback creates a new version equal to an old one", async () => {
    const res = await t.call("POST", "/config/rollback", {
      token: t.tokens.operator,
      body: { version: 2, message: "back" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 4, kind: "rollback", rollbackOf: 2 });
    const v2 = t.cp.store.versions.get(2)!;
    const v4 = t.cp.store.versions.get(4)!;
    expect(v4.hash).toBe(v2.hash);
    expect(v4.document).toBe(v2.document);
    expect(v4).toMatchObject({ author: "operator-1", message: "back", parentId: 3 });
    expect(t.cp.store.events.list({ kinds: ["config.rolled-back"] })).toHaveLength(1);
  });

  it("rollback without a version goes to the live version's parent", async () => {
    const res = await t.call("POST", "/config/rollback", { body: {} });
    expect(res.status).toBe(201);
    expect(res.body.rollbackOf).toBe(2);
  });

  it("rollback to an unknown version is 404 and stores nothing", async () => {
    const res = await t.call("POST", "/config/rollback", { body: { version: 42 } });
    expect(res.status).toBe(404);
    expect(res.body.error).toBe("VERSION_NOT_FOUND");
    expect(versionCount()).toBe(3);
  });

  it("rollback to a version equal to the live one stores nothing (200 unchanged)", async () => {
    const res = await t.call("POST", "/config/rollback", { body: { version: 1 } });
    expect(res.status).toBe(200);
    expect(res.body.unchanged).toBe(true);
    expect(versionCount()).toBe(3);
  });
});
