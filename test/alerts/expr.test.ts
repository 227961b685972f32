/** The rule expression parser: what each form means, and errors that name the column. */
import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/alerts/duration.js";
import { parseExpr } from "../../src/alerts/expr.js";
import { matches, parseMatcher } from "../../src/alerts/matchers.js";

describe("parseExpr", () => {
  it.each([
    [
      "error_ratio > 0.05 for 30s",
      {
        kind: "threshold",
        terms: [{ series: "error_ratio", matchers: [] }],
        op: ">",
        threshold: 0.05,
        forMs: 30_000,
      },
    ],
    [
      'requests{route="checkout", gateway!=edge-2} < 1/s',
      {
        kind: "threshold",
        terms: [
          {
            series: "requests",
            matchers: [
              { name: "route", op: "=", value: "checkout" },
              { name: "gateway", op: "!=", value: "edge-2" },
            ],
          },
        ],
        op: "<",
        threshold: 1,
      },
    ],
    [
      "anomaly(requests, drop) > 0.9",
      {
        kind: "anomaly",
        terms: [{ series: "requests", matchers: [] }],
        detector: "drop",
        op: ">",
        threshold: 0.9,
      },
    ],
    [
      'anomaly(rate_limited + shed{route=~"api.*"}, spike) >= 0.8 for 1m30s',
      {
        kind: "anomaly",
        terms: [
          { series: "rate_limited", matchers: [] },
          { series: "shed", matchers: [{ name: "route", op: "=~", value: "api.*" }] },
        ],
        detector: "spike",
        op: ">=",
        threshold: 0.8,
        forMs: 90_000,
      },
    ],
    [
      "error_ratio > 5%",
      { kind: "threshold", terms: [{ series: "error_ratio", matchers: [] }], op: ">", threshold: 0.05 },
    ],
    [
      "rate(s5xx) != 0",
      { kind: "threshold", terms: [{ series: "s5xx", matchers: [] }], op: "!=", threshold: 0 },
    ],
    [
      "anomaly(error_ratio, ratio) > 0.9",
      {
        kind: "anomaly",
        terms: [{ series: "error_ratio", matchers: [] }],
        detector: "ratio",
        op: ">",
        threshold: 0.9,
      },
    ],
  ])("%s", (text, expected) => {
    expect(parseExpr(text)).toEqual(expected);
  });

  it.each([
    ["error_rato > 0.05", /at column 1: unknown series "error_rato"/],
    ["error_ratio >> 0.05", /at column 14: expected a number, found "> 0.05"/],
    ["error_ratio 0.05", /at column 13: expected a comparison/],
    ["anomaly(requests, wobble) > 0.9", /at column 19: unknown detector "wobble"/],
    [
      "anomaly(requests, ratio) > 0.9",
      /at column 19: the ratio detector scores one of error_ratio, block_ratio/,
    ],
    ['requests{route="checkout" > 3', /at column 27: expected "," or "}"/],
    ['requests{route=~"("} > 3', /at column 10: route=~: Invalid regular expression/],
    ["requests > 3 for soon", /at column 18: expected a duration after "for"/],
    ["requests > 3 and more", /at column 14: unexpected "and more"/],
    ["", /at column 1: expected a series name, found the end/],
  ])("refuses %j", (text, message) => {
    expect(() => parseExpr(text)).toThrow(message);
    try {
      parseExpr(text);
    } catch (err) {
      expect((err as { code: string }).code).toBe("ALERT_EXPR_INVALID");
    }
  });
});

describe("durations and matchers", () => {
  it("durations read and print", () => {
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("0")).toBe(0);
    expect(() => parseDuration("5 minutes")).toThrow(/is not a duration/);
    expect(formatDuration(5_400_000)).toBe("1h30m");
    expect(formatDuration(0)).toBe("0s");
  });

  it.each([
    ["route=checkout", { route: "checkout" }, true],
    ['route="checkout"', { route: "browse" }, false],
    ["route!=checkout", {}, true],
    ['route=~"check.*"', { route: "checkout" }, true],
    // Anchored at both ends, as Alertmanager's.
    ['route=~"check"', { route: "checkout" }, false],
    ['route!~"check.*"', { route: "checkout" }, false],
    // A missing label is the empty string.
    ['gateway=""', { route: "checkout" }, true],
  ])("%s on %j -> %s", (text, labels, expected) => {
    expect(matches(parseMatcher(text), labels)).toBe(expected);
  });

  it("a matcher that does not parse says how to write one", () => {
    expect(() => parseMatcher("route")).toThrow(/is not a matcher/);
    expect(() => parseMatcher('route="open')).toThrow(/unterminated/);
    expect(() => parseMatcher("9x=1")).toThrow(/is not a matcher/);
  });
});
