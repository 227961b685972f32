/**
 * ReDoS guard: every CRS @rx pattern against crafted worst-case inputs (long runs of the characters
 * patterns repeat, newline runs for multiline anchors, quote and bracket runs), timed per
 * evaluation. RAMPART_REDOS_LEN sets the input length (default 50 000 bytes).
 */
import { describe, expect, it } from "vitest";
import { compilePcre } from "../../../src/waf/operators/regex.js";
import { matchRegex } from "../../../src/waf/operators/rx.js";
import { hasCrs } from "../../support/shared.js";
import { crsRxPatterns } from "./crs-patterns.js";

const LEN = Number(process.env.RAMPART_REDOS_LEN ?? 50_000);
/** Per evaluation, for a pattern on V8's linear engine (inputs ≥ LINEAR_FROM). */
const BUDGET_MS = 50;
/**
 * Patterns without a linear variant (counted repeats above 16, \z): they run on the backtracking
 * engine whatever the length. Measured worst at 50 KB stays below this; listed in the report.
 */
const BACKTRACKING_BUDGET_MS = 250;

const RUNS = [
  "a",
  "A",
  "0",
  " ",
  "/",
  "\\",
  "'",
  '"',
  "(",
  ")",
  "<",
  ">",
  "=",
  ";",
  ",",
  ".",
  "-",
  "%",
  "&",
  "|",
  "$",
  "{",
  "[",
  "\t",
  "\n",
  "\r\n",
  "*",
  "#",
  ":",
  "`",
  "\xa0",
  "\x00",
  "a ",
  "a=",
  "<a",
  "' ",
  "0,",
  "/*",
  "\r\na",
  "a(",
  "${",
  "or ",
  "../",
  "&#",
  "\\x",
  "%2",
  "'a",
  '"a',
];

function inputsFor(pattern: string): string[] {
  const units = new Set(RUNS);
  // Literal characters of the pattern, which its loops are likely to repeat.
  for (const c of pattern.replace(/\\[a-zA-Z]|\\x\{?[0-9a-fA-F]+\}?/g, ""))
    if (c > " " && c <= "~") units.add(c);
  return [...units].map((u) => u.repeat(Math.ceil(LEN / u.length)).slice(0, LEN));
}

describe.skipIf(!hasCrs)("CRS @rx patterns on worst-case inputs", () => {
  it(`stay within budget at ${LEN} bytes`, { timeout: 900_000 }, () => {
    const rows: Array<{ id: string; ms: number; input: string; linear: boolean }> = [];
    for (const p of crsRxPatterns()) {
      const re = compilePcre(p.pattern);
      matchRegex(re, "warm-up", undefined);
      let worst = 0;
      let worstInput = "";
      for (const input of inputsFor(p.pattern)) {
        const t = performance.now();
        matchRegex(re, input, undefined);
        const ms = performance.now() - t;
        if (ms > worst) {
          worst = ms;
          worstInput = input.slice(0, 4);
        }
      }
      rows.push({ id: p.id, ms: worst, input: worstInput, linear: re.linear !== undefined });
    }
    rows.sort((a, b) => b.ms - a.ms);
    console.log(
      `slowest CRS @rx evaluations at ${LEN} bytes:\n${rows
        .slice(0, 15)
        .map(
          (r) =>
            `  ${r.id.padEnd(14)} ${r.ms.toFixed(1).padStart(7)} ms  ${JSON.stringify(r.input)}×  ${r.linear ? "linear" : "backtracking"}`,
        )
        .join("\n")}`,
    );
    const over = rows.filter((r) => r.ms > (r.linear ? BUDGET_MS : BACKTRACKING_BUDGET_MS));
    expect(over.map((r) => `${r.id} ${r.ms.toFixed(0)} ms on ${JSON.stringify(r.input)}…`)).toEqual([]);
  });
});
