/**
 * The @rx literal prefilter: which literal a pattern requires (table of PCRE syntax cases), the
 * case-folded test, the wrapper, and soundness on CRS: no input that a CRS pattern matches lacks
 * the literal found for it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileMacro } from "../../../src/waf/macro.js";
import "../../../src/waf/operators/index.js";
import { getOperator } from "../../../src/waf/operators/registry.js";
import {
  literalTest,
  requiredLiteral,
  withLiteralPrefilter,
} from "../../../src/waf/operators/rx-prefilter.js";
import { nodeHost, parseSecLang } from "../../../src/waf/seclang/index.js";
import type { Operator, OperatorContext } from "../../../src/waf/types.js";
import { crsDir, hasCrs } from "../../support/shared.js";

const ctx: OperatorContext = { macros: { resolve: () => undefined }, captures: undefined };

function compileRx(pattern: string): Operator {
  const factory = getOperator("rx");
  if (factory === undefined) throw new Error("rx is not registered");
  return factory({
    param: compileMacro(pattern),
    readDataFile: () => "",
    loc: { file: "test.conf", line: 1 },
  });
}

describe("requiredLiteral", () => {
  it.each([
    ["", undefined],
    ["abc", "abc"],
    ["(?i)<script", "<script"],
    ["foo|bar", undefined],
    ["(?:foo|bar)baz", "baz"],
    ["abcd?ef", "abc"],
    ["a+bc", "bc"],
    ["ab{2}c", "ab"],
    ["a{0,3}bcd", "bcd"],
    ["ab*?cd", "cd"],
    ["foo(?:x)?ba", "foo"],
    ["\\.php$", ".php"],
    ["\\d+abc\\s", "abc"],
    ["\\x41BCD", "BCD"],
    ["\\x{41}xyz", "xyz"],
    ["[abc]def", "def"],
    ["[]abc]x", "x"],
    ["[^]]yy", "yy"],
    ["[[:alpha:]]zz", "zz"],
    ["\\r\\nabc", "abc"],
    ["\u0001abcd\u0002", "abcd"],
    ["\u00e9+abc", "abc"],
    ["{abc", "{abc"],
    ["x{,3}abc", undefined],
    ["(?x)abc", undefined],
    ["(?x:a b)abc", undefined],
    ["\\Qa|b\\Eabc", undefined],
    ["a\\1bcd", undefined],
    ["(?#c)abc", undefined],
    ["abc)", undefined],
    ["(abc", undefined],
    ["[abc", undefined],
    ["abc\\", undefined],
    ["(?i)[a-z]+=(?:[^:=]+:[^;]+;)*?[^:=]+:url\\(javascript", ":url(javascript"],
  ])("%j requires %j", (pattern, expected) => {
    expect(requiredLiteral(pattern)?.text).toBe(expected);
  });

  it.each([
    ["abc", false],
    ["(?i)abc", true],
    ["(?i:x)abc", true],
    ["x(?-i)abc", true],
  ])("%j is caseless: %s", (pattern, caseless) => {
    expect(requiredLiteral(pattern)?.caseless).toBe(caseless);
  });

  it("never throws and never returns an empty literal, on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (p) => {
        const lit = requiredLiteral(p);
        return lit === undefined || lit.text.length > 0;
      }),
      { numRuns: 2000 },
    );
  });

  it("handles a huge pattern in linear time", () => {
    const t0 = performance.now();
    expect(requiredLiteral(`${"a".repeat(200_000)}(b|c)`)?.text.length).toBe(200_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe("literalTest", () => {
  it.each([
    [{ text: "<script", caseless: true }, "x<ScRiPt>", true],
    [{ text: "<script", caseless: true }, "<scr1pt", false],
    [{ text: "<script", caseless: false }, "<SCRIPT", false],
    [{ text: "a.b", caseless: true }, "axb", false],
    [{ text: "a.b", caseless: true }, "A.B", true],
    [{ text: "(x)[y]{z}|^$\\/-", caseless: true }, "(X)[Y]{Z}|^$\\/-", true],
    [{ text: "k", caseless: true }, "\u212a", false],
    [{ text: "ss", caseless: true }, "\u00df", false],
    [{ text: "12", caseless: true }, "0123", true],
    [{ text: "abc", caseless: true }, "", false],
  ])("%j on %j: %s", (lit, input, expected) => {
    expect(literalTest(lit)(input)).toBe(expected);
  });
});

describe("withLiteralPrefilter", () => {
  const counting = (): Operator & { calls: number } => {
    const op = {
      calls: 0,
      evaluate(): boolean {
        op.calls++;
        return true;
      },
    };
    return op;
  };

  it("skips the pattern when the literal is missing and runs it when present", () => {
    const op = counting();
    const wrapped = withLiteralPrefilter(op, "(?i)union\\s+select");
    expect(wrapped.evaluate("nothing here", ctx)).toBe(false);
    expect(op.calls).toBe(0);
    expect(wrapped.evaluate("1 UNION  select", ctx)).toBe(true);
    expect(op.calls).toBe(1);
  });

  it("returns the operator itself when nothing is required or the pattern has macros", () => {
    const op = counting();
    expect(withLiteralPrefilter(op, "a|b")).toBe(op);
    expect(withLiteralPrefilter(op, "^%{tx.x}abc")).toBe(op);
  });

  it("gives the same answers as the pattern alone on odd inputs", () => {
    const pattern = "(?i)[a-z]+=(?:[^:=]+:[^;]+;)*?[^:=]+:url\\(javascript";
    const plain = compileRx(pattern);
    const wrapped = withLiteralPrefilter(compileRx(pattern), pattern);
    for (const input of [
      "",
      "a=b:URL(JavaScript",
      "style=x:y;z:url(javascript:alert(1))",
      "\u00ff\u0000\r\n:url(javascript",
      `a=${"b:c;".repeat(20_000)}d:url(javascript`,
      "a=b".repeat(10_000),
    ])
      expect(wrapped.evaluate(input, ctx)).toBe(plain.evaluate(input, ctx));
  });
});

/** Lines of CRS's regression tests that carry payloads, raw and URL-decoded. */
function crsPayloads(): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml"))
        for (const line of readFileSync(path, "latin1").split("\n")) {
          if (!/^\s*(?:data|uri|[A-Za-z-]+):/.test(line)) continue;
          out.add(line);
          try {
            out.add(decodeURIComponent(line.replaceAll("+", " ")));
          } catch {
            // not valid percent-encoding: the raw line is enough
          }
        }
    }
  };
  walk(join(crsDir, "tests"));
  return [...out];
}

describe.skipIf(!hasCrs)("soundness on CRS", () => {
  it("every input a CRS @rx matches contains the pattern's required literal", () => {
    const dir = join(crsDir, "rules");
    const patterns: string[] = [];
    for (const f of readdirSync(dir).filter((f) => f.endsWith(".conf")))
      for (const st of parseSecLang(readFileSync(join(dir, f), "latin1"), join(dir, f), nodeHost))
        if (st.type === "rule" && st.rule.operator.name === "rx") patterns.push(st.rule.operator.param);
    const inputs = crsPayloads();
    expect(inputs.length).toBeGreaterThan(1000);
    let checked = 0;
    let matched = 0;
    for (const p of patterns) {
      const lit = requiredLiteral(p);
      if (lit === undefined) continue;
      checked++;
      const full = compileRx(p);
      const has = literalTest(lit);
      for (const input of inputs) {
        if (!full.evaluate(input, ctx)) continue;
        matched++;
        if (!has(input)) expect.fail(`pattern ${p} matched ${JSON.stringify(input)} without ${lit.text}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(matched).toBeGreaterThan(500);
  }, 120_000);
});
