import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { AhoCorasick, dataFilePhrases, parsePmContent, pmPhrases } from "../../../src/waf/operators/index.js";
import { crsDir, hasCrs } from "../../support/shared.js";
import { capture, ctx, op } from "./helpers.js";

describe("AhoCorasick", () => {
  it.each([
    [["he", "she", "his", "hers"], "ushers", { start: 1, end: 4 }], // "she" ends first (at 4), longest there
    [["abc"], "xxabcxx", { start: 2, end: 5 }],
    [["abcd", "bc"], "abcd", { start: 1, end: 3 }], // earliest end wins, as acmp
    [["a", "ab"], "ab", { start: 0, end: 1 }],
    [["SELECT"], "xselectx", { start: 1, end: 7 }],
    [["select"], "SeLeCt", { start: 0, end: 6 }],
    [["\xe9t\xe9"], "\xe9t\xe9", { start: 0, end: 3 }],
    [["aab"], "aaab", { start: 1, end: 4 }], // fail link back into the trie
    [["abab", "bab"], "aabab", { start: 1, end: 5 }], // same end: the longest
  ])("%j in %j", (phrases, input, expected) => {
    expect(new AhoCorasick(phrases).find(input)).toEqual(expected);
  });

  it.each([
    [["abc"], ""],
    [[], "abc"],
    [[""], "abc"],
    [["\xe9"], "\xc9"], // case folding is ASCII only
    [["abc"], "ab"],
  ])("%j finds nothing in %j", (phrases, input) => {
    expect(new AhoCorasick(phrases).find(input)).toBeUndefined();
  });

  it("agrees with a naive search on random phrases and texts", () => {
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const word = (len: number): string => Array.from({ length: len }, () => "abAB\xe9"[rnd(5)]).join("");
    for (let round = 0; round < 300; round++) {
      const phrases = Array.from({ length: 1 + rnd(6) }, () => word(1 + rnd(4)));
      const text = word(rnd(30));
      const lower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
      let naiveEnd = -1;
      for (let end = 1; end <= text.length && naiveEnd < 0; end++) {
        if (phrases.some((p) => end >= p.length && lower(text.slice(end - p.length, end)) === lower(p)))
          naiveEnd = end;
      }
      const found = new AhoCorasick(phrases).find(text);
      expect(found?.end ?? -1, `${JSON.stringify(phrases)} in ${JSON.stringify(text)}`).toBe(naiveEnd);
    }
  });

  it("scans 1 MB without a match", () => {
    expect(new AhoCorasick(["needle", "haystack!"]).test("hay ".repeat(1 << 18))).toBe(false);
  });
});

describe("parsePmContent / pmPhrases (ModSecurity parse_pm_content)", () => {
  it.each([
    ["a b  c", ["a", "b", "c"]],
    ["  \tleading", ["leading"]],
    ['"quoted whole"', ["quoted", "whole"]],
    ['"a" b', ['"a"', "b"]],
    ["A|42|C", ["ABC"]],
    ["|41 42 43|", ["ABC"]],
    ["x|2f|y", ["x/y"]],
    ["x|0a|y", ["x", "y"]], // bytes first, then the whitespace split, as v3
    ['a\\;b \\\\ \\"', ["a;b", "\\", '"']],
    ["", []],
    ["( )", ["(", ")"]],
  ])("%j → %j", (param, phrases) => {
    expect(pmPhrases(param)).toEqual(phrases);
  });

  it("rejects an unsupported escape", () => {
    expect(() => parsePmContent("a\\n")).toThrow(/escape/);
    expect(() => op("pm", "a\\n")).toThrow(WafError);
  });
});

describe("@pm", () => {
  it.each([
    ["gzip compress deflate br zstd", "x-gzip", true],
    ["gzip compress deflate br zstd", "GZIP", true],
    ["gzip compress deflate br zstd", "identity", false],
    ["AppleWebKit Android", "Mozilla/5.0 (Linux; Android 10)", true],
    ["document.cookie", "x=DOCUMENT.COOKIE", true],
    ["<!-- <![cdata[", "<![CDATA[", true],
    ["abc", "", false],
    ["", "anything", false],
    ["\xe9", "caf\xe9", true],
    ["needle", `${"x".repeat(1 << 20)}needle`, true],
  ])("@pm %j on %j → %s", (param, input, expected) => {
    expect(op("pm", param).evaluate(input, ctx())).toBe(expected);
  });

  it("captures the matched text of the input (its case)", () => {
    expect(capture(op("pm", "select union"), "1 UNION all")).toEqual([true, ["UNION"]]);
  });

  it("expands macros per evaluation", () => {
    const o = op("pm", "%{tx.words}");
    expect(o.evaluate("a bad word", ctx({ "tx.words": "bad evil" }))).toBe(true);
    expect(o.evaluate("a bad word", ctx({ "tx.words": "evil" }))).toBe(false);
  });
});

describe("@pmFromFile / @pmf", () => {
  const files = {
    "a.data": "# comment\n\nfoo bar\r\n/etc/passwd\n  \n#not this\n",
    "b.data": "baz\n",
  };

  it.each([
    ["a.data", "x FOO BAR y", true],
    ["a.data", "foo", false],
    ["a.data", "cat /etc/passwd", true],
    ["a.data", "not this", false],
    ["a.data", "# comment", false],
    ["a.data b.data", "bazooka", true],
  ])("@pmFromFile %s on %j → %s", (param, input, expected) => {
    expect(op("pmFromFile", param, files).evaluate(input, ctx())).toBe(expected);
    expect(op("pmf", param, files).evaluate(input, ctx())).toBe(expected);
  });

  it("reads lines with spaces as one phrase and skips comments", () => {
    expect(dataFilePhrases(files["a.data"])).toEqual(["foo bar", "/etc/passwd"]);
  });

  it("fails at load on a missing file, naming it", () => {
    expect(() => op("pmFromFile", "missing.data", files)).toThrow(
      /test\.conf:7: @pmFromFile: cannot read data file "missing\.data"/,
    );
    expect(() => op("pmFromFile", "  ", files)).toThrow(WafError);
  });

  describe.skipIf(!hasCrs)("with CRS data files", () => {
    const read = (p: string) => readFileSync(join(crsDir, "rules", p), "latin1");
    const crsFiles = new Proxy({} as Record<string, string>, { get: (_t, p: string) => read(p) });

    it.each([
      ["lfi-os-files.data", "../../etc/passwd", true],
      ["restricted-files.data", "/.htaccess", true],
      ["scanners-user-agents.data", "sqlmap/1.5", true],
      ["php-errors.data", "hello world", false],
      ["unix-shell.data", "/bin/bash", true],
    ])("%s on %j → %s", (file, input, expected) => {
      expect(op("pmFromFile", file, crsFiles).evaluate(input, ctx())).toBe(expected);
    });
  });
});
