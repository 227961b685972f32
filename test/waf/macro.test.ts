import { describe, expect, it } from "vitest";
import { compileMacro } from "../../src/waf/macro.js";
import type { MacroResolver } from "../../src/waf/types.js";

const resolver: MacroResolver = {
  resolve(collection, key) {
    const vars: Record<string, string> = { "TX.anomaly_score": "5", MATCHED_VAR: "x<y", "TX.0": "cap" };
    return vars[key === undefined ? collection : `${collection}.${key}`];
  },
};

describe("compileMacro", () => {
  it.each([
    ["plain text", "plain text", true],
    ["score %{tx.anomaly_score}!", "score 5!", false],
    ["%{MATCHED_VAR}", "x<y", false],
    ["%{tx.0}-%{TX.missing}-end", "cap--end", false],
    ["100%", "100%", true],
    ["%{unclosed", "%{unclosed", true],
  ])("%s", (text, expected, constant) => {
    const m = compileMacro(text);
    expect(m.constant).toBe(constant);
    expect(m.expand(resolver)).toBe(expected);
  });
});
