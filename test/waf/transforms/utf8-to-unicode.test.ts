import { describe } from "vitest";
import { table, utf8 } from "./cases.js";

// Rebuilds ModSecurity's expected "%uXXXX" text from the characters of a tests/tfn row.
const percentU = (s: string) =>
  [...s]
    .map((ch) => (ch.charCodeAt(0) < 0x80 ? ch : `%u${ch.codePointAt(0)?.toString(16).padStart(4, "0")}`))
    .join("");

const LATIN_EXT = "Ā ā Ă ă Ą ą Ć ć Ĉ ĉ Ċ ċ Č č Ď ď Đ đ Ē ē Ĕ ĕ Ė ė Ę ę Ě ě Ĝ ĝ Ğ ğ Ġ ġ Ģ ģ Ĥ ĥ Ħ ħ Ĩ ĩ Ī ī";
const CYRILLIC_GREEK_HEBREW =
  "Ѐ Ё Ђ Ѓ Є Ѕ І Ї Ј Љ Њ Ћ Ќ Ѝ Ў Џ А Б В Г ͵ ͺ ͻ ͼ ͽ ΄ ΅ Ά Έ Ή Ί Ό Ύ Ώ ΐ Α ־ ׀ ׃ ׆ א ב ג";
const SHAPES = "■ □ ▢ ▣ ▤ ▥ ◀ ◁ ◂ ◃ ◄ ◅ ◆ ◇ ◈ ◉ ◊ ○ ◌ ◍ ◎ ● ◿ ✁ ✂ ✃ ⟰ ⟱ ⟲ ⟳ ⟴ ⟵ ⟶ ⟷ ⟸ ⟹ ⟺ ⟻ ⟼ ⟽ ⟾ ⟿";

describe("utf8toUnicode", () => {
  table("utf8toUnicode", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    // ModSecurity's tests/tfn/utf8toUnicode.t rows (shortened), bytes in, %u text out.
    [
      utf8(LATIN_EXT),
      "%u0100 %u0101 %u0102 %u0103 %u0104 %u0105 %u0106 %u0107 %u0108 %u0109 %u010a %u010b %u010c %u010d %u010e %u010f %u0110 %u0111 %u0112 %u0113 %u0114 %u0115 %u0116 %u0117 %u0118 %u0119 %u011a %u011b %u011c %u011d %u011e %u011f %u0120 %u0121 %u0122 %u0123 %u0124 %u0125 %u0126 %u0127 %u0128 %u0129 %u012a %u012b",
    ],
    [utf8(CYRILLIC_GREEK_HEBREW), percentU(CYRILLIC_GREEK_HEBREW)],
    [utf8(SHAPES), percentU(SHAPES)],
    [utf8("é<"), "%u00e9<"],
    [utf8("\u{1f600}x\u{10ffff}"), "%u1f600x%u10ffff"],
    [utf8("\uff1cscript\uff1e"), "%uff1cscript%uff1e"],
    // Malformed input, as the reference treats it.
    ["\xc3", ""],
    ["\xc3(", "("],
    ["\xe2\x82", "\x82"],
    ["a\x80b", "a\x80b"],
    ["\xf8\xff", "\xf8\xff"],
    ["\xc0\xaf", "%u002f\xc0"],
    ["\xe0\x80\xaf", "%u002f\xe0"],
    ["\xed\xa0\x80", "%ud800\xed"],
    ["\xf4\x90\x80\x80", "%u110000"],
    ["\xf5\x80\x80\x80", "\xf5%u140000"],
  ]);
});
