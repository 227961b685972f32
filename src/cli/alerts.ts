/**
 * `rampart alerts [--all] [--state S] [--limit N] [--json]`: the control plane's alerts, newest
 * first: pending and firing ones (with --all, the resolved history too), each with its severity,
 * where it fires, since when, and whether a silence or an inhibition mutes it; then what changed
 * before the earliest open one.
 */
import type { Command } from "commander";
import type { AlertView } from "../alerts/types.js";
import {
  type CommonOptions,
  clientFrom,
  formatTable,
  reportError,
  withClientOptions,
} from "../api/client.js";
import type { ChangeEntry } from "../changes/types.js";
import { formatChange } from "../changes/what-changed.js";
import { ExitCode } from "../errors.js";

const STATES = ["pending", "firing", "resolved"];

const time = (iso: string | undefined): string =>
  iso === undefined ? "-" : iso.replace("T", " ").slice(0, 19);

function where(labels: Readonly<Record<string, string>>): string {
  const skip = new Set(["alertname", "severity"]);
  const parts = Object.entries(labels)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? "fleet" : parts.join(" ");
}

function muted(a: AlertView): string {
  if ((a.silencedBy?.length ?? 0) > 0)
    return `silenced (${a.silencedBy!.map((id) => id.slice(0, 8)).join(", ")})`;
  if ((a.inhibitedBy?.length ?? 0) > 0) return "inhibited";
  return "";
}

type ListedAlert = AlertView & { readonly whatChanged?: readonly ChangeEntry[] };

/**
 * The table people read, then what changed before the earliest open alert (the postmortem's
 * question: what did we change just before this began?). Exported for tests.
 */
export function formatAlerts(alerts: readonly ListedAlert[]): string {
  if (alerts.length === 0) return "no alerts";
  const open = alerts.filter((a) => a.state !== "resolved");
  const first = open.reduce<ListedAlert | undefined>(
    (best, a) => (best === undefined || Date.parse(a.activeAt) < Date.parse(best.activeAt) ? a : best),
    undefined,
  );
  const changes = first?.whatChanged ?? [];
  const after =
    first === undefined
      ? ""
      : changes.length === 0
        ? `\nwhat changed before ${first.rule} (${time(first.activeAt)}): nothing recorded`
        : `\nwhat changed before ${first.rule} (${time(first.activeAt)}):\n${changes.map((c) => `  ${formatChange(c)}`).join("\n")}`;
  return `${formatTable(
    ["STATE", "SEVERITY", "ALERT", "WHERE", "SINCE (UTC)", "MUTED", "SUMMARY"],
    alerts.map((a) => [
      a.state,
      a.severity,
      a.rule,
      where(a.labels),
      time(a.state === "resolved" ? a.resolvedAt : (a.firedAt ?? a.activeAt)),
      muted(a),
      a.summary,
    ]),
  )}${after}`;
}

interface AlertsOptions extends CommonOptions {
  all?: boolean;
  state: string[];
  limit: string;
}

async function alerts(opts: AlertsOptions): Promise<number> {
  const bad = opts.state.find((s) => !STATES.includes(s));
  if (bad !== undefined) {
    console.error(`error: --state ${bad}: use ${STATES.join(", ")}`);
    return ExitCode.invalidInput;
  }
  if (!/^\d+$/.test(opts.limit) || Number(opts.limit) < 1) {
    console.error(`error: --limit ${opts.limit}: use a positive whole number`);
    return ExitCode.invalidInput;
  }
  const states = opts.state.length > 0 ? opts.state : opts.all === true ? STATES : ["pending", "firing"];
  const q = new URLSearchParams({ state: states.join(","), limit: opts.limit });
  const answer = await clientFrom(opts).call<{ alerts: ListedAlert[] }>("GET", `/alerts?${q}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  console.log(opts.json === true ? JSON.stringify(answer.body) : formatAlerts(answer.body.alerts));
  return ExitCode.ok;
}

export function registerAlerts(program: Command): void {
  withClientOptions(
    program
      .command("alerts")
      .description("Pending and firing alerts, newest first (--all: resolved ones too).")
      .option("--all", "include resolved alerts")
      .option(
        "--state <state>",
        "only pending, firing or resolved (repeatable)",
        (v: string, p: string[]) => [...p, v],
        [],
      )
      .option("--limit <n>", "at most this many", "100"),
  ).action(async (opts: AlertsOptions) => {
    process.exitCode = await alerts(opts);
  });
}
