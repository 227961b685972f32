/**
 * `rampart series NAME [--route R | --gateway G] [--module M] [--since 10m] [--step 10s] [--json]`:
 * one traffic series from the control plane's monitor, as a one-line sparkline and a table.
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
import type { SeriesResult } from "../monitor/series/names.js";

interface SeriesOptions extends CommonOptions {
  route?: string;
  gateway?: string;
  module?: string;
  since: string;
  step?: string;
}

const BARS = "▁▂▃▄▅▆▇█";

/** One character per point, scaled from 0 (a series of zeros is all low bars) to the maximum. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) =>
      max === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.floor((v / max) * (BARS.length - 1) + 0.5))],
    )
    .join("");
}

/** Up to 4 significant decimals, no trailing zeros: 0.0523, 12.5, 1400. */
export function formatValue(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toFixed(Math.abs(v) >= 100 ? 1 : 4)));
}

export function formatSeries(r: SeriesResult & { from: number; to: number }): string {
  const labels = Object.entries(r.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
  const values = r.points.map((p) => p.value);
  const unit = ["requests", "s2xx", "s4xx", "s5xx", "blocked", "rate_limited", "shed", "waf_blocks"].includes(
    r.name,
  )
    ? " (per second)"
    : "";
  const head = `${r.name}${labels === "" ? "" : `{${labels}}`}${unit}  step ${r.stepSeconds}s from ${r.source}`;
  if (values.length === 0) return `${head}\nno points in this range`;
  const stats = `min ${formatValue(Math.min(...values))}  max ${formatValue(Math.max(...values))}  last ${formatValue(values.at(-1)!)}`;
  const table = formatTable(
    ["TIME (UTC)", "VALUE"],
    r.points.map((p) => [
      new Date(p.t * 1000).toISOString().replace("T", " ").slice(0, 19),
      formatValue(p.value),
    ]),
  );
  return `${head}\n${sparkline(values)}  ${stats}\n\n${table}`;
}

async function series(name: string, opts: SeriesOptions): Promise<number> {
  if (opts.route !== undefined && opts.gateway !== undefined) {
    console.error("error: give --route or --gateway, not both (route series sum over gateways)");
    return ExitCode.invalidInput;
  }
  const q = new URLSearchParams({ name, from: opts.since });
  if (opts.route !== undefined) q.set("route", opts.route);
  if (opts.gateway !== undefined) q.set("gateway", opts.gateway);
  if (opts.module !== undefined) q.set("module", opts.module);
  if (opts.step !== undefined) q.set("step", opts.step);
  const answer = await clientFrom(opts).call("GET", `/series?${q}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  const result = answer.body as unknown as SeriesResult & { from: number; to: number };
  console.log(opts.json === true ? JSON.stringify(result) : formatSeries(result));
  return ExitCode.ok;
}

export function registerSeries(program: Command): void {
  withClientOptions(
    program
      .command("series")
      .description(
        "Show one traffic series (requests, s5xx, error_ratio, p99_ms, unique_clients, waf_blocks, ...): a sparkline and a table.",
      )
      .argument("<name>", "series name (GET /api/v1/series/names lists them)")
      .option("--route <route>", "one route, summed over gateways")
      .option("--gateway <id>", "one gateway, all its routes")
      .option("--module <module>", "waf_blocks of one WAF module")
      .option("--since <when>", "10m, 2h, 7d, an ISO 8601 time or Unix seconds", "10m")
      .option("--step <step>", "seconds per point, e.g. 10s, 1m (default: by range)"),
  ).action(async (name: string, opts: SeriesOptions) => {
    try {
      process.exitCode = await series(name, opts);
    } catch (err) {
      if (!(err instanceof ControlUnreachableError)) throw err;
      console.error(`error ${err.code}: ${err.message}\n  ${err.hint ?? ""}`);
      process.exitCode = ExitCode.failure;
    }
  });
}
