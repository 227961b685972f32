import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { PolicyRefusedError } from "../../src/config/policies/index.js";
import {
  applyConfig,
  canonicalJson,
  configHash,
  policySettings,
  proposeConfig,
  rollbackTo,
} from "../../src/config/versions.js";
import { StoreError } from "../../src/store/errors.js";
import { openStore, type Store } from "../../src/store/store.js";
import { sha256Hex } from "../../src/store/versions.js";

const V1 = `
gateway: { listen: { host: 0.0.0.0, port: 8080 } }
upstreams: { shop: { targets: [http://127.0.0.1:3000], concurrency: { limit: 100 } } }
routes:
  - name: checkout
    match: { pathPrefix: /checkout }
    upstream: shop
    rateLimits: [{ name: per-ip, rate: 10/s, burst: 20 }]
  - name: browse
    upstream: shop
    rateLimits: [{ name: per-ip, rate: 50/s, burst: 100 }]
waf: { mode: blocking, modules: { sqli: on, xss: on } }
`;
/** The postmortem's update: the WAF's critical modules switched off with an unrelated change. */
const V2_BAD = V1.replace("modules: { sqli: on, xss: on }", "modules: { sqli: off, xss: off }").replace(
  "port: 8080",
  "port: 8081",
);

const admin = { name: "root", role: "admin" as const };
const operator = { name: "ops", role: "operator" as const };

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rampart-versions-"));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function refusal(fn: () => unknown): PolicyRefusedError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyRefusedError);
    return err as PolicyRefusedError;
  }
  throw new Error("expected a refusal");
}

describe("canonicalJson (RFC 8785)", () => {
  const rows: [unknown, string][] = [
    [{ b: 1, a: [true, null, "x"] }, '{"a":[true,null,"x"],"b":1}'],
    [{ "\u00e9": 1, z: 2, A: 3, "": 4 }, '{"":4,"A":3,"z":2,"\u00e9":1}'],
    [{ "\u{1F600}": 1, "\uFFFF": 2 }, '{"\u{1F600}":1,"\uFFFF":2}'],
    [{ a: undefined, b: [undefined] }, '{"b":[null]}'],
    [[1e21, 0.1, -0, 1.5e-7, 100], "[1e+21,0.1,0,1.5e-7,100]"],
    ["line\n\u0000\u2028", '"line\\n\\u0000\u2028"'],
    [{ nested: { y: { b: 2, a: 1 } } }, '{"nested":{"y":{"a":1,"b":2}}}'],
    [[], "[]"],
    [{}, "{}"],
  ];
  it.each(rows)("%j", (value, text) => expect(canonicalJson(value)).toBe(text));

  it.each([[Number.NaN], [Number.POSITIVE_INFINITY], [1n], [Symbol("x")]])("refuses %s", (v) => {
    expect(() => canonicalJson({ v })).toThrow(TypeError);
  });

  it("gives one hash to the same config however it is written", () => {
    const a = proposeConfig(store, { document: V1 });
    const b = proposeConfig(store, {
      document: `# comment\nwaf: { modules: { xss: on, sqli: on }, mode: "blocking" }\n${V1.replace(/^waf:.*$/m, "")}`,
    });
    expect(b.hash).toBe(a.hash);
    expect(a.hash).toBe(configHash(a.config));
  });
});

describe("applyConfig and rollbackTo: the postmortem drill", () => {
  it("stores the first version, refuses the bad update, stores it only with an admin override", () => {
    const v1 = applyConfig(store, { document: V1, actor: operator, message: "initial" });
    expect(v1.version).toMatchObject({ id: 1, kind: "apply", parentId: null, author: "ops", document: V1 });
    expect(v1.version.hash).toBe(sha256Hex(v1.version.canonical));
    expect(v1.plan.initial).toBe(true);

    const refused = refusal(() =>
      applyConfig(store, { document: V2_BAD, actor: operator, message: "update" }),
    );
    expect(refused.code).toBe("CONFIG_POLICY_REFUSED");
    expect(refused.verdicts.map((v) => v.path)).toEqual(["waf.modules.xss", "waf.modules.sqli"]);
    expect(refused.hint).toContain("--override critical-modules-on");
    expect(store.versions.latest()!.id).toBe(1);
    expect(store.events.list({ kinds: ["config.refused"] })).toHaveLength(1);

    const byOperator = refusal(() =>
      applyConfig(store, {
        document: V2_BAD,
        actor: operator,
        message: "update",
        overrides: [{ policy: "critical-modules-on", reason: "drill" }],
      }),
    );
    expect(byOperator.refusedOverrides).toEqual(["critical-modules-on: only an admin can override a policy"]);

    const v2 = applyConfig(store, {
      document: V2_BAD,
      actor: admin,
      message: "update",
      overrides: [{ policy: "critical-modules-on", reason: "drill: replay the postmortem" }],
    });
    expect(v2.version).toMatchObject({
      id: 2,
      parentId: 1,
      kind: "override",
      overrides: [{ policy: "critical-modules-on", reason: "drill: replay the postmortem", by: "root" }],
    });
    expect(v2.plan.changes.filter((c) => c.direction === "loosened").map((c) => c.path)).toEqual([
      "waf.modules.xss",
      "waf.modules.sqli",
    ]);
    const applied = store.events.list({ kinds: ["config.applied"] });
    expect(applied.map((e) => [e.subject, e.severity])).toEqual([
      ["config:1", "info"],
      ["config:2", "warning"],
    ]);
    expect(applied[1]!.data.overrides).toEqual([
      { policy: "critical-modules-on", reason: "drill: replay the postmortem", by: "root" },
    ]);

    const back = rollbackTo(store, 1, { actor: operator });
    expect(back.version).toMatchObject({ id: 3, parentId: 2, kind: "rollback", rollbackOf: 1, document: V1 });
    expect(back.version.hash).toBe(v1.version.hash);
    expect(store.versions.get(2)!.document).toBe(V2_BAD);

    // Rolling forward to the bad version needs the override again.
    refusal(() => rollbackTo(store, 2, { actor: admin }));
    const again = rollbackTo(store, 2, {
      actor: admin,
      overrides: [{ policy: "critical-modules-on", reason: "drill, second run" }],
    });
    expect(again.version).toMatchObject({ id: 4, kind: "rollback", rollbackOf: 2 });
    expect(store.events.list({ kinds: ["config.rolled-back"] })).toHaveLength(2);
  });

  it("never stores a version with the WAF off, even for an admin", () => {
    applyConfig(store, { document: V1, actor: admin, message: "initial" });
    const off = V1.replace("mode: blocking", "mode: off");
    const err = refusal(() =>
      applyConfig(store, {
        document: off,
        actor: admin,
        message: "off",
        overrides: [{ policy: "waf-not-off", reason: "please" }],
      }),
    );
    expect(err.verdicts.map((v) => v.policy)).toEqual(["waf-not-off"]);
    expect(err.hint).toContain("cannot be overridden");
    expect(store.versions.list()).toHaveLength(1);
  });

  it("stores nothing when the document equals the latest version", () => {
    applyConfig(store, { document: V1, actor: operator, message: "initial" });
    const r = applyConfig(store, { document: `${V1}\n# only a comment\n`, actor: operator, message: "same" });
    expect(r.unchanged).toBe(true);
    expect(r.version.id).toBe(1);
    expect(store.versions.list()).toHaveLength(1);
  });

  it("refuses to stack a change on a version nobody planned against", () => {
    const plan = proposeConfig(store, { document: V1 });
    applyConfig(store, {
      document: V1.replace("port: 8080", "port: 8082"),
      actor: operator,
      message: "meanwhile",
    });
    expect(() =>
      applyConfig(store, {
        document: V1,
        actor: operator,
        message: "planned",
        expectParent: plan.previous?.id ?? null,
      }),
    ).toThrow(expect.objectContaining({ code: "STORE_CONFLICT" }));
  });

  it("compares against the latest version: a 10x rate jump needs an override", () => {
    applyConfig(store, { document: V1, actor: operator, message: "initial" });
    const p = proposeConfig(store, { document: V1.replace("rate: 10/s", "rate: 100/s") });
    expect(p.plan.blocking.map((v) => [v.policy, v.path])).toEqual([
      ["limits-not-loosened", "routes[name=checkout].rateLimits[name=per-ip].rate"],
    ]);
    expect(store.versions.list()).toHaveLength(1);
  });

  it("reads a previous version whose YAML no longer validates from its canonical JSON", () => {
    const { canonical } = proposeConfig(store, { document: V1 });
    store.versions.append({
      author: "old",
      message: "old schema",
      document: "legacy: [",
      canonical,
      kind: "apply",
    });
    const p = proposeConfig(store, { document: V1.replace("rate: 10/s", "rate: 100/s") });
    expect(p.plan.initial).toBe(false);
    expect(p.plan.blocking.map((v) => v.policy)).toEqual(["limits-not-loosened"]);
  });

  it("passes invalid documents through as ConfigError and stores nothing", () => {
    expect(() => applyConfig(store, { document: "routes: 5\n", actor: admin, message: "x" })).toThrow(
      ConfigError,
    );
    expect(() => applyConfig(store, { document: "\u0000\uFFFE: [", actor: admin, message: "x" })).toThrow(
      ConfigError,
    );
    expect(store.versions.latest()).toBeUndefined();
  });

  it("refuses a rollback to a version that does not exist", () => {
    expect(() => rollbackTo(store, 7, { actor: admin })).toThrow(StoreError);
  });

  it("passes gateway tags to the policies", () => {
    const doc = V1.replace("mode: blocking", "mode: detection-only");
    expect(proposeConfig(store, { document: doc }).plan.blocking).toEqual([]);
    expect(
      proposeConfig(store, { document: doc, gatewayTags: ["production"] }).plan.blocking.map((v) => v.policy),
    ).toEqual(["waf-blocking-in-production"]);
  });
});

describe("policySettings", () => {
  it("defaults, then follows the store; a change there changes what is refused", () => {
    expect(policySettings(store).criticalModules).toContain("sqli");
    store.settings.set("critical_modules", ["java"], "root");
    store.settings.set("max_loosen_factor", 20, "root");
    expect(policySettings(store)).toEqual({ criticalModules: ["java"], maxLoosenFactor: 20 });
    applyConfig(store, { document: V1, actor: operator, message: "initial" });
    const java = proposeConfig(store, { document: V1.replace("xss: on", "xss: on, java: off") });
    expect(java.plan.blocking.map((v) => v.path)).toEqual(["waf.modules.java"]);
  });

  it.each([
    ["critical_modules", "sqli"],
    ["critical_modules", [1, 2]],
    ["critical_modules", ["sqli", "sqlii"]],
    ["max_loosen_factor", 0.5],
    ["max_loosen_factor", "2"],
  ] as const)("refuses a broken setting %s = %j instead of falling back", (key, value) => {
    store.settings.set(key, value as never, "root");
    expect(() => policySettings(store)).toThrow(expect.objectContaining({ code: "STORE_INVALID" }));
  });
});
