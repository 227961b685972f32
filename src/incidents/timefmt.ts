/** Times and durations as a postmortem prints them: one stated IANA time zone, never a mix. */
import { IncidentError } from "./errors.js";

/** The formatter for `tz`, or POSTMORTEM_BAD_TIMEZONE (Intl knows the IANA names, RFC 9557). */
export function zoneFormatter(tz: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat("en-CA", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
  } catch (err) {
    throw new IncidentError("POSTMORTEM_BAD_TIMEZONE", `${JSON.stringify(tz)} is not a time zone`, {
      hint: "use an IANA name such as UTC, Europe/Berlin or Africa/Nairobi",
      cause: err,
    });
  }
}

/** "2026-03-01 05:00:00" in the formatter's zone. */
export function formatIn(fmt: Intl.DateTimeFormat, iso: string): string {
  const parts = Object.fromEntries(fmt.formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The zone's offset from UTC at a moment, e.g. "UTC+03:00" (computed, not Intl's varying names). */
export function zoneOffset(tz: string, iso: string): string {
  const at = new Date(iso);
  const local = formatIn(zoneFormatter(tz), at.toISOString()).replace(" ", "T");
  const minutes = Math.round((Date.parse(`${local}Z`) - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** "4 h 0 min 12 s", "3 min 20 s", "45 s". */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const sign = total < 0 ? "-" : "";
  let s = Math.abs(total);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (h > 0) return `${sign}${h} h ${m} min ${s} s`;
  if (m > 0) return `${sign}${m} min ${s} s`;
  return `${sign}${s} s`;
}
