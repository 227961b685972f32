/**
 * Detector benchmark: CPU ns per call of detectSqli and detectXss (src/waf/detect/) per input
 * group: short benign argument values and names, a Firefox User-Agent, 200 bytes of prose, and a
 * few SQLi / XSS payloads. CPU time from process.cpuUsage, the median of --runs runs.
 *
 *   npx tsx bench/waf/detect.ts [--ms 200] [--runs 7] [--from <dir holding index.ts>]
 *
 * --from measures another copy of the detectors (e.g. a git worktree of an older commit), so
 * before / after can run side by side in one session.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { argValue, cpuNowUs, numberArg } from "../support.js";

const budgetMs = numberArg("ms", 200);
const runs = numberArg("runs", 7);
const from = argValue("from") ?? "";

interface Detectors {
  detectSqli(input: string): { match: boolean; fingerprint: string };
  detectXss(input: string): boolean;
}
const mod: Detectors =
  from === ""
    ? await import("../../src/waf/detect/index.js")
    : await import(pathToFileURL(resolve(from, "index.ts")).href);

const GROUPS: Record<string, readonly string[]> = {
  "short args": [
    "blue mug",
    "kitchen",
    "20",
    "price",
    "per_page",
    "in_stock",
    "ada@example.com",
    "7f3c2a9e41b84d0c",
    "Rampart mug 3",
    "MUG-0003",
  ],
  "user-agent": ["Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
  "prose 200B": [
    "Our stoneware mugs are fired twice, glazed by hand and safe in the dishwasher; each one holds " +
      "about 350 ml. If yours arrives chipped, write to us within 30 days and we'll send another.",
  ],
  payloads: [
    "1' OR '1'='1",
    "1 UNION SELECT password FROM users--",
    "admin'--",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
  ],
};

let sink = 0;

/** CPU ns per call of fn over the inputs (one call = one input), median of `runs` runs. */
function measure(inputs: readonly string[], fn: (s: string) => void): number {
  for (let i = 0; i < 2000; i++) for (const s of inputs) fn(s);
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    let calls = 0;
    const wallEnd = performance.now() + budgetMs;
    const start = cpuNowUs();
    while (performance.now() < wallEnd) {
      for (let i = 0; i < 200; i++) for (const s of inputs) fn(s);
      calls += 200 * inputs.length;
    }
    samples.push(((cpuNowUs() - start) * 1000) / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

const sqli = (s: string): void => {
  if (mod.detectSqli(s).match) sink++;
};
const xss = (s: string): void => {
  if (mod.detectXss(s)) sink++;
};

console.log(
  `detectors from ${from === "" ? "src/waf/detect" : from}; ${runs} runs of ${budgetMs} ms, median`,
);
console.log(`${"group".padEnd(12)} ${"detectSqli ns".padStart(14)} ${"detectXss ns".padStart(13)}`);
for (const [name, inputs] of Object.entries(GROUPS)) {
  const s = measure(inputs, sqli);
  const x = measure(inputs, xss);
  console.log(`${name.padEnd(12)} ${s.toFixed(0).padStart(14)} ${x.toFixed(0).padStart(13)}`);
}
if (sink < 0) console.log(sink);
