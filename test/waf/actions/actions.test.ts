import { describe, expect, it } from "vitest";
import {
  getAction,
  inRanges,
  parseCtl,
  parseIdRanges,
  parsePhase,
  parseSetVar,
  parseSeverity,
} from "../../../src/waf/actions/index.js";
import type { ActionContext } from "../../../src/waf/actions/types.js";
import { parseVariables } from "../../../src/waf/seclang/variables.js";

const loc = { file: "a.conf", line: 7 };

describe("parsePhase", () => {
  it.each([
    ["1", 1],
    ["5", 5],
    [" 2 ", 2],
    ["request", 2],
    ["RESPONSE", 4],
    ["logging", 5],
  ])("%j", (text, phase) => {
    expect(parsePhase(text, loc)).toBe(phase);
  });
  it.each(["0", "6", "", "two", "1.5"])("rejects %j", (text) => {
    expect(() => parsePhase(text, loc)).toThrow(/a\.conf:7: invalid phase/);
  });
});

describe("parseSeverity", () => {
  it.each([
    ["EMERGENCY", 0],
    ["critical", 2],
    ["WARNING", 4],
    ["NOTICE", 5],
    ["DEBUG", 7],
    ["3", 3],
  ])("%j", (text, n) => {
    expect(parseSeverity(text, loc)).toBe(n);
  });
  it.each(["8", "-1", "SEVERE", ""])("rejects %j", (text) => {
    expect(() => parseSeverity(text, loc)).toThrow(/invalid severity/);
  });
});

describe("parseSetVar", () => {
  it.each([
    ["tx.a=1", "TX", "a", "set", "1"],
    ["TX.Score=+%{tx.critical_anomaly_score}", "TX", "Score", "add", "%{tx.critical_anomaly_score}"],
    ["ip.n=-2", "IP", "n", "sub", "2"],
    ["!tx.a", "TX", "a", "delete", ""],
    ["tx.flag", "TX", "flag", "set", "1"],
    ["tx.a=", "TX", "a", "set", ""],
    ["tx.a==b", "TX", "a", "set", "=b"],
    ["tx.%{rule.id}-x=1", "TX", "%{rule.id}-x", "set", "1"],
    ["global.a.b=1", "GLOBAL", "a.b", "set", "1"],
  ])("%j", (param, collection, key, op, value) => {
    const sv = parseSetVar(param, loc);
    expect([sv.collection, sv.key.source, sv.op, sv.value.source]).toEqual([collection, key, op, value]);
  });
  it.each(["args.a=1", "tx", "tx.=1", "=1", ""])("rejects %j", (param) => {
    expect(() => parseSetVar(param, loc)).toThrow(/setvar needs COLLECTION\.key/);
  });
});

describe("parseIdRanges / inRanges", () => {
  it.each([
    ["920100", [[920100, 920100]]],
    ["1-99", [[1, 99]]],
    [
      "1 5 10-20",
      [
        [1, 1],
        [5, 5],
        [10, 20],
      ],
    ],
    [
      "1,2",
      [
        [1, 1],
        [2, 2],
      ],
    ],
  ])("%j", (text, ranges) => {
    expect(parseIdRanges(text, loc)).toEqual(ranges);
  });
  it.each(["", "a", "5-1", "1-", "-5"])("rejects %j", (text) => {
    expect(() => parseIdRanges(text, loc)).toThrow(/a\.conf:7/);
  });
  it("inRanges is inclusive", () => {
    const r = parseIdRanges("10-20 30", loc);
    expect([9, 10, 20, 21, 30, 31].map((id) => inRanges(id, r))).toEqual([
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
  });
});

describe("parseCtl", () => {
  const ctx: ActionContext = {
    loc,
    transform: () => undefined,
    parseVariables,
    selector: (ref) => ({
      key: ref.key?.toLowerCase(),
      regex: ref.keyRegex === undefined ? undefined : new RegExp(ref.keyRegex, "i"),
    }),
  };
  it.each([
    ["ruleEngine=detectiononly", { op: "ruleEngine", mode: "DetectionOnly" }],
    ["ruleEngine=Off", { op: "ruleEngine", mode: "Off" }],
    ["ruleRemoveById=920540", { op: "ruleRemoveById", ranges: [[920540, 920540]] }],
    ["ruleRemoveByTag=OWASP_CRS", { op: "ruleRemoveByTag", tag: "OWASP_CRS" }],
    ["requestBodyProcessor=json", { op: "requestBodyProcessor", processor: "JSON" }],
    ["requestBodyAccess=On", { op: "requestBodyAccess", on: true }],
    ["forceRequestBodyVariable=off", { op: "forceRequestBodyVariable", on: false }],
    ["auditEngine=Off", { op: "auditEngine", value: "Off" }],
    ["auditLogParts=+E", { op: "auditLogParts", value: "+E" }],
    ["debugLogLevel=9", undefined],
  ])("%s", (param, expected) => {
    expect(parseCtl(param, ctx)).toEqual(expected);
  });

  it("ruleRemoveTargetById and ByTag carry parsed targets", () => {
    expect(parseCtl("ruleRemoveTargetById=942100-942110;ARGS:Pass", ctx)).toEqual({
      op: "ruleRemoveTargetById",
      ranges: [[942100, 942110]],
      targets: [{ variable: "ARGS", selector: { key: "pass", regex: undefined } }],
    });
    const byTag = parseCtl("ruleRemoveTargetByTag=xss-perf-disable;REQUEST_FILENAME", ctx);
    expect(byTag).toEqual({
      op: "ruleRemoveTargetByTag",
      tag: "xss-perf-disable",
      targets: [{ variable: "REQUEST_FILENAME", selector: { key: undefined, regex: undefined } }],
    });
  });
});

describe("registry", () => {
  it("knows every action CRS 4 uses, and only links take chain-safe ones", () => {
    const crs =
      "tag t setvar id phase ver msg severity block logdata pass capture nolog skipAfter chain ctl log multiMatch deny noauditlog status initcol auditlog";
    expect(crs.split(" ").filter((a) => getAction(a) === undefined)).toEqual([]);
    expect(getAction("setvar")!.allowedInChain).toBe(true);
    expect(getAction("deny")!.allowedInChain).toBe(false);
    expect(getAction("id")!.allowedInChain).toBe(false);
    expect(getAction("exec")).toBeUndefined();
  });
});
