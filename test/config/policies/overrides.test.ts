import { describe, expect, it } from "vitest";
import { decideOverrides, type PolicyVerdict } from "../../../src/config/policies/index.js";

const v = (policy: string, extra: Partial<PolicyVerdict> = {}): PolicyVerdict => ({
  policy,
  ok: false,
  severity: "error",
  path: "p",
  message: "m",
  overridable: true,
  hint: "",
  ...extra,
});
const admin = { name: "ana", role: "admin" as const };

describe("decideOverrides", () => {
  const verdicts = [
    v("critical-modules-on"),
    v("critical-modules-on", { path: "q" }),
    v("waf-not-off", { overridable: false }),
    v("advice", { severity: "warning" }),
    v("admin-loopback", { ok: true }),
  ];
  type Row = [
    string,
    PolicyVerdict[],
    { policy: string; reason: string }[],
    "viewer" | "operator" | "admin",
    object,
  ];
  const rows: Row[] = [
    [
      "nothing fails",
      [v("a", { ok: true })],
      [],
      "operator",
      { allowed: true, blocking: [], applied: [], refused: [], unused: [] },
    ],
    ["a warning does not block", [v("advice", { severity: "warning" })], [], "viewer", { allowed: true }],
    [
      "an admin overrides both findings of one policy with one override",
      verdicts.filter((x) => x.policy !== "waf-not-off"),
      [{ policy: "critical-modules-on", reason: " drill 4 " }],
      "admin",
      {
        allowed: true,
        applied: [{ policy: "critical-modules-on", reason: "drill 4", by: "ana" }],
        refused: [],
      },
    ],
    [
      "not overridable stays blocking",
      verdicts,
      [
        { policy: "critical-modules-on", reason: "drill" },
        { policy: "waf-not-off", reason: "please" },
      ],
      "admin",
      { allowed: false, refused: ["waf-not-off: this policy cannot be overridden"] },
    ],
    [
      "an operator cannot override",
      [v("critical-modules-on")],
      [{ policy: "critical-modules-on", reason: "drill" }],
      "operator",
      { allowed: false, applied: [], refused: ["critical-modules-on: only an admin can override a policy"] },
    ],
    [
      "an override needs a reason",
      [v("critical-modules-on")],
      [{ policy: "critical-modules-on", reason: "   " }],
      "admin",
      { allowed: false, refused: ["critical-modules-on: an override needs a reason"] },
    ],
    [
      "an override of a passing policy is unused, not stored",
      [v("admin-loopback", { ok: true })],
      [{ policy: "admin-loopback", reason: "x" }],
      "admin",
      { allowed: true, applied: [], unused: ["admin-loopback"] },
    ],
    [
      "an override of an unknown policy is refused (a typo must not pass silently)",
      [v("a", { ok: true })],
      [{ policy: "critical-module-on", reason: "x" }],
      "admin",
      { refused: ["critical-module-on: no such policy"] },
    ],
  ];
  it.each(rows)("%s", (_name, vs, requests, role, expected) => {
    expect(decideOverrides(vs, requests, { ...admin, role })).toMatchObject(expected);
  });

  it("lists every blocking verdict", () => {
    const d = decideOverrides(verdicts, [], admin);
    expect(d.blocking.map((x) => [x.policy, x.path])).toEqual([
      ["critical-modules-on", "p"],
      ["critical-modules-on", "q"],
      ["waf-not-off", "p"],
    ]);
  });
});
