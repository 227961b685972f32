import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import {
  getOperator,
  operatorNames,
  registerOperator,
  requireOperator,
} from "../../../src/waf/operators/index.js";
import { ctx, op } from "./helpers.js";

const REQUIRED = [
  "rx",
  "pm",
  "pmf",
  "pmFromFile",
  "streq",
  "eq",
  "ge",
  "gt",
  "le",
  "lt",
  "within",
  "beginsWith",
  "endsWith",
  "contains",
  "containsWord",
  "strmatch",
  "ipMatch",
  "ipMatchFromFile",
  "ipMatchF",
  "unconditionalMatch",
  "noMatch",
  "validateByteRange",
  "validateUrlEncoding",
  "validateUtf8Encoding",
  "detectSQLi",
  "detectXSS",
  "verifyCC",
  "verifySSN",
  "verifyCPF",
  "validateDTD",
  "validateSchema",
  "rbl",
  "geoLookup",
  "inspectFile",
  "fuzzyHash",
];

describe("operator registry", () => {
  it.each(REQUIRED)("has %s", (name) => {
    expect(getOperator(name)).toBeTypeOf("function");
  });

  it.each([["DETECTSQLI"], ["detectsqli"], ["PmFromFile"], ["ipmatchfromfile"], ["RX"]])(
    "looks %s up case-insensitively",
    (name) => {
      expect(getOperator(name)).toBeDefined();
    },
  );

  it("lists names as registered", () => {
    const names = operatorNames();
    expect(names).toContain("detectSQLi");
    expect(names).toContain("pmFromFile");
    expect(names.length).toBeGreaterThanOrEqual(REQUIRED.length);
  });

  it("returns undefined for an unknown name, and requireOperator throws WAF_UNKNOWN_OPERATOR", () => {
    expect(getOperator("nosuch")).toBeUndefined();
    expect(() => requireOperator("nosuch", { file: "a.conf", line: 3 })).toThrow(
      /a\.conf:3: unknown operator "@nosuch"/,
    );
    try {
      requireOperator("nosuch");
    } catch (err) {
      expect((err as WafError).code).toBe("WAF_UNKNOWN_OPERATOR");
    }
  });

  it("lets a file replace an operator (last registration wins)", () => {
    registerOperator("testOnlyOp", () => ({ evaluate: () => false }));
    registerOperator("TESTONLYOP", () => ({ evaluate: () => true }));
    expect(op("testonlyop", "").evaluate("", ctx())).toBe(true);
  });

  it.each([["validateDTD"], ["validateSchema"], ["rbl"], ["geoLookup"], ["inspectFile"], ["fuzzyHash"]])(
    "%s fails at load with WAF_OPERATOR_PARAM, never a silent no-op",
    (name) => {
      try {
        op(name, "x");
        expect.unreachable();
      } catch (err) {
        expect(err).toBeInstanceOf(WafError);
        expect((err as WafError).code).toBe("WAF_OPERATOR_PARAM");
        expect((err as WafError).message).toMatch(/test\.conf:7: .*not supported by Rampart/);
      }
    },
  );

  it("unconditionalMatch and noMatch", () => {
    expect(op("unconditionalMatch", "").evaluate("", ctx())).toBe(true);
    expect(op("noMatch", "").evaluate("anything", ctx())).toBe(false);
  });
});
