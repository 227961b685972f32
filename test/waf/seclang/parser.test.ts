import { describe, expect, it } from "vitest";
import { WafError } from "../../../src/waf/errors.js";
import { SECLANG_DIRECTIVES } from "../../../src/waf/seclang/directives.js";
import { parseSecLang, type SecLangHost } from "../../../src/waf/seclang/parser.js";
import type { Statement } from "../../../src/waf/types.js";

function rule(text: string) {
  const [st] = parseSecLang(text, "r.conf");
  if (st?.type !== "rule") throw new Error("not a rule");
  return st.rule;
}

function caught(fn: () => unknown): WafError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WafError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("parseSecLang: rules", () => {
  it("parses a CRS-style SecRule spread over lines", () => {
    const text = [
      "# comment",
      'SecRule REQUEST_HEADERS:User-Agent|!REQUEST_HEADERS:Referer "@pm nikto sqlmap" \\',
      '    "id:913100,\\',
      "    phase:1,\\",
      "    block,\\",
      "    msg:'Found User-Agent, associated with scanner',\\",
      "    setvar:'tx.inbound_anomaly_score_pl1=+%{tx.critical_anomaly_score}'\"",
    ].join("\n");
    expect(rule(text)).toEqual({
      directive: "SecRule",
      variables: [
        { collection: "REQUEST_HEADERS", key: "User-Agent", count: false, exclude: false },
        { collection: "REQUEST_HEADERS", key: "Referer", count: false, exclude: true },
      ],
      operator: { name: "pm", negated: false, param: "nikto sqlmap" },
      actions: [
        { name: "id", param: "913100" },
        { name: "phase", param: "1" },
        { name: "block" },
        { name: "msg", param: "Found User-Agent, associated with scanner" },
        { name: "setvar", param: "tx.inbound_anomaly_score_pl1=+%{tx.critical_anomaly_score}" },
      ],
      loc: { file: "r.conf", line: 2 },
    });
  });

  it.each([
    ['SecRule ARGS "foo" "id:1"', { name: "rx", negated: false, param: "foo" }],
    ['SecRule ARGS "!@streq a\\"b" "id:1"', { name: "streq", negated: true, param: 'a"b' }],
    ['SecRule ARGS "@rx [^\\"\\x5c]" "id:1"', { name: "rx", negated: false, param: '[^"\\x5c]' }],
    ["SecRule ARGS '@rx it\\'s' 'id:1'", { name: "rx", negated: false, param: "it's" }],
    ['SecRule ARGS "" "id:1"', { name: "rx", negated: false, param: "" }],
    ["SecRule ARGS @detectSQLi id:1", { name: "detectSQLi", negated: false, param: "" }],
  ])("operator of %s", (text, op) => {
    expect(rule(text).operator).toEqual(op);
  });

  it("takes actions as optional, and the variable list quoted", () => {
    const r = rule('SecRule "ARGS|ARGS_NAMES" "@rx x"');
    expect(r.actions).toEqual([]);
    expect(r.variables.map((v) => v.collection)).toEqual(["ARGS", "ARGS_NAMES"]);
  });

  it("makes SecAction an unconditional rule without variables", () => {
    expect(rule('SecAction "id:900990,phase:1,pass,nolog,setvar:tx.crs_setup_version=4280"')).toMatchObject({
      directive: "SecAction",
      variables: [],
      operator: { name: "unconditionalMatch", negated: false, param: "" },
      actions: [
        { name: "id", param: "900990" },
        { name: "phase", param: "1" },
        { name: "pass" },
        { name: "nolog" },
        {
          name: "setvar",
          param: "tx.crs_setup_version=4280",
        },
      ],
    });
  });
});

describe("parseSecLang: directives", () => {
  it.each<[string, string, string[]]>([
    ['SecMarker "END-HOST-CHECK"', "SecMarker", ["END-HOST-CHECK"]],
    ["secruleengine DetectionOnly", "SecRuleEngine", ["DetectionOnly"]],
    ["SECREQUESTBODYACCESS On", "SecRequestBodyAccess", ["On"]],
    ["SecRuleRemoveById 1 2 100-200", "SecRuleRemoveById", ["1", "2", "100-200"]],
    ['SecDefaultAction "phase:1,log,auditlog,pass"', "SecDefaultAction", ["phase:1,log,auditlog,pass"]],
    [
      'SecRuleUpdateTargetById 932240 "!REQUEST_COOKIES:/^_ga(?:_\\w+)?$/"',
      "SecRuleUpdateTargetById",
      ["932240", "!REQUEST_COOKIES:/^_ga(?:_\\w+)?$/"],
    ],
    [
      "SecRuleUpdateTargetById 930120 !ARGS_NAMES:json.profile",
      "SecRuleUpdateTargetById",
      ["930120", "!ARGS_NAMES:json.profile"],
    ],
    ["SecRuleUpdateActionById 1 \"t:none,msg:'x'\"", "SecRuleUpdateActionById", ["1", "t:none,msg:'x'"]],
    ['SecComponentSignature "OWASP_CRS/4.28.0"', "SecComponentSignature", ["OWASP_CRS/4.28.0"]],
    ["SecResponseBodyMimeTypesClear", "SecResponseBodyMimeTypesClear", []],
    ["SecAuditLogParts ABIJDEFHZ", "SecAuditLogParts", ["ABIJDEFHZ"]],
  ])("%s", (text, name, args) => {
    const [st] = parseSecLang(text, "d.conf");
    expect(st).toEqual({ type: "directive", directive: { name, args, loc: { file: "d.conf", line: 1 } } });
  });

  it("knows the manual's directives under their manual spelling", () => {
    for (const name of [
      "SecRule",
      "SecAction",
      "SecMarker",
      "SecRuleUpdateTargetById",
      "SecArgumentsLimit",
      "Include",
    ]) {
      expect(SECLANG_DIRECTIVES.get(name.toLowerCase())?.name).toBe(name);
    }
  });

  it("keeps statements in file order with their lines, CRLF or not", () => {
    const text =
      'SecRuleEngine On\r\n\r\nSecRule ARGS "@rx a" "id:1,chain"\r\n  SecRule ARGS "@rx b"\r\nSecMarker END\r\n';
    const st = parseSecLang(text, "o.conf");
    expect(st.map((s) => [s.type, s.type === "rule" ? s.rule.loc.line : s.directive.loc.line])).toEqual([
      ["directive", 1],
      ["rule", 3],
      ["rule", 4],
      ["directive", 5],
    ]);
  });

  it("yields nothing for an empty or comment-only file", () => {
    expect(parseSecLang("", "e.conf")).toEqual([]);
    expect(parseSecLang("# only\n  # comments\n", "e.conf")).toEqual([]);
  });
});

describe("parseSecLang: errors name file:line and the construct", () => {
  it.each<[string, string, string, number, RegExp]>([
    [
      "unterminated quote",
      'SecRule ARGS "@rx a" "id:1',
      "WAF_PARSE",
      1,
      /unterminated " quote in argument 3/,
    ],
    [
      "unterminated quote on a continuation line",
      'SecRule ARGS "@rx a" \\\n  "id:1,\\\n  msg:x',
      "WAF_PARSE",
      2,
      /unterminated/,
    ],
    ["unknown directive", "\n\nSecFoo On", "WAF_UNKNOWN_DIRECTIVE", 3, /unknown directive SecFoo/],
    ["quoted directive name", '"SecRule" ARGS "a"', "WAF_UNKNOWN_DIRECTIVE", 1, /unknown directive/],
    ["unknown variable", 'SecRule ARGZ "@rx a" "id:1"', "WAF_UNKNOWN_VARIABLE", 1, /unknown variable ARGZ/],
    [
      "unknown variable on its line",
      'SecRule ARGS \\\n "@rx a" \\\n "id:1"\nSecRule FOO "a"',
      "WAF_UNKNOWN_VARIABLE",
      4,
      /FOO/,
    ],
    ["missing operator", "SecRule ARGS", "WAF_PARSE", 1, /SecRule without an operator/],
    ["missing everything", "SecRule", "WAF_PARSE", 1, /without variables or operator/],
    ["too many arguments", 'SecRule ARGS "a" "id:1" "x"', "WAF_PARSE", 1, /takes 2 to 3 argument/],
    ["SecAction without actions", "SecAction", "WAF_PARSE", 1, /SecAction takes 1 argument/],
    ["bad action syntax", 'SecRule ARGS "a" \\\n  "id:1,,msg:\'x\'"', "WAF_PARSE", 2, /empty action/],
    ["bad action quote", 'SecAction "id:1,msg:\'x"', "WAF_PARSE", 1, /unterminated ' quote/],
    ["bad operator", 'SecRule ARGS "@ a"', "WAF_PARSE", 1, /no name after @/],
    ["bad update target", "SecRuleUpdateTargetById 1 !NOPE:x", "WAF_UNKNOWN_VARIABLE", 1, /NOPE/],
    ["bad default action", 'SecDefaultAction "phase:1,,pass"', "WAF_PARSE", 1, /empty action/],
    ["too many for SecMarker", "SecMarker a b", "WAF_PARSE", 1, /SecMarker takes 1 argument/],
  ])("%s", (_name, text, code, line, message) => {
    const err = caught(() => parseSecLang(text, "rules/e.conf"));
    expect(err.code).toBe(code);
    expect(err.loc).toEqual({ file: "rules/e.conf", line });
    expect(err.message.startsWith(`rules/e.conf:${line}: `)).toBe(true);
    expect(err.message).toMatch(message);
    expect(err.hint).toBeTruthy();
  });
});

/** A host over an in-memory tree of files; glob understands * in the last component. */
function memoryHost(files: Record<string, string>): SecLangHost & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    readFile(path) {
      reads.push(path);
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    },
    glob(pattern) {
      const re = new RegExp(
        `^${pattern
          .replace(/[.+^$()|[\]\\]/g, "\\$&")
          .replace(/\*/g, "[^/]*")
          .replace(/\?/g, "[^/]")}$`,
      );
      return Object.keys(files)
        .filter((f) => re.test(f))
        .sort();
    },
  };
}

function names(st: Statement[]): string[] {
  return st.map((s) =>
    s.type === "rule" ? `${s.rule.loc.file}:${s.rule.loc.line}` : (s.directive.args[0] ?? ""),
  );
}

describe("parseSecLang: hints suggest the nearest known name", () => {
  it.each([
    ["SecRuleEngin On", "did you mean SecRuleEngine?"],
    ["secmarkr x", "did you mean SecMarker?"],
    ['SecRule REQUEST_HEADER:Host "a"', "did you mean REQUEST_HEADERS?"],
    ['SecRule ARG "a"', "did you mean ARGS?"],
  ])("%s", (text, hint) => {
    expect(caught(() => parseSecLang(text, "h.conf")).hint).toBe(hint);
  });

  it("falls back to a general hint when nothing is near", () => {
    expect(caught(() => parseSecLang("Frobnicate x", "h.conf")).hint).toMatch(/reference manual/);
    expect(caught(() => parseSecLang('SecRule QWERTYUIOP "a"', "h.conf")).hint).toMatch(/reference manual/);
  });
});

describe("parseSecLang: Include", () => {
  it("includes files relative to the including file, globs sorted, in place", () => {
    const host = memoryHost({
      "/etc/crs/rules/b.conf": "SecMarker B",
      "/etc/crs/rules/a.conf": "SecMarker A",
      "/etc/crs/rules/skip.txt": "SecMarker NO",
      "/etc/crs/setup.conf": "SecMarker SETUP",
    });
    const st = parseSecLang(
      'SecMarker START\nInclude setup.conf\nInclude "rules/*.conf"\nSecMarker END',
      "/etc/crs/main.conf",
      host,
    );
    expect(names(st)).toEqual(["START", "SETUP", "A", "B", "END"]);
  });

  it("resolves nested relative includes from each file's own folder and keeps their locations", () => {
    const host = memoryHost({
      "/r/sub/one.conf": "Include deeper/two.conf",
      "/r/sub/deeper/two.conf": '\nSecAction "id:2"',
    });
    const st = parseSecLang("Include sub/one.conf", "/r/main.conf", host);
    expect(names(st)).toEqual(["/r/sub/deeper/two.conf:2"]);
  });

  it.each<[string, Record<string, string>, string, RegExp]>([
    [
      "a cycle",
      { "/r/a.conf": "Include b.conf", "/r/b.conf": "Include ./a.conf" },
      "Include a.conf",
      /Include cycle: .*a\.conf -> .*b\.conf -> .*a\.conf/,
    ],
    ["a self include", { "/r/main.conf": "" }, "Include main.conf", /Include cycle/],
    ["a missing file", {}, "Include nope.conf", /cannot read \/r\/nope\.conf/],
    ["a glob matching nothing", {}, "Include rules/*.conf", /no file matches/],
  ])("rejects %s with WAF_INCLUDE", (_name, files, text, message) => {
    const err = caught(() => parseSecLang(text, "/r/main.conf", memoryHost(files)));
    expect(err.code).toBe("WAF_INCLUDE");
    expect(err.message).toMatch(message);
  });

  it("reports an error inside an included file at that file's line", () => {
    const host = memoryHost({ "/r/bad.conf": "SecMarker ok\nSecBogus 1" });
    const err = caught(() => parseSecLang("Include bad.conf", "/r/main.conf", host));
    expect(err.loc).toEqual({ file: "/r/bad.conf", line: 2 });
  });

  it("refuses Include without a host", () => {
    const err = caught(() => parseSecLang("Include x.conf", "/r/main.conf"));
    expect(err.code).toBe("WAF_INCLUDE");
    expect(err.message).toMatch(/no host/);
  });
});
