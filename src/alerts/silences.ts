/**
 * Silences, as Alertmanager's (https://prometheus.io/docs/alerting/latest/alertmanager/#silences):
 * a set of matchers and a time window; an alert whose labels match every matcher while the silence
 * is active is not notified, but stays visible (listed with `silencedBy`). Expiring a silence ends
 * it now; expired silences are kept for history. This file is the pure part; the store keeps them.
 */
import { AlertsError } from "./errors.js";
import { type Labels, type Matcher, matchesAll, parseMatcher } from "./matchers.js";

export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  /** ISO times. */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdAt: string;
  /** Set when it was expired before its end. */
  readonly expiredAt?: string;
}

export type SilenceState = "pending" | "active" | "expired";

export function silenceState(s: Silence, nowMs: number): SilenceState {
  if (nowMs >= Date.parse(s.endsAt)) return "expired";
  if (nowMs < Date.parse(s.startsAt)) return "pending";
  return "active";
}

/** The ids of the active silences that match `labels`. */
export function silencedBy(silences: readonly Silence[], labels: Labels, nowMs: number): string[] {
  const out: string[] = [];
  for (const s of silences)
    if (silenceState(s, nowMs) === "active" && matchesAll(s.matchers, labels)) out.push(s.id);
  return out;
}

export interface NewSilence {
  readonly matchers: readonly string[];
  readonly startsAt?: string;
  /** Give endsAt or durationMs (counted from startsAt). */
  readonly endsAt?: string;
  readonly durationMs?: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** Checks a silence request; returns its matchers and times (ms). */
export function validateSilence(
  input: NewSilence,
  nowMs: number,
): { matchers: Matcher[]; startsAtMs: number; endsAtMs: number } {
  if (input.matchers.length === 0) {
    throw new AlertsError("SILENCE_INVALID", "a silence needs at least one matcher", {
      hint: "e.g. --match alertname=surge --match route=checkout",
    });
  }
  const matchers = input.matchers.map((m) => {
    try {
      return parseMatcher(m);
    } catch (err) {
      throw new AlertsError("SILENCE_INVALID", (err as Error).message, {
        hint: (err as AlertsError).hint ?? "",
      });
    }
  });
  // Alertmanager refuses silences that match every alert (all matchers match the empty string).
  if (matchers.every((m) => matchesAll([m], {}))) {
    throw new AlertsError("SILENCE_INVALID", "these matchers would silence every alert", {
      hint: "name at least one label value, e.g. alertname=surge",
    });
  }
  const startsAtMs = input.startsAt === undefined ? nowMs : Date.parse(input.startsAt);
  if ((input.endsAt === undefined) === (input.durationMs === undefined)) {
    throw new AlertsError("SILENCE_INVALID", "give the silence's end or its duration (one of them)", {
      hint: "e.g. --for 2h",
    });
  }
  const endsAtMs = input.endsAt === undefined ? startsAtMs + input.durationMs! : Date.parse(input.endsAt);
  if (Number.isNaN(startsAtMs) || Number.isNaN(endsAtMs)) {
    throw new AlertsError("SILENCE_INVALID", "startsAt and endsAt must be ISO 8601 times");
  }
  if (endsAtMs <= nowMs) throw new AlertsError("SILENCE_INVALID", "a silence must end in the future");
  if (endsAtMs <= startsAtMs) throw new AlertsError("SILENCE_INVALID", "a silence must end after it starts");
  if (input.comment.trim() === "") {
    throw new AlertsError("SILENCE_INVALID", "a silence needs a comment", {
      hint: 'say why, e.g. --comment "load test until 15:00"',
    });
  }
  return { matchers, startsAtMs, endsAtMs };
}
