import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { parseActions } from "../../../src/waf/seclang/actions.js";
import type { ActionNode } from "../../../src/waf/types.js";

const loc = { file: "a.conf", line: 12 };

describe("parseActions", () => {
  it.each<[string, ActionNode[]]>([
    ["", []],
    ["   ", []],
    ["block", [{ name: "block" }]],
    [
      "id:1,phase:2",
      [
        { name: "id", param: "1" },
        { name: "phase", param: "2" },
      ],
    ],
    ["id:1, phase:2 ,  pass", [{ name: "id", param: "1" }, { name: "phase", param: "2" }, { name: "pass" }]],
    ["id:1,", [{ name: "id", param: "1" }]],
    [
      "skipAfter:END-X,multiMatch,logData:x",
      [{ name: "skipafter", param: "END-X" }, { name: "multimatch" }, { name: "logdata", param: "x" }],
    ],
    ["msg:'quoted, param'", [{ name: "msg", param: "quoted, param" }]],
    ["msg:' spaced '", [{ name: "msg", param: " spaced " }]],
    ["msg:''", [{ name: "msg", param: "" }]],
    ["msg:", [{ name: "msg", param: "" }]],
    ["setvar:'tx.x=%{tx.y}'", [{ name: "setvar", param: "tx.x=%{tx.y}" }]],
    [
      "setvar:tx.x=+%{tx.critical_anomaly_score}",
      [{ name: "setvar", param: "tx.x=+%{tx.critical_anomaly_score}" }],
    ],
    ["setvar:tx.x='a,b',pass", [{ name: "setvar", param: "tx.x='a,b'" }, { name: "pass" }]],
    [
      "ctl:ruleRemoveTargetById=942100;ARGS:foo",
      [{ name: "ctl", param: "ruleRemoveTargetById=942100;ARGS:foo" }],
    ],
    [
      "logdata:'Matched Data: %{TX.0} found within %{MATCHED_VAR_NAME}: %{MATCHED_VAR}'",
      [{ name: "logdata", param: "Matched Data: %{TX.0} found within %{MATCHED_VAR_NAME}: %{MATCHED_VAR}" }],
    ],
    ["msg:'prefix \\'UP\\' and \\\\ and \\d'", [{ name: "msg", param: "prefix 'UP' and \\\\ and \\d" }]],
    ["msg:'ends in \\\\',pass", [{ name: "msg", param: "ends in \\\\" }, { name: "pass" }]],
    [
      "t:none,t:urlDecodeUni",
      [
        { name: "t", param: "none" },
        { name: "t", param: "urlDecodeUni" },
      ],
    ],
    [
      "tag:'OWASP_CRS',ver:'OWASP_CRS/4.28.0'",
      [
        { name: "tag", param: "OWASP_CRS" },
        { name: "ver", param: "OWASP_CRS/4.28.0" },
      ],
    ],
    ["msg:'\xff\x00'", [{ name: "msg", param: "\xff\x00" }]],
    ["id : 5", [{ name: "id", param: "5" }]],
  ])("%j", (text, expected) => {
    expect(parseActions(text, loc)).toEqual(expected);
  });

  it.each([
    [",id:1", /empty action/],
    ["id:1,,pass", /empty action/],
    ["msg:'unterminated", /unterminated ' quote in the value of msg/],
    ["setvar:tx.x='open", /unterminated ' quote/],
    ["msg:'a'b", /unexpected "b" after the quoted value of msg/],
    ["id 1", /unexpected "1" after action id/],
    ["'quoted'", /expected an action name/],
    ["pass;deny", /unexpected ";" after action pass/],
  ])("rejects %j", (text, message) => {
    let err: unknown;
    try {
      parseActions(text, loc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WafError);
    expect((err as WafError).code).toBe("WAF_PARSE");
    expect((err as WafError).message).toMatch(/^a\.conf:12: /);
    expect((err as WafError).message).toMatch(message);
  });

  it("parses a huge list in linear time", () => {
    const text = Array.from({ length: 50_000 }, (_, k) => `tag:'t${k}'`).join(",");
    const t = performance.now();
    expect(parseActions(text, loc)).toHaveLength(50_000);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
