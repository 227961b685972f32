import { describe, expect, it } from "vitest";
import { base64Decode, base64Encode } from "../../../src/waf/transforms/base64.js";
import { ALL_BYTES, HUGE, table } from "./cases.js";

describe("base64Encode", () => {
  table("base64Encode", [
    ["", ""],
    ["TestCase", "VGVzdENhc2U="],
    ["TestCase1", "VGVzdENhc2Ux"],
    ["TestCase12", "VGVzdENhc2UxMg=="],
    ["Test\0Case", "VGVzdABDYXNl"],
    ["\xff\xfe", "//4="],
  ]);

  it("round-trips every byte and 100 KB through base64Decode", () => {
    expect(base64Decode(base64Encode(ALL_BYTES))).toBe(ALL_BYTES);
    expect(base64Decode(base64Encode(HUGE))).toBe(HUGE);
  });
});

describe("base64Decode", () => {
  // ModSecurity tests/tfn/base64Decode.t, then invalid input decoded up to the first bad byte.
  table("base64Decode", [
    ["", ""],
    ["VGVzdENhc2U=", "TestCase"],
    ["VGVzdENhc2Ux", "TestCase1"],
    ["VGVzdENhc2UxMg==", "TestCase12"],
    ["VGVzdABDYXNl", "Test\0Case"],
    ["VGVzdENhc2U=\0VGVzdENhc2U=", "TestCase"],
    ["VGVzdENhc2UxMg", "TestCase12"],
    ["VGVz\r\ndENh\nc2U=", "TestCase"],
    ["VGVzdA!!VGVzdA", "Test"],
    ["PHNjcmlwdD4=xyz", "<script>"],
    ["!", ""],
    ["V", ""],
    ["-_", ""],
    ["\xff\x80", ""],
  ]);
});

describe("base64DecodeExt", () => {
  // ModSecurity tests/tfn/base64DecodeExt.t and the forgiving engine's rules.
  table("base64DecodeExt", [
    ["", ""],
    ["dzBzV==YWxlcnQoMSk=", ""],
    ["eyJwIjoieHh-IiwiYWxnIjoibm9uZSIsInR5cCI6IkpXVCJ9", '{"p":"xx~","alg":"none","typ":"JWT"}'],
    ["VGVzdENhc2U=", "TestCase"],
    ["VGVzdENhc2UxMg==", "TestCase12"],
    ["VG Vz.dE\0Nh!c2U", "TestCase"],
    ["PD94bWw_", "<?xml?"],
    ["PD94bWw/", "<?xml?"],
    ["YWJj=", "abc"],
    ["YQ=", "a"],
    ["Y=", ""],
    // The reference compares its last 6-bit value with '=' (61, the digit '9'): kept as it does.
    ["YWJj9", ""],
    ["YWJjZ9", "abcg"],
  ]);
});
