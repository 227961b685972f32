/**
 * Extracts every @rx pattern (and bare-regex operator) from the CRS rule files for the tests, with
 * the id of its rule (chained rules take the id of their chain's head). A small scanner: line
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

const RULE = /^SecRule\s+(?:"(?:[^"\\]|\\.)*"|\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"((?:[^"\\]|\\.)*)")?/;

export function crsRxPatterns(): CrsPattern[] {
  const dir = join(crsDir, "rules");
  const out: CrsPattern[] = [];
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
      const name = om ? (om[1] as string) : "rx";
      const param = om ? (om[2] as string) : opText.replace(/^!/, "");
      if (name.toLowerCase() === "rx") out.push({ file, id: id ?? `${head}-chain`, pattern: param });
    }
  }
  return out;
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
