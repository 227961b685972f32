/**
 * Reads a folder in NAB's layout: data/<category>/*.csv, labels/combined_windows.json and
 * config/profiles.json; and a detector's results folder in NAB's layout
 * (results/<detector>/<category>/<detector>_<file>.csv). I/O only; scoring is in score.ts.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { parseTimestamp, readAnomalyScores, readSeries, type Series } from "./csv.js";
import { SeriesError } from "./errors.js";
import type { CostMatrix, NabWindow } from "./sweeper.js";

export interface NabFile {
  /** Path relative to data/, with "/" (NAB's key in the labels file), e.g. "realTraffic/speed_7578.csv". */
  readonly name: string;
  readonly series: Series;
  readonly windows: readonly NabWindow[];
}

export interface NabCorpus {
  readonly dir: string;
  readonly files: readonly NabFile[];
  /** Profile name -> weights, in the order of profiles.json. */
  readonly profiles: Readonly<Record<string, CostMatrix>>;
}

function readJson(path: string): unknown {
  if (!existsSync(path)) {
    throw new SeriesError("NAB_NOT_FOUND", `${path} does not exist`, {
      hint: "a NAB folder holds data/, labels/combined_windows.json and config/profiles.json",
    });
  }
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new SeriesError("NAB_LABELS_INVALID", `${path}: not valid JSON (${(err as Error).message})`, {
      cause: err,
    });
  }
}

function parseProfiles(raw: unknown, path: string): Record<string, CostMatrix> {
  const out: Record<string, CostMatrix> = {};
  if (typeof raw !== "object" || raw === null)
    throw new SeriesError("NAB_LABELS_INVALID", `${path}: not an object`);
  for (const [name, p] of Object.entries(raw)) {
    const m = (p as { CostMatrix?: Record<string, unknown> } | null)?.CostMatrix;
    const tp = m?.tpWeight;
    const fp = m?.fpWeight;
    const fn = m?.fnWeight;
    if (typeof tp !== "number" || typeof fp !== "number" || typeof fn !== "number") {
      throw new SeriesError(
        "NAB_LABELS_INVALID",
        `${path}: profile ${name} lacks CostMatrix tpWeight/fpWeight/fnWeight`,
      );
    }
    out[name] = { tpWeight: tp, fpWeight: fp, fnWeight: fn };
  }
  return out;
}

/** Data files under data/, sorted, as NAB keys ("category/file.csv"). */
export function listDataFiles(dir: string): string[] {
  const data = join(dir, "data");
  if (!existsSync(data) || !statSync(data).isDirectory()) {
    throw new SeriesError("NAB_NOT_FOUND", `${data} is not a folder`, {
      hint: "give --nab the folder that holds data/<category>/*.csv",
    });
  }
  const out: string[] = [];
  for (const category of readdirSync(data).sort()) {
    const sub = join(data, category);
    if (!statSync(sub).isDirectory()) continue;
    for (const f of readdirSync(sub).sort())
      if (f.endsWith(".csv") && !f.startsWith(".")) out.push(`${category}/${f}`);
  }
  return out;
}

export function loadNabCorpus(
  dir: string,
  onFile?: (name: string, done: number, total: number) => void,
): NabCorpus {
  const names = listDataFiles(dir);
  const labelsPath = join(dir, "labels", "combined_windows.json");
  const labels = readJson(labelsPath) as Record<string, unknown>;
  const profilesPath = join(dir, "config", "profiles.json");
  const profiles = parseProfiles(readJson(profilesPath), profilesPath);
  const files: NabFile[] = [];
  for (const [k, name] of names.entries()) {
    const series = readSeries(join(dir, "data", name));
    const raw = labels[name];
    if (!Array.isArray(raw)) {
      throw new SeriesError("NAB_LABELS_INVALID", `${labelsPath}: no windows for ${name}`, {
        hint: "every data file needs an entry (possibly []) in combined_windows.json",
      });
    }
    const windows = raw.map((w: unknown): NabWindow => {
      const pair = Array.isArray(w)
        ? w.map((t) => (typeof t === "string" ? parseTimestamp(t) : Number.NaN))
        : [];
      const [start, end] = pair;
      // NAB's labeler refuses window limits that are not timestamps of the file; so do we.
      if (
        pair.length !== 2 ||
        start === undefined ||
        end === undefined ||
        !has(series, start) ||
        !has(series, end)
      ) {
        throw new SeriesError(
          "NAB_LABELS_INVALID",
          `${labelsPath}: window ${JSON.stringify(w)} of ${name} is not two timestamps of the file`,
        );
      }
      return [start, end];
    });
    files.push({ name, series, windows });
    onFile?.(name, k + 1, names.length);
  }
  return { dir, files, profiles };
}

function has(series: Series, t: number): boolean {
  return series.timestamps.includes(t);
}

/**
 * A detector's scores for each corpus file from a NAB results folder: `dir` is
 * results/<detector>, the detector's name is the folder's name (NAB's convention).
 */
export function readResults(dir: string, corpus: NabCorpus): Float64Array[] {
  const detector = basename(dir.replace(/[/\\]+$/, ""));
  return corpus.files.map((f) => {
    const [category, file] = f.name.split("/") as [string, string];
    const path = join(dir, category, `${detector}_${file}`);
    if (!existsSync(path)) {
      throw new SeriesError("NAB_RESULTS_INVALID", `${path} does not exist`, {
        hint: "--score-results takes a folder results/<detector> with <category>/<detector>_<file>.csv",
      });
    }
    const scores = readAnomalyScores(path);
    if (scores.length !== f.series.values.length) {
      throw new SeriesError(
        "NAB_RESULTS_INVALID",
        `${path}: ${scores.length} rows, the data file has ${f.series.values.length}`,
      );
    }
    return scores;
  });
}
