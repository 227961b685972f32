/**
 * Durations as rampart.yaml and the CLI write them: Prometheus' notation (`30s`, `5m`, `2h`, `1h30m`,
 * `1d`; https://prometheus.io/docs/prometheus/latest/configuration/configuration/#duration), plus
 * `ms`. A bare `0` is zero.
 */
import { AlertsError } from "./errors.js";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+)(ms|s|m|h|d|w)/y;

/** Milliseconds of `text`, or undefined when it is not a duration. */
export function tryParseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === "0") return 0;
  if (s === "") return undefined;
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (m === null || m.index !== at) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  }
  return total;
}

export function parseDuration(text: string, what = "duration"): number {
  const ms = tryParseDuration(text);
  if (ms === undefined) {
    throw new AlertsError("ALERT_DURATION_INVALID", `${what} ${JSON.stringify(text)} is not a duration`, {
      hint: "write e.g. 30s, 5m, 2h, 1h30m or 1d",
    });
  }
  return ms;
}

/** The shortest readable form: 90000 -> "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  let rest = ms;
  let out = "";
  for (const [unit, size] of [
    ["d", UNIT_MS.d],
    ["h", UNIT_MS.h],
    ["m", UNIT_MS.m],
    ["s", UNIT_MS.s],
    ["ms", 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
