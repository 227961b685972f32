import { describe, expect, it } from "vitest";
import { hexDecode, hexEncode } from "../../../src/waf/transforms/hex.js";
import { ALL_BYTES, HUGE, table } from "./cases.js";

describe("hexEncode", () => {
  table("hexEncode", [
    ["", ""],
    ["TestCase", "5465737443617365"],
    ["Test\0Case", "546573740043617365"],
    ["\x80\xff", "80ff"],
  ]);

  it("round-trips every byte and 100 KB through hexDecode", () => {
    expect(hexDecode(hexEncode(ALL_BYTES))).toBe(ALL_BYTES);
    expect(hexDecode(hexEncode(HUGE))).toBe(HUGE);
  });
});

describe("hexDecode", () => {
  // ModSecurity's tests/tfn/hexDecode.t and Coraza's testdata/hexDecode.json, byte for byte as
  // ModSecurity's x2c computes them.
  table("hexDecode", [
    ["", ""],
    ["5465737443617365", "TestCase"],
    ["546573740043617365", "Test\0Case"],
    ["54657374436173654F4b", "TestCaseOK"],
    ["01234567890az", "\x01#Eg\x89\x0a"],
    ["01234567890a0", "\x01#Eg\x89\x0a"],
    // Not hex: x2c's unsigned-char arithmetic, as the reference ("0z" -> 0x23, "zz" -> 0x53).
    ["01234567890a0z01234567890a", "\x01#Eg\x89\x0a#\x01#Eg\x89\x0a"],
    ["zz", "S"],
    ["\xff\xff", "("],
    ["4", ""],
  ]);
});
