/**
 * Judges one go-ftw stage as go-ftw does (runner/run.go checkResult, check/*.go): an expected
 * error decides alone; otherwise status, response_contains, then the log: match_regex,
 * expect_ids, isolated, no_match_regex, no_expect_ids, over the log lines between the stage's
 * start and end markers.
 */
import type { RawResponse } from "./client.js";
import type { FtwOutput } from "./tests.js";

const ID_RE = /\[id \\?"(\d+)\\?"\]|"id":\s*"?(\d+)"?/g;

export function triggeredRuleIds(lines: readonly string[]): Set<number> {
  const ids = new Set<number>();
  for (const line of lines) for (const m of line.matchAll(ID_RE)) ids.add(Number(m[1] ?? m[2]));
  return ids;
}

export interface StageVerdict {
  readonly ok: boolean;
  readonly reason: string;
}

export function judgeStage(
  expected: FtwOutput,
  response: RawResponse | undefined,
  error: Error | undefined,
  lines: readonly string[],
): StageVerdict {
  if (expected.expectError !== undefined) {
    const ok = expected.expectError ? error !== undefined : error === undefined;
    return {
      ok,
      reason: ok
        ? ""
        : expected.expectError
          ? "expected an error, got a response"
          : `unexpected error: ${error?.message}`,
    };
  }
  if (error || !response) return { ok: false, reason: `request failed: ${error?.message ?? "no response"}` };
  if (expected.status !== undefined) {
    const allowed = Array.isArray(expected.status) ? expected.status : [expected.status];
    if (!allowed.includes(response.status))
      return { ok: false, reason: `status ${response.status}, expected ${allowed.join(" or ")}` };
  }
  if (expected.responseContains !== undefined && !new RegExp(expected.responseContains).test(response.raw)) {
    return { ok: false, reason: `response does not match ${JSON.stringify(expected.responseContains)}` };
  }
  const log = expected.log;
  if (log.matchRegex !== undefined) {
    const re = new RegExp(log.matchRegex);
    if (!lines.some((l) => re.test(l)))
      return { ok: false, reason: `no log line matches ${JSON.stringify(log.matchRegex)}` };
  }
  const ids = triggeredRuleIds(lines);
  const missing = log.expectIds.filter((id) => !ids.has(id));
  if (missing.length > 0)
    return {
      ok: false,
      reason: `expected ids not logged: ${missing.join(", ")} (logged: ${[...ids].sort().join(", ") || "none"})`,
    };
  if (expected.isolated && ids.size !== 1)
    return { ok: false, reason: `isolated test logged ${ids.size} rules` };
  if (log.noMatchRegex !== undefined) {
    const re = new RegExp(log.noMatchRegex);
    if (lines.some((l) => re.test(l)))
      return { ok: false, reason: `a log line matches ${JSON.stringify(log.noMatchRegex)}` };
  }
  const unexpected = log.noExpectIds.filter((id) => ids.has(id));
  if (unexpected.length > 0) return { ok: false, reason: `unexpected ids logged: ${unexpected.join(", ")}` };
  return { ok: true, reason: "" };
}
