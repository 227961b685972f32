import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { assembleWaf, FTW_TEST_SETTINGS } from "../../../src/waf/crs/assemble.js";
import { parseRawRequest, runFtwOffline } from "../../../src/waf/ftw/offline.js";
import { findTestFiles, loadTestFile } from "../../../src/waf/ftw/tests.js";
import { loadWaf } from "../../../src/waf/index.js";
import { crsDir, hasCrs } from "../../support/shared.js";

describe("parseRawRequest", () => {
  it("reads method, odd target and protocol, folded headers and a chunked body", () => {
    const req = parseRawRequest(
      "FOO /a b HTTP\\1.0\r\nX: 1\r\n  2\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    expect(req).toEqual({
      method: "FOO",
      uri: "/a b",
      protocol: "HTTP\\1.0",
      headers: [
        ["X", "1 2"],
        ["Transfer-Encoding", "chunked"],
      ],
      body: "abc",
    });
  });
  it("gives up on a request without an end of head", () =>
    expect(parseRawRequest("GET / HTTP/1.1\r\n")).toBeUndefined());
});

describe.skipIf(!hasCrs)("CRS v4.28.0 regression tests straight through the engine (no HTTP)", () => {
  it("passes at least 99 % (the HTTP-level tests need the gateway: see test/gateway/waf-ftw)", () => {
    const assembly = assembleWaf({
      crsDir,
      mode: "detection-only",
      paranoia: 4,
      modules: {},
      anomalyThreshold: { inbound: 5, outbound: 4 },
      extraSettings: FTW_TEST_SETTINGS,
    });
    const ruleSet = loadWaf({ sources: assembly.sources });
    const tests = findTestFiles(resolve(crsDir, "tests")).flatMap(loadTestFile);
    const summary = runFtwOffline(tests, ruleSet);
    const ratio = summary.passed / (summary.passed + summary.failed);
    console.log(
      `[offline ftw] ${summary.passed} passed, ${summary.failed} failed (${(100 * ratio).toFixed(2)} %)`,
    );
    expect(summary.passed + summary.failed).toBeGreaterThan(3800);
    expect(ratio).toBeGreaterThanOrEqual(0.99);
  }, 180_000);
});
