/** Typed errors of the WAF engine. Each names the file:line and construct at fault. */
import { RampartError } from "../errors.js";
import type { SourceLocation } from "./types.js";

export type WafErrorCode =
  | "WAF_PARSE" // SecLang syntax error
  | "WAF_UNKNOWN_DIRECTIVE"
  | "WAF_UNKNOWN_OPERATOR"
  | "WAF_UNKNOWN_TRANSFORM"
  | "WAF_UNKNOWN_ACTION"
  | "WAF_UNKNOWN_VARIABLE"
  | "WAF_OPERATOR_PARAM" // an operator's parameter is invalid (bad regex, missing data file)
  | "WAF_ACTION_PARAM"
  | "WAF_INCLUDE" // an Include could not be read
  | "WAF_RULE" // a rule is inconsistent (no id, chain without a next rule, ...)
  | "WAF_TIME_BUDGET" // a transaction used up its engine time budget (transaction.ts)
  | "WAF_MATCH_LIMIT"; // a pattern saw only part of a value (rx.ts, NONLINEAR_INPUT_CAP)

export class WafError extends RampartError {
  readonly loc: SourceLocation | undefined;

  constructor(
    code: WafErrorCode,
    message: string,
    loc?: SourceLocation,
    options?: { hint?: string; cause?: unknown },
  ) {
    super(code, loc ? `${loc.file}:${loc.line}: ${message}` : message, options);
    this.loc = loc;
  }
}
