/**
 * The WAF with its default wiring: the SecLang parser, and the operator, transformation and body
 * processor registries, feeding the pure engine (src/waf/engine/). This is the one module that
 * touches the file system (rule files, @pmFromFile data files).
 *
 *   const waf = loadWaf({ sources: [{ name: "settings", text: "SecRuleEngine On" }, "crs-setup.conf", "rules/*.conf"] });
 *   const tx = waf.newTransaction({ ... });   // see src/waf/engine/transaction.ts
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import "./bodies/index.js";
import "./operators/index.js";
import "./transforms/index.js";
import { getBodyProcessor } from "./bodies/registry.js";
import { type CompileDeps, compileRuleSet, type RuleSet, type TimeBudget } from "./engine/index.js";
import { WafError } from "./errors.js";
import { getOperator } from "./operators/registry.js";
import { globFiles, nodeHost, parseActions, parseSecLang, parseVariables } from "./seclang/index.js";
import { getTransform } from "./transforms/registry.js";
import type { Statement } from "./types.js";

export * from "./engine/index.js";

export interface WafSourceText {
  /** A path (data files and Includes resolve relative to it) or a label for messages. */
  readonly name: string;
  readonly text: string;
}

export interface LoadWafOptions {
  /** Rule files loaded first, in order; `*` and `?` expand like Include, sorted. */
  readonly files?: readonly string[];
  /**
   * Then these, in order: a string is a file path or pattern, an object SecLang held in memory.
   * Order matters: SecDefaultAction and `SecAction` settings (CRS 900000) act on what follows.
   */
  readonly sources?: ReadonlyArray<string | WafSourceText>;
  /** Clock for DURATION/TIME* (defaults to Date.now). */
  readonly now?: () => number;
  /** What the ENV variable shows (nothing by default). */
  readonly env?: Readonly<Record<string, string>>;
  /** Monotonic clock in ms for the per-transaction time budget (defaults to performance.now). */
  readonly clock?: () => number;
  /** Process CPU time in ms, to confirm a spent budget (defaults to process.cpuUsage). */
  readonly cpuClock?: () => number;
  /** Per-transaction engine time budget (the gateway passes the config's waf.timeBudget, by default DEFAULT_TIME_BUDGET); none by default. */
  readonly timeBudget?: TimeBudget;
}

/** Reads a data file as bytes (latin1), relative to the rule file that names it. */
export function readDataFile(path: string, fromFile: string): string {
  const full = isAbsolute(path) ? path : resolve(dirname(fromFile), path);
  try {
    return readFileSync(full, "latin1");
  } catch (cause) {
    throw new WafError("WAF_OPERATOR_PARAM", `cannot read data file ${full}`, undefined, {
      hint: "data files are looked up relative to the rule file that names them",
      cause,
    });
  }
}

/** The engine's dependencies wired to the real registries. */
export function defaultDeps(
  extra: Pick<LoadWafOptions, "now" | "env" | "clock" | "cpuClock" | "timeBudget"> = {},
): CompileDeps {
  return {
    operator: getOperator,
    transform: getTransform,
    bodyProcessor: getBodyProcessor,
    readDataFile,
    parseVariables,
    parseActions,
    ...(extra.now === undefined ? {} : { now: extra.now }),
    ...(extra.env === undefined ? {} : { env: extra.env }),
    ...(extra.clock === undefined ? {} : { clock: extra.clock }),
    ...(extra.cpuClock === undefined ? {} : { cpuClock: extra.cpuClock }),
    ...(extra.timeBudget === undefined ? {} : { timeBudget: extra.timeBudget }),
  };
}

/** Parses rule files and sources and compiles them. Throws WafError naming file:line. */
export function loadWaf(opts: LoadWafOptions): RuleSet {
  const statements: Statement[] = [];
  const add = (parsed: Statement[]): void => {
    for (const st of parsed) statements.push(st);
  };
  for (const src of [...(opts.files ?? []), ...(opts.sources ?? [])]) {
    if (typeof src !== "string") {
      add(parseSecLang(src.text, src.name, nodeHost));
      continue;
    }
    for (const path of /[*?]/.test(src) ? globFiles(src) : [src]) {
      let text: string;
      try {
        text = nodeHost.readFile(path);
      } catch (cause) {
        throw new WafError("WAF_INCLUDE", `cannot read rule file ${path}`, undefined, {
          hint: "check the path and its permissions",
          cause,
        });
      }
      add(parseSecLang(text, path, nodeHost));
    }
  }
  return compileRuleSet(statements, defaultDeps(opts));
}
