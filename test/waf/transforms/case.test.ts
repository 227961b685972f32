import { describe, expect, it } from "vitest";
import { lowercase, uppercase } from "../../../src/waf/transforms/case.js";
import { HUGE, table } from "./cases.js";

describe("lowercase", () => {
  table("lowercase", [
    ["", ""],
    ["TestCase", "testcase"],
    ["Test\0Case", "test\0case"],
    ["already lower 123", "already lower 123"],
    ["@[`{", "@[`{"],
    // Latin-1 letters are not letters in the C locale: only A–Z change.
    ["\xc0\xc9\xde SELECT", "\xc0\xc9\xde select"],
    ["\xdf\xff", "\xdf\xff"],
  ]);

  it("keeps the length of a 100 KB value", () => {
    const out = lowercase(HUGE);
    expect(out.length).toBe(HUGE.length);
    expect(out.includes("B")).toBe(false);
  });
});

describe("uppercase", () => {
  table("uppercase", [
    ["", ""],
    ["TestCase", "TESTCASE"],
    ["Test\0Case", "TEST\0CASE"],
    ["ALREADY UPPER 123", "ALREADY UPPER 123"],
    // JS's toUpperCase would turn \xdf into "SS" and \xff into U+0178; the C locale leaves them.
    ["\xdf\xff\xb5 select", "\xdf\xff\xb5 SELECT"],
    ["\xe9", "\xe9"],
  ]);

  it("never produces a char above 0xFF", () => {
    const out = uppercase("\xb5\xdf\xe0\xff abc");
    expect([...out].every((ch) => ch.charCodeAt(0) <= 0xff)).toBe(true);
    expect(out.length).toBe(8);
  });
});
