import { describe, expect, it } from "vitest";
import { parityEven7bit, parityOdd7bit, parityZero7bit } from "../../../src/waf/transforms/parity.js";
import { ALL_BYTES, table } from "./cases.js";

const ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const EVEN =
  "\xe1\xe2c\xe4ef\xe7\xe8ij\xebl\xed\xeeo\xf0qr\xf3t\xf5\xf6wx\xf9\xfa0\xb1\xb23\xb456\xb7\xb89AB\xc3D\xc5\xc6GH\xc9\xcaK\xccMN\xcfP\xd1\xd2S\xd4UV\xd7\xd8YZ";

const popcount = (b: number) => [...b.toString(2)].filter((d) => d === "1").length;

describe("parityEven7bit", () => {
  // ModSecurity tests/tfn/parityEven7bit.t.
  table("parityEven7bit", [
    ["", ""],
    ["cefijloqrtwx03569ABDGHKMNPSUVYZ", "cefijloqrtwx03569ABDGHKMNPSUVYZ"],
    [ALNUM, EVEN],
    [
      "abcdefghijklmnopqrstuvwxyz\x000123456789\x00ABCDEFGHIJKLMNOPQRSTUVWXYZ",
      `${EVEN.slice(0, 26)}\x00${EVEN.slice(26, 36)}\x00${EVEN.slice(36)}`,
    ],
    // The reference counts the input's high bit too: 0x80 (one bit) keeps it.
    ["\x80\x81", "\x80\x01"],
  ]);

  it("gives every 7-bit byte even parity", () => {
    const out = parityEven7bit(ALL_BYTES.slice(0, 128));
    for (let k = 0; k < 128; k++) expect(popcount(out.charCodeAt(k)) % 2).toBe(0);
  });
});

describe("parityOdd7bit", () => {
  // ModSecurity tests/tfn/parityOdd7bit.t: the complement of the even table on the high bit.
  table("parityOdd7bit", [
    ["", ""],
    [ALNUM, [...EVEN].map((ch) => String.fromCharCode(ch.charCodeAt(0) ^ 0x80)).join("")],
  ]);

  it("gives every 7-bit byte odd parity", () => {
    const out = parityOdd7bit(ALL_BYTES.slice(0, 128));
    for (let k = 0; k < 128; k++) expect(popcount(out.charCodeAt(k)) % 2).toBe(1);
  });
});

describe("parityZero7bit", () => {
  table("parityZero7bit", [
    ["", ""],
    [ALNUM, ALNUM],
    [EVEN, ALNUM],
    ["\xff\x80\0", "\x7f\0\0"],
  ]);

  it("clears the high bit of every byte", () => {
    expect(parityZero7bit(ALL_BYTES)).toBe(ALL_BYTES.slice(0, 128).repeat(2));
  });
});
