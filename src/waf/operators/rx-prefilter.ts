/**
 * Literal prefilter for @rx: a literal that every match must contain, found in the pattern at
 * load, is looked for first (String#indexOf, or a small case-folded regex under `(?i)`), and the
 * full pattern runs only when it is there. Most values a CRS rule sees are benign and lack the
 * literal, so the costly pattern is skipped; `rampart waf profile` showed CRS 941140
 * (`...[^:=]+:url\(javascript`) alone taking 18 % of rule time on typical requests before this.
 * Hyperscan and RE2 do the same ("literal factoring", RE2's prefilter trees); this is the simplest
 * sound form of it: only literal runs at the top level of the pattern, where they are required.
 *
 * Soundness rules (PCRE2 syntax, as ModSecurity v3 compiles @rx, without UTF): a top-level `|`
 * means nothing is required (no prefilter); groups, classes, `.`, anchors and escapes that are
 * not a single punctuation byte end a literal run; a char followed by a quantifier whose minimum
 * is 0 is dropped; `(?x)`, `\Q`, comments and any syntax not understood give up. Only printable
 * ASCII goes into a literal, so \r (matched through a stand-in by regex.ts) and bytes >= 0x80
 * never do, and case folding under `(?i)` is ASCII-only, as in PCRE without UTF or locale.
 */
import type { ByteString, Operator, OperatorContext } from "../types.js";
import type { RxOperator } from "./rx.js";
import { factorSet } from "./rx-factors.js";
import type { RxFactorIndex } from "./rx-index.js";

export interface RequiredLiteral {
  readonly text: string;
  /** Letters match in either case (`(?i)` somewhere in the pattern: taken as applying to all). */
  readonly caseless: boolean;
}

const CLASS_ESCAPES = new Set("dDwWsSbBAzZGhHvVRnrtfeaK");

/** The longest literal every match of `pattern` contains, or undefined when none is found. */
export function requiredLiteral(pattern: string): RequiredLiteral | undefined {
  const p = pattern;
  const n = p.length;
  let caseless = false;
  let run = "";
  let best = "";
  const endRun = (): void => {
    if (run.length > best.length) best = run;
    run = "";
  };
  /** After an atom at `i`: skips its quantifier; returns [next index, true if the minimum is 0]. */
  const quantifier = (i: number): [number, boolean] | undefined => {
    const c = p[i];
    let j = i;
    let optional = false;
    if (c === "?" || c === "*") {
      optional = true;
      j++;
    } else if (c === "+") {
      j++;
    } else if (c === "{") {
      const m = /^\{(\d*)(,\d*)?\}/.exec(p.slice(i, i + 24));
      if (m === null) return [i, false]; // a literal `{`, handled by the caller
      if (m[1] === "") return undefined; // `{,n}`: PCRE2 version-dependent, give up
      optional = Number(m[1]) === 0;
      j += m[0].length;
    } else {
      return [i, false];
    }
    if (p[j] === "?" || p[j] === "+") j++; // lazy or possessive
    return [j, optional];
  };
  /** Index after the group or class starting at `i`, or -1 when unbalanced. */
  const skipClass = (i: number): number => {
    let j = i + 1;
    if (p[j] === "^") j++;
    if (p[j] === "]") j++;
    while (j < n) {
      const c = p[j];
      if (c === "\\") j += 2;
      else if (c === "[" && p[j + 1] === ":") {
        const end = p.indexOf(":]", j + 2);
        if (end < 0) return -1;
        j = end + 2;
      } else if (c === "]") return j + 1;
      else j++;
    }
    return -1;
  };
  const skipGroup = (i: number): number => {
    let depth = 0;
    let j = i;
    while (j < n) {
      const c = p[j];
      if (c === "\\") {
        if (p[j + 1] === "Q") return -1;
        j += 2;
      } else if (c === "[") {
        j = skipClass(j);
        if (j < 0) return -1;
      } else if (c === "(") {
        if (p[j + 1] === "?" && p[j + 2] === "#") return -1;
        const flags = /^\(\?([a-zA-Z-]*)[:)]/.exec(p.slice(j, j + 16));
        if (flags !== null && flags[1] !== undefined) {
          if (flags[1].includes("x")) return -1;
          if (flags[1].includes("i")) caseless = true;
        }
        depth++;
        j++;
      } else if (c === ")") {
        depth--;
        j++;
        if (depth === 0) return j;
      } else j++;
    }
    return -1;
  };

  let i = 0;
  while (i < n) {
    const c = p[i] as string;
    let literal: string | undefined;
    if (c === "\\") {
      const d = p[i + 1];
      if (d === undefined) return undefined;
      if (!/[0-9A-Za-z]/.test(d)) {
        literal = d;
        i += 2;
      } else if (CLASS_ESCAPES.has(d)) {
        endRun();
        i += 2;
      } else if (d === "x") {
        endRun();
        if (p[i + 2] === "{") {
          const end = p.indexOf("}", i + 3);
          if (end < 0) return undefined;
          i = end + 1;
        } else {
          i += 2;
          for (let k = 0; k < 2 && /[0-9A-Fa-f]/.test(p[i] ?? ""); k++) i++;
        }
      } else {
        return undefined; // octal, back-references, \p, \Q, \c...: not worth the risk
      }
    } else if (c === "[") {
      endRun();
      i = skipClass(i);
      if (i < 0) return undefined;
    } else if (c === "(") {
      endRun();
      const flagsOnly = /^\(\?([a-zA-Z-]*)\)/.exec(p.slice(i, i + 16));
      if (flagsOnly !== null) {
        const f = flagsOnly[1] ?? "";
        if (f.includes("x")) return undefined;
        if (f.includes("i")) caseless = true;
        i += flagsOnly[0].length;
        continue;
      }
      i = skipGroup(i);
      if (i < 0) return undefined;
    } else if (c === "|" || c === ")") {
      return undefined;
    } else if (c === "." || c === "^" || c === "$") {
      endRun();
      i++;
    } else if (c === "*" || c === "+" || c === "?") {
      // A quantifier after a group, class or escape (a literal's is read with the literal).
      const q = quantifier(i);
      if (q === undefined) return undefined;
      i = q[0];
      continue;
    } else if (c === "{") {
      const q = quantifier(i);
      if (q === undefined) return undefined;
      if (q[0] === i) {
        literal = "{";
        i++;
      } else {
        i = q[0];
        continue;
      }
    } else {
      literal = c;
      i++;
    }
    if (literal === undefined) {
      const q = quantifier(i);
      if (q === undefined) return undefined;
      i = q[0];
      continue;
    }
    const q = quantifier(i);
    if (q === undefined) return undefined;
    const printable = literal >= " " && literal <= "~";
    if (q[0] !== i) {
      // Quantified char: required once unless the minimum is 0, and the run ends either way.
      if (!q[1] && printable) run += literal;
      endRun();
      i = q[0];
    } else if (printable) run += literal;
    else endRun();
  }
  endRun();
  return best.length === 0 ? undefined : { text: best, caseless };
}

/** A test for the literal: indexOf, or a case-folded regex when letters may come in either case. */
export function literalTest(lit: RequiredLiteral): (input: ByteString) => boolean {
  const text = lit.text;
  if (!lit.caseless || !/[A-Za-z]/.test(text)) return (input) => input.indexOf(text) !== -1;
  let source = "";
  for (const ch of text) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    source += lower !== upper ? `[${upper}${lower}]` : ch.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  }
  const re = new RegExp(source);
  return (input) => re.test(input);
}

/**
 * `op` (a compiled @rx of `pattern`) behind its prefilters: the required literal test and its slot
 * in the rule set's factor index (rx-factors.ts, rx-index.ts), whichever the pattern has; `op`
 * itself when neither is found or the pattern holds macros.
 */
export function withPrefilter(op: RxOperator, pattern: string, index: RxFactorIndex): Operator {
  if (op.regex === undefined || pattern.includes("%{")) return op; // only known per request
  const lit = requiredLiteral(pattern);
  const has = lit === undefined ? undefined : literalTest(lit);
  const factors = factorSet(op.regex.fast.source);
  const slot = factors === undefined ? -1 : index.add(factors);
  // Both are necessary conditions. The literal goes first where there is one: on the short
  // values most rules see, indexOf rejects faster than the index's per-value lookup.
  if (has !== undefined && slot >= 0)
    return {
      evaluate: (input: ByteString, ctx: OperatorContext): boolean =>
        has(input) && index.mayMatch(slot, input) && op.evaluate(input, ctx),
    };
  if (slot >= 0)
    return {
      evaluate: (input: ByteString, ctx: OperatorContext): boolean =>
        index.mayMatch(slot, input) && op.evaluate(input, ctx),
    };
  if (has !== undefined)
    return {
      evaluate: (input: ByteString, ctx: OperatorContext): boolean => has(input) && op.evaluate(input, ctx),
    };
  return op;
}
