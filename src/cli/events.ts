/** `rampart events`: the control plane's event log (config applied/refused/rolled back, tokens, ...). */
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

const RELATIVE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 2h` (relative) or an ISO 8601 time; undefined when neither. */
export function parseSince(text: string, now: Date = new Date()): Date | undefined {
  const m = RELATIVE.exec(text.trim());
  if (m !== null) return new Date(now.getTime() - Number(m[1]) * (UNIT_MS[m[2] ?? "s"] ?? 1000));
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

interface EventsOptions extends CommonOptions {
  since?: string;
  kind: string[];
  limit: string;
}

interface EventRow {
  id: number;
  time: string;
  kind: string;
  severity: string;
  source: string;
  subject: string | null;
  data: Record<string, unknown>;
}

function summary(e: EventRow): string {
  const d = e.data;
  const by = typeof d.author === "string" ? d.author : typeof d.by === "string" ? d.by : undefined;
  const parts = [e.subject ?? ""];
  if (by !== undefined) parts.push(`by ${by}`);
  if (typeof d.message === "string" && d.message !== "") parts.push(JSON.stringify(d.message));
  if (Array.isArray(d.policies))
    parts.push(`policies: ${d.policies.map((p) => (p as { policy?: string }).policy).join(", ")}`);
  if (Array.isArray(d.overrides) && d.overrides.length > 0) {
    parts.push(`overrides: ${d.overrides.map((o) => (o as { policy?: string }).policy).join(", ")}`);
  }
  return parts.filter((p) => p !== "").join("  ");
}

async function events(opts: EventsOptions): Promise<number> {
  const q = new URLSearchParams({ limit: opts.limit });
  if (opts.since !== undefined) {
    const since = parseSince(opts.since);
    if (since === undefined) {
      console.error(`error: --since ${opts.since}: use e.g. 30m, 2h, 7d or an ISO 8601 time`);
      return ExitCode.invalidInput;
    }
    q.set("since", since.toISOString());
  }
  if (opts.kind.length > 0) q.set("kinds", opts.kind.join(","));
  const answer = await clientFrom(opts).call("GET", `/events?${q}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  const list = (answer.body as { events: EventRow[] }).events;
  if (opts.json === true) {
    for (const e of list) console.log(JSON.stringify(e));
    return ExitCode.ok;
  }
  if (list.length === 0) {
    console.log("no events");
    return ExitCode.ok;
  }
  console.log(
    formatTable(
      ["ID", "TIME (UTC)", "SEVERITY", "KIND", "WHAT"],
      list.map((e) => [String(e.id), e.time.replace("T", " ").slice(0, 19), e.severity, e.kind, summary(e)]),
    ),
  );
  return ExitCode.ok;
}

export function register(program: Command): void {
  withClientOptions(
    program
      .command("events")
      .description("Show the control plane's event log, oldest first (--json: one event per line).")
      .option("--since <when>", "30m, 2h, 7d or an ISO 8601 time")
      .option(
        "--kind <kind>",
        "only this kind, e.g. config.applied (repeatable)",
        (v: string, p: string[]) => [...p, v],
        [],
      )
      .option("--limit <n>", "at most this many", "100"),
  ).action(async (opts: EventsOptions) => {
    try {
      process.exitCode = await events(opts);
    } catch (err) {
      if (!(err instanceof ControlUnreachableError)) throw err;
      console.error(`error ${err.code}: ${err.message}\n  ${err.hint ?? ""}`);
      process.exitCode = ExitCode.failure;
    }
  });
}
