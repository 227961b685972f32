import { describe, expect, it } from "vitest";
import {
  basename,
  parseCookies,
  parseQuery,
  parseRequestTarget,
  percentDecode,
} from "../../../src/waf/variables/request-parsing.js";

describe("percentDecode", () => {
  it.each([
    ["", false, ""],
    ["abc", false, "abc"],
    ["a%20b", false, "a b"],
    ["a+b", false, "a+b"],
    ["a+b", true, "a b"],
    ["%41%4a%4A", false, "AJJ"],
    ["%", false, "%"],
    ["%4", false, "%4"],
    ["%zz%41", false, "%zzA"],
    ["%00%ff", false, "\u0000\u00ff"],
    ["%C3%A9", false, "\u00c3\u00a9"], // bytes, not UTF-8 decoded
    ["100%25", true, "100%"],
  ])("%j (plus %s)", (input, plus, expected) => {
    expect(percentDecode(input, plus)).toBe(expected);
  });

  it("handles a huge value", () => {
    expect(percentDecode("%41".repeat(100_000), false)).toBe("A".repeat(100_000));
  });
});

describe("parseRequestTarget", () => {
  it.each([
    ["/", "/", "/", "", false],
    ["/a/b?x=1&y", "/a/b?x=1&y", "/a/b", "x=1&y", true],
    ["/a?", "/a?", "/a", "", true],
    ["/a?b?c", "/a?b?c", "/a", "b?c", true],
    ["/a#frag?no", "/a#frag?no", "/a", "", false],
    ["http://host.example/p?q=1", "/p?q=1", "/p", "q=1", true],
    ["https://host.example", "/", "/", "", false],
    ["http://host.example?q=1", "/?q=1", "/", "q=1", true],
    ["*", "*", "*", "", false],
    ["host.example:443", "host.example:443", "host.example:443", "", false],
    ["", "", "", "", false],
  ])("%j", (target, relative, path, query, hasQuery) => {
    expect(parseRequestTarget(target)).toEqual({ relative, path, query, hasQuery });
  });
});

describe("parseQuery", () => {
  it.each([
    ["", "&", []],
    [
      "a=1&b=2",
      "&",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    [
      "a=1&&b",
      "&",
      [
        ["a", "1"],
        ["b", ""],
      ],
    ],
    ["a=1=2", "&", [["a", "1=2"]]],
    ["=v", "&", [["", "v"]]],
    ["a+b=c+d%26e", "&", [["a b", "c d&e"]]],
    [
      "a=1;b=2",
      ";",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    [
      "a=1&a=2",
      "&",
      [
        ["a", "1"],
        ["a", "2"],
      ],
    ],
    ["x=%ff%fe", "&", [["x", "\u00ff\u00fe"]]],
  ])("%j", (text, sep, expected) => {
    expect(parseQuery(text, sep)).toEqual(expected);
  });
});

describe("parseCookies (v3 split)", () => {
  it.each([
    ["", []],
    ["a=1", [["a", "1"]]],
    [
      "a=1; b=2",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    [
      "a=1;b=2;  ",
      [
        ["a", "1"],
        ["b", "2"],
      ],
    ],
    ["  a = 1 ", [["a ", " 1"]]],
    [
      "flag; =nokey; c=x=y",
      [
        ["flag", ""],
        ["c", "x=y"],
      ],
    ],
    ["a=%41", [["a", "%41"]]],
    [";;;", []],
    ["a=\u00ff\u0000", [["a", "\u00ff\u0000"]]],
  ])("%j", (header, expected) => {
    expect(parseCookies(header)).toEqual(expected);
  });
});

describe("basename", () => {
  it.each([
    ["/a/b.php", "b.php"],
    ["/a/", ""],
    ["/", ""],
    ["x.php", "x.php"],
    ["/a\\b.asp", "b.asp"],
    ["", ""],
  ])("%j", (path, expected) => {
    expect(basename(path)).toBe(expected);
  });
});
