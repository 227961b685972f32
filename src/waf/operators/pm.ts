/**
 * Phrase matching: @pm (phrases in the parameter) and @pmFromFile / @pmf (phrases from data files),
 * case-insensitive, with Aho–Corasick built once at load (aho-corasick.ts).
 *
 * Parameter syntax as ModSecurity v3 (src/operators/pm.cc, parse_pm_content in src/utils/acmp.cc):
 * a parameter wholly enclosed in double quotes loses them; `|41 42|` spells bytes in hex (Snort
 * style); `\` escapes `:` `;` `\` `"`; then phrases are split on whitespace. @pmFromFile takes
 * space-separated file names; each non-blank line not starting with `#` is one phrase (spaces kept),
 * as pm_from_file.cc reads them. With `capture`, TX.0 is the matched text of the input.
 * A parameter with macros is expanded and its automaton rebuilt per distinct expansion (v3 does not
 * expand @pm macros at all; CRS uses none).
 */
import type { ByteString, Operator, OperatorContext, OperatorInit } from "../types.js";
import { AhoCorasick } from "./aho-corasick.js";
import { DerivedParam, paramError, toByteString } from "./param.js";
import { registerOperator } from "./registry.js";

/** ModSecurity's parse_pm_content: outer quotes, |hex| bytes, backslash escapes. Throws on a bad escape. */
export function parsePmContent(param: string): string {
  let s = param.replace(/^[ \t]+/, "");
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) s = s.slice(1, -1);
  let out = "";
  let bin = false;
  let esc = false;
  let hex = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "|" && !esc) {
      bin = !bin;
      hex = "";
      continue;
    }
    if (bin) {
      if (/[0-9A-Fa-f]/.test(c)) {
        hex += c;
        if (hex.length === 2) {
          out += String.fromCharCode(Number.parseInt(hex, 16));
          hex = "";
        }
      }
      continue; // spaces (and anything else) between hex pairs are ignored
    }
    if (esc) {
      if (c !== ":" && c !== ";" && c !== "\\" && c !== '"')
        throw new Error(`unsupported escape sequence \\${c}`);
      out += c;
      esc = false;
      continue;
    }
    if (c === "\\") {
      esc = true;
      continue;
    }
    out += c;
  }
  return out;
}

/** Phrases of a @pm parameter. */
export function pmPhrases(param: string): string[] {
  return parsePmContent(toByteString(param))
    .split(/[ \t\n\v\f\r]+/)
    .filter((p) => p.length > 0);
}

/** Phrases of a data file: one per line, `#` comments and blank lines skipped, CR/LF trimmed. */
export function dataFilePhrases(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim().length === 0 || line.startsWith("#")) continue;
    out.push(line);
  }
  return out;
}

function phraseOperator(ac: DerivedParam<AhoCorasick>): Operator {
  const constant = ac.constantValue;
  return {
    evaluate(input: ByteString, ctx: OperatorContext): boolean {
      const m = constant ?? ac.get(ctx.macros);
      if (ctx.captures === undefined) return m.test(input);
      const end = m.searchEnd(input);
      if (end < 0) return false;
      ctx.captures[0] = input.slice(end - m.lastLength, end);
      return true;
    },
  };
}

export function pmFactory(init: OperatorInit): Operator {
  const ac = new DerivedParam(init.param, (text) => {
    try {
      return new AhoCorasick(pmPhrases(text));
    } catch (err) {
      throw paramError(init, "pm", (err as Error).message, err);
    }
  });
  return phraseOperator(ac);
}

export function pmFromFileFactory(init: OperatorInit): Operator {
  const ac = new DerivedParam(init.param, (text) => {
    const files = text.split(/\s+/).filter((f) => f.length > 0);
    if (files.length === 0) throw paramError(init, "pmFromFile", "no data file named");
    const phrases: string[] = [];
    for (const f of files) {
      let content: string;
      try {
        content = init.readDataFile(f);
      } catch (err) {
        throw paramError(init, "pmFromFile", `cannot read data file "${f}": ${(err as Error).message}`, err);
      }
      phrases.push(...dataFilePhrases(content));
    }
    return new AhoCorasick(phrases);
  });
  return phraseOperator(ac);
}

registerOperator("pm", pmFactory);
registerOperator("pmFromFile", pmFromFileFactory);
registerOperator("pmf", pmFromFileFactory);
