import { describe, expect, it } from "vitest";
import { removeComments } from "../../../src/waf/transforms/comments.js";
import { HUGE, table } from "./cases.js";

describe("removeComments", () => {
  // ModSecurity's tests/tfn/removeComments.t (current version), then odd cases.
  table("removeComments", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["/* TestCase */", ""],
    ["/*TestCase*/", ""],
    ["/* TestCase*/", ""],
    ["/*TestCase */", ""],
    ["Before/* TestCase */After", "BeforeAfter"],
    ["Before TestCase */ After", "Before TestCase */ After"],
    ["/* Test\\nCase */", ""],
    ["/* Test\r\nCase */", ""],
    ["/* Test\nCase */", ""],
    ["/* Test\rCase */", ""],
    ["/*Before/* Test\r\nCase ", " "],
    ["Before /* Test\nCase ", "Before  "],
    ["Before/* T*/ /* e */ /* s */ /* t */\r\nCase ", "Before   \r\nCase "],
    ["Before /* */ ops */ Test\nCase ", "Before  ops */ Test\nCase "],
    ["/*Test\r\nCase */After", "After"],
    ["Test\nCase /**/ After", "Test\nCase  After"],
    ["Test\r\nCase */After", "Test\r\nCase */After"],
    ["Test/*\nCase */ After", "Test After"],
    ["SELECT/**//**/UNION", "SELECTUNION"],
    ["foo<!-- comment 1 --><!-- comment 2 -->bar", "foobar"],
    // Coraza's remove_comments_test.go cases where it agrees with the reference.
    ["hello /* comment */ world", "hello  world"],
    ["hello <!-- comment --> world", "hello  world"],
    ["hello /* unclosed", "hello  "],
    ["hello <!-- unclosed", "hello  "],
    ["hello -- rest", "hello "],
    ["hello # rest", "hello "],
    // Either closing marker closes either comment; "-" alone and "<!-" are plain text.
    ["a/* x -->b", "ab"],
    ["a<!-- x */b", "ab"],
    ["a-b<!-c", "a-b<!-c"],
    ["1--", "1"],
    ["#", ""],
    ["/*", " "],
    ["/", "/"],
  ]);

  it("removes every comment of a 100 KB value", () => {
    const out = removeComments(HUGE);
    expect(out.length).toBe(HUGE.length - 4000 * 5);
    expect(out).toBe(HUGE.replaceAll("/*c*/", ""));
    expect(removeComments(`${HUGE}#tail`)).toBe(out);
  });
});

describe("replaceComments", () => {
  table("replaceComments", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["/* TestCase */", " "],
    ["Before/* TestCase */After", "Before After"],
    ["Before TestCase */ After", "Before TestCase */ After"],
    ["/*Before/* Test\r\nCase ", " "],
    ["SELECT/**//**/UNION", "SELECT  UNION"],
    ["a/*b*/c/*d", "a c "],
    ["a-- b # c <!-- d -->", "a-- b # c <!-- d -->"],
    ["/*/", " "],
  ]);
});

describe("removeCommentsChar", () => {
  table("removeCommentsChar", [
    ["", ""],
    ["TestCase", "TestCase"],
    ["Test\0Case", "Test\0Case"],
    ["/* TestCase */", " TestCase "],
    ["SELECT/**/UNION", "SELECTUNION"],
    ["<!-- x -->", " x "],
    ["a--b#c", "abc"],
    ["---", "-"],
    ["-->", ""],
    ["/*/", "/"],
    ["<!-", "<!-"],
    ["*", "*"],
  ]);
});
