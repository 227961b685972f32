import { describe, expect, it } from "vitest";
import { RateLimitError } from "../../src/ratelimit/errors.js";
import { createPolicy, parseRate } from "../../src/ratelimit/rate.js";

describe("parseRate", () => {
  it.each([
    ["100/s", 100, 1_000],
    ["6000/min", 6_000, 60_000],
    ["10/5s", 10, 5_000],
    ["1000/h", 1_000, 3_600_000],
    ["5/m", 5, 60_000],
    ["50/250ms", 50, 250],
    ["2/d", 2, 86_400_000],
    [" 7 / 2 MIN ", 7, 120_000],
    ["1/sec", 1, 1_000],
    ["3/hour", 3, 3_600_000],
  ])("%j -> %i per %i ms", (text, rate, periodMs) => {
    expect(parseRate(text)).toEqual({ rate, periodMs });
  });

  it.each([
    [""],
    ["100"],
    ["100/"],
    ["/s"],
    ["0/s"],
    ["10/0s"],
    ["-1/s"],
    ["1.5/s"],
    ["1e3/s"],
    ["10/5x"],
    ["10/s/s"],
    ["10 per second"],
    ["99999999999999999999/s"],
    ["1/99999999999999d"],
    ["١٠/s"], // Arabic-Indic digits are not ASCII digits
    ["10/s\u0000"],
  ])("refuses %j with RATELIMIT_BAD_RATE naming the accepted forms", (text) => {
    let caught: unknown;
    try {
      parseRate(text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RateLimitError);
    const e = caught as RateLimitError;
    expect(e.code).toBe("RATELIMIT_BAD_RATE");
    expect(e.message).toContain("accepted forms");
    expect(e.message).toContain('"6000/min"');
  });
});

describe("createPolicy", () => {
  it("parses the rate and freezes the policy", () => {
    const p = createPolicy("per-ip", "10/5s", 3);
    expect(p).toEqual({ name: "per-ip", rate: 10, periodMs: 5_000, burst: 3 });
    expect(Object.isFrozen(p)).toBe(true);
  });

  it("accepts an already parsed rate and defaults burst to 0", () => {
    expect(createPolicy("x", { rate: 2, periodMs: 100 })).toEqual({
      name: "x",
      rate: 2,
      periodMs: 100,
      burst: 0,
    });
  });

  it.each([
    ["", "1/s", 0, "RATELIMIT_BAD_POLICY"],
    ["x", "1/s", -1, "RATELIMIT_BAD_POLICY"],
    ["x", "1/s", 1.5, "RATELIMIT_BAD_POLICY"],
    ["x", "1/s", Number.NaN, "RATELIMIT_BAD_POLICY"],
    ["x", { rate: 0, periodMs: 1000 }, 0, "RATELIMIT_BAD_RATE"],
    ["x", { rate: 1, periodMs: Number.POSITIVE_INFINITY }, 0, "RATELIMIT_BAD_RATE"],
    ["x", "fast", 0, "RATELIMIT_BAD_RATE"],
  ] as const)("refuses name=%j rate=%j burst=%s", (name, rate, burst, code) => {
    expect(() => createPolicy(name, rate, burst)).toThrow(expect.objectContaining({ code }));
  });
});
