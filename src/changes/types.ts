/**
 * "What changed": the changes recorded before a moment (an alert's onset, an incident's start),
 * ranked by how likely each is to be the cause. Alerts carry the list in their notifications and
 * incidents show it as a panel; both read it from here, computed from the store's config versions
 * and event log (the first thing a responder needs in the postmortem's outage, seed/postmortem.md).
 */

export type ChangeKind = "config" | "override" | "rollback" | "rollout" | "drift" | "other";

export interface ChangeEntry {
  /** ISO time of the change. */
  readonly time: string;
  readonly kind: ChangeKind;
  /**
   * Security-relevant: a WAF module turned off, the WAF engine leaving blocking mode, a limit
   * loosened, a policy overridden, a module off on a gateway (drift). Ranked first.
   */
  readonly security: boolean;
  /** Rank score in [0, 1], higher first; ties broken by recency. */
  readonly score: number;
  /** One line for people, e.g. "v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off". */
  readonly title: string;
  /** Config version concerned, if any. */
  readonly version?: number;
  readonly author?: string;
  /** Readable diff lines against the version before it (plan.ts wording), most significant first. */
  readonly diff?: readonly string[];
  /** The event it comes from (event log id), so that a timeline can cite its source. */
  readonly eventId?: number;
}
