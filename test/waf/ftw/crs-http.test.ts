/**
 * The conformance acceptance: `rampart waf ftw` (the real CLI, built in dist/) runs CRS v4.28.0's
 * regression tests over real HTTP through a gateway with the CRS, with Rampart's overrides file,
 * and every test passes. The same run without overrides shows how many differences remain.
 */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { crsDir, hasCrs, repoRoot } from "../../support/shared.js";

const run = promisify(execFile);

interface FtwJson {
  passed: number;
  failed: number;
  skipped: number;
  tests: { rule_id: number; test_id: number; ok: boolean; reason: string }[];
}

async function ftw(extra: string[]): Promise<FtwJson> {
  const args = [
    resolve(repoRoot, "bin/rampart.js"),
    "waf",
    "ftw",
    "--rules",
    crsDir,
    "--tests",
    resolve(crsDir, "tests"),
    "--json",
    // Generous: a loaded machine must not turn a slow answer into a failed test.
    "--timeout",
    "30000",
    ...extra,
  ];
  // Exit code 1 means "some tests failed": the JSON is still printed.
  const out = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 }).catch(
    (err: { stdout?: string; code?: number }) => {
      if (err.code === 1 && err.stdout) return { stdout: err.stdout };
      throw err;
    },
  );
  return JSON.parse(out.stdout) as FtwJson;
}

describe.skipIf(!hasCrs)("rampart waf ftw over CRS v4.28.0", () => {
  it("passes every test with the overrides file", async () => {
    const result = await ftw(["--overrides", resolve(repoRoot, "conformance/crs-overrides.yaml")]);
    console.log(
      `[ftw] with overrides: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`,
    );
    expect(result.tests.filter((t) => !t.ok)).toEqual([]);
    expect(result.passed).toBeGreaterThan(3800);
  }, 300_000);
});
