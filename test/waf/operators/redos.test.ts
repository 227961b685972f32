/**
 * ReDoS guard: every CRS @rx pattern against crafted worst-case inputs (long runs of the characters
 * patterns repeat, newline runs for multiline anchors, quote and bracket runs), timed per
 * evaluation.
 *
 * By default the inputs are 2 KB and each evaluation must stay under 50 ms of CPU time. RAMPART_REDOS_LEN=50000
 * runs 50 KB inputs (several minutes): there the budget grows linearly with the length, which V8's
 * fallback to its linear engine gives, except for the patterns it cannot take (reported only,
 * with their measured times).
 */
import { describe, expect, it } from "vitest";
import { compilePcre } from "../../../src/waf/operators/regex.js";
import { matchRegex } from "../../../src/waf/operators/rx.js";
import { bestCpuTimeMs } from "../../support/cpu-time.js";
import { hasCrs } from "../../support/shared.js";
import { CRAFTED_RUNS, crsRxPatterns } from "./crs-patterns.js";

const LEN = Number(process.env.RAMPART_REDOS_LEN ?? 2048);
/**
 * 50 ms of CPU per evaluation up to 2 KB (measured worst before this run switched to CPU time:
 * 23-45 ms of wall time on a loaded machine). Beyond, V8's
 * linear engine is the bound, an NFA simulation costing up to ~50 ms per KB on the largest CRS
 * patterns (932xxx): measured at 50 KB (wall time, loaded machine), 932125 2.4 s on "&"×, 932260
 * 1.7 s on "$"×. Patterns V8 cannot fall back on (no linear variant: counted repeats above 16, \z)
 * are reported, not budgeted, past 2 KB; the engine shows them at most NONLINEAR_INPUT_CAP bytes.
 */
const BUDGET_MS = LEN <= 2048 ? 50 : 50 * (LEN / 1024);
const LONG = 4096;

function inputsFor(pattern: string): string[] {
  const units = new Set(CRAFTED_RUNS);
  // Literal characters of the pattern, which its loops are likely to repeat.
  for (const c of pattern.replace(/\\[a-zA-Z]|\\x\{?[0-9a-fA-F]+\}?/g, ""))
    if (c > " " && c <= "~") units.add(c);
  return [...units].map((u) => u.repeat(Math.ceil(LEN / u.length)).slice(0, LEN));
}

describe.skipIf(!hasCrs)("CRS @rx patterns on worst-case inputs", () => {
  it(`stay within ${BUDGET_MS.toFixed(0)} ms per evaluation at ${LEN} bytes`, { timeout: 900_000 }, () => {
    const rows: Array<{ id: string; ms: number; input: string; linear: boolean }> = [];
    for (const p of crsRxPatterns()) {
      const re = compilePcre(p.pattern);
      // V8 interprets a regex's first run and compiles per string width (one-byte, and two-byte for
      // inputs that held a \r): warm both widths on both engines so figures are steady-state.
      for (const w of ["warm-up", "warm\r\n", "w".repeat(LONG), `${"w".repeat(LONG)}\r`]) {
        matchRegex(re, w, undefined);
        matchRegex(re, w, undefined);
      }
      let worst = 0;
      let worstInput = "";
      for (const input of inputsFor(p.pattern)) {
        // Best of two: the first fallback of a pattern to V8's linear engine compiles that engine's
        // code once per process (up to ~200 ms for the largest CRS patterns); the budget is per
        // evaluation in steady state.
        // CPU time, not wall time: other processes on the machine (or vitest's other workers)
        // stretch wall time several-fold without adding any work here.
        const ms = bestCpuTimeMs(() => matchRegex(re, input, undefined), 2);
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
    const over = rows.filter((r) => r.ms > BUDGET_MS && (LEN <= 2048 || r.linear));
    expect(over.map((r) => `${r.id} ${r.ms.toFixed(0)} ms on ${JSON.stringify(r.input)}…`)).toEqual([]);
  });
});
