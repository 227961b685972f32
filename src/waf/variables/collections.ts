/**
 * Collections rules write or read by name: TX, the "persistent" ones (IP, SESSION, USER, GLOBAL,
 * RESOURCE; kept for the transaction only, see initcol), ENV, GEO (no database: always empty) and
 * RULE (metadata of the rule being evaluated).
 */
import { Collection } from "./collection.js";
import type { VariableDefinition } from "./registry.js";
import { PERSISTENT_COLLECTIONS } from "./state.js";

const GEO = new Collection("GEO");

export const collectionVariables: VariableDefinition[] = [
  { name: "TX", collections: (d) => d.tx.asList },
  { name: "ENV", collections: (d) => d.env.asList },
  { name: "GEO", collections: () => GEO.asList },
  { name: "RULE", collections: (d) => d.rule.asList },
  ...PERSISTENT_COLLECTIONS.map(
    (name): VariableDefinition => ({ name, collections: (d) => d.persistentCollection(name).asList }),
  ),
];
