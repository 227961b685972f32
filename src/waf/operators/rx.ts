/**
 * @rx: PCRE-compatible regular expression match (ModSecurity v3 src/operators/rx.cc). The pattern is
 * translated and compiled once at load (regex.ts); a pattern with macros is compiled per distinct
 * expansion (v3 compiles per evaluation; we keep the last one). With `capture`, TX.0 is the whole
 * match and TX.1–TX.9 the groups, as v3 stores them.
 */
import type { ByteString, Operator, OperatorContext, OperatorInit } from "../types.js";
import { DerivedParam, paramError } from "./param.js";
import { type CompiledRegex, CR_STAND_IN, compilePcre } from "./regex.js";
import { registerOperator } from "./registry.js";

// The engine evaluates many patterns on one transformed value: keep its \r-substituted copy.
let lastRaw = "";
let lastSafe = "";

/** `input` with \r replaced by CR_STAND_IN, as translated patterns expect (regex.ts). */
function crSafe(input: ByteString): string {
  if (input.indexOf("\r") === -1) return input;
  if (input !== lastRaw) {
    lastRaw = input;
    lastSafe = input.replaceAll("\r", CR_STAND_IN);
  }
  return lastSafe;
}

const unCr = (s: string): string => (s.indexOf(CR_STAND_IN) === -1 ? s : s.replaceAll(CR_STAND_IN, "\r"));

/** Runs a compiled pattern on one input; fills `captures` (TX.0–TX.9) when given. */
export function matchRegex(
  re: CompiledRegex,
  input: ByteString,
  captures: ByteString[] | undefined,
): boolean {
  const subject = crSafe(input);
  // Whether it matches: the DFA where the pattern has one (linear, one table read per char);
  // else V8, which itself reruns a runaway match on its linear engine (regex.ts). Captures
  // come from V8, run only once the DFA has said there is a match.
  const dfa = re.dfa;
  if (dfa !== undefined) {
    if (!dfa.test(subject)) return false;
    if (captures === undefined) return true;
  }
  const r = re.fast;
  if (captures === undefined) return r.test(subject);
  const m = r.exec(subject);
  if (m === null) return false;
  const swapped = subject !== input;
  captures[0] = swapped ? unCr(m[0]) : m[0];
  const map = re.groupMap;
  let last = 0;
  const top = Math.min(map.length - 1, 9);
  for (let g = 1; g <= top; g++) {
    const v = m[map[g] as number];
    captures[g] = v === undefined ? "" : swapped ? unCr(v) : v;
    if (v !== undefined) last = g;
  }
  // Groups after the last one that took part stay unset, as v3 stores only the first rc groups.
  captures.length = last + 1;
  return true;
}

/**
 * Since the DFA (dfa/) answers whether a pattern matches, this cap applies only where V8 runs on a
 * request value: captures after a DFA match, and the one CRS pattern the DFA declines (942200).
 * Longest input a pattern without a linear variant (lookarounds, back-references, counted repeats
 * above 16: 23 CRS patterns) is run on. V8 cannot fall back for those, so their worst case grows
 * with the square of the input: measured in CPU time on crafted runs, 942200 takes 3.7 ms at 2 KB
 * and 58 ms at 8 KB (2.9 s at 50 KB), 942480 23 ms at 8 KB; the other 21 stay under 6 ms at 8 KB.
 * Past the cap the pattern sees the first 8 KB and the transaction is flagged (TX:MSC_PCRE_LIMITS_EXCEEDED,
 * as ModSecurity v2 flags a PCRE match limit): never a silent pass. Request data only: the
 * transaction lifts the cap for response phases (OperatorContext.nonlinearInputCap), where the
 * affected CRS patterns (951xxx, 954xxx leak checks) measured under 1 ms on 8 KB crafted runs and
 * every HTML page over 8 KB would otherwise be cut and flagged.
 */
export const NONLINEAR_INPUT_CAP = 8192;

/** `input`, or its first NONLINEAR_INPUT_CAP bytes (reported to the transaction) for such a pattern. */
function capped(re: CompiledRegex, input: ByteString, ctx: OperatorContext): ByteString {
  const cap = ctx.nonlinearInputCap ?? NONLINEAR_INPUT_CAP;
  if (input.length <= cap || re.linear !== undefined) return input;
  // The DFA is linear whatever the pattern; only a run of V8 for captures needs the cap.
  if (re.dfa !== undefined && ctx.captures === undefined) return input;
  ctx.partialMatch?.(`a pattern without a linear-time fallback examined ${cap} of ${input.length} bytes`);
  return input.slice(0, cap);
}

function compileFor(init: OperatorInit, name: string) {
  return (text: string): CompiledRegex => {
    try {
      return compilePcre(text);
    } catch (err) {
      throw paramError(init, name, `invalid regular expression: ${(err as Error).message}`, err);
    }
  };
}

/** An @rx operator; `regex` is its compiled pattern when the pattern has no macros. */
export interface RxOperator extends Operator {
  readonly regex: CompiledRegex | undefined;
}

export function rxFactory(init: OperatorInit): RxOperator {
  const compiled = new DerivedParam(init.param, compileFor(init, "rx"));
  const constant = compiled.constantValue;
  if (constant !== undefined) {
    return {
      regex: constant,
      evaluate: (input: ByteString, ctx: OperatorContext) =>
        matchRegex(constant, capped(constant, input, ctx), ctx.captures),
    };
  }
  return {
    regex: undefined,
    evaluate(input: ByteString, ctx: OperatorContext): boolean {
      let re: CompiledRegex;
      try {
        re = compiled.get(ctx.macros);
      } catch {
        return false; // an expansion that is not a valid regex never matches (v3 logs and fails)
      }
      return matchRegex(re, capped(re, input, ctx), ctx.captures);
    },
  };
}

registerOperator("rx", rxFactory);
