/**
 * "What changed" before a moment: the config versions, overrides, rollouts, rollbacks and drift of
 * the window before it, ranked by how likely each is to be the cause. In the postmortem's outage
 * (seed/postmortem.md) the first line would have read "v42 applied 01:58 by deploy-bot:
 * waf.modules.sqli off, waf.modules.protocol off", and nobody would have chased a DDoS.
 *
 * `rankChanges` is the pure core (facts in, ranked entries out); `whatChanged` reads the facts from
 * the store's event log and config versions. Ranking, highest first:
 *   1. security-relevant config changes (a WAF module off, the engine leaving blocking, a limit
 *      loosened, a policy overridden) and drift that turned a module off on a gateway;
 *   2. any other config change (apply or rollback);
 *   3. rollouts (started, rolled back by the health gate, completed);
 *   4. the rest (other drift, settings, tokens).
 * Within a class the more recent change ranks higher: the closer to the onset, the likelier.
 */
import { parseConfig } from "../config/load.js";
import { type PlanChange, planChange, renderValue } from "../config/plan.js";
import type { RampartConfig } from "../config/schema.js";
import type { StoredEvent } from "../store/events.js";
import type { Store } from "../store/store.js";
import type { ConfigVersion } from "../store/versions.js";
import type { ChangeEntry, ChangeKind } from "./types.js";

export const DEFAULT_WINDOW_MS = 30 * 60_000;

/** Event kinds that describe a change (what the store's writers append; see src/config, src/control). */
export const CHANGE_EVENT_KINDS = [
  "config.applied",
  "config.rolled-back",
  "rollout.started",
  "rollout.rolled-back",
  "rollout.completed",
  "drift",
  "settings.changed",
] as const;

/** A config version as the ranker needs it: the version, and its diff against its parent. */
export interface VersionFact {
  readonly version: Pick<ConfigVersion, "id" | "createdAt" | "author" | "message" | "kind" | "overrides">;
  readonly rollbackOf?: number | null;
  /** plan.ts changes against the parent version, security-relevant first. */
  readonly changes: readonly PlanChange[];
  readonly eventId?: number;
}

export interface RankInput {
  /** The moment the changes are ranked for (an alert's onset). */
  readonly before: Date;
  readonly windowMs: number;
  readonly versions: readonly VersionFact[];
  /** Change events other than config.applied / config.rolled-back (those come as versions). */
  readonly events: readonly StoredEvent[];
}

const CLASS_SCORE: Readonly<Record<"security" | "config" | "rollout" | "other", number>> = {
  security: 0.9,
  config: 0.6,
  rollout: 0.4,
  other: 0.1,
};
/** Recency adds at most this much, so it orders within a class and never across classes. */
const RECENCY_WEIGHT = 0.09;

function hhmm(iso: string): string {
  return iso.slice(11, 16);
}

/** One change in words: `waf.modules.sqli off`, `routes[name=checkout].rateLimits[name=ip].rate 50/s -> 500/s`. */
export function changeWords(c: PlanChange): string {
  if (c.kind === "added") return `+${c.path}: ${renderValue(c.after)}`;
  if (c.kind === "removed") return `-${c.path}`;
  if (c.path.startsWith("waf.modules.") || c.path === "waf.mode") return `${c.path} ${renderValue(c.after)}`;
  return `${c.path} ${renderValue(c.before)} -> ${renderValue(c.after)}`;
}

function recency(time: string, input: RankInput): number {
  const age = input.before.getTime() - Date.parse(time);
  const frac = Math.min(1, Math.max(0, age / Math.max(1, input.windowMs)));
  return RECENCY_WEIGHT * (1 - frac);
}

function versionEntry(f: VersionFact, input: RankInput): ChangeEntry {
  const v = f.version;
  const overridden = v.overrides.length > 0;
  // An override carried over from an earlier version (modules still off, something else changed)
  // is shown, but only the version that made the security-relevant change ranks as its cause.
  const security = f.changes.some((c) => c.security && c.direction !== "tightened");
  const verb = v.kind === "rollback" ? `rollback to v${f.rollbackOf ?? "?"}` : "applied";
  const shown = f.changes.slice(0, 3).map(changeWords);
  if (f.changes.length > 3) shown.push(`+${f.changes.length - 3} more`);
  const what = shown.length === 0 ? "no effective change" : shown.join(", ");
  const override = overridden
    ? ` (override ${v.overrides.map((o) => `${o.policy} by ${o.by}: ${JSON.stringify(o.reason)}`).join("; ")})`
    : "";
  const kind: ChangeKind =
    v.kind === "rollback" ? "rollback" : overridden && security ? "override" : "config";
  return {
    time: v.createdAt,
    kind,
    security,
    score: CLASS_SCORE[security ? "security" : "config"] + recency(v.createdAt, input),
    title: `v${v.id} ${verb} ${hhmm(v.createdAt)} by ${v.author}: ${what}${override}`,
    version: v.id,
    author: v.author,
    diff: f.changes.map(changeWords),
    ...(f.eventId === undefined ? {} : { eventId: f.eventId }),
  };
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

function eventEntry(e: StoredEvent, input: RankInput): ChangeEntry | undefined {
  const d = e.data as Record<string, unknown>;
  const at = hhmm(e.time);
  const version = typeof d.version === "number" ? d.version : undefined;
  const base = { time: e.time, eventId: e.id, ...(version === undefined ? {} : { version }) };
  switch (e.kind) {
    case "rollout.started":
    case "rollout.completed":
    case "rollout.rolled-back": {
      const what =
        e.kind === "rollout.started"
          ? `rollout of v${version} started (${str(d.strategy) ?? "all"})`
          : e.kind === "rollout.completed"
            ? `rollout of v${version} completed`
            : `rollout of v${version} rolled back by the health gate${Array.isArray(d.reasons) ? `: ${d.reasons.map(String).join("; ")}` : ""}`;
      return {
        ...base,
        kind: e.kind === "rollout.rolled-back" ? "rollback" : "rollout",
        security: false,
        score: CLASS_SCORE.rollout + recency(e.time, input),
        title: `${what} ${at}`,
      };
    }
    case "drift": {
      const moduleOff = d.code === "module_off" || d.code === "mode";
      return {
        ...base,
        kind: "drift",
        security: moduleOff,
        score: CLASS_SCORE[moduleOff ? "security" : "other"] + recency(e.time, input),
        title: `drift on ${str(d.gateway) ?? e.subject ?? "a gateway"} ${at}: ${str(d.reason) ?? str(d.code) ?? ""}`,
      };
    }
    default:
      return {
        ...base,
        kind: "other",
        security: false,
        score: CLASS_SCORE.other + recency(e.time, input),
        title: `${e.kind} ${at}${e.subject === null ? "" : ` ${e.subject}`}`,
      };
  }
}

/** Pure: ranks the facts of a window, highest score first, ties to the more recent. */
export function rankChanges(input: RankInput): ChangeEntry[] {
  const from = input.before.getTime() - input.windowMs;
  const to = input.before.getTime();
  const inWindow = (t: string) => {
    const ms = Date.parse(t);
    return ms >= from && ms < to;
  };
  const entries: ChangeEntry[] = [];
  for (const f of input.versions) if (inWindow(f.version.createdAt)) entries.push(versionEntry(f, input));
  for (const e of input.events) {
    if (!inWindow(e.time) || e.kind === "config.applied" || e.kind === "config.rolled-back") continue;
    const entry = eventEntry(e, input);
    if (entry !== undefined) entries.push(entry);
  }
  return entries.sort((a, b) => b.score - a.score || Date.parse(b.time) - Date.parse(a.time));
}

export interface WhatChangedOptions {
  /** The onset; changes after it are not candidates. */
  readonly before: Date;
  /** Default 30 minutes. */
  readonly windowMs?: number;
  /** Default 20. */
  readonly limit?: number;
  /**
   * Changes this long after `before` still count (default 1000 ms): a series alert's onset is the
   * start of its second, so a version applied within that second, just before the traffic moved,
   * may be the cause.
   */
  readonly resolutionMs?: number;
}

function configOf(v: ConfigVersion | undefined): RampartConfig | undefined {
  if (v === undefined) return undefined;
  try {
    return parseConfig(v.document);
  } catch {
    // A stored version always parsed when it was applied; a later schema may refuse it. Its diff is
    // then unknown, not a reason to hide that the version was applied.
    return undefined;
  }
}

/** Reads the window's versions and change events from the store and ranks them. */
export function whatChanged(store: Store, opts: WhatChangedOptions): ChangeEntry[] {
  const windowMs = opts.windowMs ?? DEFAULT_WINDOW_MS;
  const before = new Date(opts.before.getTime() + (opts.resolutionMs ?? 1000));
  const since = new Date(before.getTime() - windowMs);
  const events = store.events
    .list({ since, kinds: CHANGE_EVENT_KINDS, limit: 10_000 })
    .filter((e) => Date.parse(e.time) < before.getTime());
  const versions: VersionFact[] = [];
  for (const e of events) {
    if (e.kind !== "config.applied" && e.kind !== "config.rolled-back") continue;
    const id = e.data.version;
    const v = typeof id === "number" ? store.versions.get(id) : undefined;
    if (v === undefined) continue;
    const next = configOf(v);
    const parent = v.parentId === null ? undefined : configOf(store.versions.get(v.parentId));
    const changes = next === undefined ? [] : planChange(parent, next, []).changes;
    versions.push({ version: v, rollbackOf: v.rollbackOf, changes, eventId: e.id });
  }
  return rankChanges({ before, windowMs, versions, events }).slice(0, opts.limit ?? 20);
}

/** The line a notification leads with. */
export function formatChange(c: ChangeEntry): string {
  return `${c.security ? "[security] " : ""}${c.title}`;
}
