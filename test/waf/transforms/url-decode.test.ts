import { describe, expect, it } from "vitest";
import { urlDecode } from "../../../src/waf/transforms/url-decode.js";
import { ALL_BYTES, HUGE, table } from "./cases.js";

const allEncoded = Array.from({ length: 256 }, (_, c) => `%${c.toString(16).padStart(2, "0")}`).join("");

describe("urlDecode", () => {
  // ModSecurity v2/v3 regression cases (tests/tfn/urlDecode.t) plus odd ones.
  table("urlDecode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["Test+Case", "Test Case"],
    [`+${allEncoded}`, ` ${ALL_BYTES}`],
    [allEncoded.toUpperCase(), ALL_BYTES],
    ["%+", "% "],
    ["%%20", "% "],
    ["%0g%20", "%0g "],
    ["%0%20", "%0 "],
    ["%g0%20", "%g0 "],
    ["%g%20", "%g "],
    ["%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f", "%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f"],
    ["%g0%g1%g2", "%g0%g1%g2"],
    ["%", "%"],
    ["%0", "%0"],
    ["%%", "%%"],
    ["%0g", "%0g"],
    ["%gg", "%gg"],
    ["%41", "A"],
    ["a%4", "a%4"],
    ["%u0041", "%u0041"],
    ["%%41", "%A"],
    ["%2541", "%41"],
    ["\xff%ff\x80", "\xff\xff\x80"],
    ["%00", "\0"],
  ]);

  it("returns the value itself when there is no '%' or '+'", () => {
    const s = "plain value \xe9 with \0 bytes";
    expect(urlDecode(s)).toBe(s);
  });

  it("decodes 100 KB in one pass", () => {
    const out = urlDecode(HUGE);
    expect(out.length).toBe(HUGE.length - 4000 * 2);
    expect(out.includes("%41")).toBe(false);
    expect(out.startsWith("aA \\x41")).toBe(true);
  });
});
