/**
 * `rampart postmortem INCIDENT [--format md|json] [--tz UTC] [-o FILE]`: the postmortem Rampart
 * writes from the incident's own data (src/incidents/postmortem.ts), in one stated time zone.
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type CommonOptions, clientFrom, withClientOptions } from "../api/client.js";
import { ExitCode } from "../errors.js";
import { guarded, parseId, reportIncidentError } from "./incident.js";

interface PostmortemOptions extends CommonOptions {
  format: string;
  tz: string;
  output?: string;
}

async function postmortem(idText: string, opts: PostmortemOptions): Promise<number> {
  const id = parseId(idText);
  if (id === undefined) return ExitCode.invalidInput;
  const format = opts.json === true ? "json" : opts.format;
  if (format !== "md" && format !== "json") {
    console.error(`error: --format ${opts.format}: use md or json`);
    return ExitCode.invalidInput;
  }
  const q = new URLSearchParams({ format, tz: opts.tz });
  const answer = await clientFrom(opts).call("GET", `/incidents/${id}/postmortem?${q}`);
  if (answer.status !== 200) return reportIncidentError(answer, opts.json);
  const body = answer.body as { markdown?: string; postmortem?: unknown };
  const text = format === "md" ? (body.markdown ?? "") : `${JSON.stringify(body.postmortem, null, 2)}\n`;
  if (opts.output === undefined) {
    process.stdout.write(text);
    return ExitCode.ok;
  }
  try {
    writeFileSync(opts.output, text);
  } catch (err) {
    console.error(`error: cannot write ${opts.output}: ${(err as Error).message}`);
    return ExitCode.failure;
  }
  console.log(`wrote ${opts.output}`);
  return ExitCode.ok;
}

export function register(program: Command): void {
  withClientOptions(
    program
      .command("postmortem <incident>")
      .description(
        "Write the incident's postmortem from what Rampart recorded (root cause marked DRAFT for a person to confirm).",
      )
      .option("--format <format>", "md or json", "md")
      .option("--tz <zone>", "IANA time zone for every time shown", "UTC")
      .option("-o, --output <file>", "write to FILE instead of stdout"),
  ).action((id: string, opts: PostmortemOptions) => guarded(opts.json, () => postmortem(id, opts)));
}
