/**
 * Escalation as a pure function of the incident, its policy's levels and the clock: level 1 is
 * paged when the incident opens; while nobody acknowledges, each level's delay after it was paged
 * the next level is paged (PagerDuty's escalation policies work this way:
 * https://support.pagerduty.com/main/docs/escalation-policies). Acknowledging (or mitigating,
 * resolving) stops it. Each step is due at a computed time, not at "now", so a control plane that
 * was down catches up with the same times it would have used.
 */
import type { EscalationLevel } from "./schema.js";
import type { Incident } from "./types.js";

export interface EscalationStep {
  /** 1-based level being paged. */
  readonly level: number;
  readonly receivers: readonly string[];
  /** When the step was due (ISO). */
  readonly dueAt: string;
  /** Minutes the previous level had to acknowledge (0 for level 1). */
  readonly afterMinutes: number;
}

export function dueEscalations(
  incident: Pick<Incident, "state" | "openedAt" | "escalation">,
  levels: readonly EscalationLevel[] | undefined,
  nowMs: number,
): EscalationStep[] {
  if (levels === undefined || levels.length === 0 || incident.state !== "triggered") return [];
  const steps: EscalationStep[] = [];
  let level = incident.escalation.level;
  let levelAtMs = Date.parse(incident.escalation.levelAt ?? incident.openedAt);
  if (level === 0) {
    const first = levels[0]!;
    levelAtMs = Date.parse(incident.openedAt);
    steps.push({ level: 1, receivers: first.receivers, dueAt: incident.openedAt, afterMinutes: 0 });
    level = 1;
  }
  while (level < levels.length) {
    const delayMinutes = levels[level - 1]!.delayMinutes;
    const dueMs = levelAtMs + delayMinutes * 60_000;
    if (dueMs > nowMs) break;
    const next = levels[level]!;
    steps.push({
      level: level + 1,
      receivers: next.receivers,
      dueAt: new Date(dueMs).toISOString(),
      afterMinutes: delayMinutes,
    });
    level += 1;
    levelAtMs = dueMs;
  }
  return steps;
}
