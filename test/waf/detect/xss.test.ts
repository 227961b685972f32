import { describe, expect, it } from "vitest";
import { detectXss } from "../../../src/waf/detect/index.js";

// Expected values are libinjection 3.9.2's (the build ModSecurity 3 bundles), checked with the
// differential test against the real library.
describe("detectXss", () => {
  it.each([
    // black tags, in any case, NULs inside ignored (old IE)
    ["<script>alert(1)</script>", true],
    ["<iframe src=//x>", true],
    ["<base href=x>", true],
    ["<svg/onload=alert(1)>", true],
    ["<scr\u0000ipt>", true],
    ["<!DOCTYPE html>", true],
    // event handlers: any on* name of 5+ bytes
    ["<img src=x onerror=alert(1)>", true],
    ["<x onabc=1>", true],
    ["<x onab=1>", false],
    // the input may start inside an attribute value: unquoted, single, double quoted
    ["x onerror=1", true],
    ["' onfocus='alert(1)", true],
    ['" onmouseover="alert(1)', true],
    // URL attributes with dangerous schemes, entity-encoded, with leading white
    ['<a href="javascript:alert(1)">x</a>', true],
    ['<a href="&#106;avascript:alert(1)">', true],
    ['<a href="&#x6A;&#x61;vascript:">', true],
    ['<a href=" \tjavascript:x">', true],
    ["<a href=ja&#x0A;vascript:>", true],
    ["<a href=java&#0;script:>", true],
    ['<a href="data:text/html,x">', true],
    ["<a href='vbscript:x'>", true],
    ["<form action=javascript:1>", true],
    ['<a href="https://example.com">x</a>', false],
    ['<div title="javascript:x">', false],
    // style, xmlns, attribute indirection
    ['<a style="x:expression(alert(1))">', true],
    ["<a xmlns:x=1>", true],
    ["<a attributename=onload>", true],
    // comments: IE conditional, <?xml, <?import, <!ENTITY
    ["<!--[if IE]><script>x</script><![endif]-->", true],
    ["<?xml version=1?>", true],
    ["<?import x>", true],
    ["<!ENTITY x>", true],
    ["<% x %>", false],
    // benign
    ["", false],
    ["<b>bold</b>", false],
    ["O'Reilly's cookbook", false],
    ["1 < 2 and 3 > 2", false],
    ["john.doe@example.com", false],
    ['{"a":"<b>"}', false],
    ["</script>", false],
    ["< script>", false],
    ["<p>caf\u00e9 \u00ff</p>", false],
    // 0xFF reads as EOF (-1) in libinjection's signed-char white skipper
    ["<a\u00ffonload=1>", false],
  ])("%j -> %s", (input, expected) => {
    expect(detectXss(input)).toBe(expected);
  });

  it("handles huge inputs", () => {
    expect(detectXss("a".repeat(1 << 20))).toBe(false);
    expect(detectXss(`${"<b>x</b>".repeat(1 << 17)}<script>`)).toBe(true);
  });
});
