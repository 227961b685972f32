import { describe, expect, it } from "vitest";
import { capture, ctx, op } from "./helpers.js";

describe("@detectSQLi / @detectXSS", () => {
  it.each([
    ["1' OR '1'='1", true],
    ["1 UNION SELECT password FROM users", true],
    ["hello world", false],
    ["", false],
    ["O'Reilly", false],
  ])("@detectSQLi on %j → %s", (input, expected) => {
    expect(op("detectSQLi", "").evaluate(input, ctx())).toBe(expected);
  });

  it("puts the fingerprint in TX.0", () => {
    const [hit, caps] = capture(op("detectSQLi", ""), "1' OR '1'='1");
    expect(hit).toBe(true);
    expect(caps[0]).toMatch(/^[a-zA-Z0-9&()!;,.{}]{1,8}$/);
  });

  it.each([
    ["<script>alert(1)</script>", true],
    ['<img src=x onerror="alert(1)">', true],
    ["a < b and c > d", false],
    ["", false],
  ])("@detectXSS on %j → %s", (input, expected) => {
    expect(op("detectXSS", "").evaluate(input, ctx())).toBe(expected);
  });

  it("does not throw on odd bytes", () => {
    const odd = "\x00\xff'\"<>".repeat(10000);
    expect(typeof op("detectSQLi", "").evaluate(odd, ctx())).toBe("boolean");
    expect(typeof op("detectXSS", "").evaluate(odd, ctx())).toBe("boolean");
  });
});
