import { describe, expect, it } from "vitest";
import { parseModsecInt } from "../../../src/waf/operators/index.js";
import { ctx, op } from "./helpers.js";

describe("parseModsecInt (std::stoi, failures → 0)", () => {
  it.each([
    ["5", 5],
    ["-5", -5],
    ["+7", 7],
    ["  42", 42],
    ["\t\n12", 12],
    ["12abc", 12],
    ["abc", 0],
    ["", 0],
    ["-", 0],
    ["1.9", 1],
    ["2147483647", 2147483647],
    ["-2147483648", -2147483648],
    ["2147483648", 0],
    ["99999999999999999999", 0],
    ["0x10", 0],
    ["\xa012", 0],
    [" - 3", 0],
  ])("%j → %d", (s, n) => {
    expect(parseModsecInt(s)).toBe(n);
  });
});

describe("@eq @ge @gt @le @lt", () => {
  it.each([
    ["eq", "5", "5", true],
    ["eq", "5", "05", true],
    ["eq", "5", "6", false],
    ["eq", "0", "abc", true],
    ["eq", "0", "", true],
    ["eq", "", "", true],
    ["eq", "12", "12abc", true],
    ["ge", "5", "5", true],
    ["ge", "5", "4", false],
    ["gt", "5", "6", true],
    ["gt", "5", "5", false],
    ["gt", "-1", "", true],
    ["le", "5", "5", true],
    ["le", "5", "6", false],
    ["lt", "5", "4", true],
    ["lt", "5", "5", false],
    ["lt", "1", "x".repeat(100000), true],
    ["lt", "abc", "-1", true],
  ])("@%s %j on %j → %s", (name, param, input, expected) => {
    expect(op(name, param).evaluate(input, ctx())).toBe(expected);
  });

  it.each([
    ["lt", "%{tx.max}", { "tx.max": "10" }, "9", true],
    ["lt", "%{tx.max}", { "tx.max": "10" }, "10", false],
    ["ge", "%{tx.paranoia}", {}, "0", true], // unset → "" → 0
    ["eq", "%{tx.a}%{tx.b}", { "tx.a": "1", "tx.b": "2" }, "12", true],
  ])("@%s %s with macros %j on %j → %s", (name, param, vars, input, expected) => {
    expect(op(name, param).evaluate(input, ctx(vars))).toBe(expected);
  });

  it("re-expands the macro per evaluation", () => {
    const o = op("eq", "%{tx.x}");
    expect(o.evaluate("1", ctx({ "tx.x": "1" }))).toBe(true);
    expect(o.evaluate("1", ctx({ "tx.x": "2" }))).toBe(false);
    expect(o.evaluate("2", ctx({ "tx.x": "2" }))).toBe(true);
  });
});
