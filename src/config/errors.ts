/**
 * Errors of the config part. A config is either valid as a whole or refused as a whole: ConfigError
 * carries every problem found, each pointing at its YAML path and line, so a user fixes them all in
 * one pass instead of one per restart.
 */
import { RampartError } from "../errors.js";

export interface ConfigIssue {
  /** Path in the document, JS-style: `routes[2].rateLimits[0].rate`; "" for the document itself. */
  readonly path: string;
  /** 1-based line of the offending node (or of its nearest present parent); 0 when unknown. */
  readonly line: number;
  readonly message: string;
}

export class ConfigError extends RampartError {
  readonly file: string;
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(
      "CONFIG_INVALID",
      `${file}: ${issues.length} problem${issues.length === 1 ? "" : "s"}\n${formatIssues(file, issues).join("\n")}`,
      { hint: "fix every line above; the previous config (if any) keeps serving", ...options },
    );
    this.file = file;
    this.issues = issues;
  }
}

/** One line per issue, as the CLI prints them: `rampart.yaml:17 routes[2].rateLimits[0].rate: ...`. */
export function formatIssues(file: string, issues: readonly ConfigIssue[]): string[] {
  return issues.map(
    (i) => `${file}${i.line > 0 ? `:${i.line}` : ""} ${i.path === "" ? "" : `${i.path}: `}${i.message}`,
  );
}
