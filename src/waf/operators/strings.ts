/**
 * String comparisons: @streq @within @beginsWith @endsWith @contains @containsWord @strmatch.
 * Case-sensitive byte comparisons with the parameter macro-expanded per evaluation, following
 * ModSecurity v3 (src/operators/str_eq.cc, within.cc, begins_with.cc, ends_with.cc, contains.cc,
 * contains_word.cc, str_match.cc), including its edge cases: @within matches an empty input,
 * @contains / @beginsWith / @endsWith / @containsWord with an empty parameter match anything.
 * With `capture`, TX.0 is the matched text (the input for @within/@streq, the parameter otherwise).
 */
import type { ByteString, Operator, OperatorContext, OperatorInit } from "../types.js";
import { registerOperator } from "./registry.js";

/** Returns the captured text on a match, undefined otherwise. */
type Test = (input: ByteString, param: ByteString) => ByteString | undefined;

function stringOperator(test: Test) {
  return (init: OperatorInit): Operator => {
    const macro = init.param;
    const constant = macro.constant ? macro.source : undefined;
    return {
      evaluate(input: ByteString, ctx: OperatorContext): boolean {
        const param = constant ?? macro.expand(ctx.macros);
        const hit = test(input, param);
        if (hit === undefined) return false;
        if (ctx.captures !== undefined) ctx.captures[0] = hit;
        return true;
      },
    };
  };
}

/** ModSecurity's containsWord boundary: any byte that is not an ASCII letter, or the string's edge. */
function isWordByte(s: string, at: number): boolean {
  if (at < 0 || at >= s.length) return false;
  const c = s.charCodeAt(at);
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function containsWord(input: ByteString, word: ByteString): boolean {
  if (word.length === 0) return true;
  if (input.length === 0) return false;
  let pos = input.indexOf(word);
  while (pos !== -1) {
    if (!isWordByte(input, pos - 1) && !isWordByte(input, pos + word.length)) return true;
    pos = input.indexOf(word, pos + 1);
  }
  return false;
}

registerOperator(
  "streq",
  stringOperator((input, param) => (input === param ? input : undefined)),
);
registerOperator(
  "within",
  stringOperator((input, param) => (input.length === 0 || param.includes(input) ? input : undefined)),
);
registerOperator(
  "beginsWith",
  stringOperator((input, param) => (input.startsWith(param) ? param : undefined)),
);
registerOperator(
  "endsWith",
  stringOperator((input, param) => (input.endsWith(param) ? param : undefined)),
);
registerOperator(
  "contains",
  stringOperator((input, param) => (input.includes(param) ? param : undefined)),
);
registerOperator(
  "containsWord",
  stringOperator((input, param) => (containsWord(input, param) ? param : undefined)),
);
registerOperator(
  "strmatch",
  stringOperator((input, param) => (input.includes(param) ? param : undefined)),
);
