import { describe, expect, it } from "vitest";
import {
  bodyProcessorNames,
  getBodyProcessor,
  registerBodyProcessor,
} from "../../../src/waf/bodies/index.js";
import type { BodyParseResult } from "../../../src/waf/types.js";

const limits = { maxArgs: 10, maxDepth: 4 };
const empty: BodyParseResult = { args: [], files: [], error: undefined, variables: new Map() };

describe("body processor registry", () => {
  it("index.ts registers the four ModSecurity processors", () => {
    expect(bodyProcessorNames()).toEqual(expect.arrayContaining(["URLENCODED", "MULTIPART", "JSON", "XML"]));
  });

  it.each(["json", "Json", "JSON"])("looks names up in any case (%s)", (name) => {
    expect(getBodyProcessor(name)).toBe(getBodyProcessor("JSON"));
  });

  it("answers undefined for an unknown name", () => {
    expect(getBodyProcessor("YAML")).toBeUndefined();
  });

  it("a later registration replaces the earlier one", () => {
    registerBodyProcessor("test-replace", () => ({ ...empty, args: [["first", "1"]] }));
    registerBodyProcessor("TEST-REPLACE", () => ({ ...empty, args: [["second", "2"]] }));
    expect(getBodyProcessor("test-replace")!("", "", limits).args).toEqual([["second", "2"]]);
  });

  it.each<[string, () => never]>([
    [
      "an Error",
      () => {
        throw new Error("boom");
      },
    ],
    [
      "a non-Error value",
      () => {
        throw "raw";
      },
    ],
    [
      "a stack overflow",
      () => {
        const f = (n: number): number => f(n + 1) + 1;
        return f(0) as never;
      },
    ],
  ])("a processor that throws %s gives an error result instead", (_name, fn) => {
    registerBodyProcessor("test-throws", fn);
    const r = getBodyProcessor("test-throws")!("body", "", limits);
    expect(r.error).toMatch(/^TEST-THROWS parsing error: internal error: /);
    expect(r.args).toEqual([]);
  });
});
