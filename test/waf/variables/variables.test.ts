import { describe, expect, it } from "vitest";
import type { RequestInfo } from "../../../src/waf/variables/index.js";
import { getVariable, variableNames } from "../../../src/waf/variables/index.js";
import { load, request } from "../engine/helpers.js";

/** Values a target yields, read through a rule that matches anything and logs every match. */
function values(target: string, over: Partial<RequestInfo> = {}, body?: string, setup = ""): string[] {
  const rs = load(`
SecRequestBodyAccess On
SecResponseBodyAccess On
${setup}
SecRule ${target} "@rx ^" "id:1,phase:4,pass,log,t:none"
`);
  const tx = rs.newTransaction(request(over));
  tx.processRequestHeaders();
  if (body !== undefined) tx.appendRequestBody(body);
  tx.processRequestBody();
  tx.processResponseHeaders(404, "HTTP/1.1", [
    ["Content-Type", "text/plain"],
    ["X-Powered-By", "PHP/8"],
  ]);
  tx.appendResponseBody("not found");
  tx.processResponseBody();
  return tx.matchedRules[0]?.matches.map((m) => `${m.variable}=${m.value}`) ?? [];
}

const withHeaders = (...h: [string, string][]): Partial<RequestInfo> => ({
  headers: [["Host", "shop.example:8443"], ...h],
});

describe("request line family", () => {
  const uri = "/a%20b/c%2Fd.php?x=1&y=%41+B";
  it.each([
    ["REQUEST_URI", ["REQUEST_URI=/a b/c/d.php?x=1&y=A+B"]],
    ["REQUEST_URI_RAW", [`REQUEST_URI_RAW=${uri}`]],
    ["REQUEST_FILENAME", ["REQUEST_FILENAME=/a b/c/d.php"]],
    ["REQUEST_BASENAME", ["REQUEST_BASENAME=d.php"]],
    ["QUERY_STRING", ["QUERY_STRING=x=1&y=%41+B"]],
    ["REQUEST_LINE", [`REQUEST_LINE=GET ${uri} HTTP/1.1`]],
    ["REQUEST_METHOD", ["REQUEST_METHOD=GET"]],
    ["REQUEST_PROTOCOL", ["REQUEST_PROTOCOL=HTTP/1.1"]],
    ["PATH_INFO", ["PATH_INFO="]],
  ])("%s", (v, expected) => {
    expect(values(v, { uri })).toEqual(expected);
  });

  it("absolute-form targets: REQUEST_FILENAME is the path, REQUEST_URI_RAW keeps the whole target", () => {
    const over = { uri: "http://evil.example/admin?x=1" };
    expect(values("REQUEST_FILENAME|REQUEST_URI|REQUEST_URI_RAW", over)).toEqual([
      "REQUEST_FILENAME=/admin",
      "REQUEST_URI=/admin?x=1",
      "REQUEST_URI_RAW=http://evil.example/admin?x=1",
    ]);
  });
});

describe("arguments family", () => {
  const post = {
    method: "POST",
    uri: "/?a=1&b=2",
    headers: [["Content-Type", "application/x-www-form-urlencoded"]] as [string, string][],
  };
  it.each([
    ["ARGS", ["ARGS:a=1", "ARGS:b=2", "ARGS:c=3", "ARGS:a=4"]],
    ["ARGS_GET", ["ARGS_GET:a=1", "ARGS_GET:b=2"]],
    ["ARGS_POST", ["ARGS_POST:c=3", "ARGS_POST:a=4"]],
    ["ARGS_NAMES", ["ARGS_NAMES:a=a", "ARGS_NAMES:b=b", "ARGS_NAMES:c=c", "ARGS_NAMES:a=a"]],
    ["ARGS_GET_NAMES", ["ARGS_GET_NAMES:a=a", "ARGS_GET_NAMES:b=b"]],
    ["ARGS_POST_NAMES", ["ARGS_POST_NAMES:c=c", "ARGS_POST_NAMES:a=a"]],
    ["ARGS:A", ["ARGS:a=1", "ARGS:a=4"]],
    ["ARGS:/^[ab]$/", ["ARGS:a=1", "ARGS:b=2", "ARGS:a=4"]],
    ["ARGS|!ARGS:a", ["ARGS:b=2", "ARGS:c=3"]],
    ["ARGS|!ARGS:/^[bc]/", ["ARGS:a=1", "ARGS:a=4"]],
    ["&ARGS", ["ARGS=4"]],
    ["&ARGS:a", ["ARGS:a=2"]],
    ["&ARGS:zz", ["ARGS:zz=0"]],
    ["ARGS_COMBINED_SIZE", ["ARGS_COMBINED_SIZE=8"]],
    ["REQUEST_BODY", ["REQUEST_BODY=c=3&a=4"]],
    ["REQUEST_BODY_LENGTH", ["REQUEST_BODY_LENGTH=7"]],
    ["REQBODY_PROCESSOR", ["REQBODY_PROCESSOR=URLENCODED"]],
    ["REQBODY_ERROR", ["REQBODY_ERROR=0"]],
  ])("%s", (v, expected) => {
    expect(values(v, post, "c=3&a=4")).toEqual(expected);
  });
});

describe("header and cookie family", () => {
  const over = withHeaders(
    ["User-Agent", "curl/8"],
    ["Cookie", "sid=abc; _ga_X=1"],
    ["cookie", "theme=dark"],
    ["X-Dup", "1"],
    ["x-dup", "2"],
  );
  it.each([
    ["REQUEST_HEADERS:user-agent", ["REQUEST_HEADERS:User-Agent=curl/8"]],
    ["REQUEST_HEADERS:X-DUP", ["REQUEST_HEADERS:X-Dup=1", "REQUEST_HEADERS:x-dup=2"]],
    ["&REQUEST_HEADERS:Content-Length", ["REQUEST_HEADERS:content-length=0"]],
    [
      "REQUEST_HEADERS_NAMES:/^x-/",
      ["REQUEST_HEADERS_NAMES:X-Dup=X-Dup", "REQUEST_HEADERS_NAMES:x-dup=x-dup"],
    ],
    ["REQUEST_COOKIES", ["REQUEST_COOKIES:sid=abc", "REQUEST_COOKIES:_ga_X=1", "REQUEST_COOKIES:theme=dark"]],
    [
      "REQUEST_COOKIES|!REQUEST_COOKIES:/^_ga(?:_\\w+)?$/",
      ["REQUEST_COOKIES:sid=abc", "REQUEST_COOKIES:theme=dark"],
    ],
    [
      "REQUEST_COOKIES_NAMES",
      [
        "REQUEST_COOKIES_NAMES:sid=sid",
        "REQUEST_COOKIES_NAMES:_ga_X=_ga_X",
        "REQUEST_COOKIES_NAMES:theme=theme",
      ],
    ],
    ["RESPONSE_HEADERS:x-powered-by", ["RESPONSE_HEADERS:X-Powered-By=PHP/8"]],
    [
      "RESPONSE_HEADERS_NAMES",
      [
        "RESPONSE_HEADERS_NAMES:Content-Type=Content-Type",
        "RESPONSE_HEADERS_NAMES:X-Powered-By=X-Powered-By",
      ],
    ],
    ["RESPONSE_CONTENT_TYPE", ["RESPONSE_CONTENT_TYPE=text/plain"]],
  ])("%s", (v, expected) => {
    expect(values(v, over)).toEqual(expected);
  });
});

describe("response, server and misc", () => {
  it.each([
    ["RESPONSE_STATUS", ["RESPONSE_STATUS=404"]],
    ["RESPONSE_PROTOCOL", ["RESPONSE_PROTOCOL=HTTP/1.1"]],
    ["RESPONSE_BODY", ["RESPONSE_BODY=not found"]],
    ["STATUS_LINE", ["STATUS_LINE=HTTP/1.1 404"]],
    ["REMOTE_ADDR|REMOTE_PORT", ["REMOTE_ADDR=192.0.2.7", "REMOTE_PORT=40000"]],
    [
      "SERVER_ADDR|SERVER_PORT|SERVER_NAME",
      ["SERVER_ADDR=198.51.100.1", "SERVER_PORT=8080", "SERVER_NAME=shop.example"],
    ],
    ["UNIQUE_ID", ["UNIQUE_ID=tx-1"]],
    ["TIME_EPOCH|TIME_YEAR", ["TIME_EPOCH=1700000000", "TIME_YEAR=2023"]],
    ["DURATION", ["DURATION=0"]],
    ["GEO", []],
    ["FILES|FILES_NAMES", []],
    ["XML:/*", []],
    ["AUTH_TYPE", []],
    ["MULTIPART_STRICT_ERROR", []],
  ])("%s", (v, expected) => {
    expect(values(v, withHeaders())).toEqual(expected);
  });

  it("TX keys are case-insensitive and regex-selectable; MATCHED_VAR follows the last match", () => {
    const setup = `SecAction "id:9,phase:1,pass,nolog,setvar:tx.Score_PL1=3,setvar:tx.score_pl2=4,setvar:tx.other=x"`;
    expect(values("TX:/^score_/", {}, undefined, setup)).toEqual(["TX:Score_PL1=3", "TX:score_pl2=4"]);
    expect(values("TX:SCORE_PL1", {}, undefined, setup)).toEqual(["TX:Score_PL1=3"]);
  });

  it("AUTH_TYPE is the Authorization scheme", () => {
    expect(values("AUTH_TYPE", withHeaders(["Authorization", "Basic dXNlcg=="]))).toEqual([
      "AUTH_TYPE=Basic",
    ]);
  });
});

describe("body processor variables", () => {
  it("FILES*, MULTIPART_* and XML come from the body processor's result", () => {
    const processor = () => ({
      args: [["field", "v"]] as [string, string][],
      files: [{ name: "upload", filename: "shell.php", size: 12, contentType: "text/plain" }],
      error: undefined,
      variables: new Map<string, string | [string, string][]>([
        ["MULTIPART_STRICT_ERROR", "1"],
        ["MULTIPART_PART_HEADERS", [["upload", "Content-Disposition: form-data; name=upload"]]],
      ]),
      xmlText: ["a", "b"],
    });
    const rs = load(
      `
SecRequestBodyAccess On
SecRule FILES|FILES_NAMES|FILES_SIZES|FILES_COMBINED_SIZE|MULTIPART_STRICT_ERROR|MULTIPART_UNMATCHED_BOUNDARY|MULTIPART_PART_HEADERS|XML:/* "@rx ^" "id:1,phase:2,pass,log"
`,
      { bodyProcessor: (n) => (n === "MULTIPART" ? processor : undefined) },
    );
    const tx = rs.newTransaction(
      request({ method: "POST", headers: [["Content-Type", "multipart/form-data; boundary=x"]] }),
    );
    tx.appendRequestBody("--x--");
    tx.processRequestBody();
    expect(tx.matchedRules[0]!.matches.map((m) => `${m.variable}=${m.value}`)).toEqual([
      "FILES:upload=shell.php",
      "FILES_NAMES:upload=upload",
      "FILES_SIZES:upload=12",
      "FILES_COMBINED_SIZE=12",
      "MULTIPART_STRICT_ERROR=1",
      "MULTIPART_UNMATCHED_BOUNDARY=0",
      "MULTIPART_PART_HEADERS:upload=Content-Disposition: form-data; name=upload",
      "XML=a",
      "XML=b",
    ]);
  });
});

describe("registry", () => {
  it("knows every variable CRS 4 uses", () => {
    const crs =
      "XML TX ARGS ARGS_NAMES REQUEST_COOKIES REQUEST_COOKIES_NAMES REQUEST_HEADERS REQUEST_FILENAME RESPONSE_BODY REQUEST_BODY MATCHED_VARS FILES REQUEST_METHOD REQUEST_LINE REQUEST_URI_RAW RESPONSE_HEADERS REQBODY_PROCESSOR REQUEST_BASENAME FILES_NAMES REQUEST_URI REQUEST_HEADERS_NAMES MULTIPART_PART_HEADERS MATCHED_VAR REMOTE_ADDR REQUEST_PROTOCOL ARGS_GET RESPONSE_STATUS UNIQUE_ID ARGS_COMBINED_SIZE FILES_COMBINED_SIZE REQUEST_BODY_LENGTH ARGS_GET_NAMES QUERY_STRING";
    expect(crs.split(" ").filter((n) => getVariable(n) === undefined)).toEqual([]);
    expect(getVariable("args")?.name).toBe("ARGS");
    expect(getVariable("NOT_A_VARIABLE")).toBeUndefined();
    expect(variableNames().length).toBeGreaterThan(60);
  });
});

describe("REQBODY_PROCESSOR in phase 1", () => {
  it.each([
    ["application/x-www-form-urlencoded; charset=utf-8", "", ["901340"]],
    ["multipart/form-data; boundary=x", "", ["901340"]],
    ["application/json", "", ["901340", "force"]],
    ["application/json", `SecAction "id:5,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"`, ["901340"]],
  ])("%s %s", (ct, setup, expected) => {
    // CRS 901340 forces body inspection when no processor applies; it must see the header's choice.
    const rs = load(`
${setup}
SecAction "id:6,phase:1,pass,nolog,setvar:tx.seen=901340"
SecRule REQBODY_PROCESSOR "!@rx (?:URLENCODED|MULTIPART|XML|JSON)" "id:7,phase:1,pass,nolog,setvar:tx.force=force"
`);
    const tx = rs.newTransaction(request({ method: "POST", headers: [["Content-Type", ct]] }));
    tx.processRequestHeaders();
    expect(
      [tx.data.tx.first("seen")?.value, tx.data.tx.first("force")?.value].filter((v) => v !== undefined),
    ).toEqual(expected);
  });
});
