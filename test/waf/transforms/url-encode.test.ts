import { describe, expect, it } from "vitest";
import { urlDecode } from "../../../src/waf/transforms/url-decode.js";
import { urlEncode } from "../../../src/waf/transforms/url-encode.js";
import { ALL_BYTES, table } from "./cases.js";

describe("urlEncode", () => {
  table("urlEncode", [
    ["", ""],
    ["TestCase09*", "TestCase09*"],
    ["Test Case", "Test+Case"],
    ["a/b?c=d&e", "a%2fb%3fc%3dd%26e"],
    ["-_.~", "%2d%5f%2e%7e"],
    ["\0\x80\xff", "%00%80%ff"],
    ["%", "%25"],
    ["+", "%2b"],
  ]);

  it("round-trips every byte through urlDecode", () => {
    expect(urlDecode(urlEncode(ALL_BYTES))).toBe(ALL_BYTES);
  });
});
