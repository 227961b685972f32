/** `rampart action list|add|done`: the postmortem's action items, with owners and due dates, tracked. */
import type { Command } from "commander";
import { type CommonOptions, clientFrom, formatTable, withClientOptions } from "../api/client.js";
import { ExitCode } from "../errors.js";
import { ACTION_KINDS, type ActionItem } from "../incidents/types.js";
import { guarded, parseId, reportIncidentError } from "./incident.js";

function row(a: ActionItem): string[] {
  return [
    String(a.id),
    String(a.incidentId),
    a.kind,
    a.owner,
    a.due,
    a.doneAt === null ? "open" : `done ${a.doneAt.slice(0, 10)}`,
    a.title,
  ];
}

async function list(opts: CommonOptions & { incident?: string; open?: boolean }): Promise<number> {
  const q = new URLSearchParams();
  if (opts.incident !== undefined) {
    const id = parseId(opts.incident);
    if (id === undefined) return ExitCode.invalidInput;
    q.set("incident", String(id));
  }
  if (opts.open === true) q.set("open", "true");
  const answer = await clientFrom(opts).call("GET", `/actions${q.size > 0 ? `?${q}` : ""}`);
  if (answer.status !== 200) return reportIncidentError(answer, opts.json);
  const actions = (answer.body as { actions: ActionItem[] }).actions;
  if (opts.json === true) console.log(JSON.stringify(actions));
  else if (actions.length === 0) console.log("no action items");
  else
    console.log(formatTable(["ID", "INCIDENT", "KIND", "OWNER", "DUE", "STATUS", "TITLE"], actions.map(row)));
  return ExitCode.ok;
}

interface AddOptions extends CommonOptions {
  owner: string;
  due: string;
  kind: string;
  as?: string;
}

async function add(incident: string, title: string, opts: AddOptions): Promise<number> {
  const id = parseId(incident);
  if (id === undefined) return ExitCode.invalidInput;
  if (!(ACTION_KINDS as readonly string[]).includes(opts.kind)) {
    console.error(`error: --kind ${opts.kind}: use ${ACTION_KINDS.join(", ")}`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call("POST", `/incidents/${id}/actions`, {
    title,
    owner: opts.owner,
    due: opts.due,
    kind: opts.kind,
    ...(opts.as === undefined ? {} : { as: opts.as }),
  });
  if (answer.status !== 201) return reportIncidentError(answer, opts.json);
  const a = (answer.body as { action: ActionItem }).action;
  if (opts.json === true) console.log(JSON.stringify(a));
  else
    console.log(`action #${a.id} on incident #${a.incidentId}: ${a.title} (owner ${a.owner}, due ${a.due})`);
  return ExitCode.ok;
}

async function done(idText: string, opts: CommonOptions & { as?: string }): Promise<number> {
  const id = parseId(idText, "action id");
  if (id === undefined) return ExitCode.invalidInput;
  const answer = await clientFrom(opts).call(
    "POST",
    `/actions/${id}/done`,
    opts.as === undefined ? {} : { as: opts.as },
  );
  if (answer.status !== 200) return reportIncidentError(answer, opts.json);
  const a = (answer.body as { action: ActionItem }).action;
  if (opts.json === true) console.log(JSON.stringify(a));
  else console.log(`action #${a.id} done by ${a.doneBy}`);
  return ExitCode.ok;
}

export function register(program: Command): void {
  const action = program.command("action").description("Postmortem action items: list, add, done.");
  withClientOptions(
    action
      .command("list")
      .description("Action items, oldest first.")
      .option("--incident <id>", "only this incident's")
      .option("--open", "only those not done"),
  ).action((opts: CommonOptions & { incident?: string; open?: boolean }) =>
    guarded(opts.json, () => list(opts)),
  );
  withClientOptions(
    action
      .command("add <incident> <title>")
      .description("Add an action item to an incident's postmortem.")
      .requiredOption("--owner <name>", "who does it")
      .requiredOption("--due <date>", "YYYY-MM-DD")
      .option("--kind <kind>", ACTION_KINDS.join(", "), "task")
      .option("--as <name>", "the person adding it (default: the token's name)"),
  ).action((incident: string, title: string, opts: AddOptions) =>
    guarded(opts.json, () => add(incident, title, opts)),
  );
  withClientOptions(
    action
      .command("done <id>")
      .description("Mark an action item done.")
      .option("--as <name>", "who did it (default: the token's name)"),
  ).action((id: string, opts: CommonOptions & { as?: string }) => guarded(opts.json, () => done(id, opts)));
}
