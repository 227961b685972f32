/**
 * The per-rule profile: off by default and leaves the rules untouched; on, it counts calls and
 * matches per chain starter, splits operator and transformation time, and undoes its wrappers.
 * Also the built-in request mix and the profile of a real CRS rule set.
 */
import { describe, expect, it } from "vitest";
import { profileRuleSet } from "../../../src/cli/waf-profile.js";
import { assembleWaf } from "../../../src/waf/crs/assemble.js";
import {
  enableProfile,
  type ProfileRequest,
  type RuleSet,
  runRequest,
  typicalRequests,
} from "../../../src/waf/engine/index.js";
import { loadWaf } from "../../../src/waf/index.js";
import { crsDir, hasCrs } from "../../support/shared.js";

const RULES = `SecRuleEngine On
SecRequestBodyAccess On
SecRule REQUEST_HEADERS:Content-Type "^application/x-www-form-urlencoded" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=URLENCODED"
SecRule ARGS "@rx evil" "id:10,phase:2,pass,log,t:none,t:lowercase"
SecRule REQUEST_URI "@contains /admin" "id:20,phase:1,pass,log,chain"
  SecRule REQUEST_METHOD "@streq POST" "t:none"
SecRule ARGS:never "@rx x" "id:30,phase:2,pass,log"
`;

const load = (): RuleSet => loadWaf({ sources: [{ name: "test.conf", text: RULES }] });

const GET = (uri: string): ProfileRequest => ({ kind: "t", method: "GET", uri, headers: [["Host", "a"]] });
const POST = (uri: string, body: string): ProfileRequest => ({
  kind: "t",
  method: "POST",
  uri,
  headers: [
    ["Host", "a"],
    ["Content-Type", "application/x-www-form-urlencoded"],
  ],
  body,
});

function byId(rs: RuleSet, id: number) {
  const r = rs.rulesById.get(id);
  if (r === undefined) throw new Error(`no rule ${id}`);
  return r;
}

describe("per-rule profile", () => {
  it("is off by default and leaves operators and transformations as compiled", () => {
    const rs = load();
    expect(rs.profile).toBeUndefined();
    const rule = byId(rs, 10);
    const op = rule.operator;
    const fns = rule.transforms;
    runRequest(rs, GET("/?a=EVIL"), "1");
    expect(rule.operator).toBe(op);
    expect(rule.transforms).toBe(fns);
  });

  it("counts calls and matches per rule, with chain links inside their starter", () => {
    const rs = load();
    const profile = enableProfile(rs);
    expect(enableProfile(rs)).toBe(profile); // idempotent: one set of wrappers
    runRequest(rs, GET("/?a=EVIL&b=ok"), "1");
    runRequest(rs, GET("/?a=fine"), "2");
    runRequest(rs, POST("/admin", "q=nothing"), "3");
    runRequest(rs, GET("/admin"), "4");
    const entries = new Map(profile.rules().map((e) => [e.rule.id, e]));
    const r10 = entries.get(10);
    expect(r10?.calls).toBe(4);
    expect(r10?.matches).toBe(1);
    // 2 + 1 + 1 + 0 argument values went through the operator and t:lowercase.
    expect(r10?.operatorCalls).toBe(4);
    const r20 = entries.get(20);
    expect(r20?.calls).toBe(4);
    expect(r20?.matches).toBe(1);
    // Link operator calls land in the starter: the URI test 4 times, the method test twice.
    expect(r20?.operatorCalls).toBe(6);
    expect(entries.get(30)?.operatorCalls).toBe(0);
    for (const e of profile.rules()) {
      expect(e.totalMs).toBeGreaterThanOrEqual(e.operatorMs);
      expect(e.operatorMs).toBeGreaterThanOrEqual(0);
    }
    const totals = profile.rules().map((e) => e.totalMs);
    expect(totals).toEqual([...totals].sort((a, b) => b - a));
    expect(profile.totalMs).toBeCloseTo(
      totals.reduce((a, b) => a + b, 0),
      6,
    );
    const ops = new Map(profile.operatorTimes().map((t) => [t.name, t.calls]));
    // Rule 10's four, plus rule 1's Content-Type test on the one request that has the header.
    expect(ops.get("rx")).toBe(5);
    expect(ops.get("contains")).toBe(4);
    expect(ops.get("streq")).toBe(2);
    expect(new Map(profile.transformTimes().map((t) => [t.name, t.calls])).get("lowercase")).toBe(4);
  });

  it("reset zeroes the counters that the wrappers keep filling", () => {
    const rs = load();
    const profile = enableProfile(rs);
    runRequest(rs, GET("/?a=1"), "1");
    profile.reset();
    expect(profile.rules()).toEqual([]);
    expect(profile.totalMs).toBe(0);
    runRequest(rs, GET("/?a=1"), "2");
    expect(profile.rules().find((e) => e.rule.id === 10)?.calls).toBe(1);
    expect(profile.operatorTimes().find((t) => t.name === "rx")?.calls).toBe(1);
  });

  it("stop restores the compiled operators and transformations and detaches", () => {
    const rs = load();
    const rule = byId(rs, 10);
    const op = rule.operator;
    const fns = rule.transforms;
    const profile = enableProfile(rs);
    expect(rule.operator).not.toBe(op);
    profile.stop(rs);
    expect(rs.profile).toBeUndefined();
    expect(rule.operator).toBe(op);
    expect(rule.transforms).toBe(fns);
    runRequest(rs, GET("/?a=evil"), "1");
    expect(profile.rules()).toEqual([]);
  });

  it("gives the same verdicts on and off, with odd inputs (empty, raw bytes, huge)", () => {
    const inputs = [
      GET("/"),
      GET("/?="),
      GET("/?a=%ff%fe\u00ff\u0000evil"),
      GET(`/?a=${"x".repeat(100_000)}evil`),
      POST("/admin", ""),
      POST("/admin", `a=${"\u00e9".repeat(50_000)}`),
    ];
    const plain = load();
    const profiled = load();
    enableProfile(profiled);
    for (const [i, req] of inputs.entries()) {
      const a = plain.newTransaction({ ...info(req), id: String(i) });
      const b = profiled.newTransaction({ ...info(req), id: String(i) });
      for (const tx of [a, b]) {
        tx.processRequestHeaders();
        if (req.body !== undefined) tx.appendRequestBody(req.body);
        tx.processRequestBody();
      }
      expect(b.matchedRules.map((m) => m.id)).toEqual(a.matchedRules.map((m) => m.id));
    }
  });
});

function info(req: ProfileRequest) {
  return {
    id: "0",
    remoteAddr: "127.0.0.1",
    remotePort: 1,
    serverPort: 80,
    method: req.method,
    uri: req.uri,
    protocol: "HTTP/1.1",
    headers: req.headers,
  };
}

describe("typical request mix", () => {
  const mix = typicalRequests();
  it.each([
    ["GET", undefined],
    ["GET 10 args", undefined],
    ["POST form 2KB", 2048],
    ["POST JSON 1KB", undefined],
    ["SQLi GET", undefined],
  ] as const)("has %s", (kind, size) => {
    const req = mix.find((r) => r.kind === kind);
    expect(req).toBeDefined();
    if (size !== undefined) expect(req?.body?.length).toBe(size);
  });

  it("has 10 query arguments in the argument GET and a JSON body of about 1 KB", () => {
    const get = mix.find((r) => r.kind === "GET 10 args");
    expect(new URL(`http://x${get?.uri}`).searchParams.size).toBe(10);
    const json = mix.find((r) => r.kind === "POST JSON 1KB")?.body ?? "";
    expect(() => JSON.parse(json)).not.toThrow();
    expect(json.length).toBeGreaterThan(800);
    expect(json.length).toBeLessThan(1300);
  });
});

describe.skipIf(!hasCrs)("profile of CRS", () => {
  it("blocks only the attack, and lists the rules by time", () => {
    const assembly = assembleWaf({
      crsDir,
      mode: "blocking",
      paranoia: 1,
      modules: {},
      anomalyThreshold: { inbound: 5, outbound: 4 },
    });
    const rs = loadWaf({ sources: assembly.sources });
    // Every rule listed (top = all): which rules rank first depends on the machine's load.
    const report = profileRuleSet(rs, typicalRequests(), 25, 100_000, 1);
    expect(report.kinds.map((k) => [k.kind, k.blocked])).toEqual([
      ["GET", false],
      ["GET 10 args", false],
      ["POST form 2KB", false],
      ["POST JSON 1KB", false],
      ["SQLi GET", true],
    ]);
    expect(report.top.length).toBeGreaterThan(100);
    expect(report.top.length).toBeLessThanOrEqual(rs.ruleCount);
    const shares = report.top.map((t) => t.share);
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    expect(report.top.every((t) => t.line > 0 && t.calls > 0)).toBe(true);
    expect(report.top.find((t) => t.id === 942100)?.file).toMatch(
      /REQUEST-942-APPLICATION-ATTACK-SQLI\.conf$/,
    );
    expect(report.operators.some((o) => o.name === "rx")).toBe(true);
    expect(report.otherShare).toBeGreaterThanOrEqual(0);
    expect(report.otherShare).toBeLessThanOrEqual(1);
    // The profile was detached: the rule set is back to its unprofiled self.
    expect(rs.profile).toBeUndefined();
    // The SQL injection is caught by libinjection's rule, once per SQLi request of the profiled run.
    expect(report.top.find((t) => t.id === 942100)?.matches).toBe(5);
  }, 60_000);
});
