import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { parseOperator } from "../../../src/waf/seclang/operator.js";
import type { OperatorRef } from "../../../src/waf/types.js";

const loc = { file: "o.conf", line: 3 };

describe("parseOperator", () => {
  it.each<[string, OperatorRef]>([
    ["@rx ^foo$", { name: "rx", negated: false, param: "^foo$" }],
    ["!@rx ^foo$", { name: "rx", negated: true, param: "^foo$" }],
    ["^foo$", { name: "rx", negated: false, param: "^foo$" }],
    ["!^foo$", { name: "rx", negated: true, param: "^foo$" }],
    ["", { name: "rx", negated: false, param: "" }],
    ["!", { name: "rx", negated: true, param: "" }],
    ["@detectSQLi", { name: "detectSQLi", negated: false, param: "" }],
    ["@pm a b  c ", { name: "pm", negated: false, param: "a b  c " }],
    ["@eq   0", { name: "eq", negated: false, param: "0" }],
    ["@within\t|GET| |POST|", { name: "within", negated: false, param: "|GET| |POST|" }],
    ["@RX a", { name: "RX", negated: false, param: "a" }],
    ["@rx [\\x5c'\"\\^]*\\w", { name: "rx", negated: false, param: "[\\x5c'\"\\^]*\\w" }],
    ["@rx \\\\", { name: "rx", negated: false, param: "\\\\" }],
    ["@streq \xff\x00", { name: "streq", negated: false, param: "\xff\x00" }],
    ["@rx %{tx.x}", { name: "rx", negated: false, param: "%{tx.x}" }],
  ])("%j", (text, expected) => {
    expect(parseOperator(text, loc)).toEqual(expected);
  });

  it.each([
    ["@", /no name after @/],
    ["!@ foo", /no name after @/],
    ["@rx-foo", /unexpected "-" after @rx/],
  ])("rejects %j", (text, message) => {
    let err: unknown;
    try {
      parseOperator(text, loc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WafError);
    expect((err as WafError).code).toBe("WAF_PARSE");
    expect((err as WafError).message).toMatch(/^o\.conf:3: /);
    expect((err as WafError).message).toMatch(message);
  });

  it("keeps a huge parameter whole", () => {
    const param = "a|".repeat(500_000);
    expect(parseOperator(`@rx ${param}`, loc).param).toBe(param);
  });
});
