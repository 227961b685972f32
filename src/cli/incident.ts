/**
 * `rampart incident open|list|show|ack|mitigate|resolve|note|assign|severity`: the incident
 * lifecycle through the control plane's API (src/api/routes/incidents.ts). `show` prints the
 * "what changed" panel first, then the timeline with the source of every entry.
 */
import type { Command } from "commander";
import {
  type ApiAnswer,
  type CommonOptions,
  ControlUnreachableError,
  clientFrom,
  formatTable,
  isErrorAnswer,
  reportError,
  withClientOptions,
} from "../api/client.js";
import type { ChangeEntry } from "../changes/types.js";
import { ExitCode } from "../errors.js";
import type { TimelineEntry } from "../incidents/timeline.js";
import {
  type ActionItem,
  INCIDENT_SEVERITIES,
  type Incident,
  type IncidentAlert,
} from "../incidents/types.js";
import { parseSince } from "./events.js";

/** Runs a command body; an unreachable control plane is exit 1 with a clear message. */
export async function guarded(json: boolean | undefined, fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err) {
    if (!(err instanceof ControlUnreachableError)) throw err;
    if (json === true) console.log(JSON.stringify({ error: err.code, message: err.message, hint: err.hint }));
    else console.error(`error ${err.code}: ${err.message}\n  ${err.hint ?? ""}`);
    process.exitCode = ExitCode.failure;
  }
}

/** A positive integer id, or undefined after saying what is wrong. */
export function parseId(text: string, what = "incident id"): number | undefined {
  if (/^[1-9][0-9]{0,15}$/.test(text)) return Number(text);
  console.error(`error: ${JSON.stringify(text)} is not an ${what} (a positive integer)`);
  return undefined;
}

/** Prints an error answer; an unknown id or a refused step is the user's input (exit 2). */
export function reportIncidentError(answer: ApiAnswer<unknown>, json: boolean | undefined): number {
  const code = reportError(answer, json);
  const error = isErrorAnswer(answer.body) ? answer.body.error : "";
  return /^(INCIDENT|ACTION|RUNBOOK|POSTMORTEM|LIMITS)_/.test(error) ? ExitCode.invalidInput : code;
}

const hhmmss = (iso: string | null) => (iso === null ? "-" : iso.replace("T", " ").slice(0, 19));

function line(i: Incident): string[] {
  return [String(i.id), i.severity, i.state, hhmmss(i.onsetAt), i.service, i.commander ?? "-", i.title];
}

export function formatIncident(i: Incident): string {
  const rows = [
    `incident #${i.id}: ${i.title}`,
    `  ${i.severity}  ${i.state}  service ${i.service}`,
    `  onset      ${hhmmss(i.onsetAt)} UTC`,
    `  opened     ${hhmmss(i.openedAt)} UTC by ${i.openedBy}`,
    `  acked      ${hhmmss(i.acknowledgedAt)}${i.acknowledgedBy === null ? "" : ` by ${i.acknowledgedBy}`}`,
    `  mitigated  ${hhmmss(i.mitigatedAt)}${i.mitigatedBy === null ? "" : ` by ${i.mitigatedBy}`}`,
    `  resolved   ${hhmmss(i.resolvedAt)}${i.resolvedBy === null ? "" : ` by ${i.resolvedBy}`}`,
    `  commander  ${i.commander ?? "-"}; responders ${i.responders.length === 0 ? "-" : i.responders.join(", ")}`,
    `  escalation ${i.escalation.policy ?? "none"}, level ${i.escalation.level}`,
  ];
  if (i.runbook !== null) rows.push(`  runbook    rampart runbook ${i.runbook} --incident ${i.id}`);
  return rows.join("\n");
}

function formatChanges(changes: readonly ChangeEntry[]): string {
  if (changes.length === 0) return "What changed before the onset: nothing recorded in the window.";
  const out = ["What changed before the onset (most likely cause first):"];
  changes.slice(0, 8).forEach((c, n) => {
    out.push(`  ${n + 1}. ${c.security ? "[security] " : ""}${c.title}`);
    for (const d of (c.diff ?? []).slice(0, 5)) out.push(`       ${d}`);
  });
  return out.join("\n");
}

async function list(opts: CommonOptions & { state: string; limit: string }): Promise<number> {
  if (!["open", "resolved", "all"].includes(opts.state)) {
    console.error(`error: --state ${opts.state}: use open, resolved or all`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call(
    "GET",
    `/incidents?state=${opts.state}&limit=${encodeURIComponent(opts.limit)}`,
  );
  if (answer.status !== 200) return reportIncidentError(answer, opts.json);
  const incidents = (answer.body as { incidents: Incident[] }).incidents;
  if (opts.json === true) console.log(JSON.stringify(incidents));
  else if (incidents.length === 0) console.log(`no ${opts.state === "all" ? "" : `${opts.state} `}incidents`);
  else
    console.log(
      formatTable(
        ["ID", "SEV", "STATE", "ONSET (UTC)", "SERVICE", "COMMANDER", "TITLE"],
        incidents.map(line),
      ),
    );
  return ExitCode.ok;
}

async function show(idText: string, opts: CommonOptions): Promise<number> {
  const id = parseId(idText);
  if (id === undefined) return ExitCode.invalidInput;
  const client = clientFrom(opts);
  const detail = await client.call("GET", `/incidents/${id}`);
  if (detail.status !== 200) return reportIncidentError(detail, opts.json);
  const timeline = await client.call("GET", `/incidents/${id}/timeline`);
  if (timeline.status !== 200) return reportIncidentError(timeline, opts.json);
  const d = detail.body as { incident: Incident; alerts: IncidentAlert[]; actions: ActionItem[] };
  const t = timeline.body as { entries: TimelineEntry[] };
  if (opts.json === true) {
    console.log(JSON.stringify({ ...detail.body, timeline: t.entries }));
    return ExitCode.ok;
  }
  console.log(formatIncident(d.incident));
  console.log("");
  console.log(formatChanges(d.incident.whatChanged));
  if (d.alerts.length > 0) {
    console.log("\nAlerts:");
    for (const a of d.alerts) console.log(`  ${a.state.padEnd(8)} ${a.rule} (${a.severity}) ${a.summary}`);
  }
  if (d.actions.length > 0) {
    console.log("\nAction items:");
    for (const a of d.actions) {
      console.log(
        `  #${a.id} [${a.doneAt === null ? " " : "x"}] ${a.title} (owner ${a.owner}, due ${a.due})`,
      );
    }
  }
  console.log("");
  console.log("Timeline (UTC):");
  console.log(
    formatTable(
      ["TIME", "SOURCE", "WHAT"],
      t.entries.map((e) => [hhmmss(e.time), e.source, e.title]),
    ),
  );
  return ExitCode.ok;
}

interface OpenOptions extends CommonOptions {
  severity?: string;
  service?: string;
  runbook?: string;
  onset?: string;
  as?: string;
}

async function open(title: string, opts: OpenOptions): Promise<number> {
  const severity = opts.severity?.toUpperCase();
  if (severity !== undefined && !(INCIDENT_SEVERITIES as readonly string[]).includes(severity)) {
    console.error(`error: --severity ${opts.severity}: use ${INCIDENT_SEVERITIES.join(", ")}`);
    return ExitCode.invalidInput;
  }
  const onset = opts.onset === undefined ? undefined : parseSince(opts.onset);
  if (opts.onset !== undefined && onset === undefined) {
    console.error(`error: --onset ${opts.onset}: use e.g. 20m (ago) or an ISO 8601 time`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call("POST", "/incidents", {
    title,
    ...(onset === undefined ? {} : { onsetAt: onset.toISOString() }),
    ...(severity === undefined ? {} : { severity }),
    ...(opts.service === undefined ? {} : { service: opts.service }),
    ...(opts.runbook === undefined ? {} : { runbook: opts.runbook }),
    ...(opts.as === undefined ? {} : { as: opts.as }),
  });
  if (answer.status !== 201) return reportIncidentError(answer, opts.json);
  const i = (answer.body as { incident: Incident }).incident;
  if (opts.json === true) console.log(JSON.stringify(i));
  else {
    console.log(`opened incident #${i.id} (${i.severity}): ${i.title}`);
    if (i.whatChanged.length > 0) console.log(formatChanges(i.whatChanged.slice(0, 3)));
  }
  return ExitCode.ok;
}

/** ack, mitigate, resolve, note, assign, severity: one POST each, the changed incident printed. */
async function post(
  idText: string,
  path: string,
  body: Record<string, unknown>,
  opts: CommonOptions,
  done: (b: Record<string, unknown>) => string,
): Promise<number> {
  const id = parseId(idText);
  if (id === undefined) return ExitCode.invalidInput;
  const answer = await clientFrom(opts).call("POST", `/incidents/${id}/${path}`, body);
  if (answer.status !== 200 && answer.status !== 201) return reportIncidentError(answer, opts.json);
  if (opts.json === true) console.log(JSON.stringify(answer.body));
  else console.log(done(answer.body));
  return ExitCode.ok;
}

interface StepOptions extends CommonOptions {
  message?: string;
  as?: string;
}

const asOption = (cmd: Command) => cmd.option("--as <name>", "the person acting (default: the token's name)");

export function register(program: Command): void {
  const incident = program
    .command("incident")
    .description(
      "Incidents: open, list, show (what changed, timeline), ack, mitigate, resolve, note, assign, severity.",
    )
    .addHelpText(
      "after",
      "\nStates move forward only: triggered -> acknowledged -> mitigated -> resolved.\n" +
        "Exit codes: 0 done, 2 unknown incident or a step not allowed from its state, 1 other errors.",
    );

  withClientOptions(
    incident
      .command("list")
      .description("Incidents, newest first.")
      .option("--state <state>", "open, resolved or all", "all")
      .option("--limit <n>", "at most this many", "100"),
  ).action((opts: CommonOptions & { state: string; limit: string }) => guarded(opts.json, () => list(opts)));

  withClientOptions(
    asOption(
      incident
        .command("open <title>")
        .description("Open an incident by hand (pages the escalation policy's first level).")
        .option("--severity <sev>", "SEV1 (worst) .. SEV4", "SEV3")
        .option("--service <name>", "what it is about, e.g. route=checkout")
        .option("--runbook <name>", "the runbook to follow")
        .option("--onset <when>", "when it began, if before now: 20m (ago) or an ISO 8601 time"),
    ),
  ).action((title: string, opts: OpenOptions) => guarded(opts.json, () => open(title, opts)));

  withClientOptions(
    incident
      .command("show <id>")
      .description("The incident, what changed before it, and its timeline with sources."),
  ).action((id: string, opts: CommonOptions) => guarded(opts.json, () => show(id, opts)));

  const steps: [string, string, string][] = [
    ["ack", "ack", "Acknowledge: you are on it (stops escalation)."],
    ["mitigate", "mitigate", "The impact has stopped (e.g. after a rollback)."],
    ["resolve", "resolve", "The incident is over."],
  ];
  for (const [name, path, description] of steps) {
    withClientOptions(
      asOption(
        incident
          .command(`${name} <id>`)
          .description(description)
          .option("-m, --message <note>", "a note for the timeline (what was done)"),
      ),
    ).action((id: string, opts: StepOptions) =>
      guarded(opts.json, () =>
        post(
          id,
          path,
          {
            ...(opts.message === undefined ? {} : { note: opts.message }),
            ...(opts.as === undefined ? {} : { as: opts.as }),
          },
          opts,
          (b) => {
            const i = (b as { incident: Incident }).incident;
            return `incident #${i.id} ${i.state}`;
          },
        ),
      ),
    );
  }

  withClientOptions(
    asOption(incident.command("note <id> <text>").description("Add a note to the timeline.")),
  ).action((id: string, text: string, opts: StepOptions) =>
    guarded(opts.json, () =>
      post(
        id,
        "notes",
        { text, ...(opts.as === undefined ? {} : { as: opts.as }) },
        opts,
        () => `noted on incident #${id}`,
      ),
    ),
  );

  withClientOptions(
    asOption(
      incident
        .command("assign <id> <person>")
        .description("Make PERSON the commander, or add them as a responder.")
        .option("--role <role>", "commander or responder", "responder")
        .option("--remove", "take the role away instead"),
    ),
  ).action((id: string, person: string, opts: StepOptions & { role: string; remove?: boolean }) => {
    if (opts.role !== "commander" && opts.role !== "responder") {
      console.error(`error: --role ${opts.role}: use commander or responder`);
      process.exitCode = ExitCode.invalidInput;
      return;
    }
    return guarded(opts.json, () =>
      post(
        id,
        "assign",
        {
          role: opts.role,
          person,
          ...(opts.remove === true ? { remove: true } : {}),
          ...(opts.as === undefined ? {} : { as: opts.as }),
        },
        opts,
        (b) => {
          const i = (b as { incident: Incident }).incident;
          return `incident #${i.id}: commander ${i.commander ?? "-"}; responders ${i.responders.join(", ") || "-"}`;
        },
      ),
    );
  });

  withClientOptions(
    asOption(
      incident.command("severity <id> <sev>").description("Change the severity (SEV1 worst .. SEV4)."),
    ),
  ).action((id: string, sev: string, opts: StepOptions) =>
    guarded(opts.json, () =>
      post(
        id,
        "severity",
        { severity: sev.toUpperCase(), ...(opts.as === undefined ? {} : { as: opts.as }) },
        opts,
        (b) => {
          const i = (b as { incident: Incident }).incident;
          return `incident #${i.id} is ${i.severity}`;
        },
      ),
    ),
  );
}
