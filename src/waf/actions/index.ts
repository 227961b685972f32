/** The action registry: every action name (lower-case, as the parser gives it) to its definition. */
import { ctlActions } from "./ctl.js";
import { disruptiveActions } from "./disruptive.js";
import { flowActions } from "./flow.js";
import { metaActions } from "./meta.js";
import { setvarActions } from "./setvar.js";
import type { ActionDefinition } from "./types.js";

export { inRanges, parseCtl, parseIdRanges } from "./ctl.js";
export { parsePhase, parseSeverity, SEVERITIES } from "./meta.js";
export { parseSetVar, runSetVar, type SetVar } from "./setvar.js";
export type {
  ActionContext,
  ActionDefinition,
  ActionTransaction,
  CtlOp,
  EngineMode,
  TargetRemoval,
} from "./types.js";

const registry = new Map<string, ActionDefinition>();
for (const family of [metaActions, disruptiveActions, flowActions, setvarActions, ctlActions]) {
  for (const def of family) registry.set(def.name, def);
}

export function getAction(name: string): ActionDefinition | undefined {
  return registry.get(name.toLowerCase());
}
