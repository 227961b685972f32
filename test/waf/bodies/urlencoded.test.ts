import { describe, expect, it } from "vitest";
import { getBodyProcessor } from "../../../src/waf/bodies/index.js";
import { TOO_MANY_ARGUMENTS } from "../../../src/waf/bodies/result.js";
import {
  parseUrlEncoded,
  parseUrlEncodedDetailed,
  processUrlEncoded,
} from "../../../src/waf/bodies/urlencoded.js";

const limits = { maxArgs: 1000, maxDepth: 32 };

describe("parseUrlEncoded (v3 extractArguments semantics)", () => {
  it.each<[string, string, Array<[string, string]>]>([
    ["empty text", "", []],
    ["one pair", "a=1", [["a", "1"]]],
    [
      "two pairs",
      "a=1&b=2",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    ["name without =", "a", [["a", ""]]],
    ["empty value", "a=", [["a", ""]]],
    ["empty name kept", "=v", [["", "v"]]],
    ["only =", "=", [["", ""]]],
    ["value keeps later =", "a=b=c", [["a", "b=c"]]],
    ["trailing separator dropped once", "a=1&", [["a", "1"]]],
    [
      "two trailing separators keep one empty",
      "a=1&&",
      [
        ["a", "1"],
        ["", ""],
      ],
    ],
    [
      "empty piece in the middle kept",
      "a=1&&b=2",
      [
        ["a", "1"],
        ["", ""],
        ["b", "2"],
      ],
    ],
    [
      "leading separator gives empty piece",
      "&a",
      [
        ["", ""],
        ["a", ""],
      ],
    ],
    ["lone separator", "&", [["", ""]]],
    ["plus is space in names and values", "a+b=c+d", [["a b", "c d"]]],
    ["hex decoding both cases", "%41%6a=%7E%7e", [["Aj", "~~"]]],
    ["invalid % kept", "a=%zz%4", [["a", "%zz%4"]]],
    ["% at the end kept", "a=%", [["a", "%"]]],
    ["encoded separator is data", "a=%26b%3D", [["a", "&b="]]],
    ["NUL and high bytes decoded", "n=%00%ff", [["n", "\x00\xff"]]],
    ["raw high bytes pass through", "\xe9=\xff", [["\xe9", "\xff"]]],
    ["encoded plus stays plus", "a=%2B", [["a", "+"]]],
  ])("%s", (_name, text, expected) => {
    expect(parseUrlEncoded(text)).toEqual(expected);
  });

  it.each<[string, string, string, Array<[string, string]>]>([
    [
      "semicolon separator",
      "a=1;b=2&c",
      ";",
      [
        ["a", "1"],
        ["b", "2&c"],
      ],
    ],
    [
      "only the first char of the separator counts",
      "a=1;b=2",
      ";&",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    [
      "empty separator means &",
      "a=1&b=2",
      "",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
  ])("%s", (_name, text, sep, expected) => {
    expect(parseUrlEncoded(text, sep)).toEqual(expected);
  });

  it.each<[string, boolean]>([
    ["a=1", false],
    ["a=%41", false],
    ["a=%4", true],
    ["a=%g1", true],
    ["%=1", true],
    ["a=1+2", false],
  ])("invalid encoding flag for %j is %s", (text, invalid) => {
    expect(parseUrlEncodedDetailed(text).invalidEncoding).toBe(invalid);
  });

  it("a huge body without = or & is one argument, in linear time", () => {
    const big = "x".repeat(2_000_000);
    const t = performance.now();
    expect(parseUrlEncoded(big)).toEqual([[big, ""]]);
    expect(performance.now() - t).toBeLessThan(300);
  });

  it("many pieces without = stay linear (no rescans)", () => {
    const body = "a&".repeat(200_000);
    const t = performance.now();
    expect(parseUrlEncoded(body)).toHaveLength(200_000);
    expect(performance.now() - t).toBeLessThan(300);
  });
});

describe("URLENCODED processor", () => {
  it("is registered under URLENCODED, any case", () => {
    expect(getBodyProcessor("urlencoded")).toBeTypeOf("function");
    expect(getBodyProcessor("URLENCODED")!("a=1", "application/x-www-form-urlencoded", limits).args).toEqual([
      ["a", "1"],
    ]);
  });

  it("sets URLENCODED_ERROR as v3 does", () => {
    expect(processUrlEncoded("a=%zz", "", limits).variables.get("URLENCODED_ERROR")).toBe("1");
    expect(processUrlEncoded("a=%41", "", limits).variables.get("URLENCODED_ERROR")).toBe("0");
  });

  it("an empty body has no arguments and no error", () => {
    const r = processUrlEncoded("", "", limits);
    expect(r.args).toEqual([]);
    expect(r.error).toBeUndefined();
  });

  it.each<[number, number, boolean]>([
    [3, 3, false],
    [3, 4, true],
    [0, 1, true],
    [0, 0, false],
  ])("maxArgs %i with %i arguments: error %s, never more than the limit kept", (max, count, error) => {
    const body = Array.from({ length: count }, (_, i) => `k${i}=v`).join("&");
    const r = processUrlEncoded(body, "", { maxArgs: max, maxDepth: 8 });
    expect(r.error).toBe(error ? TOO_MANY_ARGUMENTS : undefined);
    expect(r.args).toHaveLength(Math.min(max, count));
  });
});
