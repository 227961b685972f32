/** The variable registry: every family's definitions by upper-case name. */
import { argsVariables } from "./args.js";
import { bodyVariables, xmlAttributesVariable } from "./body.js";
import { collectionVariables } from "./collections.js";
import { headerVariables } from "./headers.js";
import { matchedVariables } from "./matched.js";
import type { VariableDefinition } from "./registry.js";
import { requestVariables } from "./request.js";
import { responseVariables } from "./response.js";
import { serverVariables } from "./server.js";

export { xmlAttributesVariable } from "./body.js";
export { Collection, entry, type VarEntry } from "./collection.js";
export { isPhaseStable, type VariableDefinition } from "./registry.js";
export { PERSISTENT_COLLECTIONS, type RequestInfo, TxData } from "./state.js";

const registry = new Map<string, VariableDefinition>();
const slots = new Map<VariableDefinition, number>([[xmlAttributesVariable, 0]]);
for (const family of [
  requestVariables,
  argsVariables,
  headerVariables,
  bodyVariables,
  responseVariables,
  collectionVariables,
  matchedVariables,
  serverVariables,
]) {
  for (const def of family) {
    registry.set(def.name, def);
    slots.set(def, slots.size);
  }
}

/** A small integer per definition, so a transaction caches scalar values in an array. */
export function variableSlot(def: VariableDefinition): number {
  return slots.get(def) ?? -1;
}

/** The definition of a variable by name (any case), undefined when ModSecurity has no such variable. */
export function getVariable(name: string): VariableDefinition | undefined {
  return registry.get(name.toUpperCase());
}

export function variableNames(): string[] {
  return [...registry.keys()];
}
