import { describe, expect, it } from "vitest";
import { detectSqli } from "../../../src/waf/detect/index.js";
import { sqliFingerprint } from "../../../src/waf/detect/sqli.js";

// Expected values are libinjection 3.9.2's (the build ModSecurity 3 bundles), checked with the
// differential test against the real library.
describe("detectSqli", () => {
  it.each([
    // attacks, one per context and fold rule
    ["1' or '1'='1", true, "s&sos"],
    ['-1839" or "1"="2', true, "s&sos"],
    ["1234 OR 1=1", true, "1&1"],
    ["1 AND 1=1", true, "1&1"],
    ["admin'--", true, "sc"],
    ["1 union select 1,2,3--", true, "1UE1c"],
    ["1 union all select null", true, "1UEv"],
    ["1;drop table users", true, "1;Tnn"],
    ["1 and sleep(5)", true, "1&f(1"],
    ["' or 1=1#", true, "s&1c"],
    ["1 and 1=1 --", true, "1&1c"],
    ["1-- ", true, "1c"],
    ["' and 'a'='a", true, "s&sos"],
    ["1 or 'x' like 'x'", true, "1&sos"],
    ["select * from users where id=1", true, "Eoknk"],
    ["(select 1)", true, "E1)"],
    ["1;if(1=1) select 1", true, "1;T(1"],
    ["1/*comment*/or/**/1=1", true, "1&1"],
    ["a' into outfile '/tmp/x", true, "sks"],
    ["1' -- sp_password", true, "sc"],
    // MySQL conditional comments and "{ ``" cannot be parsed reliably: evil
    ["1' /*!50000union*/ select 1", true, "X"],
    ["{ `` }", true, "X"],
    // string and literal syntaxes of several dialects
    ["$$x$$ or 1=1", true, "s&1"],
    ["n'x' union select 1", true, "sUE1"],
    ["q'[a]' or 1", true, "s&1"],
    ["u&'x' or 1", true, "s&1"],
    ["`a` or 1=1", true, "n&1"],
    ["\\N union select 1", true, "1UE1"],
    // benign text
    ["", false, ""],
    ["O'Reilly's cookbook", false, ""],
    ["john.doe@example.com", false, ""],
    ['{"query":"red shoes","page":2}', false, ""],
    ["the quick brown fox", false, ""],
    ["1234-5678", false, ""],
    ["Tom & Jerry", false, ""],
    ["size 42 and 43", false, ""],
    ["sp_password", false, ""],
    ["x'41' or 1", false, ""],
    ["1 || 1", false, ""],
    ["@@version", false, ""],
    ["1 div 1", false, ""],
    // "1e" and "1.e" are words, not numbers (MySQL scientific-notation quirk)
    ["1e", false, ""],
    ["1.e(1) or 1", false, ""],
    // bytes: NUL, Latin-1 (invalid UTF-8 on its own), 0xFF, non-breaking space as white
    ["\u0000' or 1=1 -- ", true, "s&1c"],
    ["caf\u00e9' or '\u00e9'='\u00e9", true, "s&sos"],
    ["\u00ff\u00fe' union select 1", true, "sUE1"],
    ["1\u00a0union\u00a0select\u00a01", true, "1UE1"],
  ])("%j -> %s %s", (input, match, fingerprint) => {
    expect(detectSqli(input)).toEqual({ match, fingerprint });
  });

  it("handles huge inputs", () => {
    const benign = "a".repeat(1 << 20);
    expect(detectSqli(benign)).toEqual({ match: false, fingerprint: "" });
    const attack = `1' or '1'='1' -- ${"x".repeat(1 << 20)}`;
    expect(detectSqli(attack).match).toBe(true);
  });

  it("is deterministic across calls (state is reset between inputs)", () => {
    const a = detectSqli("1' or '1'='1");
    detectSqli("{ `` }");
    detectSqli("O'Reilly's cookbook");
    expect(detectSqli("1' or '1'='1")).toEqual(a);
  });
});

describe("sqliFingerprint per context", () => {
  const ANSI = 8;
  const MYSQL = 16;
  const NONE = 1;
  const SINGLE = 2;
  const DOUBLE = 4;
  it.each([
    ["1' or '1'='1", NONE | ANSI, "1s1s1"],
    ["1' or '1'='1", SINGLE | ANSI, "s&sos"],
    ['1" or "1"="1', DOUBLE | MYSQL, "s&sos"],
    // "--x" is a comment in ANSI SQL and two minus signs in MySQL ("1 - -x union" folds to "1 union")
    ["1 --x union", NONE | ANSI, "1c"],
    ["1 --x union", NONE | MYSQL, "1U"],
    // '#' is an operator in ANSI SQL ("x # 1" folds to a value) and a comment in MySQL
    ["x # 1 union", NONE | ANSI, "nU"],
    ["x # 1 union", NONE | MYSQL, "nc"],
  ])("%j flags %i -> %s", (input, flags, fp) => {
    expect(sqliFingerprint(input, flags)).toBe(fp);
  });
});
