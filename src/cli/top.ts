/**
 * `rampart top`: a live view of the busiest routes (requests/s, error ratio, p99, blocked,
 * rate-limited and shed per second over the last seconds), refreshed every second until Ctrl-C;
 * `--once` prints one view, `--json` one JSON object per refresh.
 */
import type { Command } from "commander";
import {
  type CommonOptions,
  ControlUnreachableError,
  clientFrom,
  formatTable,
  reportError,
  withClientOptions,
} from "../api/client.js";
import { ExitCode } from "../errors.js";
import type { RouteActivity } from "../monitor/series/names.js";
import { formatValue } from "./series.js";

interface TopOptions extends CommonOptions {
  once?: boolean;
  limit: string;
  window: string;
  interval: string;
}

export interface TopView {
  readonly from: number;
  readonly to: number;
  readonly fleet: RouteActivity;
  readonly routes: readonly RouteActivity[];
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio >= 0.1 ? 0 : 1)}%`;

export function formatTop(view: TopView): string {
  const row = (r: RouteActivity) => [
    r.route,
    formatValue(Math.round(r.requestsPerSecond * 10) / 10),
    percent(r.errorRatio),
    formatValue(r.p99Ms),
    formatValue(Math.round(r.blockedPerSecond * 10) / 10),
    formatValue(Math.round(r.rateLimitedPerSecond * 10) / 10),
    formatValue(Math.round(r.shedPerSecond * 10) / 10),
  ];
  const at = new Date(view.to * 1000).toISOString().replace("T", " ").slice(0, 19);
  const head = `rampart top  ${at} UTC  last ${view.to - view.from}s`;
  return `${head}\n${formatTable(
    ["ROUTE", "REQ/S", "5XX", "P99 MS", "BLOCKED/S", "429/S", "SHED/S"],
    [row(view.fleet), ...view.routes.map(row)],
  )}`;
}

async function top(opts: TopOptions): Promise<number> {
  const limit = Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1) {
    console.error(`error: --limit ${opts.limit}: give a whole number >= 1`);
    return ExitCode.invalidInput;
  }
  const intervalMs = Number(opts.interval) * 1000;
  if (!(intervalMs >= 100)) {
    console.error(`error: --interval ${opts.interval}: give seconds >= 0.1`);
    return ExitCode.invalidInput;
  }
  const client = clientFrom(opts);
  const q = new URLSearchParams({ limit: String(limit), window: opts.window });
  const live = opts.once !== true && opts.json !== true && process.stdout.isTTY === true;
  let stop = false;
  const onSigint = () => {
    stop = true;
  };
  process.once("SIGINT", onSigint);
  try {
    for (;;) {
      const answer = await client.call("GET", `/series/top?${q}`);
      if (answer.status !== 200) return reportError(answer, opts.json);
      const view = answer.body as unknown as TopView;
      if (opts.json === true) console.log(JSON.stringify(view));
      else process.stdout.write(`${live ? "\x1b[H\x1b[2J" : ""}${formatTop(view)}\n`);
      if (opts.once === true || stop) return ExitCode.ok;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
      if (stop) return ExitCode.ok;
    }
  } finally {
    process.off("SIGINT", onSigint);
  }
}

export function registerTop(program: Command): void {
  withClientOptions(
    program
      .command("top")
      .description("Live view of the busiest routes, refreshed every second (Ctrl-C ends it).")
      .option("--once", "print one view and exit")
      .option("--limit <n>", "routes shown", "10")
      .option("--window <duration>", "rates averaged over this window", "10s")
      .option("--interval <seconds>", "refresh period", "1"),
  ).action(async (opts: TopOptions) => {
    try {
      process.exitCode = await top(opts);
    } catch (err) {
      if (!(err instanceof ControlUnreachableError)) throw err;
      console.error(`error ${err.code}: ${err.message}\n  ${err.hint ?? ""}`);
      process.exitCode = ExitCode.failure;
    }
  });
}
