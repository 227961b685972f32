/** `rampart runbook [NAME]`: a built-in runbook with the live values filled in; without NAME, the list. */
import type { Command } from "commander";
import { type CommonOptions, clientFrom, formatTable, withClientOptions } from "../api/client.js";
import { ExitCode } from "../errors.js";
import { guarded, parseId, reportIncidentError } from "./incident.js";

interface RunbookOptions extends CommonOptions {
  route?: string;
  incident?: string;
}

async function runbook(name: string | undefined, opts: RunbookOptions): Promise<number> {
  const client = clientFrom(opts);
  if (name === undefined) {
    const answer = await client.call("GET", "/runbooks");
    if (answer.status !== 200) return reportIncidentError(answer, opts.json);
    const list = (answer.body as { runbooks: { name: string; title: string; when: string }[] }).runbooks;
    if (opts.json === true) console.log(JSON.stringify(list));
    else
      console.log(
        formatTable(
          ["NAME", "USE WHEN"],
          list.map((r) => [r.name, r.when]),
        ),
      );
    return ExitCode.ok;
  }
  const q = new URLSearchParams();
  if (opts.route !== undefined) q.set("route", opts.route);
  if (opts.incident !== undefined) {
    const id = parseId(opts.incident);
    if (id === undefined) return ExitCode.invalidInput;
    q.set("incident", String(id));
  }
  const answer = await client.call(
    "GET",
    `/runbooks/${encodeURIComponent(name)}${q.size > 0 ? `?${q}` : ""}`,
  );
  if (answer.status !== 200) return reportIncidentError(answer, opts.json);
  if (opts.json === true) console.log(JSON.stringify(answer.body));
  else process.stdout.write((answer.body as { markdown: string }).markdown);
  return ExitCode.ok;
}

export function register(program: Command): void {
  withClientOptions(
    program
      .command("runbook [name]")
      .description(
        "Print a runbook with live values (version, last changes, modules live) and exact commands; no name: list them.",
      )
      .option("--route <name>", "the route the alert is about (fills in limits and commands)")
      .option("--incident <id>", "the incident it is read for"),
  ).action((name: string | undefined, opts: RunbookOptions) => guarded(opts.json, () => runbook(name, opts)));
}
