/**
 * @pm / @pmFromFile benchmark: CPU ns per evaluation of every CRS phrase rule (its operator built as
 * the engine builds it, data files from the CRS rules folder) on benign values: short arguments
 * ("blue mug", "price", "in_stock", "ada@example.com", ns per value), a Firefox User-Agent, 200 bytes
 * and 2 KB of prose. Medians of process.cpuUsage samples; per rule and totals. Needs ../shared/crs.
 *
 * With `--ref DIR` (another checkout, e.g. a git worktree of an older commit with node_modules
 * linked) each rule is measured with that checkout's operators too, interleaved in the same
 * process, and the table shows both: an A/B in one session.
 *
 *   npx tsx bench/waf/pm.ts [--samples 7] [--ms 3] [--ref DIR]
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Operator, OperatorContext, OperatorInit } from "../../src/waf/types.js";
import { crsDir, hasCrs, repoRoot } from "../../test/support/shared.js";
import { type CrsOperatorUse, crsOperatorUses } from "../../test/waf/operators/crs-patterns.js";
import { argValue, cpuNowUs, numberArg, prose } from "../support.js";

const SAMPLES = numberArg("samples", 7);
/** CPU time one sample lasts at least, in ms. */
const SAMPLE_MS = numberArg("ms", 3);
const REF = argValue("ref");

if (!hasCrs) {
  console.log(`CRS not found under ${crsDir}: nothing to measure`);
  process.exit(0);
}

const GROUPS: Record<string, readonly string[]> = {
  short: ["blue mug", "price", "in_stock", "ada@example.com"],
  ua: ["Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
  prose200: [prose(200)],
  prose2k: [prose(2048)],
};
const GROUP_NAMES = Object.keys(GROUPS);

type PmRule = CrsOperatorUse;

/** Every @pm / @pmFromFile / @pmf of the CRS rule files, with its rule id (a chain's head id). */
const crsPmRules = (): PmRule[] =>
  crsOperatorUses().filter((u) => u.name === "pm" || u.name === "pmFromFile" || u.name === "pmf");

interface Impl {
  readonly label: string;
  build(rule: PmRule): Operator;
}

async function loadImpl(root: string, label: string): Promise<Impl> {
  const url = (p: string) => pathToFileURL(join(root, p)).href;
  const ops = (await import(url("src/waf/operators/index.ts"))) as {
    requireOperator(name: string): (init: OperatorInit) => Operator;
  };
  const macro = (await import(url("src/waf/macro.ts"))) as {
    compileMacro(text: string): OperatorInit["param"];
  };
  return {
    label,
    build: (rule) =>
      ops.requireOperator(rule.name)({
        param: macro.compileMacro(rule.param),
        readDataFile: (f: string) => readFileSync(join(crsDir, "rules", f), "latin1"),
        loc: { file: `crs:${rule.id}`, line: 0 },
      }),
  };
}

const ctx: OperatorContext = {
  macros: { resolve: () => undefined },
  captures: undefined,
};

/** Median CPU ns of one evaluation over the group's inputs (per value). */
function measure(op: Operator, inputs: readonly string[]): number {
  let sink = 0;
  for (let k = 0; k < 50; k++) for (const s of inputs) if (op.evaluate(s, ctx)) sink++;
  let reps = 1;
  for (;;) {
    const t = cpuNowUs();
    for (let r = 0; r < reps; r++) for (const s of inputs) if (op.evaluate(s, ctx)) sink++;
    if (cpuNowUs() - t >= SAMPLE_MS * 1000 || reps >= 1 << 22) break;
    reps *= 4;
  }
  const samples: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const t = cpuNowUs();
    for (let r = 0; r < reps; r++) for (const s of inputs) if (op.evaluate(s, ctx)) sink++;
    samples.push(((cpuNowUs() - t) * 1000) / reps / inputs.length);
  }
  samples.sort((a, b) => a - b);
  if (sink < 0) console.log(sink);
  return samples[Math.floor(samples.length / 2)] as number;
}

const impls: Impl[] = [];
if (REF !== undefined) impls.push(await loadImpl(resolve(REF), "ref"));
impls.push(await loadImpl(repoRoot, REF === undefined ? "ns" : "new"));

const rules = crsPmRules();
const totals = impls.map(() => GROUP_NAMES.map(() => 0));
const f = (ns: number): string => (ns >= 100 ? ns.toFixed(0) : ns.toFixed(1));
const cols = GROUP_NAMES.flatMap((g) => impls.map((im) => `${g} ${im.label}`));
console.log(`${"rule".padEnd(8)} ${"operator".padEnd(34)} ${cols.map((c) => c.padStart(13)).join(" ")}`);
for (const rule of rules) {
  const ops = impls.map((im) => im.build(rule));
  const cells: string[] = [];
  GROUP_NAMES.forEach((g, gi) => {
    const inputs = GROUPS[g] as readonly string[];
    // Interleave the implementations: A, B, A, B, keeping the lower median of each.
    const best = ops.map(() => Number.POSITIVE_INFINITY);
    for (let round = 0; round < 2; round++)
      ops.forEach((op, k) => {
        best[k] = Math.min(best[k] as number, measure(op, inputs));
      });
    best.forEach((ns, k) => {
      const row = totals[k] as number[];
      row[gi] = (row[gi] as number) + ns;
      cells.push(f(ns).padStart(13));
    });
  });
  const opText = `@${rule.name} ${rule.param}`.slice(0, 34);
  console.log(`${rule.id.padEnd(8)} ${opText.padEnd(34)} ${cells.join(" ")}`);
}
const totalCells = GROUP_NAMES.flatMap((_g, gi) =>
  impls.map((_im, k) => f((totals[k] as number[])[gi] as number).padStart(13)),
);
console.log(
  `${"total".padEnd(8)} ${`${rules.length} rules, ns per value`.padEnd(34)} ${totalCells.join(" ")}`,
);
