import { describe, expect, it } from "vitest";
import { urlDecodeUni } from "../../../src/waf/transforms/url-decode-uni.js";
import { ALL_BYTES, HUGE, table } from "./cases.js";

const hex2 = (c: number) => c.toString(16).padStart(2, "0");
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const bytes = (codes: number[]) => String.fromCharCode(...codes);

describe("urlDecodeUni", () => {
  // ModSecurity's regression table (tests/tfn/urlDecodeUni.t), generated where it lists every byte.
  table("urlDecodeUni", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["Test+Case", "Test Case"],
    [
      `+${range(0, 255)
        .map((c) => `%${hex2(c)}`)
        .join("")}`,
      ` ${ALL_BYTES}`,
    ],
    // %uXXXX keeps the low byte, whatever the high one.
    [
      `+${range(0, 255)
        .map((c) => `%u00${hex2(c)}`)
        .join("")}`,
      ` ${ALL_BYTES}`,
    ],
    [
      `+${range(0, 255)
        .map((c) => `%u11${hex2(c)}`)
        .join("")}`,
      ` ${ALL_BYTES}`,
    ],
    // Full-width ASCII U+FF01–U+FF5E maps to '!'–'~'.
    [
      range(0x01, 0x5e)
        .map((c) => `%uff${hex2(c)}`)
        .join(""),
      bytes(range(0x21, 0x7e)),
    ],
    // Outside that range the low byte is used unchanged.
    [
      [0x00, 0x7f, ...range(0x80, 0xff)].map((c) => `%uff${hex2(c)}`).join(""),
      bytes([0x00, 0x7f, ...range(0x80, 0xff)]),
    ],
    ["%uFF21%UfF41", "Aa"],
    ["%+", "% "],
    ["%%20", "% "],
    ["%0g%20", "%0g "],
    ["%0%20", "%0 "],
    ["%g0%20", "%g0 "],
    ["%g%20", "%g "],
    ["%%u0020", "% "],
    ["%0g%u0020", "%0g "],
    ["%0%u0020", "%0 "],
    ["%g0%u0020", "%g0 "],
    ["%u%u0020", "%u "],
    ["%u0%u0020", "%u0 "],
    ["%u00%u0020", "%u00 "],
    ["%u000%u0020", "%u000 "],
    ["%u000g%u0020", "%u000g "],
    ["%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f", "%0%1%2%3%4%5%6%7%8%9%0%a%b%c%d%e%f"],
    [
      "%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg",
      "%0g%1g%2g%3g%4g%5g%6g%7g%8g%9g%0g%ag%bg%cg%dg%eg%fg",
    ],
    ["%", "%"],
    ["%0", "%0"],
    ["%%", "%%"],
    ["%gg", "%gg"],
    // Truncated %u at the very end, and a %u whose last digit is the last byte.
    ["%u", "%u"],
    ["%u004", "%u004"],
    ["%u0041", "A"],
    ["%u%41", "%uA"],
    ["%u+", "%u "],
    ["\x80\xff%u00ff", "\x80\xff\xff"],
  ]);

  it("decodes 100 KB", () => {
    expect(urlDecodeUni(`${HUGE}%uff1c`).endsWith("\xc3\xa9 B<")).toBe(true);
  });
});
