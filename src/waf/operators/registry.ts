/**
 * The operator registry: each operator file registers its factory by name, and the parser and engine
 * ask here, so adding an operator is adding one file and an unknown name is one clear error.
 * Names are case-insensitive as in ModSecurity (`@detectSQLi`, `@pmFromFile`, `@ipMatchFromFile`).
 */
import { WafError } from "../errors.js";
import type { OperatorFactory, SourceLocation } from "../types.js";

const factories = new Map<string, OperatorFactory>();
const displayNames = new Map<string, string>();

/** Registers (or replaces) an operator under `name`. */
export function registerOperator(name: string, factory: OperatorFactory): void {
  const key = name.toLowerCase();
  factories.set(key, factory);
  displayNames.set(key, name);
}

/** The factory for `name` (without the @), or undefined when no file registered it. */
export function getOperator(name: string): OperatorFactory | undefined {
  return factories.get(name.toLowerCase());
}

/** Like getOperator, but throws WAF_UNKNOWN_OPERATOR naming the rule's location. */
export function requireOperator(name: string, loc?: SourceLocation): OperatorFactory {
  const f = factories.get(name.toLowerCase());
  if (f === undefined) {
    throw new WafError("WAF_UNKNOWN_OPERATOR", `unknown operator "@${name}"`, loc, {
      hint: `known operators: ${operatorNames().join(", ")}`,
    });
  }
  return f;
}

/** Registered names as they were registered, sorted. */
export function operatorNames(): string[] {
  return [...displayNames.values()].sort((a, b) => a.localeCompare(b));
}
