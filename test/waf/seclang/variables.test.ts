import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { parseVariables, SECLANG_VARIABLES } from "../../../src/waf/seclang/variables.js";
import type { VariableRef } from "../../../src/waf/types.js";
import { cpuTimeMs } from "../../support/cpu-time.js";

const loc = { file: "v.conf", line: 7 };

function v(collection: string, extra: Partial<VariableRef> = {}): VariableRef {
  return { collection, count: false, exclude: false, ...extra };
}

describe("parseVariables", () => {
  it.each<[string, VariableRef[]]>([
    ["ARGS", [v("ARGS")]],
    ["args", [v("ARGS")]],
    ["ARGS|ARGS_NAMES", [v("ARGS"), v("ARGS_NAMES")]],
    ["  ARGS  ", [v("ARGS")]],
    ["!REQUEST_HEADERS:Referer", [v("REQUEST_HEADERS", { key: "Referer", exclude: true })]],
    ["&TX:foo", [v("TX", { key: "foo", count: true })]],
    ["&ARGS", [v("ARGS", { count: true })]],
    ["ARGS:/^id_/", [v("ARGS", { keyRegex: "^id_" })]],
    ["XML:/*", [v("XML", { key: "/*" })]],
    ["XML://@*|ARGS", [v("XML", { key: "//@*" }), v("ARGS")]],
    ["REQUEST_COOKIES:/__utm/", [v("REQUEST_COOKIES", { keyRegex: "__utm" })]],
    ["TX:'/^HEADER_NAME_/'", [v("TX", { keyRegex: "^HEADER_NAME_" })]],
    ["REQUEST_HEADERS:'User-Agent'", [v("REQUEST_HEADERS", { key: "User-Agent" })]],
    ["ARGS:'a\\'b'", [v("ARGS", { key: "a'b" })]],
    ["ARGS:/a|b:c/|ARGS_NAMES", [v("ARGS", { keyRegex: "a|b:c" }), v("ARGS_NAMES")]],
    ["ARGS:/a\\/b/", [v("ARGS", { keyRegex: "a\\/b" })]],
    ["ARGS:/a/b/", [v("ARGS", { keyRegex: "a/b" })]],
    [
      "!REQUEST_COOKIES:/^_ga(?:_\\w+)?$/",
      [v("REQUEST_COOKIES", { keyRegex: "^_ga(?:_\\w+)?$", exclude: true })],
    ],
    ["TX:/MULTIPART_HEADERS_CONTENT_TYPES_*/", [v("TX", { keyRegex: "MULTIPART_HEADERS_CONTENT_TYPES_*" })]],
    ["REQUEST_HEADERS.Host", [v("REQUEST_HEADERS", { key: "Host" })]],
    ["TX:1", [v("TX", { key: "1" })]],
    ["ARGS:json.profile", [v("ARGS", { key: "json.profile" })]],
    ["ARGS:a\xff\x00", [v("ARGS", { key: "a\xff\x00" })]],
  ])("%s", (text, expected) => {
    expect(parseVariables(text, loc)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    ["", "WAF_PARSE", /empty variable list/],
    ["   ", "WAF_PARSE", /empty variable list/],
    ["FOO", "WAF_UNKNOWN_VARIABLE", /unknown variable FOO/],
    ["ARGS|NOPE:x", "WAF_UNKNOWN_VARIABLE", /unknown variable NOPE/],
    ["ARGS|", "WAF_PARSE", /ends with \|/],
    ["ARGS||ARGS", "WAF_PARSE", /expected a variable name/],
    ["|ARGS", "WAF_PARSE", /expected a variable name/],
    ["ARGS:", "WAF_PARSE", /empty selector/],
    ["ARGS:/abc", "WAF_PARSE", /unterminated regex selector/],
    ["ARGS:'abc", "WAF_PARSE", /unterminated ' quote/],
    ["ARGS ARGS_NAMES", "WAF_PARSE", /unexpected " "/],
    ["!&ARGS", "WAF_PARSE", /expected a variable name/],
    ["ARGS:'x'y", "WAF_PARSE", /unexpected "y"/],
  ])("rejects %j", (text, code, message) => {
    let err: unknown;
    try {
      parseVariables(text, loc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WafError);
    expect((err as WafError).code).toBe(code);
    expect((err as WafError).message).toMatch(/^v\.conf:7: /);
    expect((err as WafError).message).toMatch(message);
    expect((err as WafError).hint).toBeTruthy();
  });

  it("parses a huge list in linear time", () => {
    const text = Array.from({ length: 20_000 }, (_, k) => `ARGS:k${k}`).join("|");
    let parsed: VariableRef[] = [];
    // CPU time: other work on the machine stretches wall time without adding any here.
    const ms = cpuTimeMs(() => {
      parsed = parseVariables(text, loc);
    });
    expect(parsed).toHaveLength(20_000);
    expect(ms).toBeLessThan(1000);
  });
});

describe("SECLANG_VARIABLES", () => {
  it("holds every variable CRS uses and only upper-case names", () => {
    for (const name of [
      "ARGS",
      "TX",
      "XML",
      "REQUEST_URI_RAW",
      "MULTIPART_PART_HEADERS",
      "REQBODY_PROCESSOR",
    ]) {
      expect(SECLANG_VARIABLES.has(name)).toBe(true);
    }
    for (const name of SECLANG_VARIABLES) expect(name).toBe(name.toUpperCase());
    expect(SECLANG_VARIABLES.has("JSON")).toBe(false);
  });
});
