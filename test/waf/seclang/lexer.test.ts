import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { lineAt, logicalLines, tokenize } from "../../../src/waf/seclang/lexer.js";

function texts(src: string): Array<[string, number]> {
  return logicalLines(src).map((l) => [l.text, l.lines[0] as number]);
}

describe("logicalLines", () => {
  it.each<[string, string, Array<[string, number]>]>([
    ["empty text", "", []],
    ["only blanks and comments", "\n   \n# c\n\t# indented comment\n", []],
    ["one line", "SecMarker A", [["SecMarker A", 1]]],
    ["surrounding blanks trimmed", "  SecMarker A \t", [["SecMarker A", 1]]],
    [
      "line numbers count skipped lines",
      "# c\n\nSecMarker A\nSecMarker B",
      [
        ["SecMarker A", 3],
        ["SecMarker B", 4],
      ],
    ],
    [
      "CRLF",
      "SecMarker A\r\nSecMarker B\r\n",
      [
        ["SecMarker A", 1],
        ["SecMarker B", 2],
      ],
    ],
    [
      "continuation drops the next line's indent",
      'SecAction \\\n    "id:1,\\\n    pass"',
      [['SecAction "id:1,pass"', 1]],
    ],
    [
      "continuation in a CRLF file",
      'SecAction \\\r\n  "id:1,\\\r\n  pass"\r\n',
      [['SecAction "id:1,pass"', 1]],
    ],
    [
      "comment inside a continuation is skipped",
      'SecAction \\\n# "id:2"\n  "id:1"',
      [['SecAction "id:1"', 1]],
    ],
    ["blank line inside a continuation is skipped", "SecAction \\\n\n  x", [["SecAction x", 1]]],
    ["file ending inside a continuation", "SecMarker \\", [["SecMarker ", 1]]],
    ["# only counts at line start", "SecMarker a#b", [["SecMarker a#b", 1]]],
    ["UTF-8 BOM read as latin1", "\xef\xbb\xbfSecMarker A", [["SecMarker A", 1]]],
    ["UTF-8 BOM read as UTF-8", "\ufeffSecMarker A", [["SecMarker A", 1]]],
    ["BOM only", "\xef\xbb\xbf", []],
    ["latin1 bytes pass untouched", "SecMarker \xff\xa0\x00", [["SecMarker \xff\xa0\x00", 1]]],
  ])("%s", (_name, src, expected) => {
    expect(texts(src)).toEqual(expected);
  });

  it("maps offsets of continued lines to their physical line", () => {
    const [line] = logicalLines('# head\nSecRule ARGS \\\n  "@rx a" \\\n  "id:1"');
    expect(line).toBeDefined();
    if (!line) return;
    expect(lineAt(line, 0)).toBe(2);
    expect(lineAt(line, line.text.indexOf("@rx"))).toBe(3);
    expect(lineAt(line, line.text.indexOf("id:1"))).toBe(4);
  });

  it("handles a huge file in linear time", () => {
    const src = 'SecRule ARGS "@rx a" "id:1"\n'.repeat(50_000);
    const t = performance.now();
    expect(logicalLines(src)).toHaveLength(50_000);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});

function tok(src: string): Array<[string, string]> {
  const [line] = logicalLines(`X ${src}`);
  if (!line) return [];
  return tokenize(line, 1, "t.conf", "X").map((t) => [t.value, t.quote]);
}

describe("tokenize", () => {
  it.each<[string, string, Array<[string, string]>]>([
    ["nothing", "", []],
    [
      "bare words",
      "a  b\tc",
      [
        ["a", ""],
        ["b", ""],
        ["c", ""],
      ],
    ],
    [
      "double quotes",
      '"a b" c',
      [
        ["a b", '"'],
        ["c", ""],
      ],
    ],
    ["single quotes", "'a b'", [["a b", "'"]]],
    ["empty quoted", '""', [["", '"']]],
    ['\\" is a quote', '"a\\"b"', [['a"b', '"']]],
    [
      "\\\\ is kept and the quote after it closes",
      '"a\\\\" b',
      [
        ["a\\\\", '"'],
        ["b", ""],
      ],
    ],
    ["other backslashes kept", '"\\d+\\x5c\\\'"', [["\\d+\\x5c\\'", '"']]],
    ["\\' inside single quotes", "'it\\'s'", [["it's", "'"]]],
    [
      "adjacent quoted words",
      '"a""b"',
      [
        ["a", '"'],
        ["b", '"'],
      ],
    ],
    ["quotes inside a bare word stay", 'a"b"', [['a"b"', ""]]],
    ["bare backslashes stay", "a\\b", [["a\\b", ""]]],
  ])("%s", (_name, src, expected) => {
    expect(tok(src)).toEqual(expected);
  });

  it.each([
    ["double", '"abc'],
    ["single", "'abc"],
    ["escaped close", '"abc\\"'],
    ["lone backslash at end", '"abc\\'],
  ])("rejects an unterminated %s quote with file:line", (_name, src) => {
    const [line] = logicalLines(`\n\nX \\\n  ${src}`);
    expect(line).toBeDefined();
    if (!line) return;
    const err = (() => {
      try {
        tokenize(line, 1, "t.conf", "SecMarker");
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WafError);
    expect((err as WafError).code).toBe("WAF_PARSE");
    expect((err as WafError).loc).toEqual({ file: "t.conf", line: 4 });
    expect((err as WafError).message).toMatch(/^t\.conf:4: SecMarker: unterminated/);
  });
});
