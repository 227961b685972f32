/**
 * SecLang text -> Statement[] (src/waf/types.ts). Knows the syntax only; the engine gives the
 * directives meaning. Pure: files named by Include are read through a host the caller passes.
 */
import { dirname, isAbsolute, join, normalize } from "node:path";
import { WafError } from "../errors.js";
import type { DirectiveNode, RuleNode, SourceLocation, Statement } from "../types.js";
import { parseActions } from "./actions.js";
import { lookupDirective, SECLANG_DIRECTIVES } from "./directives.js";
import { type LogicalLine, lineAt, logicalLines, type Token, tokenize } from "./lexer.js";
import { parseOperator } from "./operator.js";
import { closest } from "./suggest.js";
import { parseVariables } from "./variables.js";

/** What the parser needs from the outside world to follow Include. */
export interface SecLangHost {
  /** The file's text; throws when it cannot be read. Bytes as latin1 (one char per byte). */
  readFile(path: string): string;
  /** Existing files matching a pattern with * and ? (absolute), sorted. */
  glob(pattern: string): string[];
}

/** Deepest Include nesting; beyond it something is wrong even without a cycle. */
const MAX_INCLUDE_DEPTH = 64;

const UNCONDITIONAL = { name: "unconditionalMatch", negated: false, param: "" } as const;

/** Parses `text` read from `file` (used for locations and to resolve relative Includes). */
export function parseSecLang(text: string, file: string, host?: SecLangHost): Statement[] {
  const out: Statement[] = [];
  parseInto(text, file, host, out, [normalize(file)]);
  return out;
}

function parseInto(
  text: string,
  file: string,
  host: SecLangHost | undefined,
  out: Statement[],
  stack: string[],
): void {
  for (const line of logicalLines(text)) parseLine(line, file, host, out, stack);
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 13;
}

function parseLine(
  line: LogicalLine,
  file: string,
  host: SecLangHost | undefined,
  out: Statement[],
  stack: string[],
): void {
  const text = line.text;
  let end = 0;
  while (end < text.length && !isBlank(text.charCodeAt(end))) end++;
  const written = text.slice(0, end);
  const loc: SourceLocation = { file, line: line.lines[0] as number };
  const spec = lookupDirective(written);
  if (spec === undefined) {
    const near = closest(
      written,
      [...SECLANG_DIRECTIVES.values()].map((d) => d.name),
    );
    throw new WafError("WAF_UNKNOWN_DIRECTIVE", `unknown directive ${written.slice(0, 80)}`, loc, {
      hint:
        near !== undefined
          ? `did you mean ${near}?`
          : "check the spelling against the ModSecurity v3 reference manual (SecRule, SecAction, SecMarker, ...)",
    });
  }
  const name = spec.name;
  const tokens = tokenize(line, end, file, name);
  const at = (k: number): SourceLocation => {
    const t = tokens[k];
    return t === undefined ? loc : { file, line: lineAt(line, t.offset) };
  };
  if (name === "SecRule" && tokens.length < 2) {
    throw new WafError(
      "WAF_PARSE",
      tokens.length === 0 ? "SecRule without variables or operator" : "SecRule without an operator",
      loc,
      { hint: 'write SecRule VARIABLES "OPERATOR" "ACTIONS", e.g. SecRule ARGS "@rx foo" "id:1,deny"' },
    );
  }
  if (tokens.length < spec.minArgs || tokens.length > spec.maxArgs) {
    const want =
      spec.minArgs === spec.maxArgs
        ? `${spec.minArgs}`
        : spec.maxArgs === Number.POSITIVE_INFINITY
          ? `at least ${spec.minArgs}`
          : `${spec.minArgs} to ${spec.maxArgs}`;
    throw new WafError("WAF_PARSE", `${name} takes ${want} argument(s), got ${tokens.length}`, loc, {
      hint: "quote an argument that holds spaces",
    });
  }
  switch (name) {
    case "SecRule": {
      const rule: RuleNode = {
        directive: "SecRule",
        variables: parseVariables(val(tokens, 0), at(0)),
        operator: parseOperator(val(tokens, 1), at(1)),
        actions: tokens.length > 2 ? parseActions(val(tokens, 2), at(2)) : [],
        loc,
      };
      out.push({ type: "rule", rule });
      return;
    }
    case "SecAction": {
      const rule: RuleNode = {
        directive: "SecAction",
        variables: [],
        operator: UNCONDITIONAL,
        actions: parseActions(val(tokens, 0), at(0)),
        loc,
      };
      out.push({ type: "rule", rule });
      return;
    }
    case "Include":
      include(val(tokens, 0), file, loc, host, out, stack);
      return;
    // Arguments the engine will parse again: checked here so errors point at the file and line.
    case "SecDefaultAction":
      parseActions(val(tokens, 0), at(0));
      break;
    case "SecRuleUpdateActionById":
      parseActions(val(tokens, 1), at(1));
      break;
    case "SecRuleUpdateTargetById":
    case "SecRuleUpdateTargetByMsg":
    case "SecRuleUpdateTargetByTag":
      for (let k = 1; k < tokens.length; k++) parseVariables(val(tokens, k), at(k));
      break;
  }
  const directive: DirectiveNode = { name, args: tokens.map((t) => t.value), loc };
  out.push({ type: "directive", directive });
}

function val(tokens: readonly Token[], k: number): string {
  return (tokens[k] as Token).value;
}

function hasGlob(path: string): boolean {
  return path.includes("*") || path.includes("?");
}

function include(
  pattern: string,
  file: string,
  loc: SourceLocation,
  host: SecLangHost | undefined,
  out: Statement[],
  stack: string[],
): void {
  if (host === undefined) {
    throw new WafError("WAF_INCLUDE", `Include ${pattern}: no host to read files with`, loc, {
      hint: "parse with parseSecLangFile or pass a SecLangHost (nodeHost) to parseSecLang",
    });
  }
  const target = normalize(isAbsolute(pattern) ? pattern : join(dirname(file), pattern));
  let files: string[];
  if (hasGlob(target)) {
    try {
      files = host.glob(target);
    } catch (cause) {
      throw new WafError("WAF_INCLUDE", `Include ${pattern}: cannot list ${target}`, loc, {
        hint: "check that the folder exists and can be read",
        cause,
      });
    }
    if (files.length === 0) {
      throw new WafError("WAF_INCLUDE", `Include ${pattern}: no file matches ${target}`, loc, {
        hint: "check the pattern; paths are relative to the including file",
      });
    }
  } else files = [target];
  for (const f of files) {
    const path = normalize(f);
    if (stack.includes(path)) {
      throw new WafError("WAF_INCLUDE", `Include cycle: ${[...stack, path].join(" -> ")}`, loc, {
        hint: "remove the Include that leads back to a file being read",
      });
    }
    if (stack.length >= MAX_INCLUDE_DEPTH) {
      throw new WafError(
        "WAF_INCLUDE",
        `Include ${pattern}: nested more than ${MAX_INCLUDE_DEPTH} deep`,
        loc,
        {
          hint: "flatten the Include chain",
        },
      );
    }
    let text: string;
    try {
      text = host.readFile(path);
    } catch (cause) {
      throw new WafError("WAF_INCLUDE", `Include ${pattern}: cannot read ${path}`, loc, {
        hint: "check the path (relative to the including file) and its permissions",
        cause,
      });
    }
    stack.push(path);
    parseInto(text, path, host, out, stack);
    stack.pop();
  }
}
