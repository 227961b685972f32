/** The registry of drill scenarios: one file each, listed here. */
import { outage2am } from "./outage-2am.js";
import type { Scenario } from "./types.js";

export const SCENARIOS: readonly Scenario[] = [outage2am as Scenario];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
