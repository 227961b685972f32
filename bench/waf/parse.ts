/**
 * SecLang parser benchmark: reading and parsing every CRS rule file, cold (first parse in the
 * process) and warm (median of several runs). A figure, not a test: timings belong here, where a
 * loaded machine shows as a slower figure rather than a failed suite.
 *
 *   npx tsx bench/waf/parse.ts [--runs 9] [--crs DIR]
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { nodeHost, parseSecLang } from "../../src/waf/seclang/index.js";
import { crsDir as sharedCrs } from "../../test/support/shared.js";
import { argValue, median, numberArg } from "../support.js";

const runs = numberArg("runs", 9);
const crs = resolve(argValue("crs") ?? sharedCrs);
const rulesDir = join(crs, "rules");
const files = readdirSync(rulesDir)
  .filter((f) => f.endsWith(".conf"))
  .map((f) => join(rulesDir, f));

const parseAll = (): number => {
  const t = performance.now();
  let statements = 0;
  for (const f of files) statements += parseSecLang(nodeHost.readFile(f), f).length;
  if (statements === 0) throw new Error(`no statements parsed from ${rulesDir}`);
  return performance.now() - t;
};

const coldMs = parseAll();
const warm: number[] = [];
for (let i = 0; i < runs; i++) warm.push(parseAll());
console.log(
  `SecLang parse of ${files.length} CRS files (read + parse): cold ${coldMs.toFixed(1)} ms, warm median ${median(warm).toFixed(1)} ms of ${runs} (node ${process.version})`,
);
