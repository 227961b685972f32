/**
 * Integer comparisons @eq @ge @gt @le @lt (ModSecurity v3 src/operators/eq.cc, gt.cc, ...): both
 * the input and the (macro-expanded) parameter are read with std::stoi semantics, a non-number
 * being 0, so `@lt %{tx.x}` with x unset compares against 0 as ModSecurity does.
 */
import type { ByteString, Operator, OperatorContext, OperatorInit } from "../types.js";
import { DerivedParam, parseModsecInt } from "./param.js";
import { registerOperator } from "./registry.js";

type Compare = (input: number, param: number) => boolean;

function numeric(compare: Compare) {
  return (init: OperatorInit): Operator => {
    const param = new DerivedParam(init.param, parseModsecInt);
    const constant = param.constantValue;
    if (constant !== undefined) {
      return { evaluate: (input: ByteString) => compare(parseModsecInt(input), constant) };
    }
    return {
      evaluate: (input: ByteString, ctx: OperatorContext) =>
        compare(parseModsecInt(input), param.get(ctx.macros)),
    };
  };
}

registerOperator(
  "eq",
  numeric((a, b) => a === b),
);
registerOperator(
  "ge",
  numeric((a, b) => a >= b),
);
registerOperator(
  "gt",
  numeric((a, b) => a > b),
);
registerOperator(
  "le",
  numeric((a, b) => a <= b),
);
registerOperator(
  "lt",
  numeric((a, b) => a < b),
);
