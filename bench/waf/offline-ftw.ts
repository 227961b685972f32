/**
 * Engine development loop: the CRS regression tests straight through the engine, no sockets
 * (src/waf/ftw/offline.ts). Prints failures and a figure per family.
 *
 *   npx tsx bench/waf/offline-ftw.ts [CRS_DIR] [--include REGEX]
 */
import { resolve } from "node:path";
import { assembleWaf, FTW_TEST_SETTINGS } from "../../src/waf/crs/assemble.js";
import { runFtwOffline } from "../../src/waf/ftw/offline.js";
import { findTestFiles, loadTestFile } from "../../src/waf/ftw/tests.js";
import { loadWaf } from "../../src/waf/index.js";

const args = process.argv.slice(2);
const crsDir = resolve(
  args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--include") ?? "../shared/crs/v4.28.0",
);
const includeAt = args.indexOf("--include");
const include = includeAt >= 0 ? new RegExp(args[includeAt + 1] ?? "") : undefined;

const t0 = performance.now();
const assembly = assembleWaf({
  crsDir,
  mode: "detection-only",
  paranoia: 4,
  modules: {},
  anomalyThreshold: { inbound: 5, outbound: 4 },
  extraSettings: FTW_TEST_SETTINGS,
});
const ruleSet = loadWaf({ sources: assembly.sources });
const t1 = performance.now();
const tests = findTestFiles(resolve(crsDir, "tests")).flatMap(loadTestFile);
const summary = runFtwOffline(tests, ruleSet, include ? { include } : {});
const t2 = performance.now();
const families = new Map<string, [number, number]>();
for (const t of summary.tests) {
  if (t.skipped) continue;
  const f = families.get(t.family) ?? [0, 0];
  f[t.ok ? 0 : 1]++;
  families.set(t.family, f);
}
for (const t of summary.tests.filter((t) => !t.ok))
  console.log(`FAIL ${t.rule_id}-${t.test_id}: ${t.reason}`);
for (const [family, [p, f]] of [...families].sort()) console.log(`${family.padEnd(48)}${p}/${p + f}`);
console.log(`load ${(t1 - t0).toFixed(0)} ms, run ${(t2 - t1).toFixed(0)} ms`);
console.log(`offline: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
