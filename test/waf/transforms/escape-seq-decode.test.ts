import { describe } from "vitest";
import { table } from "./cases.js";

describe("escapeSeqDecode", () => {
  // ModSecurity tests/tfn/escapeSeqDecode.t plus odd cases.
  table("escapeSeqDecode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    [
      "\\a\\b\\f\\n\\r\\t\\v\\?\\'\\\"\\0\\12\\123\\x00\\xff",
      "\x07\x08\x0c\x0a\x0d\t\x0b?'\"\x00\x0a\x53\x00\xff",
    ],
    [
      "\\a\\b\\f\\n\\r\\t\\v\0\\?\\'\\\"\\0\\12\\123\\x00\\xff",
      "\x07\x08\x0c\x0a\x0d\t\x0b\0?'\"\x00\x0a\x53\x00\xff",
    ],
    // \8 \9 are not octal; \666 overflows to 0xB6; \xag \xga are not hex; \0123 is \012 + '3'.
    ["\\8\\9\\666\\xag\\xga\\0123", "89\xb6xagxga\x0a3"],
    ["\\x", "x"],
    ["\\x\\x0", "xx0"],
    ["\\x\\x0\0", "xx0\0"],
    ["\\0", "\x00"],
    ["\\01", "\x01"],
    ["\\012", "\x0a"],
    ["\\", "\\"],
    ["\\\0", "\0"],
    ["\\\\", "\\"],
    ["\\X41", "A"],
    ["\\z\\\xff", "z\xff"],
  ]);
});
