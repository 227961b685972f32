import { describe, expect, it } from "vitest";
import { jsDecode } from "../../../src/waf/transforms/js-decode.js";
import { HUGE, table } from "./cases.js";

describe("jsDecode", () => {
  // Coraza's testdata/jsDecode.json (ModSecurity's table), written as byte strings, plus odd cases.
  table("jsDecode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    [
      "\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\0\\12\\123\\x00\\xff",
      "\x07\x08\x0c\n\r\t\x0b?'\"\x00\x0a\x53\x00\xff",
    ],
    ["\\\\a\\\\b", "\\a\\b"],
    ["\\u", "u"],
    ["\\u\\u0", "uu0"],
    ["\\u\\u0\\u01", "uu0u01"],
    ["\\u\\u0\\u01\\u012", "uu0u01u012"],
    ["\\u\\u0\\u01\\u012\0", "uu0u01u012\0"],
    ["\\", "\\"],
    ["abc\\", "abc\\"],
    ["\\\\0", "\\0"],
    ["<\\163\\143\\162\\151\\160\\164>", "<script>"],
    ["\\377", "\xff"],
    ["\\200", "\x80"],
    // Three octal digits above \377 would overflow a byte: only two are read.
    ["\\400", " 0"],
    ["\\777", "?7"],
    ["\\0123", "\n3"],
    ["\\8\\9", "89"],
    // \uHHHH: low byte, full-width ASCII mapped, upper-case U not an escape.
    ["\\u0041\\u1241\\uff21\\uFF5e\\uff00\\uff7f", "AAA~\x00\x7f"],
    ["\\U0041", "U0041"],
    ["\\x41\\X41\\x4\\xg1", "AX41x4xg1"],
    ["\\x", "x"],
    ["\\\xff", "\xff"],
  ]);

  it("decodes 100 KB", () => {
    const out = jsDecode(HUGE);
    expect(out.includes("\\x41")).toBe(false);
    expect(out.length).toBe(HUGE.length - 4000 * 3);
  });
});
