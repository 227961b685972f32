/**
 * DFA matcher for translated @rx patterns: `compileDfa(source)` answers RegExp#test for a JS
 * source from `translatePcre` (flags `sm`, inputs with \r as U+0100) in time linear in the input,
 * one table read per char once warm. V8's backtracking is fast on most CRS patterns but not on big
 * alternations: CRS 932235 (22 KB of Unix command words) exceeds V8's backtrack budget on prose
 * over ~200 bytes and reruns on V8's slow linear engine (~1.5 ms per 2 KB value).
 *
 * Pipeline: parse.ts (JS regex syntax → tree), nfa.ts (Thompson NFA over byte classes),
 * lazy-dfa.ts (RE2-style lazy DFA with a bounded cache). `compileDfa` returns undefined for what
 * the DFA does not take (lookarounds, back-references, patterns over MAX_INSTRUCTIONS NFA
 * instructions, syntax V8 rejects): the caller keeps V8 for those.
 */
import { DEFAULT_CACHE_BYTES, LazyDfa, type LazyDfaStats } from "./lazy-dfa.js";
import { buildNfa, MAX_INSTRUCTIONS } from "./nfa.js";
import { parseJsRegex, Unsupported } from "./parse.js";

export { DEFAULT_CACHE_BYTES, type LazyDfaStats, MAX_INSTRUCTIONS };

export interface DfaMatcher {
  /** RegExp#test with flags `sm`: true when the pattern matches anywhere in `input`. */
  test(input: string): boolean;
  /** Sizes and counters of the matcher's cache. */
  stats(): LazyDfaStats;
}

export interface DfaOptions {
  /** Cache budget in bytes (default DEFAULT_CACHE_BYTES, 1 MiB); flushed when full. */
  readonly maxCacheBytes?: number;
  /** NFA size limit (default MAX_INSTRUCTIONS). */
  readonly maxInstructions?: number;
}

/** Why `compileDfa` declined a source (for reports and tests), or undefined when it compiles. */
export function dfaUnsupportedReason(jsSource: string, options: DfaOptions = {}): string | undefined {
  try {
    new RegExp(jsSource, "sm");
    buildNfa(parseJsRegex(jsSource), options.maxInstructions);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Compiles a translated pattern's JS source (as `translatePcre(p).source`, flags `sm`) to a DFA
 * matcher, or undefined when the DFA cannot take it (use V8's RegExp then).
 */
export function compileDfa(jsSource: string, options: DfaOptions = {}): DfaMatcher | undefined {
  let fallback: RegExp;
  try {
    fallback = new RegExp(jsSource, "sm"); // also rejects what V8 rejects
  } catch {
    return undefined;
  }
  try {
    const nfa = buildNfa(parseJsRegex(jsSource), options.maxInstructions);
    return new LazyDfa(nfa, fallback, options.maxCacheBytes ?? DEFAULT_CACHE_BYTES);
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}
