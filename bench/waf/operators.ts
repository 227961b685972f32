/**
 * Operator benchmark: ns per evaluation of every CRS @rx pattern over a typical 50-byte argument
 * (summed over the 318 patterns, as a request argument meets them all), one pass with `test` and
 * one with captures (exec); and @pmFromFile with CRS data files. Needs ../shared/crs.
 *
 *   npx tsx bench/waf/operators.ts [--ms 300]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileMacro } from "../../src/waf/macro.js";
import { type CompiledRegex, compilePcre, getOperator } from "../../src/waf/operators/index.js";
import { matchRegex } from "../../src/waf/operators/rx.js";
import type { OperatorContext } from "../../src/waf/types.js";
import { crsDir, hasCrs } from "../../test/support/shared.js";
import { crsRxPatterns } from "../../test/waf/operators/crs-patterns.js";

const args = process.argv.slice(2);
const msIdx = args.indexOf("--ms");
const budgetMs = msIdx >= 0 ? Number(args[msIdx + 1]) : 300;

if (!hasCrs) {
  console.log(`CRS not found under ${crsDir}: nothing to measure`);
  process.exit(0);
}

const INPUTS: Record<string, string> = {
  clean: "product_id=12345&color=midnight-blue&size=large&q=2",
  attack: "1' UNION SELECT password FROM users-- <script>x</script>",
};

/** Runs `fn` repeatedly for the budget; returns ns per call. */
function measure(fn: () => void): number {
  for (let i = 0; i < 20; i++) fn();
  let calls = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(budgetMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 10; i++) fn();
    calls += 10;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / calls;
}

const t0 = performance.now();
const patterns: CompiledRegex[] = crsRxPatterns().map((p) => compilePcre(p.pattern));
const compileMs = performance.now() - t0;
console.log(`compiled ${patterns.length} CRS @rx patterns in ${compileMs.toFixed(0)} ms`);

const caps: string[] = [];
for (const [name, input] of Object.entries(INPUTS)) {
  let sink = 0;
  const testNs = measure(() => {
    for (const re of patterns) if (matchRegex(re, input, undefined)) sink++;
  });
  const execNs = measure(() => {
    for (const re of patterns) if (matchRegex(re, input, caps)) sink++;
  });
  console.log(
    `@rx all CRS, ${name.padEnd(6)} ${String(input.length).padStart(3)} B: ` +
      `${(testNs / 1000).toFixed(1)} µs/arg (test), ${(execNs / 1000).toFixed(1)} µs/arg (exec, capture); ` +
      `${(testNs / patterns.length).toFixed(0)} ns/pattern  [${sink > 0 ? "matched" : "no match"}]`,
  );
}

const ctx: OperatorContext = { macros: { resolve: () => undefined }, captures: undefined };
for (const file of ["lfi-os-files.data", "php-errors.data", "unix-shell.data"]) {
  const factory = getOperator("pmFromFile");
  if (!factory) throw new Error("pmFromFile not registered");
  const t1 = performance.now();
  const op = factory({
    param: compileMacro(file),
    readDataFile: (p) => readFileSync(join(crsDir, "rules", p), "latin1"),
    loc: { file: "bench", line: 1 },
  });
  const buildMs = performance.now() - t1;
  for (const [name, input] of Object.entries(INPUTS)) {
    const ns = measure(() => op.evaluate(input, ctx));
    console.log(
      `@pmFromFile ${file.padEnd(18)} ${name.padEnd(6)}: ${ns.toFixed(0)} ns/eval (built in ${buildMs.toFixed(1)} ms)`,
    );
  }
}
