/**
 * `rampart silence`: silences of alerts (Alertmanager's: matchers and a time window; a silenced
 * alert stays listed by `rampart alerts` but is not notified).
 *
 * - `rampart silence add --match k=v [--match ...] --for 2h --comment "..." [--start TIME]`
 * - `rampart silence list [--json]`: all, expired ones included, newest first
 * - `rampart silence expire ID`: ends it now (it is kept, as expired)
 */
import type { Command } from "commander";
import type { SilenceView } from "../alerts/alerting.js";
import { formatMatcher } from "../alerts/matchers.js";
import {
  type CommonOptions,
  clientFrom,
  formatTable,
  reportError,
  withClientOptions,
} from "../api/client.js";
import { ExitCode } from "../errors.js";

const time = (iso: string): string => iso.replace("T", " ").slice(0, 19);

/** The table people read; exported for tests. */
export function formatSilences(silences: readonly SilenceView[]): string {
  if (silences.length === 0) return "no silences";
  return formatTable(
    ["ID", "STATE", "MATCHERS", "STARTS (UTC)", "ENDS (UTC)", "BY", "COMMENT"],
    silences.map((s) => [
      s.id,
      s.state,
      s.matchers.map(formatMatcher).join(" "),
      time(s.startsAt),
      time(s.endsAt),
      s.createdBy,
      s.comment,
    ]),
  );
}

interface AddOptions extends CommonOptions {
  match: string[];
  for?: string;
  until?: string;
  start?: string;
  comment?: string;
}

async function add(opts: AddOptions): Promise<number> {
  if (opts.match.length === 0) {
    console.error("error: give at least one --match, e.g. --match alertname=surge --match route=checkout");
    return ExitCode.invalidInput;
  }
  if ((opts.for === undefined) === (opts.until === undefined)) {
    console.error("error: give --for DURATION (e.g. 2h) or --until TIME, one of them");
    return ExitCode.invalidInput;
  }
  if (opts.comment === undefined || opts.comment.trim() === "") {
    console.error('error: give --comment "why", e.g. --comment "load test until 15:00"');
    return ExitCode.invalidInput;
  }
  const body = {
    matchers: opts.match,
    comment: opts.comment,
    ...(opts.for === undefined ? {} : { duration: opts.for }),
    ...(opts.until === undefined ? {} : { endsAt: opts.until }),
    ...(opts.start === undefined ? {} : { startsAt: opts.start }),
  };
  const answer = await clientFrom(opts).call<{ silence: SilenceView }>("POST", "/silences", body);
  if (answer.status !== 201) return reportError(answer, opts.json);
  const s = answer.body.silence;
  if (opts.json === true) console.log(JSON.stringify(answer.body));
  else
    console.log(
      `silence ${s.id} ${s.state} until ${time(s.endsAt)} UTC: ${s.matchers.map(formatMatcher).join(" ")}`,
    );
  return ExitCode.ok;
}

async function list(opts: CommonOptions): Promise<number> {
  const answer = await clientFrom(opts).call<{ silences: SilenceView[] }>("GET", "/silences");
  if (answer.status !== 200) return reportError(answer, opts.json);
  console.log(opts.json === true ? JSON.stringify(answer.body) : formatSilences(answer.body.silences));
  return ExitCode.ok;
}

async function expire(id: string, opts: CommonOptions): Promise<number> {
  const answer = await clientFrom(opts).call<{ silence: SilenceView }>(
    "DELETE",
    `/silences/${encodeURIComponent(id)}`,
  );
  if (answer.status !== 200) return reportError(answer, opts.json);
  console.log(opts.json === true ? JSON.stringify(answer.body) : `silence ${id} expired`);
  return ExitCode.ok;
}

export function registerSilence(program: Command): void {
  const silence = program
    .command("silence")
    .description("Silences: matching alerts stay listed but are not notified until the silence ends.");
  withClientOptions(
    silence
      .command("add")
      .description("Silence the alerts whose labels match every --match.")
      .option(
        "--match <matcher>",
        'label matcher: k=v, k!=v, k=~regex, k!~regex (repeatable), e.g. route="checkout"',
        (v: string, p: string[]) => [...p, v],
        [],
      )
      .option("--for <duration>", "how long, e.g. 30m, 2h")
      .option("--until <time>", "end as an ISO 8601 time instead of --for")
      .option("--start <time>", "start later than now (ISO 8601)")
      .option("--comment <text>", "why (required)"),
  ).action(async (opts: AddOptions) => {
    process.exitCode = await add(opts);
  });
  withClientOptions(
    silence.command("list").description("All silences, newest first, expired ones included."),
  ).action(async (opts: CommonOptions) => {
    process.exitCode = await list(opts);
  });
  withClientOptions(
    silence
      .command("expire")
      .argument("<id>", "the silence's id (from `rampart silence list`)")
      .description("End a silence now."),
  ).action(async (id: string, opts: CommonOptions) => {
    process.exitCode = await expire(id, opts);
  });
}
