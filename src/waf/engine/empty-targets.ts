/**
 * Skipping rules that cannot match before any work: a rule whose every target is a request
 * collection (arguments, cookies, XML, uploaded files) sees no value at all when those collections
 * are empty in the transaction, so it cannot match and runs no action. A plain GET leaves most of
 * CRS's attack rules (ARGS|ARGS_NAMES|REQUEST_COOKIES|REQUEST_COOKIES_NAMES|XML:/*) in that case;
 * one AND per rule replaces collecting five empty targets.
 *
 * Only collections that rules cannot write are listed (setvar writes TX and the persistent ones),
 * and only plain targets qualify: `&ARGS` counts 0 and is tested, so a rule with a count target
 * is never skipped, nor is a SecAction (no operator, no targets). The collections are read again
 * at the start of every phase, after the request body filled them.
 */
import { getVariable, type TxData, xmlAttributesVariable } from "../variables/index.js";
import type { VariableDefinition } from "../variables/registry.js";
import type { Rule } from "./rule.js";

const REQUEST_COLLECTIONS = [
  "ARGS",
  "ARGS_NAMES",
  "ARGS_GET",
  "ARGS_GET_NAMES",
  "ARGS_POST",
  "ARGS_POST_NAMES",
  "REQUEST_COOKIES",
  "REQUEST_COOKIES_NAMES",
  "XML",
  "FILES",
  "FILES_NAMES",
];

const BITS = new Map<VariableDefinition, number>();
for (const name of REQUEST_COLLECTIONS) {
  const def = getVariable(name);
  if (def?.collections !== undefined) BITS.set(def, 1 << BITS.size);
}
BITS.set(xmlAttributesVariable, 1 << BITS.size);

/** The collections a rule's targets read, as bits; 0 when the rule must always be evaluated. */
export function emptySkipMask(rule: Rule): number {
  if (rule.operator === undefined || rule.targets.length === 0) return 0;
  let mask = 0;
  for (const t of rule.targets) {
    if (t.count) return 0;
    const bit = BITS.get(t.def);
    if (bit === undefined) return 0;
    mask |= bit;
  }
  return mask;
}

/** Bits of the request collections that hold at least one value in `data`. */
export function presentCollections(data: TxData): number {
  let mask = 0;
  for (const [def, bit] of BITS) {
    for (const c of def.collections!(data)) {
      if (c.size > 0) {
        mask |= bit;
        break;
      }
    }
  }
  return mask;
}
