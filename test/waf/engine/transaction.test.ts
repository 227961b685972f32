import { describe, expect, it } from "vitest";
import { ids, load, request, run, txVar } from "./helpers.js";

describe("phases and interventions", () => {
  it("deny in phase 1 stops the request with 403 and skips phases 2-4, logging still runs", () => {
    const rs = load(`
SecRule REQUEST_URI "@contains attack" "id:1,phase:1,deny,log"
SecAction "id:2,phase:2,pass,log"
SecAction "id:5,phase:5,pass,log"
`);
    const tx = rs.newTransaction(request({ uri: "/attack" }));
    expect(tx.processRequestHeaders()).toEqual({ status: 403, action: "deny", ruleId: 1 });
    expect(tx.processRequestBody()).toEqual({ status: 403, action: "deny", ruleId: 1 });
    tx.processLogging();
    expect(ids(tx)).toEqual([1, 5]);
  });

  it.each([
    ["deny,status:406", { status: 406, action: "deny", ruleId: 1 }],
    ["drop", { status: 403, action: "drop", ruleId: 1 }],
    [
      "redirect:'https://x.example/?%{REQUEST_METHOD}'",
      { status: 302, action: "redirect", ruleId: 1, url: "https://x.example/?GET" },
    ],
    ["redirect:/blocked,status:301", { status: 301, action: "redirect", ruleId: 1, url: "/blocked" }],
    ["redirect:/blocked,status:500", { status: 302, action: "redirect", ruleId: 1, url: "/blocked" }],
  ])("%s", (actions, expected) => {
    const rs = load(`SecAction "id:1,phase:1,${actions}"`);
    expect(rs.newTransaction(request()).processRequestHeaders()).toEqual(expected);
  });

  it("DetectionOnly never intervenes but records what would have happened", () => {
    const rs = load(`
SecRuleEngine DetectionOnly
SecAction "id:1,phase:1,deny,status:403,log"
SecAction "id:2,phase:2,pass,log"
`);
    const tx = run(rs);
    expect(tx.intervention).toBeUndefined();
    expect(tx.detectedIntervention).toEqual({ status: 403, action: "deny", ruleId: 1 });
    expect(ids(tx)).toEqual([1, 2]);
    expect(tx.matchedRules[0]!.enforced).toBe(false);
  });

  it("SecRuleEngine Off evaluates nothing", () => {
    const rs = load(`SecRuleEngine Off\nSecAction "id:1,phase:1,deny,log"`);
    const tx = run(rs);
    expect(tx.intervention).toBeUndefined();
    expect(ids(tx)).toEqual([]);
  });

  it("ctl:ruleEngine=Off stops evaluation for this transaction only", () => {
    const rs = load(`
SecRule REQUEST_URI "@streq /health" "id:1,phase:1,pass,nolog,ctl:ruleEngine=Off"
SecAction "id:2,phase:1,deny,log"
`);
    expect(run(rs, { uri: "/health" }).intervention).toBeUndefined();
    expect(run(rs, { uri: "/" }).intervention?.ruleId).toBe(2);
  });

  it("ctl:ruleEngine=DetectionOnly turns a deny into a record", () => {
    const rs = load(`
SecAction "id:1,phase:1,pass,nolog,ctl:ruleEngine=DetectionOnly"
SecAction "id:2,phase:2,deny,log"
`);
    const tx = run(rs);
    expect(tx.intervention).toBeUndefined();
    expect(tx.detectedIntervention?.ruleId).toBe(2);
  });

  it.each([
    ["allow", [1], false],
    ["allow:phase", [1, 3], false],
    ["allow:request", [1, 3], false],
  ])("%s skips the right phases", (allow, expectedIds, intervened) => {
    const rs = load(`
SecAction "id:1,phase:1,${allow},log"
SecAction "id:2,phase:1,deny,log"
SecAction "id:3,phase:3,pass,log"
`);
    const tx = run(rs);
    expect(ids(tx)).toEqual(expectedIds);
    expect(tx.intervention !== undefined).toBe(intervened);
  });

  it("allow:phase only ends the current phase: a deny in phase 2 still applies", () => {
    const rs = load(`
SecAction "id:1,phase:1,allow:phase,log"
SecAction "id:2,phase:2,deny,log"
`);
    expect(run(rs).intervention?.ruleId).toBe(2);
  });

  it("allow in DetectionOnly does not skip anything", () => {
    const rs = load(`
SecRuleEngine DetectionOnly
SecAction "id:1,phase:1,allow,log"
SecAction "id:2,phase:1,pass,log"
`);
    expect(ids(run(rs))).toEqual([1, 2]);
  });

  it("calling a later phase first runs the earlier ones once", () => {
    const rs = load(`
SecAction "id:1,phase:1,pass,nolog,setvar:tx.n=+1"
SecAction "id:2,phase:2,pass,nolog,setvar:tx.n=+10"
`);
    const tx = rs.newTransaction(request());
    tx.processResponseHeaders(200, "HTTP/1.1", []);
    tx.processRequestHeaders();
    tx.processLogging();
    expect(txVar(tx, "n")).toBe("11");
  });

  it("phase names request/response/logging map to 2/4/5", () => {
    const rs = load(`
SecAction "id:1,phase:request,pass,log"
SecAction "id:2,phase:response,pass,log"
SecAction "id:3,phase:logging,pass,log"
`);
    expect(run(rs).matchedRules.map((m) => [m.id, m.phase])).toEqual([
      [1, 2],
      [2, 4],
      [3, 5],
    ]);
  });
});

describe("request body", () => {
  it("urlencoded bodies become ARGS_POST (fallback parser when no processor is registered)", () => {
    const rs = load(`
SecRequestBodyAccess On
SecRule ARGS_POST:q "@contains union" "id:1,phase:2,deny,log"
`);
    const tx = run(
      rs,
      { method: "POST", headers: [["Content-Type", "application/x-www-form-urlencoded"]] },
      "a=1&q=1+union+select",
    );
    expect(tx.intervention?.ruleId).toBe(1);
    expect(tx.matchedRules[0]!.matches[0]).toMatchObject({
      variable: "ARGS_POST:q",
      value: "1 union select",
    });
  });

  it("the registered body processor is used and its error sets REQBODY_ERROR", () => {
    const rs = load(
      `
SecRequestBodyAccess On
SecAction "id:10,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule REQBODY_ERROR "!@eq 0" "id:1,phase:2,deny,status:400,log,msg:'%{REQBODY_ERROR_MSG}'"
`,
      {
        bodyProcessor: (name) =>
          name === "JSON"
            ? () => ({ args: [], files: [], error: "JSON parsing error", variables: new Map() })
            : undefined,
      },
    );
    const tx = run(rs, { method: "POST", headers: [["Content-Type", "application/json"]] }, "{");
    expect(tx.intervention).toEqual({ status: 400, action: "deny", ruleId: 1 });
    expect(tx.matchedRules[0]!.msg).toBe("JSON parsing error");
  });

  it.each([
    ["text/plain", "", false],
    ["text/plain", "ctl:forceRequestBodyVariable=On", true],
    ["application/x-www-form-urlencoded", "", true],
    ["application/xml", "ctl:requestBodyProcessor=XML", false],
    ["application/xml", "ctl:requestBodyProcessor=XML,ctl:forceRequestBodyVariable=On", true],
  ])("REQUEST_BODY for %s %s: %s (v2/Coraza: URLENCODED or forced)", (ct, ctl, filled) => {
    const rs = load(`
SecRequestBodyAccess On
${ctl === "" ? "" : `SecAction "id:9,phase:1,pass,nolog,${ctl}"`}
SecRule REQUEST_BODY "@contains secret" "id:1,phase:2,pass,log"
SecRule REQUEST_BODY_LENGTH "@eq 10" "id:2,phase:2,pass,log"
`);
    const tx = run(rs, { method: "POST", headers: [["Content-Type", ct]] }, "the secret");
    expect(ids(tx)).toEqual(filled ? [1, 2] : [2]);
  });

  it("no body is read with SecRequestBodyAccess Off", () => {
    const rs = load(`SecRequestBodyAccess Off
SecRule REQUEST_BODY "@contains secret" "id:1,phase:2,deny,log"`);
    expect(
      run(
        rs,
        { method: "POST", headers: [["Content-Type", "application/x-www-form-urlencoded"]] },
        "the secret",
      ).intervention,
    ).toBeUndefined();
  });

  it.each([
    ["Reject", { status: 413, action: "deny", ruleId: 0 }, undefined],
    ["ProcessPartial", undefined, "12345"],
  ])("SecRequestBodyLimitAction %s", (action, intervention, seen) => {
    const rs = load(`
SecRequestBodyAccess On
SecRequestBodyLimit 5
SecRequestBodyLimitAction ${action}
SecRule REQUEST_BODY "@rx ^" "id:1,phase:2,pass,log"
`);
    const form = {
      method: "POST",
      headers: [["Content-Type", "application/x-www-form-urlencoded"]] as [string, string][],
    };
    const tx = run(rs, form, "1234567890");
    expect(tx.intervention).toEqual(intervention);
    expect(tx.matchedRules[0]?.matches[0]?.value).toBe(seen);
  });

  it("SecRequestBodyNoFilesLimit applies to non-multipart bodies", () => {
    const rs = load(`
SecRequestBodyAccess On
SecRequestBodyNoFilesLimit 3
`);
    expect(
      run(rs, { method: "POST", headers: [["Content-Type", "text/plain"]] }, "abcd").intervention?.status,
    ).toBe(413);
  });
});

describe("response", () => {
  it("RESPONSE_BODY is inspected only for listed MIME types", () => {
    const text = `
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain application/json
SecRule RESPONSE_BODY "@contains ORA-00933" "id:1,phase:4,deny,log"
SecRule RESPONSE_STATUS "@streq 500" "id:2,phase:3,pass,log"
`;
    const rs = load(text);
    const go = (ct: string) => {
      const tx = rs.newTransaction(request());
      tx.processRequestHeaders();
      tx.processRequestBody();
      tx.processResponseHeaders(500, "HTTP/1.1", [["Content-Type", ct]]);
      tx.appendResponseBody("error ORA-00933 near");
      tx.processResponseBody();
      return tx;
    };
    expect(go("application/json; charset=utf-8").intervention?.ruleId).toBe(1);
    expect(go("text/html").intervention).toBeUndefined();
    expect(ids(go("text/html"))).toEqual([2]);
  });
});

describe("odd input", () => {
  it("an operator that throws does not break the transaction; the error is kept", () => {
    const rs = load(`SecRule ARGS "@boom x" "id:1,phase:1,deny,log"\nSecAction "id:2,phase:1,pass,log"`, {
      operator: (name) =>
        name === "boom"
          ? () => ({
              evaluate: () => {
                throw new Error("operator bug");
              },
            })
          : undefined,
    });
    const tx = run(rs, { uri: "/?a=1" });
    expect(tx.intervention).toBeUndefined();
    expect(ids(tx)).toEqual([2]);
    expect(tx.errors.map((e) => e.ruleId)).toEqual([1]);
  });

  it("10 000 arguments, binary header bytes, an empty request", () => {
    const rs = load(`
SecRule ARGS "@rx ^9999$" "id:1,phase:1,pass,log"
SecRule &ARGS "@eq 10000" "id:2,phase:1,pass,log"
SecRule REQUEST_HEADERS:X-Bin "@rx \\xff" "id:3,phase:1,pass,log"
SecRule REQUEST_METHOD|REQUEST_URI|REQUEST_PROTOCOL "@rx ^$" "id:4,phase:1,pass,log"
`);
    const query = Array.from({ length: 10_000 }, (_, i) => `a${i}=${i}`).join("&");
    const tx = run(rs, { uri: `/?${query}`, headers: [["X-Bin", "\u0000\u00ff\u00fe"]] });
    expect(ids(tx)).toEqual([1, 2, 3]);
    const empty = run(rs, { method: "", uri: "", protocol: "", headers: [] });
    expect(empty.matchedRules[0]!.matches.map((m) => m.variable)).toEqual([
      "REQUEST_METHOD",
      "REQUEST_URI",
      "REQUEST_PROTOCOL",
    ]);
  });

  it("a body larger than the limit is never held whole (ProcessPartial keeps the limit)", () => {
    const rs = load(`
SecRequestBodyAccess On
SecRequestBodyLimit 1000
SecRequestBodyNoFilesLimit 1000
SecRequestBodyLimitAction ProcessPartial
SecRule REQUEST_BODY_LENGTH "@eq 1000" "id:1,phase:2,pass,log"
`);
    const tx = rs.newTransaction(request({ method: "POST", headers: [["Content-Type", "text/plain"]] }));
    for (let i = 0; i < 100; i++) tx.appendRequestBody("x".repeat(10_000));
    tx.processRequestBody();
    expect(ids(tx)).toEqual([1]);
  });
});
