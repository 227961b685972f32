/**
 * The @rx literal prefilter: which literal a pattern requires (table of PCRE syntax cases), the
 * case-folded test, the wrapper, and soundness on CRS: no input that a CRS pattern matches lacks
 * the literal found for it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadWaf } from "../../../src/waf/index.js";
import { compileMacro } from "../../../src/waf/macro.js";
import "../../../src/waf/operators/index.js";
import { getOperator } from "../../../src/waf/operators/registry.js";
import type { RxOperator } from "../../../src/waf/operators/rx.js";
import { RxFactorIndex } from "../../../src/waf/operators/rx-index.js";
import { literalTest, requiredLiteral, withPrefilter } from "../../../src/waf/operators/rx-prefilter.js";
import { nodeHost, parseSecLang } from "../../../src/waf/seclang/index.js";
import type { OperatorContext } from "../../../src/waf/types.js";
import { crsDir, hasCrs } from "../../support/shared.js";
import { crsPayloads } from "./crs-patterns.js";

const ctx: OperatorContext = { macros: { resolve: () => undefined }, captures: undefined };

function compileRx(pattern: string): RxOperator {
  const factory = getOperator("rx");
  if (factory === undefined) throw new Error("rx is not registered");
  return <RxOperator>factory({
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

describe("withPrefilter", () => {
  /** A real @rx operator that counts how often its pattern runs. */
  const counting = (pattern: string): RxOperator & { calls: number } => {
    const real = compileRx(pattern);
    const op = {
      calls: 0,
      regex: real.regex,
      evaluate(input: string, c: OperatorContext): boolean {
        op.calls++;
        return real.evaluate(input, c);
      },
    };
    return op;
  };

  it("skips the pattern when none of its factors occurs and runs it when one does", () => {
    const op = counting("(?i)\\b(?:union|select)\\b");
    const wrapped = withPrefilter(op, "(?i)\\b(?:union|select)\\b", new RxFactorIndex());
    expect(wrapped.evaluate("nothing here", ctx)).toBe(false);
    expect(op.calls).toBe(0);
    expect(wrapped.evaluate("1 UNION 2", ctx)).toBe(true);
    expect(wrapped.evaluate("preselected", ctx)).toBe(false);
    expect(op.calls).toBe(2);
  });

  it("uses the required literal when the pattern has no factor set", () => {
    // Factors {x} or {y}: single letters are not worth a slot; the literal "x" still filters.
    const op = counting("x.y");
    const wrapped = withPrefilter(op, "x.y", new RxFactorIndex());
    expect(wrapped.evaluate("abc", ctx)).toBe(false);
    expect(op.calls).toBe(0);
    expect(wrapped.evaluate("x-y", ctx)).toBe(true);
    expect(op.calls).toBe(1);
  });

  it("returns the operator itself when nothing is required or the pattern has macros", () => {
    const index = new RxFactorIndex();
    const plain = compileRx("a|b");
    expect(withPrefilter(plain, "a|b", index)).toBe(plain);
    const macro = compileRx("^%{tx.x}abc");
    expect(withPrefilter(macro, "^%{tx.x}abc", index)).toBe(macro);
    expect(index.size).toBe(0);
  });

  it("gives the same answers as the pattern alone on odd inputs", () => {
    const index = new RxFactorIndex();
    for (const pattern of [
      "(?i)[a-z]+=(?:[^:=]+:[^;]+;)*?[^:=]+:url\\(javascript",
      "(?i)<(?:script|iframe)",
      "x.y",
    ]) {
      const plain = compileRx(pattern);
      const wrapped = withPrefilter(compileRx(pattern), pattern, index);
      for (const input of [
        "",
        "a=b:URL(JavaScript",
        "style=x:y;z:url(javascript:alert(1))",
        "\u00ff\u0000\r\n:url(javascript",
        "<ScRiPt>",
        "<\u0100script",
        "x\ry",
        `a=${"b:c;".repeat(20_000)}d:url(javascript`,
        "a=b".repeat(10_000),
      ])
        expect(wrapped.evaluate(input, ctx), `${pattern} on ${input.slice(0, 20)}`).toBe(
          plain.evaluate(input, ctx),
        );
    }
  });
});

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

describe("prefiltered patterns in the engine", () => {
  const RULES = `SecRuleEngine On
SecRule ARGS "@rx (?i)union\\s+select" "id:1,phase:1,deny,status:403,log,t:none,t:urlDecodeUni"
SecRule ARGS "!@rx (?i)union\\s+select" "id:2,phase:1,pass,log,t:none"
`;
  const run = (query: string) => {
    const rs = loadWaf({ sources: [{ name: "factor.conf", text: RULES }] });
    const tx = rs.newTransaction({
      id: "1",
      remoteAddr: "192.0.2.1",
      remotePort: 1,
      serverPort: 80,
      method: "GET",
      uri: `/?${query}`,
      protocol: "HTTP/1.1",
      headers: [["Host", "a"]],
    });
    tx.processRequestHeaders();
    return { status: tx.intervention?.status, ids: tx.matchedRules.map((r) => r.id) };
  };

  it("looks for the factors in the transformed value, not the raw one", () => {
    // The raw argument is "%75nion%20%73elect": neither "union" nor "select" until
    // t:urlDecodeUni has run.
    expect(run("q=%2575nion%2520%2573elect")).toEqual({ status: 403, ids: [1] });
  });

  it("still lets a negated pattern match a value without the factors", () => {
    expect(run("q=hello")).toEqual({ status: undefined, ids: [2] });
  });
});
