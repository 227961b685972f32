/** Argument variables: ARGS (query then body), ARGS_GET, ARGS_POST, their _NAMES, sizes. */
import type { VariableDefinition } from "./registry.js";
import type { TxData } from "./state.js";

function combinedSize(d: TxData): string {
  // ModSecurity counts names and values of every argument.
  let n = 0;
  for (const c of d.args()) for (const e of c.entries) n += e.key.length + e.value.length;
  return String(n);
}

export const argsVariables: VariableDefinition[] = [
  { name: "ARGS", collections: (d) => d.args() },
  { name: "ARGS_NAMES", collections: (d) => d.argsNames() },
  { name: "ARGS_GET", collections: (d) => d.argsGet.asList },
  { name: "ARGS_GET_NAMES", collections: (d) => d.argsGetNames.asList },
  { name: "ARGS_POST", collections: (d) => d.argsPost.asList },
  { name: "ARGS_POST_NAMES", collections: (d) => d.argsPostNames.asList },
  { name: "ARGS_COMBINED_SIZE", scalar: combinedSize },
];
