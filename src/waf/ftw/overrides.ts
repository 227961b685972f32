/**
 * Test overrides in go-ftw's format: each names a rule id, optionally test ids, a reason (required:
 * an override without one hides a difference nobody can review), and either `ignore: true` (the
 * test is skipped) or an `output` that replaces the expected output's fields.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { FtwError, type FtwOutput, type FtwTest } from "./tests.js";

export interface FtwOverride {
  readonly ruleId: number;
  readonly testIds: readonly number[] | undefined;
  readonly reason: string;
  readonly ignore: boolean;
  readonly output: Partial<Omit<FtwOutput, "log">> & { log?: Partial<FtwOutput["log"]> };
}

export function loadOverrides(file: string): FtwOverride[] {
  const doc = parse(readFileSync(file, "utf8")) as { test_overrides?: unknown } | null;
  const list = doc?.test_overrides;
  if (!Array.isArray(list))
    throw new FtwError("FTW_OVERRIDES_INVALID", `${file}: expected a test_overrides list`);
  return list.map((raw: Record<string, unknown>, i) => {
    const where = `${file} test_overrides[${i}]`;
    if (typeof raw.reason !== "string" || raw.reason.trim() === "") {
      throw new FtwError("FTW_OVERRIDES_INVALID", `${where}: every override needs a reason`);
    }
    const out = (raw.output ?? {}) as Record<string, unknown>;
    const log = out.log as Record<string, unknown> | undefined;
    return {
      ruleId: Number(raw.rule_id),
      testIds: Array.isArray(raw.test_ids) ? raw.test_ids.map(Number) : undefined,
      reason: raw.reason,
      ignore: raw.ignore === true,
      output: {
        ...(out.status !== undefined ? { status: out.status as number } : {}),
        ...(out.expect_error !== undefined ? { expectError: out.expect_error === true } : {}),
        ...(log
          ? {
              log: {
                ...(log.expect_ids ? { expectIds: (log.expect_ids as unknown[]).map(Number) } : {}),
                ...(log.no_expect_ids ? { noExpectIds: (log.no_expect_ids as unknown[]).map(Number) } : {}),
                ...(typeof log.match_regex === "string" ? { matchRegex: log.match_regex } : {}),
                ...(typeof log.no_match_regex === "string" ? { noMatchRegex: log.no_match_regex } : {}),
              },
            }
          : {}),
      },
    };
  });
}

export function findOverride(overrides: readonly FtwOverride[], test: FtwTest): FtwOverride | undefined {
  return overrides.find(
    (o) => o.ruleId === test.ruleId && (o.testIds === undefined || o.testIds.includes(test.testId)),
  );
}

/** As go-ftw does, an override's output replaces the stage's expected output as a whole. */
export function applyOverride(override: FtwOverride): FtwOutput {
  const { log, ...rest } = override.output;
  return { ...rest, log: { expectIds: [], noExpectIds: [], ...(log ?? {}) } };
}
