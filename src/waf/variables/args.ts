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
  { name: "ARGS", collections: (d) => d.args(), phaseStable: true },
  { name: "ARGS_NAMES", collections: (d) => d.argsNames(), phaseStable: true },
  { name: "ARGS_GET", collections: (d) => d.argsGet.asList, phaseStable: true },
  { name: "ARGS_GET_NAMES", collections: (d) => d.argsGetNames.asList, phaseStable: true },
  { name: "ARGS_POST", collections: (d) => d.argsPost.asList, phaseStable: true },
  { name: "ARGS_POST_NAMES", collections: (d) => d.argsPostNames.asList, phaseStable: true },
  { name: "ARGS_COMBINED_SIZE", scalar: combinedSize },
];
