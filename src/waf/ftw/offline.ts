/**
 * Offline go-ftw runs: each test's request is built exactly as on the wire, read back by a tolerant
 * HTTP/1.1 head reader, and handed straight to the engine, with albedo's answer computed in
 * process. No sockets, so a whole CRS suite runs in seconds: this is for engine development.
 * The conformance figure itself comes from `rampart waf ftw`, over real HTTP through the gateway.
 */

import {
  type LenientRequest as ParsedRawRequest,
  parseLenientRequest as parseRawRequest,
} from "../../gateway/lenient.js";
import { errorLogLine } from "../engine/log-format.js";
import type { RuleSet } from "../engine/ruleset.js";
import { judgeStage } from "./check.js";
import type { RawResponse } from "./client.js";
import { applyOverride, type FtwOverride, findOverride } from "./overrides.js";
import { buildRawRequest } from "./request.js";
import { type FtwSummary, type FtwTestResult, familyOf } from "./runner.js";
import type { FtwTest } from "./tests.js";

/** albedo's answer (see albedo.ts) for a request, computed in process. */
function albedoAnswer(req: ParsedRawRequest): {
  status: number;
  headers: Array<[string, string]>;
  body: string;
} {
  const path = req.uri.split("?")[0];
  if (req.method === "POST" && (path === "/reflect" || path === "/reflect/")) {
    try {
      const spec = JSON.parse(Buffer.from(req.body, "latin1").toString("utf8")) as Record<string, unknown>;
      const headers: Array<[string, string]> = Object.entries((spec.headers as Record<string, string>) ?? {});
      const body =
        typeof spec.body === "string" && spec.body !== ""
          ? Buffer.from(spec.body, "utf8").toString("latin1")
          : typeof spec.encodedBody === "string"
            ? Buffer.from(spec.encodedBody, "base64").toString("latin1")
            : "";
      if (body && !headers.some(([n]) => n.toLowerCase() === "content-type"))
        headers.push(["Content-Type", "text/plain; charset=utf-8"]);
      return { status: typeof spec.status === "number" && spec.status ? spec.status : 200, headers, body };
    } catch {
      return { status: 400, headers: [], body: "Invalid JSON in request body" };
    }
  }
  return { status: 200, headers: [["Content-Length", "0"]], body: "" };
}

/** Runs tests against a compiled rule set (loaded with the CRS test settings), no network. */
export { parseRawRequest };

export function runFtwOffline(
  tests: readonly FtwTest[],
  ruleSet: RuleSet,
  options: { include?: RegExp; overrides?: readonly FtwOverride[] } = {},
): FtwSummary {
  const results: FtwTestResult[] = [];
  let n = 0;
  for (const test of tests) {
    const base = { rule_id: test.ruleId, test_id: test.testId, family: familyOf(test.file) };
    const override = options.overrides ? findOverride(options.overrides, test) : undefined;
    if (options.include && !options.include.test(`${test.ruleId}-${test.testId}`)) {
      results.push({ ...base, ok: true, skipped: true, reason: "not selected" });
      continue;
    }
    if (override?.ignore) {
      results.push({ ...base, ok: true, skipped: true, reason: `override: ${override.reason}` });
      continue;
    }
    let result: FtwTestResult = { ...base, ok: true, skipped: false, reason: "" };
    for (const stage of test.stages) {
      const expected = override ? applyOverride(override) : stage.output;
      const req = parseRawRequest(buildRawRequest(stage.input).toString("latin1"));
      if (!req) {
        const verdict = judgeStage(expected, undefined, new Error("unparseable request"), []);
        if (!verdict.ok) result = { ...base, ok: false, skipped: false, reason: verdict.reason };
        continue;
      }
      const tx = ruleSet.newTransaction({
        id: `offline-${++n}`,
        remoteAddr: "127.0.0.1",
        remotePort: 40000,
        serverPort: 80,
        method: req.method,
        uri: req.uri,
        protocol: req.protocol,
        headers: req.headers,
      });
      let it = tx.processRequestHeaders();
      if (!it && req.body) it = tx.appendRequestBody(req.body);
      if (!it) it = tx.processRequestBody();
      let status: number;
      if (it) status = it.status;
      else {
        const answer = albedoAnswer(req);
        status = answer.status;
        it = tx.processResponseHeaders(answer.status, "HTTP/1.1", answer.headers);
        if (!it && answer.body) it = tx.appendResponseBody(answer.body);
        if (!it) it = tx.processResponseBody();
        if (it) status = it.status;
      }
      tx.processLogging();
      const lines = tx.matchedRules.map((m) => errorLogLine(tx, m));
      const response: RawResponse = { status, headers: [], raw: "" };
      const verdict = judgeStage(
        expected,
        it?.action === "drop" ? undefined : response,
        it?.action === "drop" ? new Error("dropped") : undefined,
        lines,
      );
      if (!verdict.ok) {
        result = { ...base, ok: false, skipped: false, reason: verdict.reason };
        break;
      }
    }
    results.push(result);
  }
  const skipped = results.filter((r) => r.skipped).length;
  const failed = results.filter((r) => !r.ok).length;
  return { passed: results.length - skipped - failed, failed, skipped, tests: results };
}
