import { describe } from "vitest";
import { table } from "./cases.js";

describe("compressWhitespace", () => {
  // ModSecurity tests/tfn/compressWhitespace.t plus odd cases.
  table("compressWhitespace", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["Test Case", "Test Case"],
    ["  Test  \t   Case  ", " Test Case "],
    [
      "This is a   test case with a tab \t, vtab \x0b, newline \x0a, return \x0d, formfeed \f, and a NUL\0 in it with a CRLF at the end.\x0d\x0a",
      "This is a test case with a tab , vtab , newline , return , formfeed , and a NUL\0 in it with a CRLF at the end. ",
    ],
    ["a\xa0\xa0b", "a\xa0\xa0b"],
    ["\t", " "],
    [" ", " "],
    ["a \tb", "a b"],
  ]);
});

describe("removeWhitespace", () => {
  table("removeWhitespace", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["  Test  \t   Case  ", "TestCase"],
    ["a\x0b\x0c\r\nb", "ab"],
    // The non-breaking space byte goes too.
    ["a\xa0b", "ab"],
    ["\x85\u00a0", "\x85"],
  ]);
});
