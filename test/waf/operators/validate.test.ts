import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { isValidUtf8, parseByteRanges } from "../../../src/waf/operators/index.js";
import { ctx, op } from "./helpers.js";

describe("@validateByteRange (matches when a byte is outside)", () => {
  it.each([
    ["1-255", "abc", false],
    ["1-255", "a\x00b", true],
    ["1-255", "", false],
    ["32-126", "hello world", false],
    ["32-126", "tab\there", true],
    ["9,10,13,32-126", "tab\there", false],
    ["9,10,13,32-126", "caf\xe9", true],
    ["20,45-47,48-57,65-90,95,97-122", "abc-DEF_09", false],
    ["20,45-47,48-57,65-90,95,97-122", "abc def", true],
    ["0-255", "\x00\xff", false],
    [" 48 - 57 , 65 ", "123A", false],
    ["48-57", `${"1".repeat(1 << 20)}x`, true],
  ])("%j on %j → %s", (param, input, expected) => {
    expect(op("validateByteRange", param).evaluate(input, ctx())).toBe(expected);
  });

  it.each([["256"], ["5-3"], ["a-z"], [""], ["1,,2"], ["-5"], ["%{tx.r}"]])("rejects %j at load", (param) => {
    expect(() => op("validateByteRange", param)).toThrow(WafError);
  });

  it("builds the table", () => {
    const t = parseByteRanges("1,3-4");
    expect(typeof t === "string" ? t : [...t.slice(0, 6)]).toEqual([0, 1, 0, 1, 1, 0]);
  });
});

describe("@validateUrlEncoding (matches when invalid)", () => {
  it.each([
    ["a%20b", false],
    ["%41%42", false],
    ["%4", true],
    ["%", true],
    ["a%", true],
    ["%zz", true],
    ["%4g", true],
    ["%%41", true],
    ["100%", true],
    ["", false],
    ["plain", false],
    ["%aF%Af", false],
    ["\xff%41", false],
  ])("%j → %s", (input, expected) => {
    expect(op("validateUrlEncoding", "").evaluate(input, ctx())).toBe(expected);
  });
});

describe("@validateUtf8Encoding (matches when invalid)", () => {
  it.each([
    ["ascii", false],
    ["", false],
    ["caf\xc3\xa9", false],
    ["\xe2\x82\xac", false],
    ["\xf0\x9f\x98\x80", false],
    ["caf\xe9", true], // latin1 é alone
    ["\xc3", true], // truncated
    ["\xe2\x82", true],
    ["\xc3\x28", true], // bad continuation
    ["\x80", true], // lone continuation
    ["\xc0\xaf", true], // overlong '/'
    ["\xe0\x80\xaf", true], // overlong
    ["\xf0\x80\x80\xaf", true], // overlong
    ["\xf4\x90\x80\x80", true], // above U+10FFFF
    ["\xf8\x88\x80\x80\x80", true], // 5-byte form
    ["\xed\xa0\x80", false], // surrogate: not checked, as ModSecurity v3
    ["\xff", true],
  ])("%j → %s", (input, expected) => {
    expect(op("validateUtf8Encoding", "").evaluate(input, ctx())).toBe(expected);
  });

  it("agrees with Node's decoder on valid UTF-8 of every code point class", () => {
    for (const s of ["a", "\u00e9", "\u0800", "\uffff", "\u{10000}", "\u{10ffff}"]) {
      expect(isValidUtf8(Buffer.from(s, "utf8").toString("latin1")), s).toBe(true);
    }
  });
});
