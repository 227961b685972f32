/**
 * Timeline entries read from the traffic series (pure): when rate limiting and load shedding began
 * and ended, and when the WAF's block rate changed a lot. None of these is an event in the log; they
 * are facts of the series, and each entry cites the series it was read from.
 */
import type { SeriesPoint } from "../monitor/series/names.js";
import type { TimelineEntry } from "./timeline.js";

export interface ActivitySeries {
  /** Seconds per point of every series given; points are per-second rates (the monitor's convention). */
  readonly stepSeconds: number;
  readonly requests?: readonly SeriesPoint[];
  readonly blocked?: readonly SeriesPoint[];
  readonly rateLimited?: readonly SeriesPoint[];
  readonly shed?: readonly SeriesPoint[];
}

export interface ActivityOptions {
  /** Quiet steps that still belong to the same episode (default 5). */
  readonly gapSteps?: number;
  /** Steps per block-rate bucket (default: one minute's worth). */
  readonly bucketSteps?: number;
  /** A block-rate change counts when the rate moves by this factor or more (default 3). */
  readonly factor?: number;
  /** ... and by at least this many percentage points (default 0.5). */
  readonly minPoints?: number;
}

const iso = (t: number) => new Date(t * 1000).toISOString();

/** Runs of non-zero points (gaps up to `gapSteps` quiet steps joined): began/ended entries. */
export function episodes(
  points: readonly SeriesPoint[],
  stepSeconds: number,
  what: { name: string; kind: string; label: string },
  gapSteps = 5,
): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const source = `series:${what.name}{}`;
  let start: SeriesPoint | undefined;
  let last: SeriesPoint | undefined;
  let total = 0;
  let peak = 0;
  const close = () => {
    if (start === undefined || last === undefined) return;
    out.push({
      time: iso(last.t + stepSeconds),
      source,
      kind: what.kind,
      title: `${what.label} ended: ${Math.round(total)} requests in ${last.t + stepSeconds - start.t} s, peak ${round(peak)}/s`,
    });
    start = undefined;
  };
  for (const p of [...points].sort((a, b) => a.t - b.t)) {
    if (p.value <= 0) {
      if (last !== undefined && start !== undefined && p.t - last.t > gapSteps * stepSeconds) close();
      continue;
    }
    if (start !== undefined && last !== undefined && p.t - last.t > (gapSteps + 1) * stepSeconds) close();
    if (start === undefined) {
      start = p;
      total = 0;
      peak = 0;
      out.push({
        time: iso(p.t),
        source,
        kind: what.kind,
        title: `${what.label} began: ${round(p.value)}/s`,
      });
    }
    last = p;
    total += p.value * stepSeconds;
    peak = Math.max(peak, p.value);
  }
  // An episode still running at the end of the window has no end entry.
  return out;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/**
 * The WAF block rate (blocked / requests) per bucket; an entry where it moves by `factor` or more
 * (and by at least `minPoints` percentage points), including a drop to zero: the outage of
 * seed/postmortem.md shows up as "WAF block rate fell from 2.0 % to 0.0 %" right after the update.
 */
export function blockRateChanges(
  requests: readonly SeriesPoint[],
  blocked: readonly SeriesPoint[],
  stepSeconds: number,
  opts: ActivityOptions = {},
): TimelineEntry[] {
  const bucket = (opts.bucketSteps ?? Math.max(1, Math.round(60 / stepSeconds))) * stepSeconds;
  const factor = opts.factor ?? 3;
  const minPoints = opts.minPoints ?? 0.5;
  const sums = new Map<number, { req: number; blk: number }>();
  const add = (points: readonly SeriesPoint[], field: "req" | "blk") => {
    for (const p of points) {
      const b = p.t - (p.t % bucket);
      const s = sums.get(b) ?? { req: 0, blk: 0 };
      s[field] += p.value;
      sums.set(b, s);
    }
  };
  add(requests, "req");
  add(blocked, "blk");
  const out: TimelineEntry[] = [];
  let prev: number | undefined;
  for (const [t, s] of [...sums.entries()].sort((a, b) => a[0] - b[0])) {
    if (s.req <= 0) continue;
    const pct = (100 * s.blk) / s.req;
    if (prev !== undefined) {
      const moved = Math.abs(pct - prev) >= minPoints;
      const ratio = Math.max(pct, prev) / Math.max(Math.min(pct, prev), 1e-9);
      if (moved && ratio >= factor) {
        out.push({
          time: iso(t),
          source: "series:blocked{},requests{}",
          kind: "waf-block-rate",
          title: `WAF block rate ${pct < prev ? "fell" : "rose"} from ${prev.toFixed(1)} % to ${pct.toFixed(1)} % of requests`,
        });
      }
    }
    prev = pct;
  }
  return out;
}

export function seriesActivity(s: ActivitySeries, opts: ActivityOptions = {}): TimelineEntry[] {
  const gap = opts.gapSteps ?? 5;
  return [
    ...episodes(
      s.rateLimited ?? [],
      s.stepSeconds,
      { name: "rate_limited", kind: "rate-limiting", label: "rate limiting" },
      gap,
    ),
    ...episodes(s.shed ?? [], s.stepSeconds, { name: "shed", kind: "shedding", label: "load shedding" }, gap),
    ...(s.requests !== undefined && s.blocked !== undefined
      ? blockRateChanges(s.requests, s.blocked, s.stepSeconds, opts)
      : []),
  ];
}
