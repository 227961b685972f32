import { describe, expect, it } from "vitest";
import {
  evaluatePolicies,
  evaluateUserPolicies,
  type UserPolicyInput,
  unsafeRegexReason,
  userPoliciesSchema,
  userPolicySchema,
} from "../../../src/config/policies/index.js";
import { config, ctx } from "./helpers.js";

function run(input: UserPolicyInput, patch: Parameters<typeof config>[0] = () => {}) {
  const policy = userPolicySchema.parse(input);
  return evaluateUserPolicies(config(patch), [policy]);
}
const failed = (input: UserPolicyInput, patch?: Parameters<typeof config>[0]) =>
  run(input, patch)
    .filter((v) => !v.ok)
    .map((v) => v.path);

describe("user policies: operators", () => {
  type Row = [string, UserPolicyInput["require"], string[]];
  const rows: Row[] = [
    ["equals holds", { path: "waf.mode", op: "equals", value: "blocking" }, []],
    ["equals fails", { path: "waf.paranoia", op: "equals", value: 2 }, ["waf.paranoia"]],
    [
      "equals on a list",
      { path: "routes[name=checkout].rateLimits[0].key", op: "equals", value: ["ip"] },
      [],
    ],
    ["notEquals holds", { path: "waf.mode", op: "notEquals", value: "off" }, []],
    ["notEquals fails", { path: "waf.mode", op: "notEquals", value: "blocking" }, ["waf.mode"]],
    ["in holds", { path: "routes[*].priority", op: "in", value: ["critical", "high", "normal", "low"] }, []],
    [
      "in fails per element",
      { path: "routes[*].priority", op: "in", value: ["critical", "high"] },
      ["routes[name=search].priority", "routes[name=browse].priority"],
    ],
    ["notIn holds", { path: "gateway.listen.port", op: "notIn", value: [80, 443] }, []],
    ["notIn fails", { path: "gateway.listen.port", op: "notIn", value: [8080] }, ["gateway.listen.port"]],
    [">= holds", { path: "waf.paranoia", op: ">=", value: 1 }, []],
    [">= fails", { path: "waf.paranoia", op: ">=", value: 2 }, ["waf.paranoia"]],
    [
      "<= on rates",
      { path: "routes[*].rateLimits[*].rate", op: "<=", value: "1200/min" },
      ["routes[name=browse].rateLimits[name=per-ip].rate"],
    ],
    [
      ">= on a string that is no rate",
      { path: "gateway.listen.host", op: ">=", value: 1 },
      ["gateway.listen.host"],
    ],
    ["nonEmpty holds", { path: "routes[name=checkout].rateLimits", op: "nonEmpty" }, []],
    ["nonEmpty on every route", { path: "routes[*].rateLimits", op: "nonEmpty" }, []],
    [
      "nonEmpty fails on an empty object",
      { path: "gateway.limits.methods", op: "nonEmpty" },
      ["gateway.limits.methods"],
    ],
    ["exists holds", { path: "upstreams.shop.concurrency.limit", op: "exists" }, []],
    [
      "exists fails",
      { path: "routes[name=checkout].match.host", op: "exists" },
      ["routes[name=checkout].match.host"],
    ],
    ["matches holds", { path: "upstreams.*.targets[*]", op: "matches", value: "^http://127\\." }, []],
    [
      "matches fails",
      { path: "upstreams.*.targets[*]", op: "matches", value: "^https://" },
      ["upstreams.shop.targets[0]"],
    ],
    ["matches a non-string", { path: "waf.paranoia", op: "matches", value: "1" }, ["waf.paranoia"]],
    ["module not named counts as on", { path: "waf.modules.rce", op: "equals", value: "on" }, []],
    ["odd module key quoted or not", { path: 'waf.modules["data-leakages"]', op: "equals", value: "on" }, []],
    [
      "a missing named element fails",
      { path: "routes[name=api].rateLimits", op: "nonEmpty" },
      ["routes[name=api]"],
    ],
    [
      "[*] over nothing holds",
      { path: "routes[name=checkout].match.methods[*]", op: "equals", value: "GET" },
      ["routes[name=checkout].match.methods"],
    ],
  ];
  it.each(rows)("%s", (_name, require, paths) => {
    expect(failed({ name: "p", require })).toEqual(paths);
  });

  it("the documented examples read as intended", () => {
    const checkout: UserPolicyInput = {
      name: "checkout-limited",
      message: "checkout must keep a per-ip rate limit",
      require: { path: "routes[name=checkout].rateLimits", op: "nonEmpty" },
    };
    expect(run(checkout)).toEqual([
      expect.objectContaining({
        policy: "checkout-limited",
        ok: true,
        message: "checkout must keep a per-ip rate limit",
      }),
    ]);
    const broken = run(checkout, (c) => void (c.routes[0]!.rateLimits = []));
    expect(broken).toEqual([
      {
        policy: "checkout-limited",
        ok: false,
        severity: "error",
        path: "routes[name=checkout].rateLimits",
        message: "checkout must keep a per-ip rate limit: routes[name=checkout].rateLimits is empty",
        overridable: true,
        hint: "user policy: routes[name=checkout].rateLimits nonEmpty",
      },
    ]);
    const paranoia = {
      name: "paranoia-at-least-2",
      require: { path: "waf.paranoia", op: ">=" as const, value: 2 },
    };
    expect(failed(paranoia)).toEqual(["waf.paranoia"]);
    expect(failed(paranoia, (c) => void (c.waf.paranoia = 3))).toEqual([]);
  });

  it("when: the rule applies only if its condition holds", () => {
    const p: UserPolicyInput = {
      name: "strict-blocks",
      when: { path: "waf.paranoia", op: ">=", value: 3 },
      require: { path: "waf.mode", op: "equals", value: "blocking" },
    };
    expect(failed(p, (c) => void (c.waf.mode = "detection-only"))).toEqual([]);
    expect(
      failed(p, (c) => {
        c.waf.mode = "detection-only";
        c.waf.paranoia = 3;
      }),
    ).toEqual(["waf.mode"]);
  });

  it("severity and overridable come from the policy", () => {
    const [v] = run({
      name: "w",
      severity: "warning",
      overridable: false,
      require: { path: "waf.paranoia", op: ">=", value: 4 },
    });
    expect(v).toMatchObject({ ok: false, severity: "warning", overridable: false });
  });

  it("are evaluated after the built-ins, from ctx or from the config's policies key", () => {
    const policy = userPolicySchema.parse({
      name: "p4",
      require: { path: "waf.paranoia", op: ">=", value: 4 },
    });
    const fromCtx = evaluatePolicies(config(), ctx({ userPolicies: [policy] }));
    expect(fromCtx.at(-1)).toMatchObject({ policy: "p4", ok: false });
    const withKey = config();
    (withKey as { policies?: unknown }).policies = [
      { name: "p4", require: { path: "waf.paranoia", op: ">=", value: 4 } },
    ];
    expect(evaluatePolicies(withKey, ctx()).at(-1)).toMatchObject({ policy: "p4", ok: false });
    (withKey as { policies?: unknown }).policies = [
      { name: "p4", require: { path: "waf..x", op: "exists" } },
    ];
    expect(evaluatePolicies(withKey, ctx()).at(-1)).toMatchObject({
      policy: "policies-valid",
      ok: false,
      overridable: false,
      path: "policies[0].require.path",
    });
  });
});

describe("user policies: bad declarations are rejected with a path", () => {
  type Row = [string, unknown, string, RegExp];
  const rows: Row[] = [
    ["bad path", { name: "p", require: { path: "routes[", op: "exists" } }, "require.path", /bad path/],
    ["unknown op", { name: "p", require: { path: "waf", op: "contains" } }, "require.op", /equals/],
    [
      "equals without value",
      { name: "p", require: { path: "waf", op: "equals" } },
      "require.value",
      /needs a value/,
    ],
    [
      "in with a scalar",
      { name: "p", require: { path: "waf", op: "in", value: "x" } },
      "require.value",
      /list/,
    ],
    [
      "in with an empty list",
      { name: "p", require: { path: "waf", op: "in", value: [] } },
      "require.value",
      /list/,
    ],
    [
      ">= with a word",
      { name: "p", require: { path: "waf", op: ">=", value: "lots" } },
      "require.value",
      /number or a rate/,
    ],
    [
      ">= with NaN",
      { name: "p", require: { path: "waf", op: ">=", value: Number.NaN } },
      "require.value",
      /number/,
    ],
    [
      "exists with a value",
      { name: "p", require: { path: "waf", op: "exists", value: 1 } },
      "require.value",
      /no value/,
    ],
    [
      "matches without regex",
      { name: "p", require: { path: "waf", op: "matches" } },
      "require.value",
      /regular/,
    ],
    [
      "matches invalid regex",
      { name: "p", require: { path: "waf", op: "matches", value: "(" } },
      "require.value",
      /valid/,
    ],
    [
      "matches nested quantifier",
      { name: "p", require: { path: "waf", op: "matches", value: "(a+)+$" } },
      "require.value",
      /nested/,
    ],
    [
      "bad path in when",
      { name: "p", when: { path: "", op: "exists" }, require: { path: "waf", op: "exists" } },
      "when.path",
      /empty/,
    ],
    [
      "unknown key",
      { name: "p", require: { path: "waf", op: "exists" }, run: "rm -rf /" },
      "",
      /Unrecognized/,
    ],
    ["bad name", { name: "Bad Name", require: { path: "waf", op: "exists" } }, "name", /lowercase/],
    ["no require", { name: "p" }, "require", /Required/],
  ];
  it.each(rows)("%s", (_name, input, path, message) => {
    const r = userPolicySchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues.find((i) => i.path.join(".") === path);
    expect(issue?.message).toMatch(message);
  });

  it("duplicate names in a list", () => {
    const r = userPoliciesSchema.safeParse([
      { name: "a", require: { path: "waf", op: "exists" } },
      { name: "a", require: { path: "waf", op: "exists" } },
    ]);
    expect(r.error?.issues.map((i) => i.path)).toEqual([[1, "name"]]);
  });
});

describe("unsafeRegexReason", () => {
  const rows: [string, RegExp | undefined][] = [
    ["^https://", undefined],
    ["^[a-z]+\\.example\\.com$", undefined],
    ["(ab)+", undefined],
    ["(a|b)", undefined],
    ["(a|b)?", undefined],
    ["[(]+", undefined],
    ["^\\(a+\\)+", undefined],
    ["\\(a+\\)+", /at most 1 repeat/],
    ["a*a*,", /at most 1 repeat/],
    ["^https://.*\\.example\\.com/.*$", undefined],
    ["^a+b+c+", /at most 2 repeats/],
    ["^[a-z0-9][a-z0-9-]{0,63}$", undefined],
    ["(a{0,9})*", /nested/],
    ["(a+)+", /nested/],
    ["(a*)*", /nested/],
    ["(a|aa)*", /nested/],
    ["((a)+b)+", /nested/],
    ["(a{2,})+", /nested/],
    ["(a)\\1", /backreference/],
    ["(?<x>a)\\k<x>", /backreference/],
    ["(?=a)", /lookaround/],
    ["(?<!a)b", /lookaround/],
    ["[", /valid/],
    ["a".repeat(201), /longer/],
  ];
  it.each(rows)("%j", (source, reason) => {
    const why = unsafeRegexReason(source);
    if (reason === undefined) expect(why).toBeUndefined();
    else expect(why).toMatch(reason);
  });

  it("a value too long to scan fails the policy instead of being scanned", () => {
    const p = userPolicySchema.parse({
      name: "p",
      require: { path: "gateway.accessLog", op: "matches", value: "^/" },
    });
    const c = config((x) => void (x.gateway.accessLog = `/${"a".repeat(20_000)}`));
    expect(evaluateUserPolicies(c, [p])[0]!.message).toMatch(/longer than/);
  });
});
