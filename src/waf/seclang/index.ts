/**
 * The SecLang parser's public API: rule files -> Statement[] (src/waf/types.ts), and the pieces the
 * engine reuses for SecRuleUpdateTargetById, SecRuleUpdateActionById and ctl:ruleRemoveTargetById.
 *
 * The parsing modules are pure; only nodeHost (node-host.ts) touches the file system, and it is
 * the default host here. Code that must stay free of node:fs imports parser.ts directly.
 */
import { WafError } from "../errors.js";
import type { Statement } from "../types.js";
import { nodeHost } from "./node-host.js";
import { parseSecLang as parsePure, type SecLangHost } from "./parser.js";

export { parseActions } from "./actions.js";
export { type DirectiveSpec, lookupDirective, SECLANG_DIRECTIVES } from "./directives.js";
export { globFiles, nodeHost } from "./node-host.js";
export { parseOperator } from "./operator.js";
export type { SecLangHost } from "./parser.js";
export { parseVariables, SECLANG_VARIABLES } from "./variables.js";

/** Parses SecLang `text` read from `file`; Includes are resolved relative to `file` through `host`. */
export function parseSecLang(text: string, file: string, host: SecLangHost = nodeHost): Statement[] {
  return parsePure(text, file, host);
}

/** Reads and parses a rule file and everything it includes. Errors are WafError with file:line. */
export function parseSecLangFile(path: string, host: SecLangHost = nodeHost): Statement[] {
  let text: string;
  try {
    text = host.readFile(path);
  } catch (cause) {
    throw new WafError("WAF_INCLUDE", `cannot read rule file ${path}`, undefined, {
      hint: "check the path and its permissions",
      cause,
    });
  }
  return parsePure(text, path, host);
}
