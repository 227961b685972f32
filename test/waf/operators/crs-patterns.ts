/**
 * Extracts the operators of the CRS rule files (every @rx pattern, bare regexes included; the
 * phrase lists of @pm) for the tests and benchmarks, with the id of their rule (chained rules take
 * the id of their chain's head). A small scanner: line
 * continuations joined, quoted arguments with \" escapes, no SecLang parser needed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { crsDir } from "../../support/shared.js";

export interface CrsPattern {
  readonly file: string;
  readonly id: string;
  readonly pattern: string;
}

/** One operator as a CRS rule (or chain link) writes it: `@pm a b c` is name "pm", param "a b c". */
export interface CrsOperatorUse {
  readonly file: string;
  /** The rule's id; a chain link takes its head's, as `<id>-chain`. */
  readonly id: string;
  /** As written (`rx`, `pmFromFile`); a bare regex without `@` is "rx". */
  readonly name: string;
  readonly param: string;
}

const RULE = /^SecRule\s+(?:"(?:[^"\\]|\\.)*"|\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"((?:[^"\\]|\\.)*)")?/;

/** The operator of every SecRule of the CRS rule files, in file order. */
export function crsOperatorUses(): CrsOperatorUse[] {
  const dir = join(crsDir, "rules");
  const out: CrsOperatorUse[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".conf"))) {
    const text = readFileSync(join(dir, file), "latin1").replace(/\\\r?\n/g, "");
    let head = "";
    for (const line of text.split("\n")) {
      const t = line.trim();
      if (!/^SecRule\s/.test(t)) continue;
      const m = RULE.exec(t);
      if (!m) throw new Error(`cannot scan ${file}: ${t.slice(0, 80)}`);
      const id = /\bid:(\d+)/.exec(m[2] ?? "")?.[1];
      if (id !== undefined) head = id;
      const opText = m[1] as string;
      const om = /^!?@(\w+)\s?([\s\S]*)$/.exec(opText);
      out.push({
        file,
        id: id ?? `${head}-chain`,
        name: om ? (om[1] as string) : "rx",
        param: om ? (om[2] as string) : opText.replace(/^!/, ""),
      });
    }
  }
  return out;
}

/** Every @rx pattern (and bare-regex operator) of CRS. */
export function crsRxPatterns(): CrsPattern[] {
  return crsOperatorUses()
    .filter((u) => u.name.toLowerCase() === "rx")
    .map((u) => ({ file: u.file, id: u.id, pattern: u.param }));
}

/** Lines of CRS's regression tests that carry payloads, raw and URL-decoded. */
export function crsPayloads(): string[] {
  const out = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".yaml"))
        for (const line of readFileSync(path, "latin1").split("\n")) {
          if (!/^\s*(?:data|uri|[A-Za-z-]+):/.test(line)) continue;
          out.add(line);
          try {
            out.add(decodeURIComponent(line.replaceAll("+", " ")));
          } catch {
            // not valid percent-encoding: the raw line is enough
          }
        }
    }
  };
  walk(join(crsDir, "tests"));
  return [...out];
}

/**
 * Units that crafted inputs repeat to make a pattern backtrack: characters CRS patterns loop on
 * (quotes, separators, brackets, whitespace, non-ASCII) and short pairs that start a token. The
 * ReDoS test runs every pattern on each repeated to 2 KB; the time-budget test sends each as
 * request values through the whole rule set.
 */
export const CRAFTED_RUNS: readonly string[] = [
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
