/** Builds operators the way the engine does (macro pre-split, data files from a map) for the tests. */
import { compileMacro } from "../../../src/waf/macro.js";
import { requireOperator } from "../../../src/waf/operators/index.js";
import type { ByteString, MacroResolver, Operator, OperatorContext } from "../../../src/waf/types.js";

export const loc = { file: "test.conf", line: 7 };

export function op(name: string, param: string, files: Record<string, string> = {}): Operator {
  return requireOperator(name)({
    param: compileMacro(param),
    readDataFile(path: string): string {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    },
    loc,
  });
}

/** A resolver over `collection.key` (lower-case) → value. */
export function resolver(vars: Record<string, string> = {}): MacroResolver {
  return {
    resolve(collection: string, key: string | undefined): ByteString | undefined {
      const k =
        key === undefined ? collection.toLowerCase() : `${collection.toLowerCase()}.${key.toLowerCase()}`;
      return vars[k];
    },
  };
}

export function ctx(vars: Record<string, string> = {}, captures?: ByteString[]): OperatorContext {
  return { macros: resolver(vars), captures };
}

/** Evaluates with capture on; returns [matched, captures]. */
export function capture(o: Operator, input: string, vars: Record<string, string> = {}): [boolean, string[]] {
  const caps: string[] = [];
  const r = o.evaluate(input, ctx(vars, caps));
  return [r, caps];
}
