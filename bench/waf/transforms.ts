/**
 * Transformation benchmark: ns per call of the transformations CRS runs most, on a typical
 * 200-byte argument (clean, and URL/HTML/JS-encoded attack-like) and on a 2 KB one. Each result
 * is read once in its middle, which flattens V8's concatenation ropes as the regex after the
 * transformation would, so the figure includes that cost.
 *
 *   npx tsx bench/waf/transforms.ts [--ms 250]
 */
import { getTransform } from "../../src/waf/transforms/index.js";

const args = process.argv.slice(2);
const msIdx = args.indexOf("--ms");
const budgetMs = msIdx >= 0 ? Number(args[msIdx + 1]) : 250;

const NAMES = [
  "urlDecodeUni",
  "urlDecode",
  "lowercase",
  "htmlEntityDecode",
  "jsDecode",
  "cssDecode",
  "utf8toUnicode",
  "removeNulls",
  "cmdLine",
  "compressWhitespace",
  "removeWhitespace",
  "replaceComments",
  "removeCommentsChar",
  "normalizePath",
  "normalizePathWin",
  "escapeSeqDecode",
  "length",
  "hexEncode",
  "sha1",
  "base64Decode",
];

/** A flat string of `size` bytes, as Buffer#toString("latin1") gives for a real request argument. */
function sized(seed: string, size: number): string {
  const s = seed.repeat(Math.ceil(size / seed.length)).slice(0, size);
  return Buffer.from(s, "latin1").toString("latin1");
}

// A clean form value (most real traffic) and an encoded one with a bit of everything.
const CLEAN_SEED = "john.doe-2024 shipping address 42 rue de la paix paris france order notes please ring ";
const ENCODED_SEED =
  "q=%3Cscript%3Ealert(1)%3C%2Fscript%3E+&#x3c;img src=x&#62; \\x41\\u0042 /*c*/ ../..//etc/Passwd %uff1c\xc3\xa9 ";

const INPUTS: Array<[string, string]> = [
  ["clean 200 B", sized(CLEAN_SEED, 200)],
  ["encoded 200 B", sized(ENCODED_SEED, 200)],
  ["encoded 2 KB", sized(ENCODED_SEED, 2048)],
];

let sink = 0;

function run(fn: (s: string) => string, input: string, ms: number): number {
  let calls = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(ms * 1_000_000));
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 200; k++) {
      const out = fn(input);
      sink += out.charCodeAt(out.length >> 1) | 0;
    }
    calls += 200;
    now = process.hrtime.bigint();
  }
  return Number(now - start) / calls;
}

const ROUNDS = 5;
const cells = NAMES.map((name) => {
  const fn = getTransform(name);
  if (!fn) throw new Error(`transformation ${name} is not registered`);
  return INPUTS.map(([, input]) => {
    run(fn, input, 20); // warm up so the figures are for optimised code
    return { fn, input, samples: [] as number[] };
  });
});
// Rounds are interleaved over all cells and the median kept: the machine is shared and noisy.
for (let r = 0; r < ROUNDS; r++) {
  for (const row of cells)
    for (const cell of row) cell.samples.push(run(cell.fn, cell.input, budgetMs / ROUNDS));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? Number.NaN;

console.log(
  `ns per call, median of ${ROUNDS} interleaved rounds (node ${process.version}, ${budgetMs} ms per cell)`,
);
console.log(["transform".padEnd(20), ...INPUTS.map(([label]) => label.padStart(15))].join(""));
NAMES.forEach((name, k) => {
  const row = cells[k] ?? [];
  console.log([name.padEnd(20), ...row.map((c) => median(c.samples).toFixed(0).padStart(15))].join(""));
});
if (sink === -1) console.log(sink);
