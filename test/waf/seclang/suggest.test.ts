import { describe, expect, it } from "vitest";
import { closest } from "../../../src/waf/seclang/suggest.js";

const names = ["ARGS", "ARGS_NAMES", "REQUEST_HEADERS", "TX", "SecRuleEngine"];

describe("closest", () => {
  it.each<[string, string | undefined]>([
    ["ARGS", "ARGS"],
    ["args", "ARGS"],
    ["ARG", "ARGS"],
    ["ARGS_NAME", "ARGS_NAMES"],
    ["REQEST_HEADRS", "REQUEST_HEADERS"],
    ["secruleengin", "SecRuleEngine"],
    ["T", "TX"],
    ["", undefined],
    ["XYZ", undefined],
    ["COMPLETELY_DIFFERENT_NAME", undefined],
    ["\xff\x00", undefined],
  ])("%j -> %j", (name, expected) => {
    expect(closest(name, names)).toBe(expected);
  });

  it("answers nothing from no candidates", () => {
    expect(closest("ARGS", [])).toBeUndefined();
  });
});
