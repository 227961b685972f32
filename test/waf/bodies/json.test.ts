import { describe, expect, it } from "vitest";
import { getBodyProcessor } from "../../../src/waf/bodies/index.js";
import { processJson } from "../../../src/waf/bodies/json.js";
import { TOO_MANY_ARGUMENTS } from "../../../src/waf/bodies/result.js";

const limits = { maxArgs: 1000, maxDepth: 32 };
const utf8 = (s: string): string => Buffer.from(s, "utf8").toString("latin1");

describe("JSON: argument names as libmodsecurity v3 gives them", () => {
  it.each<[string, string, Array<[string, string]>]>([
    [
      "flat object",
      '{"a":"1","b":"2"}',
      [
        ["json.a", "1"],
        ["json.b", "2"],
      ],
    ],
    ["nested object", '{"a":{"b":{"c":"x"}}}', [["json.a.b.c", "x"]]],
    [
      "array in object",
      '{"arr":[1,2]}',
      [
        ["json.arr.array_0", "1"],
        ["json.arr.array_1", "2"],
      ],
    ],
    [
      "top-level array",
      "[true,false,null]",
      [
        ["json.array_0", "true"],
        ["json.array_1", "false"],
        ["json.array_2", ""],
      ],
    ],
    [
      "nested arrays",
      '{"m":[[1,2],[3]]}',
      [
        ["json.m.array_0.array_0", "1"],
        ["json.m.array_0.array_1", "2"],
        ["json.m.array_1.array_0", "3"],
      ],
    ],
    [
      "object in array",
      '{"a":[{"b":1},{"b":2}]}',
      [
        ["json.a.array_0.b", "1"],
        ["json.a.array_1.b", "2"],
      ],
    ],
    ["empty containers count as elements", "[[],{},5]", [["json.array_2", "5"]]],
    ["empty key", '{"":1}', [["json.empty-key", "1"]]],
    ["empty key of an object", '{"":{"a":1}}', [["json.empty-key.a", "1"]]],
    ["empty key inside an array's object", '[{"":1}]', [["json.array_0.empty-key", "1"]]],
    ["scalar body", '"hello"', [["json", "hello"]]],
    ["number body", " 42 ", [["json", "42"]]],
    ['null is empty (yajl_null adds "")', '{"n":null}', [["json.n", ""]]],
    ["empty object", "{}", []],
    ["dots in keys are kept", '{"a.b":1}', [["json.a.b", "1"]]],
  ])("%s", (_name, body, args) => {
    const r = processJson(body, "application/json", limits);
    expect(r.error).toBeUndefined();
    expect(r.args).toEqual(args);
  });

  it("keeps document order, integer-like keys and duplicates (what JSON.parse would lose)", () => {
    const r = processJson('{"b":1,"2":2,"1":3,"b":4}', "", limits);
    expect(r.args).toEqual([
      ["json.b", "1"],
      ["json.2", "2"],
      ["json.1", "3"],
      ["json.b", "4"],
    ]);
  });

  it("is registered under JSON", () => {
    expect(getBodyProcessor("json")!('{"a":1}', "", limits).args).toEqual([["json.a", "1"]]);
  });
});

describe("JSON: values as byte strings", () => {
  it.each<[string, string, string]>([
    ["number text as written", "1.0e5", "1.0e5"],
    ["negative zero", "-0", "-0"],
    ["exponent sign", "2E-3", "2E-3"],
    ["big integer not rounded", "12345678901234567890", "12345678901234567890"],
    ["escapes", '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t"', 'a"b\\c/d\b\f\n\r\t'],
    ["\\u escape to UTF-8 bytes", '"\\u00e9"', utf8("é")],
    ["surrogate pair to 4 UTF-8 bytes", '"\\ud83d\\ude00"', utf8("😀")],
    ["lone high surrogate is ?", '"\\ud83dx"', "?x"],
    ["lone low surrogate is ?", '"\\ude00"', "?"],
    ["raw UTF-8 bytes pass through", `"${utf8("ü€")}"`, utf8("ü€")],
    ["NUL via escape", '"\\u0000"', "\0"],
    ["attack text untouched", '"1\' OR 1=1--"', "1' OR 1=1--"],
  ])("%s", (_name, json, value) => {
    const r = processJson(`{"k":${json}}`, "", limits);
    expect(r.error).toBeUndefined();
    expect(r.args).toEqual([["json.k", value]]);
  });

  it("keys are byte strings too", () => {
    expect(processJson(`{"${utf8("clé")}":1,"\\u0041":2}`, "", limits).args).toEqual([
      [`json.${utf8("clé")}`, "1"],
      ["json.A", "2"],
    ]);
  });
});

describe("JSON: errors (REQBODY_ERROR)", () => {
  it.each<[string, string]>([
    ["unterminated object", '{"a":1'],
    ["unterminated string", '{"a":"x'],
    ["trailing garbage", '{"a":1} x'],
    ["two values", "1 2"],
    ["trailing comma", '{"a":1,}'],
    ["trailing comma in array", "[1,]"],
    ["missing colon", '{"a" 1}'],
    ["unquoted key", "{a:1}"],
    ["single quotes", "{'a':1}"],
    ["leading zero", "[01]"],
    ["bare minus", "[-]"],
    ["dot without digits", "[1.]"],
    ["exponent without digits", "[1e]"],
    ["plus sign", "[+1]"],
    ["NaN", "[NaN]"],
    ["bad literal", "[tru]"],
    ["bad escape", '["\\x"]'],
    ["short \\u", '["\\u12"]'],
    ["raw control char in string", '["a\nb"]'],
    ["invalid UTF-8 byte", '["\xff"]'],
    ["truncated UTF-8 sequence", '["\xc3"]'],
    ["whitespace only", "   "],
    ["comment", '{"a":1 /* c */}'],
    ["BOM", '\xef\xbb\xbf{"a":1}'],
    ["mismatched brackets", "[1}"],
  ])("%s", (_name, body) => {
    const r = processJson(body, "", limits);
    expect(r.error).toMatch(/^JSON parsing error: /);
  });

  it("keeps the arguments read before the error, as v3 adds them while parsing", () => {
    const r = processJson('{"a":1,"b":2,"c":', "", limits);
    expect(r.error).toMatch(/^JSON parsing error: /);
    expect(r.args).toEqual([
      ["json.a", "1"],
      ["json.b", "2"],
    ]);
  });

  it("an empty body is no error (v3 checks the body size first)", () => {
    const r = processJson("", "", limits);
    expect(r.error).toBeUndefined();
    expect(r.args).toEqual([]);
  });
});

describe("JSON: limits", () => {
  it.each<[number, string, boolean]>([
    [1, '{"a":1}', false],
    [1, '{"a":{"b":1}}', true],
    [2, '{"a":{"b":1}}', false],
    [2, "[[[1]]]", true],
    [3, "[[[1]]]", false],
    [0, "1", false],
    [0, "[]", true],
  ])("maxDepth %i: %s → error %s", (maxDepth, body, error) => {
    const r = processJson(body, "", { maxArgs: 100, maxDepth });
    if (error) expect(r.error).toBe("JSON parsing error: JSON depth limit exceeded");
    else expect(r.error).toBeUndefined();
  });

  it("deep nesting is refused without recursion (100k brackets)", () => {
    const r = processJson(`${"[".repeat(100_000)}${"]".repeat(100_000)}`, "", {
      maxArgs: 100,
      maxDepth: 100_000,
    });
    expect(r.error).toBeUndefined();
    expect(processJson("[".repeat(100_000), "", limits).error).toBe(
      "JSON parsing error: JSON depth limit exceeded",
    );
  });

  it.each<[number, number, boolean]>([
    [3, 3, false],
    [3, 4, true],
    [0, 1, true],
  ])("maxArgs %i with %i values: error %s", (maxArgs, count, error) => {
    const body = JSON.stringify(Array.from({ length: count }, (_, i) => i));
    const r = processJson(body, "", { maxArgs, maxDepth: 8 });
    expect(r.error).toBe(error ? TOO_MANY_ARGUMENTS : undefined);
    expect(r.args).toHaveLength(Math.min(maxArgs, count));
  });
});
