import { describe, expect, it } from "vitest";
import { capture, ctx, op } from "./helpers.js";

const big = "a".repeat(1 << 20);

describe("string operators", () => {
  it.each([
    ["streq", "GET", "GET", true],
    ["streq", "GET", "get", false],
    ["streq", "GET", "GET ", false],
    ["streq", "", "", true],
    ["streq", "", "x", false],
    ["streq", "\xe9", "\xe9", true],
    ["within", "GET HEAD POST", "GET", true],
    ["within", "GET HEAD POST", "HEAD POST", true],
    ["within", "GET HEAD POST", "PUT", false],
    ["within", "GET HEAD POST", "get", false],
    ["within", "GET HEAD POST", "", true], // v3: an empty input is within anything
    ["within", "", "x", false],
    ["within", "GET HEAD POST", "T H", true], // a substring test, as v3
    ["beginsWith", "/admin", "/admin/x", true],
    ["beginsWith", "/admin", "/adm", false],
    ["beginsWith", "", "x", true],
    ["beginsWith", "x", "", false],
    ["endsWith", ".pdf", "a.pdf", true],
    ["endsWith", ".pdf", "a.PDF", false],
    ["endsWith", ".pdf", ".pd", false],
    ["endsWith", "", "", true],
    ["contains", "-->", "a-->b", true],
    ["contains", "-->", "a->b", false],
    ["contains", "", "anything", true],
    ["contains", "\xff\x00", "a\xff\x00b", true],
    ["strmatch", "WebZIP", "Mozilla WebZIP/4.0", true],
    ["strmatch", "WebZIP", "webzip", false],
    ["containsWord", "select", "select * from", true],
    ["containsWord", "select", "xselect", false],
    ["containsWord", "select", "selectx", false],
    ["containsWord", "select", "1 select", true],
    ["containsWord", "select", "1select2", true], // v3: only ASCII letters are word characters
    ["containsWord", "select", "_select_", true],
    ["containsWord", "select", "xselect select", true],
    ["containsWord", "select", "select", true],
    ["containsWord", "select", "", false],
    ["containsWord", "", "", true],
    ["containsWord", "select", "\xe9select\xe9", true],
  ])("@%s %j on %j → %s", (name, param, input, expected) => {
    expect(op(name, param).evaluate(input, ctx())).toBe(expected);
  });

  it.each([
    ["within", "x", big, false],
    ["contains", "b", big, false],
    ["containsWord", "a", big, false],
    ["endsWith", "aa", big, true],
    ["streq", big, big, true],
  ])("@%s on 1 MB input", (name, param, input, expected) => {
    expect(op(name, param).evaluate(input, ctx())).toBe(expected);
  });

  it.each([
    ["within", "%{tx.allowed_methods}", { "tx.allowed_methods": "GET HEAD" }, "HEAD", true],
    ["within", "%{tx.allowed_methods}", { "tx.allowed_methods": "GET HEAD" }, "DELETE", false],
    ["within", "%{tx.allowed_methods}", {}, "GET", false],
    ["streq", "%{tx.2}", { "tx.2": "abc" }, "abc", true],
    ["endsWith", ".%{request_headers.host}", { "request_headers.host": "shop.test" }, "cdn.shop.test", true],
    ["endsWith", ".%{request_headers.host}", { "request_headers.host": "shop.test" }, "evilshop.test", false],
  ])("@%s %s with macros", (name, param, vars, input, expected) => {
    expect(op(name, param).evaluate(input, ctx(vars))).toBe(expected);
  });

  it.each([
    ["within", "GET HEAD", "HEAD", "HEAD"],
    ["streq", "abc", "abc", "abc"],
    ["contains", "<!--", "x<!--y", "<!--"],
    ["beginsWith", "ab", "abc", "ab"],
    ["endsWith", "bc", "abc", "bc"],
    ["containsWord", "or", "1 or 1", "or"],
  ])("@%s %j captures %j from %j", (name, param, input, captured) => {
    expect(capture(op(name, param), input)).toEqual([true, [captured]]);
  });

  it("captures nothing on no match", () => {
    expect(capture(op("contains", "zz"), "abc")).toEqual([false, []]);
  });
});
