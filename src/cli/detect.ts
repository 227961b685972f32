/**
 * `rampart detect`: run a streaming anomaly detector over a series file, or over a folder in the
 * Numenta Anomaly Benchmark's layout and print its NAB scores; or score an existing NAB results
 * folder (e.g. Numenta HTM's) on the same files for comparison.
 */
import { renameSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import type { Command } from "commander";
import { RampartError } from "../errors.js";
import {
  createDetector,
  DEFAULT_DETECTOR,
  type DetectorParams,
  detectorDefinition,
  detectorNames,
  runDetector,
} from "../monitor/detectors/index.js";
import { loadNabCorpus, type NabCorpus, readResults } from "../monitor/nab/corpus.js";
import { readSeries } from "../monitor/nab/csv.js";
import { type ProfileScore, scoreCorpus } from "../monitor/nab/score.js";

interface DetectOptions {
  input?: string;
  output?: string;
  nab?: string;
  scoreResults?: string;
  detector: string;
  param: string[];
  json?: boolean;
}

export function registerDetect(program: Command): void {
  program
    .command("detect")
    .description("run a streaming anomaly detector over a series, or score one on a NAB folder")
    .option("--input <file>", "series CSV (timestamp,value, NAB format) to score")
    .option("--output <file>", "with --input: where to write timestamp,value,anomaly_score")
    .option("--nab <dir>", "NAB folder (data/, labels/combined_windows.json, config/profiles.json)")
    .option("--score-results <dir>", "with --nab: score this NAB results folder (results/<detector>) instead")
    .option("--detector <name>", `detector (${detectorNames().join(", ")})`, DEFAULT_DETECTOR)
    .option("--param <name=value>", "detector parameter, repeatable", collect, [])
    .option("--json", "print one JSON object instead of text")
    .addHelpText(
      "after",
      "\nExamples:\n  rampart detect --input requests.csv --output scored.csv\n" +
        "  rampart detect --nab ../shared/nab\n" +
        "  rampart detect --nab ../shared/nab --score-results ../shared/nab/results/numenta",
    )
    .action((opts: DetectOptions) => {
      if (opts.input !== undefined && opts.nab !== undefined)
        throw usage("give either --input or --nab, not both");
      if (opts.input !== undefined) return detectFile(opts);
      if (opts.nab !== undefined) return detectNab(opts.nab, opts);
      throw usage("give --input FILE --output FILE, or --nab DIR");
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function usage(message: string): RampartError {
  return new RampartError("CLI_USAGE_INVALID", message, { hint: "see rampart detect --help" });
}

function parseParams(list: readonly string[]): DetectorParams {
  const out: Record<string, number> = {};
  for (const item of list) {
    const eq = item.indexOf("=");
    const value = Number(item.slice(eq + 1));
    if (eq <= 0 || item.slice(eq + 1).trim() === "" || !Number.isFinite(value)) {
      throw usage(`--param ${item}: expected name=number`);
    }
    out[item.slice(0, eq)] = value;
  }
  return out;
}

function detectFile(opts: DetectOptions): void {
  if (opts.output === undefined) throw usage("--input needs --output FILE");
  if (opts.scoreResults !== undefined) throw usage("--score-results goes with --nab");
  const params = parseParams(opts.param);
  const detector = createDetector(opts.detector, params); // fails early on a bad name or parameter
  const series = readSeries(opts.input!);
  const scores = runDetector(detector, series.timestamps, series.values);
  const lines = new Array<string>(scores.length + 1);
  lines[0] = "timestamp,value,anomaly_score";
  for (let i = 0; i < scores.length; i++) {
    lines[i + 1] = `${series.timestampText[i]},${series.valueText[i]},${scores[i]}`;
  }
  // Written beside the target and renamed, so a reader never sees half a file.
  const tmp = `${opts.output}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${lines.join("\n")}\n`);
    renameSync(tmp, opts.output);
  } catch (err) {
    throw new RampartError("DETECT_OUTPUT_FAILED", `cannot write ${opts.output}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let alerts = 0;
  const threshold = detectorDefinition(opts.detector).alertThreshold;
  for (const s of scores) if (s >= threshold) alerts++;
  if (opts.json) {
    console.log(
      JSON.stringify({
        detector: opts.detector,
        rows: scores.length,
        alertThreshold: threshold,
        alerts,
        output: opts.output,
      }),
    );
  } else {
    console.log(
      `${scores.length} points scored by ${opts.detector} -> ${opts.output} (${alerts} at or above the alert threshold ${threshold})`,
    );
  }
}

function detectNab(dir: string, opts: DetectOptions): void {
  // On a terminal one line that updates; in a log one line per file.
  const tty = process.stderr.isTTY === true;
  const progress = (done: number, total: number, what: string) => {
    if (tty) {
      process.stderr.write(`\r${`${what} ${done}/${total}`.padEnd(70)}`);
      if (done === total) process.stderr.write("\n");
    } else process.stderr.write(`${what} ${done}/${total}\n`);
  };
  const corpus = loadNabCorpus(dir, (file, done, total) => progress(done, total, `reading ${file}`));
  let scores: Float64Array[];
  let name: string;
  if (opts.scoreResults !== undefined) {
    name = basename(opts.scoreResults.replace(/[/\\]+$/, ""));
    scores = readResults(opts.scoreResults, corpus);
  } else {
    name = opts.detector;
    const params = parseParams(opts.param);
    createDetector(opts.detector, params);
    scores = corpus.files.map((f, k) => {
      const s = runDetector(createDetector(opts.detector, params), f.series.timestamps, f.series.values);
      progress(k + 1, corpus.files.length, `${opts.detector} ${f.name}`);
      return s;
    });
  }
  const files = corpus.files.map((f) => ({ timestamps: f.series.timestamps, windows: f.windows }));
  printNab(name, corpus, scoreCorpus(files, scores, corpus.profiles), opts.json === true);
}

function printNab(detector: string, corpus: NabCorpus, profiles: ProfileScore[], json: boolean): void {
  const windows = corpus.files.reduce((n, f) => n + f.windows.length, 0);
  if (json) {
    console.log(JSON.stringify({ detector, dir: corpus.dir, files: corpus.files.length, windows, profiles }));
    return;
  }
  console.log(
    `NAB scores of ${detector} on ${corpus.dir} (${corpus.files.length} files, ${windows} windows)`,
  );
  console.log(
    `${"profile".padEnd(20)}${"score".padStart(8)}${"threshold".padStart(12)}${"tp".padStart(6)}${"fp".padStart(6)}`,
  );
  for (const p of profiles) {
    console.log(
      `${p.profile.padEnd(20)}${p.normalized.toFixed(2).padStart(8)}${p.threshold.toFixed(4).padStart(12)}${String(p.tp).padStart(6)}${String(p.fp).padStart(6)}`,
    );
  }
  console.log(
    "threshold: one per profile, NAB's sweep over all files; tp/fp: detections (rows) inside/outside windows",
  );
}
