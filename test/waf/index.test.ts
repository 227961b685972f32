/**
 * The default wiring on the real Core Rule Set: the parser, operators, transformations and body
 * processors of the other parts driven by the engine. Read from ../shared at test time.
 */
import { describe, expect, it } from "vitest";
import { errorLogLine, loadWaf, type RuleSet, type Transaction } from "../../src/waf/index.js";
import { crsDir, hasCrs } from "../support/shared.js";

const PRELUDE = `
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/plain text/html application/json
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:200001,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
`;

function crs(extra = ""): RuleSet {
  return loadWaf({
    sources: [
      { name: "prelude.conf", text: PRELUDE + extra },
      `${crsDir}/crs-setup.conf.example`,
      `${crsDir}/rules/*.conf`,
    ],
  });
}

function send(
  waf: RuleSet,
  method: string,
  uri: string,
  headers: [string, string][] = [],
  body?: string,
  response?: { ct: string; body: string },
): Transaction {
  const tx = waf.newTransaction({
    id: "crs-test",
    remoteAddr: "203.0.113.9",
    remotePort: 51000,
    serverPort: 443,
    method,
    uri,
    protocol: "HTTP/1.1",
    headers: [
      ["Host", "shop.example"],
      ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"],
      ["Accept", "text/html,application/xhtml+xml"],
      ...headers,
    ],
  });
  tx.processRequestHeaders();
  if (body !== undefined) tx.appendRequestBody(body);
  tx.processRequestBody();
  tx.processResponseHeaders(200, "HTTP/1.1", [["Content-Type", response?.ct ?? "text/html"]]);
  if (response !== undefined) tx.appendResponseBody(response.body);
  tx.processResponseBody();
  tx.processLogging();
  return tx;
}

const ids = (tx: Transaction): number[] => tx.matchedRules.map((m) => m.id);

describe.skipIf(!hasCrs)("CRS 4 through the default wiring", () => {
  const waf = hasCrs ? crs() : undefined!;

  it("loads every rule of CRS (630 with ids) and the prelude's JSON rule", () => {
    expect(waf.ruleCount).toBe(631);
    expect(waf.settings.componentSignatures).toEqual(["OWASP_CRS/4.28.0"]);
  });

  it.each([
    ["SQL injection in the query", "GET", "/products?id=1%27%20OR%20%271%27%3D%271", [], undefined, 942100],
    ["XSS in the query", "GET", "/search?q=%3Cscript%3Ealert(1)%3C/script%3E", [], undefined, 941100],
    ["path traversal", "GET", "/download?file=../../../../etc/passwd", [], undefined, 930100],
    ["scanner user agent", "GET", "/", [["User-Agent", "sqlmap/1.7.2#stable"]], undefined, 913100],
    [
      "SQL injection in a form body",
      "POST",
      "/login",
      [["Content-Type", "application/x-www-form-urlencoded"]],
      "user=admin&pass=x%27%20UNION%20SELECT%20password%20FROM%20users--",
      942100,
    ],
    [
      "SQL injection in a JSON body",
      "POST",
      "/api/login",
      [["Content-Type", "application/json"]],
      '{"user":"1\' or 1=1-- -"}',
      942100,
    ],
  ] as const)("%s is blocked by 949110", (_name, method, uri, headers, body, rule) => {
    const tx = send(
      waf,
      method,
      uri,
      headers.map(([k, v]): [string, string] => [k, v]),
      body,
    );
    expect(ids(tx)).toContain(rule);
    expect(tx.intervention).toEqual({ status: 403, action: "deny", ruleId: 949110 });
    expect(tx.anomalyScores.inbound).toBeGreaterThanOrEqual(5);
  });

  it("multipart uploads reach FILES: a .php upload is caught by 933110", () => {
    const body = [
      "--b0undary",
      'Content-Disposition: form-data; name="avatar"; filename="shell.php"',
      "Content-Type: application/octet-stream",
      "",
      "<?php echo 1; ?>",
      "--b0undary--",
      "",
    ].join("\r\n");
    const tx = send(
      waf,
      "POST",
      "/profile",
      [["Content-Type", "multipart/form-data; boundary=b0undary"]],
      body,
    );
    expect(ids(tx)).toContain(933110);
    expect(tx.matchedRules.find((m) => m.id === 933110)!.matches[0]!.variable).toBe("FILES:avatar");
  });

  it("XML bodies: element text and attribute values are inspected", () => {
    const xml = (payload: string) =>
      send(waf, "POST", "/api/order", [["Content-Type", "application/xml"]], payload);
    const withXmlProcessor = crs(
      `SecRule REQUEST_HEADERS:Content-Type "@rx ^application/xml" "id:200000,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"\n`,
    );
    const text = send(
      withXmlProcessor,
      "POST",
      "/api",
      [["Content-Type", "application/xml"]],
      "<a><b>1' or '1'='1</b></a>",
    );
    const attr = send(
      withXmlProcessor,
      "POST",
      "/api",
      [["Content-Type", "application/xml"]],
      '<a><b probe="1234 OR 1=1">ok</b></a>',
    );
    expect(ids(text)).toContain(942100);
    expect(attr.matchedRules.find((m) => m.id === 942100)?.matches[0]?.variable).toBe("XML");
    // Without the processor the XML is neither ARGS nor REQUEST_BODY (CRS forces REQUEST_BODY then).
    expect(xml("<a>ok</a>").intervention).toBeUndefined();
  });

  it("lets an ordinary shop request through", () => {
    const tx = send(waf, "GET", "/shop/item?id=42&color=red&size=m", [["Cookie", "sid=4f1c2d; theme=dark"]]);
    expect(tx.intervention).toBeUndefined();
    expect(tx.anomalyScores).toEqual({ inbound: 0, outbound: 0 });
  });

  it("detects a data leak in the response body (phase 4, outbound score)", () => {
    const tx = send(waf, "GET", "/report", [], undefined, {
      ct: "text/html",
      body: "<b>Warning</b>: mysql_fetch_array() expects parameter 1 to be resource, boolean given in /var/www/x.php on line 3",
    });
    expect(ids(tx).some((id) => id >= 951000 && id < 954000)).toBe(true);
    expect(tx.anomalyScores.outbound).toBeGreaterThan(0);
  });

  it("DetectionOnly logs the same rules without intervening; the log line names the rule", () => {
    const detect = crs("SecRuleEngine DetectionOnly\n");
    const tx = send(detect, "GET", "/products?id=1%27%20OR%20%271%27%3D%271");
    expect(tx.intervention).toBeUndefined();
    expect(tx.detectedIntervention?.ruleId).toBe(949110);
    const m = tx.matchedRules.find((r) => r.id === 942100)!;
    expect(errorLogLine(tx, m)).toMatch(
      /^ModSecurity: Warning\. Matched "Operator `DetectSQLi' .*\[id "942100"\].*\[ver "OWASP_CRS\/4\.28\.0"\]/,
    );
  });

  it("paranoia level 2 turns on rules that level 1 jumps over with skipAfter", () => {
    const pl2 = crs(`SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=2"\n`);
    const uri = `/?a=${"%27x".repeat(13)}`;
    const levels = (tx: Transaction) =>
      tx.matchedRules.flatMap((m) => m.tags.filter((t) => t.startsWith("paranoia-level/"))).sort();
    expect(levels(send(waf, "GET", uri))).not.toContain("paranoia-level/2");
    expect(levels(send(pl2, "GET", uri))).toContain("paranoia-level/2");
  });
});

describe("loadWaf errors", () => {
  it("a missing rule file is WAF_INCLUDE", () => {
    expect(() => loadWaf({ files: ["/nonexistent/rules.conf"] })).toThrow(
      expect.objectContaining({ code: "WAF_INCLUDE" }),
    );
  });

  it("errors name the source and line", () => {
    expect(() =>
      loadWaf({
        sources: [{ name: "mine.conf", text: 'SecRuleEngine On\nSecRule ARGS "@rx a" "id:1,phase:2,frob"' }],
      }),
    ).toThrow(/mine\.conf:2: unknown action "frob"/);
  });

  it("an empty pattern match loads nothing", () => {
    expect(loadWaf({ files: ["/nonexistent-dir/*.conf"] }).ruleCount).toBe(0);
  });
});
