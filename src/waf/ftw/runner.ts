/**
 * Runs go-ftw tests against a WAF that is reachable over HTTP and whose error log the runner can
 * read. Like go-ftw, it brackets every stage between two marker requests (header X-CRS-Test with a
 * unique id, logged by the test-marker rule) and judges the log lines between the markers.
 */
import { randomUUID } from "node:crypto";
import { judgeStage } from "./check.js";
import { type RawResponse, sendRaw } from "./client.js";
import { applyOverride, type FtwOverride, findOverride } from "./overrides.js";
import { buildRawRequest } from "./request.js";
import type { FtwStage, FtwTest } from "./tests.js";

export interface FtwTarget {
  readonly host: string;
  readonly port: number;
  /** The error-log lines written so far (the runner only reads). */
  logLines(): readonly string[];
}

export interface FtwRunOptions {
  readonly include?: RegExp;
  readonly exclude?: RegExp;
  readonly overrides?: readonly FtwOverride[];
  readonly timeoutMs?: number;
  readonly onResult?: (result: FtwTestResult, done: number, total: number) => void;
}

export interface FtwTestResult {
  readonly rule_id: number;
  readonly test_id: number;
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly reason: string;
  readonly family: string;
}

export interface FtwSummary {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly tests: FtwTestResult[];
}

export const MARKER_HEADER = "X-CRS-Test";

export async function runFtw(
  tests: readonly FtwTest[],
  target: FtwTarget,
  options: FtwRunOptions = {},
): Promise<FtwSummary> {
  const results: FtwTestResult[] = [];
  const timeoutMs = options.timeoutMs ?? 5000;
  let done = 0;
  for (const test of tests) {
    const id = `${test.ruleId}-${test.testId}`;
    const family = familyOf(test.file);
    const base = { rule_id: test.ruleId, test_id: test.testId, family };
    let result: FtwTestResult;
    const override = options.overrides ? findOverride(options.overrides, test) : undefined;
    if (
      (options.include && !options.include.test(id)) ||
      (options.exclude?.test(id) && !options.include?.test(id))
    ) {
      result = { ...base, ok: true, skipped: true, reason: "not selected" };
    } else if (override?.ignore) {
      result = { ...base, ok: true, skipped: true, reason: `override: ${override.reason}` };
    } else {
      result = { ...base, ok: true, skipped: false, reason: "" };
      for (const stage of test.stages) {
        const expected = override ? applyOverride(override) : stage.output;
        let verdict = await runStage(target, stage, expected, timeoutMs);
        if (!verdict.ok && expected.retryOnce) verdict = await runStage(target, stage, expected, timeoutMs);
        if (!verdict.ok) {
          result = { ...base, ok: false, skipped: false, reason: verdict.reason };
          break;
        }
      }
    }
    results.push(result);
    options.onResult?.(result, ++done, tests.length);
  }
  const skipped = results.filter((r) => r.skipped).length;
  const failed = results.filter((r) => !r.ok).length;
  return { passed: results.length - skipped - failed, failed, skipped, tests: results };
}

async function runStage(target: FtwTarget, stage: FtwStage, expected: FtwStage["output"], timeoutMs: number) {
  const stageId = randomUUID();
  const start = await mark(target, `${stageId}-s`, timeoutMs);
  let response: RawResponse | undefined;
  let error: Error | undefined;
  try {
    response = await sendRaw(
      target.host,
      target.port,
      buildRawRequest(stage.input),
      timeoutMs,
      stage.input.method,
    );
  } catch (err) {
    error = err as Error;
  }
  const end = await mark(target, `${stageId}-e`, timeoutMs);
  const lines = start >= 0 && end >= 0 ? target.logLines().slice(start + 1, end) : [];
  if (start < 0 || end < 0) {
    return {
      ok: false,
      reason: "log marker not found: is the test-marker rule loaded and the error log wired?",
    };
  }
  return judgeStage(expected, response, error, lines);
}

/** Sends a marker request and returns the index of its log line, or -1. */
async function mark(target: FtwTarget, markerId: string, timeoutMs: number): Promise<number> {
  const request = Buffer.from(
    `GET /status/200 HTTP/1.1\r\nAccept: */*\r\nUser-Agent: rampart ftw\r\nHost: localhost\r\n${MARKER_HEADER}: ${markerId}\r\nConnection: close\r\n\r\n`,
  );
  try {
    await sendRaw(target.host, target.port, request, timeoutMs);
  } catch {
    return -1;
  }
  // The marker's line is written when the gateway finishes the exchange, which may come just after
  // the response on a loaded machine: look again for up to about 2 s.
  for (let attempt = 0; attempt < 205; attempt++) {
    const lines = target.logLines();
    for (let i = lines.length - 1; i >= 0 && i >= lines.length - 200; i--) {
      if (lines[i]?.includes(markerId)) return i;
    }
    await new Promise((r) => setTimeout(r, attempt < 5 ? 1 : 10));
  }
  return -1;
}

/** "REQUEST-942-APPLICATION-ATTACK-SQLI" from a test file's folder, else the rule id's hundred. */
export function familyOf(file: string): string {
  const m = /(REQUEST|RESPONSE)-\d{3}-[A-Z0-9-]+/.exec(file);
  return m ? m[0] : "other";
}
