/**
 * The registry of built-in runbooks: one file each, listed here. The built-in alerts
 * (src/alerts/builtins.ts) link to the runbook with their own name.
 */
import { configDrift } from "./config-drift.js";
import { configRelated } from "./config-related.js";
import { errorSpike } from "./error-spike.js";
import { gatewayDown } from "./gateway-down.js";
import { latencySpike } from "./latency-spike.js";
import { rateLimitStorm } from "./rate-limit-storm.js";
import { surge } from "./surge.js";
import { trafficDrop } from "./traffic-drop.js";
import type { Runbook, RunbookFacts } from "./types.js";
import { wafBlockSpike } from "./waf-block-spike.js";

export type { Runbook, RunbookFacts } from "./types.js";

export const RUNBOOKS: readonly Runbook[] = [
  configRelated,
  surge,
  trafficDrop,
  errorSpike,
  latencySpike,
  wafBlockSpike,
  rateLimitStorm,
  configDrift,
  gatewayDown,
];

export function runbookFor(name: string): Runbook | undefined {
  return RUNBOOKS.find((r) => r.name === name);
}

export function renderRunbook(runbook: Runbook, facts: RunbookFacts): string {
  return `${runbook.render(facts).trimEnd()}\n`;
}
