/** MATCHED_VAR(S)(_NAME(S)): what the current or previous rules matched. */
import { defineScalars, type VariableDefinition } from "./registry.js";

export const matchedVariables: VariableDefinition[] = [
  ...defineScalars(
    {
      MATCHED_VAR: (d) => d.matchedVarValue,
      MATCHED_VAR_NAME: (d) => d.matchedVarName,
      HIGHEST_SEVERITY: (d) => String(d.highestSeverity),
    },
    true,
  ),
  { name: "MATCHED_VARS", collections: (d) => d.matchedVars.asList, volatile: true },
  { name: "MATCHED_VARS_NAMES", collections: (d) => d.matchedVarsNames.asList, volatile: true },
];
