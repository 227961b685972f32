import { describe, expect, it } from "vitest";
import { cssDecode } from "../../../src/waf/transforms/css-decode.js";
import { table } from "./cases.js";

describe("cssDecode", () => {
  table("cssDecode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    // Coraza's cssDecode table, with the bytes ModSecurity's css_decode_inplace produces: 1–3 hex
    // digits keep the last two, \1234 -> 0x34, five or six digits not starting with 0(0) -> low byte.
    [
      "test\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\\0\\12\\123\\1234\\12345\\123456\\ff01\\ff5e\\\n\\\0  string",
      "test\n\x0b\x0fnrtv?'\"\0\x12#4EV!~\0  string",
    ],
    ["test\\", "test"],
    ["\\1A\\1 A\\1234567\\123456 7\\1x\\1 x", "\x1a\x01AV7V7\x01x\x01x"],
    // Full-width check: 4 digits, or 5/6 with leading zeros.
    ["\\ff21\\0ff21\\00ff21\\1ff21\\01ff21", "AAA!!"],
    ["\\ff00\\ff7f\\fe21", "\x00\x7f!"],
    // One whitespace after a hex escape is swallowed, only one.
    ["\\41  x\\41\tx\\41\nx", "A xAxAx"],
    // Backslash-newline is a continuation; backslash-CR is just CR.
    ["a\\\nb\\\rc", "ab\rc"],
    ["\\g\\\xff\\\\", "g\xff\\"],
    ["\\", ""],
    ["\\\\", "\\"],
  ]);

  it("reads at most six hex digits", () => {
    expect(cssDecode("\\0000041")).toBe("\x041");
    expect(cssDecode("\\00004g")).toBe("\x04g");
  });
});
