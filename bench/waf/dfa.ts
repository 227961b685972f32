/**
 * DFA matcher vs V8 per CRS @rx pattern: CPU time of one RegExp#test with the `fast` regex that
 * compilePcre builds (V8 backtracking, falling back to its linear engine past the backtrack budget,
 * after installRegexSafety) and with compileDfa's lazy DFA, warm, on (a) a 2 KB prose form value,
 * (b) short argument values, (c) a Firefox User-Agent header. Medians of process.cpuUsage samples.
 * Prints the 20 patterns most expensive for V8 on prose plus 932235, totals over every pattern the
 * DFA takes, where the DFA wins, and the DFA's cache memory after warm-up. Needs ../shared/crs.
 *
 *   npx tsx bench/waf/dfa.ts [--samples 5] [--ms 2]
 */
import { compileDfa, type DfaMatcher } from "../../src/waf/operators/dfa/index.js";
import {
  CR_STAND_IN,
  compilePcre,
  installRegexSafety,
  translatePcre,
} from "../../src/waf/operators/regex.js";
import { crsDir, hasCrs } from "../../test/support/shared.js";
import { crsRxPatterns } from "../../test/waf/operators/crs-patterns.js";
import { cpuNowUs, numberArg, prose } from "../support.js";

const SAMPLES = numberArg("samples", 5);
/** CPU time one sample lasts at least, in ms. */
const SAMPLE_MS = numberArg("ms", 2);

if (!hasCrs) {
  console.log(`CRS not found under ${crsDir}: nothing to measure`);
  process.exit(0);
}

const GROUPS: Record<string, readonly string[]> = {
  prose: [prose(2048)],
  short: ["blue mug", "20", "ada@example.com"],
  header: ["Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
};
const GROUP_NAMES = Object.keys(GROUPS);

/** Median CPU µs of one call of `fn` over the group's inputs. */
function measure(test: (s: string) => boolean, inputs: readonly string[]): number {
  let sink = 0;
  for (let k = 0; k < 3; k++) for (const s of inputs) if (test(s)) sink++;
  // Calibrate: calls per sample so that a sample lasts about SAMPLE_MS.
  let reps = 1;
  for (;;) {
    const t = cpuNowUs();
    for (let r = 0; r < reps; r++) for (const s of inputs) if (test(s)) sink++;
    if (cpuNowUs() - t >= SAMPLE_MS * 1000 || reps >= 1 << 20) break;
    reps *= 4;
  }
  const samples: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const t = cpuNowUs();
    for (let r = 0; r < reps; r++) for (const s of inputs) if (test(s)) sink++;
    samples.push((cpuNowUs() - t) / reps);
  }
  samples.sort((a, b) => a - b);
  if (sink < 0) console.log(sink);
  return samples[Math.floor(samples.length / 2)] as number;
}

installRegexSafety();
interface Row {
  id: string;
  v8: number[];
  dfa: number[];
  states: number;
  classes: number;
  bytes: number;
  rowBytes: number;
}
const rows: Row[] = [];
let declined = 0;
const t0 = performance.now();
for (const p of crsRxPatterns()) {
  const fast = compilePcre(p.pattern).fast;
  const dfa: DfaMatcher | undefined = compileDfa(translatePcre(p.pattern).source);
  if (dfa === undefined) {
    declined++;
    continue;
  }
  const v8: number[] = [];
  const d: number[] = [];
  for (const g of GROUP_NAMES) {
    const inputs = (GROUPS[g] as string[]).map((s) => s.replaceAll("\r", CR_STAND_IN));
    v8.push(measure((s) => fast.test(s), inputs));
    d.push(measure((s) => dfa.test(s), inputs));
  }
  const st = dfa.stats();
  rows.push({
    id: p.id,
    v8,
    dfa: d,
    states: st.states,
    classes: st.classes,
    bytes: st.cacheBytes,
    rowBytes: st.states * st.classes * 4,
  });
}
const elapsed = ((performance.now() - t0) / 1000).toFixed(0);

const f = (us: number): string => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));
const header =
  `${"rule".padEnd(8)} ` +
  GROUP_NAMES.map((g) => `${`${g} V8`.padStart(11)} ${`${g} DFA`.padStart(10)}`).join(" ") +
  `  ${"states".padStart(6)} ${"classes".padStart(7)} ${"KB".padStart(6)}`;
const line = (r: Row): string =>
  `${r.id.padEnd(8)} ` +
  GROUP_NAMES.map(
    (_, k) => `${f(r.v8[k] as number).padStart(11)} ${f(r.dfa[k] as number).padStart(10)}`,
  ).join(" ") +
  `  ${String(r.states).padStart(6)} ${String(r.classes).padStart(7)} ${(r.bytes / 1024).toFixed(1).padStart(6)}`;

console.log(
  `CPU µs per test() call (median of ${SAMPLES}), V8 \`fast\` regex vs lazy DFA, warm; ${elapsed} s`,
);
console.log(`${rows.length} patterns compiled to a DFA, ${declined} declined (left to V8)`);
console.log("\n20 patterns most expensive for V8 on the 2 KB prose value, and 932235:");
console.log(header);
const top = [...rows].sort((a, b) => (b.v8[0] as number) - (a.v8[0] as number)).slice(0, 20);
if (!top.some((r) => r.id === "932235")) {
  const r = rows.find((x) => x.id === "932235");
  if (r) top.push(r);
}
for (const r of top) console.log(line(r));

console.log("\nTotals over all DFA-compiled patterns (µs per value, as a value meets every pattern):");
GROUP_NAMES.forEach((g, k) => {
  const v8 = rows.reduce((a, r) => a + (r.v8[k] as number), 0);
  const d = rows.reduce((a, r) => a + (r.dfa[k] as number), 0);
  const best = rows.reduce((a, r) => a + Math.min(r.v8[k] as number, r.dfa[k] as number), 0);
  const wins = rows.filter((r) => (r.dfa[k] as number) < (r.v8[k] as number)).length;
  console.log(
    `  ${g.padEnd(7)} V8 ${f(v8).padStart(8)}  DFA ${f(d).padStart(8)}  best-of-both ${f(best).padStart(8)}  ` +
      `DFA faster on ${wins}/${rows.length} patterns`,
  );
});
const winsAll = rows.filter((r) => r.dfa.every((d, k) => d < (r.v8[k] as number)));
console.log(`\nDFA faster on all three groups: ${winsAll.length} patterns`);
const big = rows.filter((r) => (r.v8[0] as number) > 2 * (r.dfa[0] as number) && (r.v8[0] as number) > 20);
console.log(
  `DFA more than 2× faster on prose and V8 above 20 µs there (${big.length}): ${big.map((r) => r.id).join(" ")}`,
);

const mem = rows.map((r) => r.bytes).sort((a, b) => a - b);
const sum = mem.reduce((a, b) => a + b, 0);
console.log(
  `\nDFA cache after warm-up: total ${(sum / 1024).toFixed(0)} KB over ${rows.length} patterns ` +
    `(rows states × classes × 4: ${(rows.reduce((a, r) => a + r.rowBytes, 0) / 1024).toFixed(0)} KB); ` +
    `median ${((mem[Math.floor(mem.length / 2)] as number) / 1024).toFixed(1)} KB, ` +
    `max ${((mem[mem.length - 1] as number) / 1024).toFixed(1)} KB`,
);
