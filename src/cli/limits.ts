/**
 * `rampart limits tighten ROUTE [--factor 2] -m MSG`: a runbook step Rampart does itself. Reads the
 * live config, divides the route's rate limits (src/incidents/tighten.ts), and applies the result
 * as a new version through the normal apply path (policies, rollout), against the version it read.
 */
import type { Command } from "commander";
import { type CommonOptions, clientFrom, reportError, withClientOptions } from "../api/client.js";
import { ExitCode, isRampartError } from "../errors.js";
import { tightenRouteLimits } from "../incidents/tighten.js";
import { guarded } from "./incident.js";

interface TightenOptions extends CommonOptions {
  factor: string;
  message: string;
  dryRun?: boolean;
}

async function tighten(route: string, opts: TightenOptions): Promise<number> {
  const factor = Number(opts.factor);
  const client = clientFrom(opts);
  const live = await client.call("GET", "/config");
  if (live.status !== 200) return reportError(live, opts.json);
  const { version, document } = live.body as { version: number; document: string };
  let result: ReturnType<typeof tightenRouteLimits>;
  try {
    result = tightenRouteLimits(document, route, factor);
  } catch (err) {
    if (!isRampartError(err)) throw err;
    if (opts.json === true)
      console.log(JSON.stringify({ error: err.code, message: err.message, hint: err.hint }));
    else console.error(`error ${err.code}: ${err.message}${err.hint === undefined ? "" : `\n  ${err.hint}`}`);
    return ExitCode.invalidInput;
  }
  const lines = result.limits.map(
    (l) =>
      `  ${route} ${l.limit}: rate ${l.rate.before} -> ${l.rate.after}, burst ${l.burst.before} -> ${l.burst.after}`,
  );
  if (opts.dryRun === true) {
    if (opts.json === true)
      console.log(JSON.stringify({ from: version, limits: result.limits, document: result.document }));
    else console.log([`would tighten (against version ${version}):`, ...lines].join("\n"));
    return ExitCode.ok;
  }
  const answer = await client.call("POST", "/config/apply", {
    document: result.document,
    message: opts.message,
    expectParent: version,
  });
  if (answer.status !== 201 && answer.status !== 200) return reportError(answer, opts.json);
  const b = answer.body as { version: number };
  if (opts.json === true)
    console.log(JSON.stringify({ version: b.version, from: version, limits: result.limits }));
  else console.log([`applied version ${b.version} (was ${version}):`, ...lines].join("\n"));
  return ExitCode.ok;
}

export function register(program: Command): void {
  const limits = program
    .command("limits")
    .description("Rate limits as runbook steps: tighten a route during a surge.");
  withClientOptions(
    limits
      .command("tighten <route>")
      .description("Divide the route's rate limits (rate and burst) by FACTOR, as a new config version.")
      .option("--factor <n>", "how many times tighter (> 1)", "2")
      .requiredOption("-m, --message <text>", "why (stored with the version)")
      .option("--dry-run", "show the change without applying it"),
  ).action((route: string, opts: TightenOptions) => guarded(opts.json, () => tighten(route, opts)));
}
