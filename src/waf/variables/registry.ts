/**
 * The variable registry: how a name in a rule (ARGS, REQUEST_URI, TX) reads its values from a
 * transaction. Each family lives in its own file and lists its definitions; the engine resolves
 * names once at rule load and never sees the list.
 */
import type { ByteString } from "../types.js";
import type { Collection } from "./collection.js";
import type { TxData } from "./state.js";

export interface VariableDefinition {
  /** Upper-case name as written in rules. */
  readonly name: string;
  /** Keyed variables: the collections whose entries the rule sees (ARGS is query then body). */
  readonly collections?: (d: TxData) => readonly Collection[];
  /** Single-value variables: the value, or undefined when the variable is absent. */
  readonly scalar?: (d: TxData) => ByteString | undefined;
  /**
   * The value may change inside a phase (MATCHED_VAR, DURATION): never cached, so a rule always
   * sees the current value and transformation results are not reused across rules.
   */
  readonly volatile?: boolean;
  /**
   * Keyed variables: the collections do not change between two rules of a phase (request and
   * response data, filled when a phase starts), so the engine selects a target's values once per
   * phase (Target.cacheSlot). TX, ENV, MATCHED_*, RULE and persistent collections change as rules
   * run and leave it unset. Scalars need no flag: every non-volatile one is kept per phase.
   */
  readonly phaseStable?: boolean;
}

/** Whether a transaction may keep a target's values of `def` for the rest of a phase. */
export function isPhaseStable(def: VariableDefinition): boolean {
  return def.volatile !== true && (def.scalar !== undefined || def.phaseStable === true);
}

export function defineScalars(
  table: Record<string, (d: TxData) => ByteString | undefined>,
  volatile = false,
): VariableDefinition[] {
  return Object.entries(table).map(([name, scalar]) =>
    volatile ? { name, scalar, volatile } : { name, scalar },
  );
}
