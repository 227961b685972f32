import { describe, expect, it } from "vitest";
import type { CompileDeps } from "../../../src/waf/engine/index.js";
import { compileRuleSet } from "../../../src/waf/engine/index.js";
import { WafError } from "../../../src/waf/errors.js";
import type { ActionNode, Statement, VariableRef } from "../../../src/waf/types.js";
import { deps, ids, load, operators, resetTransformCalls, run, transformCalls, txVar } from "./helpers.js";

describe("chains", () => {
  const text = `
SecRule ARGS:a "@streq 1" "id:1,phase:1,deny,log,msg:'chain %{MATCHED_VAR_NAME}',chain"
  SecRule ARGS:b "@streq 2" "chain,setvar:tx.linked=+1"
    SecRule ARGS:c "@streq 3" "setvar:tx.last=%{MATCHED_VAR}"
`;
  it.each([
    ["/?a=1&b=2&c=3", [1], "1", "3"],
    ["/?a=1&b=2&c=4", [], "1", undefined],
    ["/?a=1&b=9&c=3", [], undefined, undefined],
    ["/?a=0&b=2&c=3", [], undefined, undefined],
  ])("%s", (uri, expected, linked, last) => {
    const tx = run(load(text), { uri });
    expect(ids(tx)).toEqual(expected);
    // Links run their setvar when they match, even if a later link fails (v3, Coraza).
    expect(txVar(tx, "linked")).toBe(linked);
    expect(txVar(tx, "last")).toBe(last);
    expect(tx.intervention?.ruleId).toBe(expected[0]);
  });

  it("msg is expanded after the whole chain with the last match; all matches are kept", () => {
    const tx = run(load(text), { uri: "/?a=1&b=2&c=3" });
    const m = tx.matchedRules[0]!;
    expect(m.msg).toBe("chain ARGS:c");
    expect(m.matches.map((x) => [x.variable, x.chainLevel])).toEqual([
      ["ARGS:a", 0],
      ["ARGS:b", 1],
      ["ARGS:c", 2],
    ]);
  });

  it("a chain link sees MATCHED_VARS of the links before it", () => {
    const rs = load(`
SecRule ARGS "@rx x" "id:1,phase:1,pass,log,chain"
  SecRule MATCHED_VARS_NAMES "@streq ARGS:q" "t:none"
`);
    expect(ids(run(rs, { uri: "/?q=x" }))).toEqual([1]);
    expect(ids(run(rs, { uri: "/?r=x" }))).toEqual([]);
  });
});

describe("skip and skipAfter", () => {
  const text = `
SecAction "id:1,phase:1,pass,nolog,skipAfter:END"
SecAction "id:2,phase:1,pass,log"
SecMarker END
SecAction "id:3,phase:1,pass,log,skip:2"
SecAction "id:4,phase:1,pass,log"
SecAction "id:5,phase:1,pass,log"
SecAction "id:6,phase:1,pass,log"
SecAction "id:7,phase:2,pass,log,skipAfter:NOWHERE"
SecAction "id:8,phase:2,pass,log"
SecAction "id:9,phase:3,pass,log,skipAfter:10"
SecAction "id:10,phase:3,pass,log"
SecAction "id:11,phase:3,pass,log"
`;
  it("jumps to the marker, skips N rules, to the end of the phase when the marker is missing, after a rule id", () => {
    expect(ids(run(load(text)))).toEqual([3, 6, 7, 9, 11]);
  });

  it("skipAfter only jumps when the rule matched", () => {
    const rs = load(`
SecRule ARGS:x "@streq 1" "id:1,phase:1,pass,nolog,skipAfter:END"
SecAction "id:2,phase:1,pass,log"
SecMarker END
`);
    expect(ids(run(rs, { uri: "/?x=1" }))).toEqual([]);
    expect(ids(run(rs, { uri: "/?x=2" }))).toEqual([2]);
  });

  it("the same marker name in every phase: a jump stays in its phase", () => {
    const rs = load(`
SecAction "id:1,phase:2,pass,nolog,skipAfter:END"
SecAction "id:2,phase:1,pass,log"
SecAction "id:3,phase:2,pass,log"
SecMarker END
SecAction "id:4,phase:2,pass,log"
`);
    expect(ids(run(rs))).toEqual([2, 4]);
  });

  it("rules jumped over cost nothing: CRS's paranoia-level skipAfter never evaluates them", () => {
    let calls = 0;
    const counted: CompileDeps["operator"] = (name) =>
      name === "counted"
        ? () => ({
            evaluate: () => {
              calls++;
              return false;
            },
          })
        : operators[name.toLowerCase()];
    const skipped = Array.from(
      { length: 100 },
      (_, i) => `SecRule ARGS "@counted x" "id:${i + 10},phase:2,pass"`,
    ).join("\n");
    const rs = load(
      `
SecAction "id:1,phase:1,pass,nolog,setvar:tx.detection_paranoia_level=1"
SecRule TX:DETECTION_PARANOIA_LEVEL "@lt 2" "id:2,phase:2,pass,nolog,skipAfter:END-PL2"
${skipped}
SecMarker "END-PL2"
SecRule ARGS "@counted x" "id:500,phase:2,pass"
`,
      { operator: counted },
    );
    run(rs, { uri: "/?a=1&b=2" });
    expect(calls).toBe(2);
  });

  it("flow actions apply in DetectionOnly too", () => {
    const rs = load(`
SecRuleEngine DetectionOnly
SecAction "id:1,phase:1,pass,nolog,skipAfter:END"
SecAction "id:2,phase:1,deny,log"
SecMarker END
`);
    expect(ids(run(rs))).toEqual([]);
  });
});

describe("setvar", () => {
  it.each([
    ["setvar:tx.a=5", "5"],
    ["setvar:tx.a=5,setvar:tx.a=+3", "8"],
    ["setvar:tx.a=5,setvar:tx.a=-7", "-2"],
    ["setvar:tx.a=+2", "2"],
    ["setvar:tx.a=abc,setvar:tx.a=+1", "1"],
    ["setvar:tx.a=5x,setvar:tx.a=+1", "6"],
    ["setvar:tx.a", "1"],
    ["setvar:tx.a=1,setvar:!tx.a", undefined],
    ["setvar:'tx.a=%{tx.b} and %{REQUEST_METHOD}'", "7 and GET"],
    ["setvar:tx.A=1,setvar:tx.a=+1", "2"],
    ["setvar:tx.%{tx.b}=x,setvar:tx.a=%{tx.7}", "x"],
    ["setvar:tx.a=", ""],
  ])("%s", (actions, expected) => {
    const rs = load(`SecAction "id:1,phase:1,pass,nolog,setvar:tx.b=7,${actions}"`);
    expect(txVar(run(rs), "a")).toBe(expected);
  });

  it("runs once per matched value, as v3 and Coraza do (CRS scores count matched variables)", () => {
    const rs = load(`SecRule ARGS "@rx evil" "id:1,phase:1,pass,log,setvar:tx.score=+5"`);
    expect(txVar(run(rs, { uri: "/?a=evil&b=evil&c=ok" }), "score")).toBe("10");
  });

  it("writes per-transaction IP/GLOBAL collections after initcol", () => {
    const rs = load(`
SecAction "id:1,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR},setvar:ip.hits=+1"
SecRule IP:hits "@eq 1" "id:2,phase:1,pass,log"
SecRule &GLOBAL "@eq 0" "id:3,phase:1,pass,log"
`);
    expect(ids(run(rs))).toEqual([2, 3]);
  });

  it("rejects a non-writable collection", () => {
    expect(() => load(`SecAction "id:1,phase:1,pass,setvar:args.a=1"`)).toThrow(
      /setvar needs COLLECTION\.key/,
    );
  });
});

describe("capture", () => {
  it("fills TX.0–TX.9 from the operator's groups", () => {
    const rs = load(`
SecRule REQUEST_URI "@rx ^/(\\w+)/(\\d+)" "id:1,phase:1,pass,nolog,capture,setvar:tx.item=%{tx.2}-%{tx.1}"
`);
    const tx = run(rs, { uri: "/shop/42" });
    expect(txVar(tx, "0")).toBe("/shop/42");
    expect(txVar(tx, "item")).toBe("42-shop");
  });

  it("without capture TX.0 is not touched", () => {
    const rs = load(`SecRule REQUEST_URI "@rx ^/(\\w+)" "id:1,phase:1,pass,nolog"`);
    expect(txVar(run(rs, { uri: "/shop" }), "0")).toBeUndefined();
  });
});

describe("transformations", () => {
  it("t:none resets SecDefaultAction's transformations, otherwise they come first", () => {
    const rs = load(`
SecDefaultAction "phase:1,log,pass,t:lowercase"
SecRule ARGS:q "@streq ABC" "id:1,phase:1,pass,log"
SecRule ARGS:q "@streq abc" "id:2,phase:1,pass,log"
SecRule ARGS:q "@streq ABC" "id:3,phase:1,pass,log,t:none"
SecRule ARGS:q "@streq abc" "id:4,phase:1,pass,log,t:none,t:trim,t:lowercase"
`);
    expect(ids(run(rs, { uri: "/?q=%20ABC%20" }))).toEqual([4]);
    expect(ids(run(rs, { uri: "/?q=ABC" }))).toEqual([2, 3, 4]);
  });

  it("multiMatch tests the original value and every changed intermediate", () => {
    const rs = load(`
SecRule ARGS:q "@streq %41" "id:1,phase:1,pass,log,multiMatch,t:urlDecode,t:lowercase"
SecRule ARGS:q "@streq %41" "id:2,phase:1,pass,log,t:urlDecode,t:lowercase"
SecRule ARGS:q "@streq A" "id:3,phase:1,pass,log,multiMatch,t:urlDecode,t:lowercase"
`);
    // The query is decoded once into ARGS (%2541 -> %41); the rule decodes again.
    expect(ids(run(rs, { uri: "/?q=%2541" }))).toEqual([1, 3]);
  });

  it("a value is transformed once per chain prefix, however many rules use it", () => {
    const rules = Array.from(
      { length: 50 },
      (_, i) =>
        `SecRule ARGS "@streq nothing${i}" "id:${i + 1},phase:1,pass,log,t:none,t:urlDecode,t:lowercase"`,
    ).join("\n");
    const rs = load(`${rules}\nSecRule ARGS "@streq x" "id:100,phase:1,pass,log,t:none,t:urlDecode,t:trim"`);
    resetTransformCalls();
    run(rs, { uri: "/?a=A&b=B&c=C" });
    // 3 values x (urlDecode + lowercase) for 50 rules, then only trim for the last rule.
    expect(transformCalls).toBe(3 * 2 + 3);
  });

  it("TX values changed by setvar are not served from a stale cache", () => {
    const rs = load(`
SecAction "id:1,phase:1,pass,nolog,setvar:tx.v=ABC"
SecRule TX:v "@streq abc" "id:2,phase:1,pass,log,t:lowercase"
SecAction "id:3,phase:1,pass,nolog,setvar:tx.v=XYZ"
SecRule TX:v "@streq xyz" "id:4,phase:1,pass,log,t:lowercase"
`);
    expect(ids(run(rs))).toEqual([2, 4]);
  });
});

describe("default actions and block", () => {
  it.each([
    ["", undefined],
    [`SecDefaultAction "phase:1,log,auditlog,pass"`, undefined],
    [`SecDefaultAction "phase:1,log,auditlog,deny,status:418"`, { status: 418, action: "deny", ruleId: 1 }],
    [`SecDefaultAction "phase:2,log,auditlog,deny,status:418"`, undefined],
    [
      `SecDefaultAction "phase:1,log,redirect:/sorry"`,
      { status: 302, action: "redirect", ruleId: 1, url: "/sorry" },
    ],
  ])("block with %s", (defaults, expected) => {
    const rs = load(`${defaults}\nSecAction "id:1,phase:1,block"`);
    expect(run(rs).intervention).toEqual(expected);
  });

  it("a rule without a disruptive action takes the default's; its own wins otherwise", () => {
    const rs = load(`
SecDefaultAction "phase:1,log,deny,status:401"
SecRule ARGS:a "@streq 1" "id:1,phase:1"
SecRule ARGS:a "@streq 2" "id:2,phase:1,pass"
SecRule ARGS:a "@streq 3" "id:3,phase:1,deny,status:402"
`);
    expect(run(rs, { uri: "/?a=1" }).intervention?.status).toBe(401);
    expect(run(rs, { uri: "/?a=2" }).intervention).toBeUndefined();
    expect(run(rs, { uri: "/?a=3" }).intervention?.status).toBe(402);
  });

  it("SecDefaultAction only affects rules after it", () => {
    const rs = load(`
SecAction "id:1,phase:1,block"
SecDefaultAction "phase:1,log,deny"
SecAction "id:2,phase:2,block"
`);
    expect(run(rs).intervention).toBeUndefined();
  });

  it("nolog keeps the rule out of matchedRules but its actions still run", () => {
    const rs = load(`SecAction "id:1,phase:1,pass,nolog,setvar:tx.a=1"`);
    const tx = run(rs);
    expect(ids(tx)).toEqual([]);
    expect(txVar(tx, "a")).toBe("1");
  });

  it("records metadata: severity names and numbers, tags, ver, rev, maturity, accuracy", () => {
    const rs = load(`
SecAction "id:1,phase:1,pass,log,severity:CRITICAL,tag:a,tag:'b c',ver:'OWASP_CRS/4.28.0',rev:2,maturity:9,accuracy:8,msg:'m',logdata:'d %{REQUEST_METHOD}'"
SecAction "id:2,phase:1,pass,log,severity:5"
`);
    const [a, b] = run(rs).matchedRules;
    expect(a).toMatchObject({
      severity: 2,
      tags: ["a", "b c"],
      ver: "OWASP_CRS/4.28.0",
      rev: "2",
      maturity: 9,
      accuracy: 8,
      msg: "m",
      logdata: "d GET",
    });
    expect(b!.severity).toBe(5);
  });
});

describe("ctl", () => {
  it.each([
    ["ctl:ruleRemoveById=3", [2, 4]],
    ["ctl:ruleRemoveById=2-3", [4]],
    ["ctl:ruleRemoveByTag=attack-sqli", [2]],
  ])("%s", (ctl, expected) => {
    const rs = load(`
SecAction "id:1,phase:1,pass,nolog,${ctl}"
SecAction "id:2,phase:1,pass,log"
SecAction "id:3,phase:2,pass,log,tag:attack-sqli"
SecAction "id:4,phase:2,pass,log,tag:attack-sqli"
`);
    expect(ids(run(rs))).toEqual(expected);
  });

  it("ruleRemoveTargetById and ByTag drop one variable from the rule's targets", () => {
    const rs = load(`
SecRule REQUEST_FILENAME "@streq /login" "id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetById=10;ARGS:password,ctl:ruleRemoveTargetByTag=xss;ARGS:/^comm/"
SecRule ARGS "@rx <" "id:10,phase:2,pass,log"
SecRule ARGS "@rx <" "id:11,phase:2,pass,log,tag:xss"
`);
    const login = run(rs, { uri: "/login?password=%3C&comment=%3C&x=1" });
    expect(ids(login)).toEqual([10, 11]);
    expect(login.matchedRules[0]!.matches.map((m) => m.variable)).toEqual(["ARGS:comment"]);
    expect(login.matchedRules[1]!.matches.map((m) => m.variable)).toEqual(["ARGS:password"]);
    const other = run(rs, { uri: "/other?password=%3C&comment=%3C" });
    expect(other.matchedRules[0]!.matches).toHaveLength(2);
  });

  it("ruleRemoveTargetByTag removes a variable without key (CRS 941010 and REQUEST_FILENAME)", () => {
    const rs = load(`
SecRule REQUEST_FILENAME "@rx ^[a-z/.]+$" "id:1,phase:1,pass,nolog,ctl:ruleRemoveTargetByTag=perf;REQUEST_FILENAME"
SecRule REQUEST_FILENAME|ARGS "@contains document.cookie" "id:2,phase:2,pass,log,tag:perf"
SecRule REQUEST_FILENAME "@contains document.cookie" "id:3,phase:2,pass,log"
`);
    expect(run(rs, { uri: "/doc/document.cookie" }).matchedRules.map((m) => m.id)).toEqual([3]);
    expect(
      run(rs, { uri: "/doc/document.cookie?a=document.cookie" }).matchedRules[0]!.matches.map(
        (m) => m.variable,
      ),
    ).toEqual(["ARGS:a"]);
    expect(run(rs, { uri: "/Doc/document.cookie" }).matchedRules.map((m) => m.id)).toEqual([2, 3]);
  });

  it("requestBodyAccess and auditEngine change this transaction only", () => {
    const rs = load(`
SecRequestBodyAccess Off
SecRule REQUEST_URI "@streq /api" "id:1,phase:1,pass,nolog,ctl:requestBodyAccess=On,ctl:auditEngine=Off,ctl:auditLogParts=+E"
SecRule REQUEST_BODY "@contains x" "id:2,phase:2,pass,log"
`);
    const form = {
      method: "POST",
      headers: [["Content-Type", "application/x-www-form-urlencoded"]] as [string, string][],
    };
    const api = run(rs, { uri: "/api", ...form }, "x");
    expect(ids(api)).toEqual([2]);
    expect(api.auditEngine).toBe("Off");
    expect(api.auditLogParts).toBe("+E");
    expect(ids(run(rs, { uri: "/web", ...form }, "x"))).toEqual([]);
  });

  it.each([
    ["ctl:ruleEngine=Sometimes", /ruleEngine expects/],
    ["ctl:requestBodyProcessor=YAML", /requestBodyProcessor expects/],
    ["ctl:nope=1", /unknown ctl option/],
    ["ctl:ruleRemoveById=abc", /invalid rule id/],
    ["ctl:ruleRemoveTargetById=1", /expects WHAT;TARGET/],
  ])("%s is rejected at load", (ctl, msg) => {
    expect(() => load(`SecAction "id:1,phase:1,pass,${ctl}"`)).toThrow(msg);
  });
});

describe("directives", () => {
  it("SecRuleRemoveById takes ids and ranges; ByTag and ByMsg match exactly", () => {
    const rs = load(`
SecAction "id:1,phase:1,pass,log"
SecAction "id:2,phase:1,pass,log"
SecAction "id:3,phase:1,pass,log"
SecAction "id:4,phase:1,pass,log,tag:legacy"
SecAction "id:5,phase:1,pass,log,msg:'old rule'"
SecAction "id:6,phase:1,pass,log,msg:'old rule 2'"
SecRuleRemoveById 1 2-3
SecRuleRemoveByTag legacy
SecRuleRemoveByMsg "old rule"
`);
    expect(ids(run(rs))).toEqual([6]);
    expect(rs.ruleCount).toBe(1);
  });

  it("SecRuleUpdateTargetById adds exclusions and targets to earlier rules", () => {
    const rs = load(`
SecRule ARGS "@rx <" "id:1,phase:1,pass,log"
SecRuleUpdateTargetById 1 "!ARGS:html|!ARGS:/^raw_/|REQUEST_HEADERS:X-Note"
`);
    const tx = run(rs, { uri: "/?html=%3C&raw_x=%3C&q=%3C", headers: [["x-note", "<"]] });
    expect(tx.matchedRules[0]!.matches.map((m) => m.variable)).toEqual(["ARGS:q", "REQUEST_HEADERS:x-note"]);
  });

  it("SecRuleUpdateTargetById with a replaced target", () => {
    const rs = load(`
SecRule ARGS:a "@rx x" "id:1,phase:1,pass,log"
SecRuleUpdateTargetById 1 "ARGS:b" "ARGS:a"
`);
    expect(run(rs, { uri: "/?a=x" }).matchedRules).toHaveLength(0);
    expect(run(rs, { uri: "/?b=x" }).matchedRules).toHaveLength(1);
  });

  it("SecRuleUpdateTargetByTag and ByMsg", () => {
    const rs = load(`
SecRule ARGS "@rx x" "id:1,phase:1,pass,log,tag:t1"
SecRule ARGS "@rx x" "id:2,phase:1,pass,log,msg:'m2'"
SecRuleUpdateTargetByTag t1 "!ARGS:a"
SecRuleUpdateTargetByMsg m2 "!ARGS:b"
`);
    expect(run(rs, { uri: "/?a=x" }).matchedRules.map((m) => m.id)).toEqual([2]);
    expect(run(rs, { uri: "/?b=x" }).matchedRules.map((m) => m.id)).toEqual([1]);
  });

  it("SecRuleUpdateActionById replaces the disruptive action and keeps the rest", () => {
    const rs = load(`
SecRule ARGS:a "@streq 1" "id:1,phase:1,deny,log,msg:'m'"
SecRuleUpdateActionById 1 "pass,setvar:tx.updated=1"
`);
    const tx = run(rs, { uri: "/?a=1" });
    expect(tx.intervention).toBeUndefined();
    expect(txVar(tx, "updated")).toBe("1");
    expect(tx.matchedRules[0]!.msg).toBe("m");
    expect(() => load(`SecAction "id:1,phase:1,pass"\nSecRuleUpdateActionById 1 "id:2"`)).toThrow(
      /cannot change "id"/,
    );
  });

  it("records settings, audit and accepted directives", () => {
    const rs = load(`
SecRequestBodyAccess On
SecResponseBodyAccess On
SecRequestBodyLimit 1000
SecRequestBodyInMemoryLimit 500
SecResponseBodyLimit 2000
SecResponseBodyLimitAction ProcessPartial
SecResponseBodyMimeType text/plain text/html application/json
SecArgumentSeparator ;
SecComponentSignature "OWASP_CRS/4.28.0"
SecCollectionTimeout 600
SecAuditEngine RelevantOnly
SecAuditLogParts ABIJDEFHZ
SecDebugLog /dev/null
SecDebugLogLevel 0
SecTmpDir /tmp
SecDataDir /tmp
SecUnicodeMapFile unicode.mapping 20127
SecPcreMatchLimit 1000
SecPcreMatchLimitRecursion 1000
`);
    expect(rs.settings).toMatchObject({
      requestBodyAccess: true,
      responseBodyAccess: true,
      requestBodyLimit: 1000,
      requestBodyInMemoryLimit: 500,
      responseBodyLimit: 2000,
      responseBodyLimitAction: "ProcessPartial",
      responseBodyMimeTypes: ["text/plain", "text/html", "application/json"],
      argumentSeparator: ";",
      componentSignatures: ["OWASP_CRS/4.28.0"],
      collectionTimeout: 600,
      audit: { SecAuditEngine: "RelevantOnly", SecAuditLogParts: "ABIJDEFHZ" },
    });
    expect(rs.settings.recorded.SecTmpDir).toBe("/tmp");
  });

  it("SecArgumentSeparator splits the query string", () => {
    const rs = load(`SecArgumentSeparator ;\nSecRule ARGS:b "@streq 2" "id:1,phase:1,pass,log"`);
    expect(ids(run(rs, { uri: "/?a=1;b=2" }))).toEqual([1]);
  });
});

describe("errors name file:line", () => {
  const loc = { file: "x.conf", line: 3 };
  const rule = (variables: VariableRef[], actions: ActionNode[]): Statement[] => [
    {
      type: "rule",
      rule: {
        directive: "SecRule",
        variables,
        operator: { name: "rx", negated: false, param: "a" },
        actions,
        loc,
      },
    },
  ];
  const compile = (s: Statement[]) => () => compileRuleSet(s, deps());
  const expectCode = (fn: () => unknown, code: string, text: RegExp) => {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(WafError);
      expect((e as WafError).code).toBe(code);
      expect((e as WafError).message).toMatch(text);
      return;
    }
    throw new Error("expected a WafError");
  };

  it.each([
    [
      "unknown action",
      [{ name: "frobnicate" }],
      "WAF_UNKNOWN_ACTION",
      /x\.conf:3: unknown action "frobnicate"/,
    ],
    [
      "bad phase",
      [
        { name: "id", param: "1" },
        { name: "phase", param: "7" },
      ],
      "WAF_ACTION_PARAM",
      /x\.conf:3: invalid phase "7"/,
    ],
    ["no id", [{ name: "phase", param: "1" }], "WAF_RULE", /has no id/],
    [
      "bad severity",
      [
        { name: "id", param: "1" },
        { name: "severity", param: "LOUD" },
      ],
      "WAF_ACTION_PARAM",
      /invalid severity/,
    ],
    [
      "unknown transform",
      [
        { name: "id", param: "1" },
        { name: "t", param: "rot13" },
      ],
      "WAF_UNKNOWN_TRANSFORM",
      /t:rot13/,
    ],
    [
      "chain at end of file",
      [{ name: "id", param: "1" }, { name: "chain" }],
      "WAF_RULE",
      /chain action but no rule follows/,
    ],
  ])("%s", (_name, actions, code, text) => {
    expectCode(compile(rule([{ collection: "ARGS", count: false, exclude: false }], actions)), code, text);
  });

  it("unknown variable", () => {
    expectCode(
      compile(rule([{ collection: "NOPE", count: false, exclude: false }], [{ name: "id", param: "1" }])),
      "WAF_UNKNOWN_VARIABLE",
      /unknown variable "NOPE"/,
    );
  });

  it("unknown operator", () => {
    const s: Statement[] = [
      {
        type: "rule",
        rule: {
          directive: "SecRule",
          variables: [{ collection: "ARGS", count: false, exclude: false }],
          operator: { name: "fuzzy", negated: false, param: "" },
          actions: [{ name: "id", param: "1" }],
          loc,
        },
      },
    ];
    expectCode(compile(s), "WAF_UNKNOWN_OPERATOR", /@fuzzy/);
  });

  it.each([
    [{ name: "SecNope", args: ["On"] }, "WAF_UNKNOWN_DIRECTIVE", /x\.conf:3: unknown directive "SecNope"/],
    [{ name: "SecRuleEngine", args: ["Maybe"] }, "WAF_PARSE", /SecRuleEngine expects/],
    [{ name: "SecRequestBodyLimit", args: ["lots"] }, "WAF_PARSE", /number of bytes/],
    [{ name: "SecDefaultAction", args: ["phase:1,log"] }, "WAF_PARSE", /disruptive action/],
  ])("directive %o", (d, code, text) => {
    expectCode(compile([{ type: "directive", directive: { ...d, loc } }]), code, text);
  });

  it("a chain interrupted by a directive, a duplicate id, a disruptive action on a link", () => {
    expect(() => load(`SecAction "id:1,phase:1,pass,chain"\nSecMarker X\nSecAction "pass"`)).toThrow(
      /chain action/,
    );
    expect(() => load(`SecAction "id:1,phase:1,pass"\nSecAction "id:1,phase:1,pass"`)).toThrow(
      /duplicate rule id 1/,
    );
    expect(() => load(`SecRule ARGS "@rx a" "id:1,phase:1,pass,chain"\nSecRule ARGS "@rx b" "deny"`)).toThrow(
      /only allowed on the first rule of a chain/,
    );
  });
});
