/**
 * The operator argument of SecRule: `@name param`, `!@name param`, or a bare regex.
 *
 * As in ModSecurity (v2 re.c parse of the operator, v3 scanner, Coraza's ParseOperator): no @
 * means @rx with the whole text as the pattern, a leading ! negates, whitespace after the name is
 * skipped and the rest is the parameter exactly as written (backslashes included). The parser does
 * not know which operators exist: the engine's registry does.
 */
import { WafError } from "../errors.js";
import type { OperatorRef, SourceLocation } from "../types.js";

function isNameChar(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Parses the operator text (the argument's quotes already removed). */
export function parseOperator(text: string, loc: SourceLocation): OperatorRef {
  let i = 0;
  const n = text.length;
  let negated = false;
  if (text.charCodeAt(0) === 33 /* ! */) {
    negated = true;
    i = 1;
  }
  if (text.charCodeAt(i) !== 64 /* @ */) {
    return { name: "rx", negated, param: i === 0 ? text : text.slice(i) };
  }
  i++;
  const start = i;
  while (i < n && isNameChar(text.charCodeAt(i))) i++;
  if (i === start) {
    throw new WafError("WAF_PARSE", `operator "${text}" has no name after @`, loc, {
      hint: 'write the operator as "@name parameter", e.g. "@rx ^foo" or "@pm a b c"',
    });
  }
  const name = text.slice(start, i);
  if (i < n && !isBlank(text.charCodeAt(i))) {
    throw new WafError("WAF_PARSE", `operator "${text}": unexpected "${text[i]}" after @${name}`, loc, {
      hint: "separate the operator name from its parameter with a space",
    });
  }
  while (i < n && isBlank(text.charCodeAt(i))) i++;
  return { name, negated, param: text.slice(i) };
}
