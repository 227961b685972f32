/**
 * Grouping and notification timing, a pure core after Alertmanager's dispatcher and notification
 * log (prometheus/alertmanager dispatch/dispatch.go aggrGroup, notify/notify.go DedupStage):
 * - alerts (firing, and resolved ones still retained) are grouped by the values of `groupBy`;
 * - a new group waits `groupWait` before its first notification, so that alerts that begin
 *   together go out together; an alert that began longer than groupWait ago (a restart) flushes
 *   at once;
 * - afterwards the group is looked at every `groupInterval`; it notifies when it has a firing alert
 *   the receiver has not been told about, when a told one resolved (sendResolved), when everything
 *   it was told about is resolved, or, unchanged, when `repeatInterval` has passed since the last
 *   notification (DedupStage.needsUpdate);
 * - silenced and inhibited alerts are taken out before that decision (MuteStage): they are neither
 *   notified nor counted as news;
 * - after a flush, resolved alerts leave the group; a group without alerts is removed.
 * The notification log (what each group last sent) is the state that survives restarts: the shell
 * stores every entry it changes, and gives them back here after a restart.
 */
import { labelKey } from "./fingerprint.js";
import type { RouteSettings } from "./rules.js";
import type { AlertView } from "./types.js";

export interface NotificationLogEntry {
  readonly groupKey: string;
  /** Fingerprints of the firing and resolved alerts in the last notification. */
  readonly firing: readonly string[];
  readonly resolved: readonly string[];
  readonly sentAtMs: number;
}

export interface GroupFlush {
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly status: "firing" | "resolved";
  readonly firing: readonly AlertView[];
  /** Empty when sendResolved is off. */
  readonly resolved: readonly AlertView[];
  /** The log entry written for this flush (store it with the notifications). */
  readonly entry: NotificationLogEntry;
  /** False when the log moved but nothing is to be sent (only resolutions, sendResolved off). */
  readonly send: boolean;
}

interface Group {
  readonly key: string;
  readonly labels: Readonly<Record<string, string>>;
  nextFlushMs: number;
  readonly members: Map<string, AlertView>;
  /** fingerprint@resolvedAt of resolved alerts already flushed out of the group. */
  readonly retired: Set<string>;
}

/** A flush that could not be stored is tried again after this long. */
const RETRY_MS = 5000;

const muted = (a: AlertView): boolean => (a.silencedBy?.length ?? 0) > 0 || (a.inhibitedBy?.length ?? 0) > 0;
const retiredKey = (a: AlertView): string => `${a.fingerprint}@${a.resolvedAt ?? ""}`;

function isSubset(sub: readonly string[], of: readonly string[]): boolean {
  const set = new Set(of);
  return sub.every((x) => set.has(x));
}

export class AlertGroups {
  readonly #groups = new Map<string, Group>();
  readonly #log: Map<string, NotificationLogEntry>;
  #route: RouteSettings;

  constructor(route: RouteSettings, log: readonly NotificationLogEntry[] = []) {
    this.#route = route;
    this.#log = new Map(log.map((e) => [e.groupKey, e]));
  }

  /** A new route (new config): grouping may change, so groups start over; the log stays. */
  setRoute(route: RouteSettings): void {
    if (JSON.stringify(route.groupBy) !== JSON.stringify(this.#route.groupBy)) this.#groups.clear();
    this.#route = route;
  }

  logEntry(groupKey: string): NotificationLogEntry | undefined {
    return this.#log.get(groupKey);
  }

  groupKeyOf(a: AlertView): { key: string; labels: Record<string, string> } {
    const labels: Record<string, string> = {};
    for (const l of this.#route.groupBy) {
      const v = a.labels[l];
      if (v !== undefined) labels[l] = v;
    }
    return { key: labelKey(labels), labels };
  }

  /**
   * Takes the current alerts (pending ones are ignored; silencedBy/inhibitedBy already set) at
   * time `now` (ms), hands each group due for a notification to `deliver` (which stores it with
   * its log entry and returns true, or false to have it retried a few seconds later), and returns
   * the delivered ones.
   */
  tick(
    now: number,
    alerts: readonly AlertView[],
    deliver: (flush: GroupFlush) => boolean = () => true,
  ): GroupFlush[] {
    const present = new Set<string>();
    for (const a of alerts) {
      if (a.state === "pending") continue;
      const { key, labels } = this.groupKeyOf(a);
      let g = this.#groups.get(key);
      if (g === undefined) {
        if (a.state === "resolved") continue; // resolved before any group knew it: nothing to tell
        const began = Date.parse(a.firedAt ?? a.activeAt);
        const wait = began + this.#route.groupWaitMs <= now ? 0 : this.#route.groupWaitMs;
        g = { key, labels, nextFlushMs: now + wait, members: new Map(), retired: new Set() };
        this.#groups.set(key, g);
      }
      if (a.state === "resolved" && g.retired.has(retiredKey(a))) continue;
      g.members.set(a.fingerprint, a);
      present.add(a.fingerprint);
    }
    const out: GroupFlush[] = [];
    for (const g of this.#groups.values()) {
      // Alerts that left the evaluator (retention over, rule removed) leave the group too.
      for (const fp of g.members.keys()) if (!present.has(fp)) g.members.delete(fp);
      if (now < g.nextFlushMs) continue;
      const flush = this.#flush(g, now);
      if (flush !== undefined) {
        if (!deliver(flush)) {
          // Not stored (receivers not loaded yet, store busy): the log stays, try again shortly.
          g.nextFlushMs = now + RETRY_MS;
          continue;
        }
        this.#log.set(g.key, flush.entry);
        out.push(flush);
      }
      g.nextFlushMs = now + this.#route.groupIntervalMs;
      for (const a of [...g.members.values()]) {
        if (a.state === "resolved") {
          g.members.delete(a.fingerprint);
          g.retired.add(retiredKey(a));
        }
      }
      if (g.members.size === 0) this.#groups.delete(g.key);
    }
    return out;
  }

  #flush(g: Group, now: number): GroupFlush | undefined {
    const live = [...g.members.values()].filter((a) => !muted(a));
    // Alertmanager's pipeline stops when muting leaves no alert: nothing is sent, the log stays.
    if (live.length === 0) return undefined;
    const firing = live.filter((a) => a.state === "firing");
    const resolved = live.filter((a) => a.state === "resolved");
    const firingFps = firing.map((a) => a.fingerprint).sort();
    const resolvedFps = resolved.map((a) => a.fingerprint).sort();
    const entry = this.#log.get(g.key);
    if (!this.#needsUpdate(entry, firingFps, resolvedFps, now)) return undefined;
    const next: NotificationLogEntry = {
      groupKey: g.key,
      firing: firingFps,
      resolved: resolvedFps,
      sentAtMs: now,
    };
    const sendResolved = this.#route.sendResolved;
    return {
      groupKey: g.key,
      groupLabels: g.labels,
      status: firing.length > 0 ? "firing" : "resolved",
      firing,
      resolved: sendResolved ? resolved : [],
      entry: next,
      send: firing.length > 0 || (sendResolved && resolved.length > 0),
    };
  }

  /** Alertmanager's DedupStage.needsUpdate. */
  #needsUpdate(
    entry: NotificationLogEntry | undefined,
    firing: readonly string[],
    resolved: readonly string[],
    now: number,
  ): boolean {
    if (entry === undefined) return firing.length > 0;
    if (!isSubset(firing, entry.firing)) return true;
    // Everything it was told about resolved: say so (also clears the log's firing set).
    if (firing.length === 0) return entry.firing.length > 0;
    if (this.#route.sendResolved && !isSubset(resolved, entry.resolved)) return true;
    return entry.sentAtMs <= now - this.#route.repeatIntervalMs;
  }
}
