import { describe, expect, it } from "vitest";
import { auditRecord, errorLogLine, operatorLogName, toHexIfNeeded } from "../../../src/waf/engine/index.js";
import { load, run } from "./helpers.js";

describe("toHexIfNeeded", () => {
  it.each([
    ["", ""],
    ["plain text", "plain text"],
    ["a\nb", "a\\x0ab"],
    ["\u0000\u00ff", "\\x00\\xff"],
    ["tab\there", "tab\\x09here"],
  ])("%j", (input, expected) => {
    expect(toHexIfNeeded(input)).toBe(expected);
  });
});

describe("operatorLogName", () => {
  it.each([
    ["rx", "Rx"],
    ["pmFromFile", "PmFromFile"],
    ["streq", "StrEq"],
    ["detectSQLi", "DetectSQLi"],
    ["validateByteRange", "ValidateByteRange"],
  ])("%s", (name, expected) => {
    expect(operatorLogName(name)).toBe(expected);
  });
});

describe("errorLogLine", () => {
  const text = `
SecRule ARGS "@rx <script" "id:941100,phase:2,block,capture,t:none,msg:'XSS Attack Detected',logdata:'Matched Data: %{TX.0} found within %{MATCHED_VAR_NAME}: %{MATCHED_VAR}',tag:'attack-xss',tag:'OWASP_CRS',ver:'OWASP_CRS/4.28.0',severity:'CRITICAL'"
SecRule ARGS "@rx <script" "id:2,phase:2,deny,status:403,log,msg:'deny'"
`;
  it("matches ModSecurity v3's format for a warning", () => {
    const tx = run(load(text), { id: "abc123", uri: "/search?q=%3Cscript%3Ealert(1)" });
    expect(errorLogLine(tx, tx.matchedRules[0]!)).toBe(
      "ModSecurity: Warning. Matched \"Operator `Rx' with parameter `<script' against variable `ARGS:q' (Value: `<script>alert(1)' )" +
        ' [file "test.conf"] [line "2"] [id "941100"] [rev ""] [msg "XSS Attack Detected"]' +
        ' [data "Matched Data: <script found within ARGS:q: <script>alert(1)"] [severity "2"] [ver "OWASP_CRS/4.28.0"]' +
        ' [maturity "0"] [accuracy "0"] [tag "attack-xss"] [tag "OWASP_CRS"] [hostname "198.51.100.1"] [uri "/search"]' +
        ' [unique_id "abc123"] [ref ""]',
    );
  });

  it("says Access denied with the code and phase when the engine is On", () => {
    const tx = run(load(text), { uri: "/?q=%3Cscript" });
    expect(errorLogLine(tx, tx.matchedRules[1]!)).toMatch(
      /^ModSecurity: Access denied with code 403 \(phase 2\)\. Matched/,
    );
  });

  it("is a warning in DetectionOnly and escapes control bytes; long data is cut at 200", () => {
    const tx = run(load(`SecRuleEngine DetectionOnly\n${text}`), {
      uri: `/?q=%3Cscript%0a${"x".repeat(300)}`,
    });
    const line = errorLogLine(tx, tx.matchedRules[1]!);
    expect(line).toMatch(/^ModSecurity: Warning\./);
    expect(line).not.toContain("\n");
    expect(line).toContain("<script\\x0a");
    const data = /\[data "([^"]*)"\]/.exec(errorLogLine(tx, tx.matchedRules[0]!))![1]!;
    expect(data.length).toBeLessThanOrEqual(200 + 3 * 1);
  });
});

describe("auditRecord", () => {
  it("summarises the transaction, the matched rules and the action", () => {
    const rs = load(`
SecComponentSignature "OWASP_CRS/4.28.0"
SecAction "id:1,phase:1,pass,nolog,setvar:tx.inbound_anomaly_score_pl1=+5,setvar:tx.inbound_anomaly_score_pl2=+3"
SecRule ARGS:q "@rx evil" "id:2,phase:2,deny,log,msg:'bad',logdata:'%{MATCHED_VAR}',tag:t,severity:ERROR"
SecRule ARGS:q "@rx evil" "id:3,phase:2,pass,log,noauditlog"
`);
    const tx = run(rs, { id: "u1", uri: "/p?q=evil" });
    const rec = auditRecord(tx);
    expect(rec).toMatchObject({
      transaction: { id: "u1", client: { ip: "192.0.2.7", port: 40000 }, server: { port: 8080 } },
      request: { line: "GET /p?q=evil HTTP/1.1", method: "GET" },
      mode: "On",
      action: { action: "deny", status: 403, ruleId: 2, enforced: true },
      anomalyScores: { inbound: 8, outbound: 0 },
      producer: { components: ["OWASP_CRS/4.28.0"] },
    });
    expect(rec.messages).toEqual([
      {
        id: 2,
        phase: 2,
        msg: "bad",
        data: "evil",
        severity: 3,
        tags: ["t"],
        ver: "",
        disruptive: "deny",
        matches: [{ variable: "ARGS:q", value: "evil" }],
      },
    ]);
    expect(JSON.parse(JSON.stringify(rec))).toEqual(rec);
  });

  it("in DetectionOnly reports the action as not enforced", () => {
    const tx = run(load(`SecRuleEngine DetectionOnly\nSecAction "id:1,phase:1,deny"`));
    expect(auditRecord(tx).action).toEqual({ action: "deny", status: 403, ruleId: 1, enforced: false });
  });
});
