/**
 * Reads `timestamp,value` series in NAB's CSV format (a header line, then one row per point) and
 * NAB results files (a header naming an `anomaly_score` column). Timestamps are NAB's
 * `YYYY-MM-DD HH:MM:SS[.ffffff]` (read as UTC), ISO 8601, or epoch seconds. Errors name the file and
 * line; the text of each timestamp is kept so outputs repeat the input exactly.
 */
import { readFileSync } from "node:fs";
import { SeriesError } from "./errors.js";

export interface Series {
  /** Milliseconds since the epoch (UTC when the text has no zone). */
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /** The timestamp column as written in the file. */
  readonly timestampText: readonly string[];
  /** The value column as written in the file. */
  readonly valueText: readonly string[];
}

const NAB_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one timestamp to epoch milliseconds; NaN when it is not a timestamp. */
export function parseTimestamp(text: string): number {
  const m = NAB_TIME.exec(text);
  if (m) {
    const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0;
    let t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, m[6] ? +m[6] : 0, ms);
    const month = +m[2]!;
    const day = +m[3]!;
    if (month < 1 || month > 12 || day < 1 || day > 31 || +m[4]! > 23 || +m[5]! > 59) return Number.NaN;
    if (m[8] && m[8] !== "Z") {
      const sign = m[8][0] === "-" ? -1 : 1;
      const digits = m[8].slice(1).replace(":", "");
      t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
    }
    // Fractions below a millisecond are kept apart so that 00.000001 and 00.000002 still differ.
    if (m[7] && m[7].length > 3) t += Number(`0.${m[7].slice(3)}`);
    return t;
  }
  if (NUMBER.test(text)) return Number(text) * 1000;
  return Number.NaN;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new SeriesError(
      "SERIES_NOT_FOUND",
      `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        hint: "check the path",
        cause: err,
      },
    );
  }
}

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.endsWith("\r")) lines[i] = l.slice(0, -1);
  }
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines;
}

function csvError(path: string, line: number, message: string): SeriesError {
  return new SeriesError("SERIES_CSV_INVALID", `${path}:${line}: ${message}`, {
    hint: "each line after the header must be `timestamp,value` (NAB format)",
  });
}

/**
 * Parses a series from CSV text. The header must start with `timestamp,value`; timestamps must
 * never decrease.
 */
export function parseSeries(text: string, path = "<input>"): Series {
  const lines = splitLines(text.startsWith("\uFEFF") ? text.slice(1) : text);
  if (lines.length === 0) throw csvError(path, 1, "the file is empty (expected a `timestamp,value` header)");
  const header = lines[0]!.split(",").map((h) => h.trim().toLowerCase());
  if (header[0] !== "timestamp" || header[1] !== "value") {
    throw csvError(path, 1, `header is "${lines[0]!.slice(0, 80)}", expected "timestamp,value"`);
  }
  const n = lines.length - 1;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  const timestampText: string[] = new Array(n);
  const valueText: string[] = new Array(n);
  let prev = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const line = lines[i + 1]!;
    const comma = line.indexOf(",");
    if (comma < 0) throw csvError(path, i + 2, `no comma in "${line.slice(0, 80)}"`);
    const tsText = line.slice(0, comma).trim();
    const end = line.indexOf(",", comma + 1);
    const cell = line.slice(comma + 1, end < 0 ? line.length : end).trim();
    const t = parseTimestamp(tsText);
    if (Number.isNaN(t)) throw csvError(path, i + 2, `"${tsText.slice(0, 40)}" is not a timestamp`);
    if (!NUMBER.test(cell)) throw csvError(path, i + 2, `"${cell.slice(0, 40)}" is not a number`);
    const v = Number(cell);
    if (!Number.isFinite(v)) throw csvError(path, i + 2, `"${cell.slice(0, 40)}" is not a finite number`);
    // Equal timestamps are allowed: NAB's own files repeat some (clock changes); going back is not.
    if (t < prev) {
      throw new SeriesError(
        "SERIES_ORDER_INVALID",
        `${path}:${i + 2}: timestamp ${tsText} is earlier than the previous one`,
        { hint: "sort the file by timestamp: detectors see points in order, with no look-ahead" },
      );
    }
    prev = t;
    timestamps[i] = t;
    values[i] = v;
    timestampText[i] = tsText;
    valueText[i] = cell;
  }
  return { timestamps, values, timestampText, valueText };
}

export function readSeries(path: string): Series {
  return parseSeries(readText(path), path);
}

/** The `anomaly_score` column of a NAB results file, in row order. */
export function readAnomalyScores(path: string): Float64Array {
  const lines = splitLines(readText(path));
  const header = (lines[0] ?? "").split(",").map((h) => h.trim());
  const col = header.indexOf("anomaly_score");
  if (col < 0) {
    throw new SeriesError("NAB_RESULTS_INVALID", `${path}:1: no anomaly_score column`, {
      hint: "a NAB results file has the columns timestamp,value,anomaly_score,...",
    });
  }
  const out = new Float64Array(lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const cell = lines[i]!.split(",")[col]?.trim() ?? "";
    const v = Number(cell);
    if (cell === "" || !Number.isFinite(v)) {
      throw new SeriesError(
        "NAB_RESULTS_INVALID",
        `${path}:${i + 1}: anomaly_score "${cell.slice(0, 40)}" is not a number`,
      );
    }
    out[i - 1] = v;
  }
  return out;
}
