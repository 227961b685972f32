/**
 * Reference conformance figure: runs the CRS regression tests against nginx + ModSecurity v3 with
 * the same CRS and the same test settings that `rampart waf ftw` uses, through the same runner.
 *
 *   npm run build && npx tsx bench/waf/reference-ftw.ts [CRS_DIR] [--include REGEX]
 */
import { createServer } from "node:net";
import { resolve } from "node:path";
import { FTW_TEST_SETTINGS } from "../../src/waf/crs/assemble.js";
import { startAlbedo } from "../../src/waf/ftw/albedo.js";
import { FileLogLines } from "../../src/waf/ftw/file-log.js";
import { runFtw } from "../../src/waf/ftw/runner.js";
import { findTestFiles, loadTestFile } from "../../src/waf/ftw/tests.js";
import { ensureNginxModsecurity, startNginxModsecurity } from "./nginx-modsecurity.js";

const args = process.argv.slice(2);
const crsDir = resolve(
  args.find((a, i) => !a.startsWith("--") && args[i - 1] !== "--include") ?? "../shared/crs/v4.28.0",
);
const includeAt = args.indexOf("--include");
const include = includeAt >= 0 ? new RegExp(args[includeAt + 1] ?? "") : undefined;

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

if (!ensureNginxModsecurity()) {
  console.error(
    "nginx with the ModSecurity module is not installed (apt-get install nginx libnginx-mod-http-modsecurity)",
  );
  process.exit(2);
}
const albedo = await startAlbedo();
const port = await freePort();
const nginx = startNginxModsecurity({
  crsDir,
  paranoia: 4,
  port,
  upstreamPort: albedo.port,
  detectionOnly: true,
  extraSettings: FTW_TEST_SETTINGS.replace(/^SecResponseBodyMimeType.*$/m, ""),
});
await new Promise((r) => setTimeout(r, 2500));
const log = new FileLogLines(nginx.errorLog);
const tests = findTestFiles(resolve(crsDir, "tests")).flatMap(loadTestFile);
const summary = await runFtw(
  tests,
  { host: "127.0.0.1", port, logLines: () => log.read() },
  include ? { include } : {},
);
const families = new Map<string, [number, number]>();
for (const t of summary.tests) {
  if (t.skipped) continue;
  const f = families.get(t.family) ?? [0, 0];
  f[t.ok ? 0 : 1]++;
  families.set(t.family, f);
}
for (const [family, [p, f]] of [...families].sort()) console.log(`${family.padEnd(48)}${p}/${p + f}`);
for (const t of summary.tests.filter((t) => !t.ok))
  console.log(`FAIL ${t.rule_id}-${t.test_id}: ${t.reason}`);
console.log(
  `nginx + ModSecurity v3: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`,
);
nginx.stop();
await albedo.close();
process.exit(0);
