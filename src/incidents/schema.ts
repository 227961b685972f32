/**
 * The `incidents:` section of rampart.yaml: when firing alerts open an incident, how alerts are
 * grouped into one, and who is paged in which order until someone acknowledges.
 *
 * ```yaml
 * incidents:
 *   open: warning                  # lowest alert severity that opens an incident: info | warning | critical | never
 *   groupWindowMinutes: 10         # an alert about the same service within this time of the last one joins its incident
 *   groupBy: [service]             # alert labels that name the service; an alert without them is about the "fleet"
 *   severity: { critical: SEV2, warning: SEV3, info: SEV4 }   # incident severity for the alert that opens it
 *   escalation: default            # the policy new incidents follow (omit: the first one defined, if any)
 *   escalationPolicies:
 *     default:
 *       - { receivers: [oncall], delayMinutes: 5 }         # paged at once; unacknowledged after 5 min ->
 *       - { receivers: [seniors, security], delayMinutes: 15 }   # the next level
 * ```
 * Receivers are the notification receivers of the alerts' config (webhook, Slack, email).
 */
import { z } from "zod";
import { ALERT_SEVERITIES } from "../alerts/types.js";
import { INCIDENT_SEVERITIES } from "./types.js";

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const sev = z.enum(INCIDENT_SEVERITIES);

export const escalationLevelSchema = z
  .object({
    receivers: z.array(z.string().min(1)).min(1, "a level needs at least one receiver"),
    /** Minutes to wait for an acknowledgement before the next level (fractions allowed). */
    delayMinutes: z.number().positive().max(10_080),
  })
  .strict();

export const incidentsSchema = z
  .object({
    open: z.enum([...ALERT_SEVERITIES, "never"]).default("warning"),
    groupWindowMinutes: z.number().min(0).max(1440).default(10),
    // One shop is one service by default: a surge that fires on the fleet, a gateway and three routes
    // is one incident, not five pages. Rules label a `service` (or set groupBy: [route]) to split.
    groupBy: z.array(z.string().min(1)).default(["service"]),
    severity: z
      .object({ critical: sev.default("SEV2"), warning: sev.default("SEV3"), info: sev.default("SEV4") })
      .strict()
      .default({}),
    escalation: z.string().regex(NAME).optional(),
    escalationPolicies: z
      .record(z.string().regex(NAME, "is not a valid policy name"), z.array(escalationLevelSchema).min(1))
      .default({}),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.escalation !== undefined && !(cfg.escalation in cfg.escalationPolicies)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ["escalation"],
        message: `unknown escalation policy ${JSON.stringify(cfg.escalation)} (defined: ${Object.keys(cfg.escalationPolicies).join(", ") || "none"})`,
      });
    }
  })
  .default({});

export type IncidentsConfig = z.output<typeof incidentsSchema>;
export type EscalationLevel = z.output<typeof escalationLevelSchema>;

/** The section with every default, for a control plane without any config version yet. */
export const DEFAULT_INCIDENTS_CONFIG: IncidentsConfig = incidentsSchema.parse(undefined);

/** The policy new incidents follow: the named one, else the first defined, else none. */
export function escalationPolicyOf(cfg: IncidentsConfig): string | null {
  return cfg.escalation ?? Object.keys(cfg.escalationPolicies)[0] ?? null;
}
