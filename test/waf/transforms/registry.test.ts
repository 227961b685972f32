import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { getTransform, registerTransform, transformNames } from "../../../src/waf/transforms/index.js";
import { crsDir, hasCrs } from "../../support/shared.js";

// Every transformation CRS v4 uses and every other one ModSecurity v3's reference manual documents.
const EXPECTED = [
  "none",
  "urlDecodeUni",
  "urlDecode",
  "lowercase",
  "uppercase",
  "jsDecode",
  "htmlEntityDecode",
  "utf8toUnicode",
  "removeNulls",
  "replaceNulls",
  "cssDecode",
  "cmdLine",
  "removeWhitespace",
  "compressWhitespace",
  "replaceComments",
  "removeComments",
  "removeCommentsChar",
  "normalizePath",
  "normalisePath",
  "normalizePathWin",
  "normalisePathWin",
  "escapeSeqDecode",
  "length",
  "base64Decode",
  "base64DecodeExt",
  "base64Encode",
  "sha1",
  "md5",
  "hexEncode",
  "hexDecode",
  "trim",
  "trimLeft",
  "trimRight",
  "sqlHexDecode",
  "parityEven7bit",
  "parityOdd7bit",
  "parityZero7bit",
  "urlEncode",
];

describe("transformation registry", () => {
  it("has every documented transformation, under ModSecurity's spelling", () => {
    expect(transformNames().sort()).toEqual([...EXPECTED].sort());
  });

  it.each(EXPECTED)("%s is found in any letter case", (name) => {
    const fn = getTransform(name);
    expect(fn).toBeTypeOf("function");
    expect(getTransform(name.toUpperCase())).toBe(fn);
    expect(getTransform(name.toLowerCase())).toBe(fn);
  });

  it("gives undefined for an unknown name", () => {
    expect(getTransform("urlDecodeUnicode")).toBeUndefined();
    expect(getTransform("")).toBeUndefined();
  });

  it("none is the identity (the engine does the chain reset)", () => {
    const s = "A%41\0\xff";
    expect(getTransform("none")?.(s)).toBe(s);
  });

  it("aliases share one function", () => {
    expect(getTransform("normalisePath")).toBe(getTransform("normalizePath"));
    expect(getTransform("normalisePathWin")).toBe(getTransform("normalizePathWin"));
  });

  it("a later registration replaces an earlier one, whatever the case", () => {
    const original = getTransform("trimRight");
    try {
      registerTransform("TRIMRIGHT", () => "replaced");
      expect(getTransform("trimRight")?.("x ")).toBe("replaced");
      expect(transformNames()).toContain("TRIMRIGHT");
    } finally {
      if (original) registerTransform("trimRight", original);
    }
    expect(getTransform("trimRight")?.("x ")).toBe("x");
  });
});

describe.skipIf(!hasCrs)("CRS v4 rules", () => {
  it("use only registered transformations", () => {
    const used = new Set<string>();
    for (const file of readdirSync(resolve(crsDir, "rules"))) {
      if (!file.endsWith(".conf")) continue;
      const text = readFileSync(resolve(crsDir, "rules", file), "latin1");
      for (const m of text.matchAll(/\bt:([A-Za-z0-9]+)/g)) used.add(m[1] ?? "");
    }
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((name) => getTransform(name) === undefined)).toEqual([]);
  });
});
