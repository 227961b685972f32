import { describe, expect, it } from "vitest";
import { cpfValid, luhnValid, ssnValid } from "../../../src/waf/operators/index.js";
import { capture, ctx, op } from "./helpers.js";

// The reference manual's @verifyCC example pattern.
const CC = "\\d{13,16}";

describe("Luhn / SSN / CPF checks", () => {
  it.each([
    ["4111111111111111", true],
    ["4111-1111-1111-1111", true],
    ["4111111111111112", false],
    ["79927398713", true],
    ["", false],
    ["0", true],
  ])("luhn %j → %s", (s, v) => {
    expect(luhnValid(s)).toBe(v);
  });

  it.each([
    ["078-05-1120", true],
    ["000-12-3456", false],
    ["666-12-3456", false],
    ["900-12-3456", false],
    ["123-00-4567", false],
    ["123-45-0000", false],
    ["111-11-1111", false],
    ["123-45-6789", false],
    ["12-345-678", false],
  ])("ssn %j → %s", (s, v) => {
    expect(ssnValid(s)).toBe(v);
  });

  it.each([
    ["529.982.247-25", true],
    ["52998224725", true],
    ["529.982.247-26", false],
    ["111.111.111-11", false],
    ["123", false],
  ])("cpf %j → %s", (s, v) => {
    expect(cpfValid(s)).toBe(v);
  });
});

describe("@verifyCC @verifySSN @verifyCPF", () => {
  it.each([
    ["card 4111111111111111 here", true],
    ["card 4111111111111112 here", false],
    ["order 1234567812345678", false],
    ["first 4111111111111112 then 5500000000000004", true],
    ["", false],
  ])("@verifyCC on %j → %s", (input, expected) => {
    expect(op("verifyCC", CC).evaluate(input, ctx())).toBe(expected);
  });

  it("captures the valid candidate", () => {
    const [hit, caps] = capture(op("verifyCC", CC), "x 4111111111111111");
    expect(hit).toBe(true);
    expect(caps[0]).toContain("4111111111111111");
  });

  it("@verifySSN and @verifyCPF", () => {
    expect(op("verifySSN", "\\d{3}-\\d{2}-\\d{4}").evaluate("ssn 078-05-1120", ctx())).toBe(true);
    expect(op("verifySSN", "\\d{3}-\\d{2}-\\d{4}").evaluate("ssn 000-05-1120", ctx())).toBe(false);
    expect(op("verifyCPF", "\\d{3}\\.\\d{3}\\.\\d{3}-\\d{2}").evaluate("cpf 529.982.247-25", ctx())).toBe(
      true,
    );
  });

  it("rejects a bad regex at load", () => {
    expect(() => op("verifyCC", "(")).toThrow(/@verifyCC: invalid regular expression/);
  });
});
