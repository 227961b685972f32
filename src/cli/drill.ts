/**
 * `rampart drill NAME`: replays an outage in a sandbox of its own (own data folder, free ports),
 * with progress on stderr, and prints what it measured (text, or one JSON object with --json).
 * How an operator is trained on the outage, and how anyone checks that Rampart still answers it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { findScenario, SCENARIOS } from "../drill/scenarios/index.js";
import { ExitCode, isRampartError } from "../errors.js";

interface DrillOptions {
  json?: boolean;
  list?: boolean;
  dir?: string;
}

function listText(): string {
  const width = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `  ${s.name.padEnd(width)}  ${s.summary}`).join("\n");
}

async function runDrill(name: string | undefined, opts: DrillOptions): Promise<void> {
  if (opts.list === true || name === undefined) {
    if (opts.json === true)
      console.log(JSON.stringify(SCENARIOS.map((s) => ({ name: s.name, summary: s.summary }))));
    else console.log(`Scenarios:\n${listText()}`);
    return;
  }
  const scenario = findScenario(name);
  if (scenario === undefined) {
    console.error(`error: unknown drill scenario "${name}"\nScenarios:\n${listText()}`);
    process.exitCode = ExitCode.invalidInput;
    return;
  }
  // The sandbox: a fresh folder unless --dir names one. Kept afterwards: it holds the postmortem the
  // drill wrote, the logs and the store, for the trainee to read.
  const dir =
    opts.dir === undefined ? mkdtempSync(join(tmpdir(), `rampart-drill-${name}-`)) : resolve(opts.dir);
  const started = Date.now();
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const progress = {
    step(text: string) {
      const s = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
      process.stderr.write(`[${s}s] ${text}\n`);
    },
  };
  try {
    progress.step(`drill ${name} in ${dir}`);
    const result = await scenario.run({ dir, progress, signal: abort.signal });
    if (opts.json === true) console.log(JSON.stringify(result));
    else console.log(scenario.format(result));
    process.exitCode = ExitCode.ok;
  } catch (err) {
    const e = err as Error;
    console.error(`error: drill ${name} failed: ${e.message}`);
    if (isRampartError(err) && err.hint !== undefined) console.error(`hint: ${err.hint}`);
    process.exitCode = ExitCode.failure;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    progress.step(`sandbox: ${dir}`);
  }
}

export function registerDrill(program: Command): void {
  program
    .command("drill")
    .description("Replay an outage in a sandbox (own ports and data folder) and print what Rampart measured.")
    .argument("[scenario]", "the scenario to run (see --list)")
    .option("--list", "list the scenarios")
    .option("--json", "print the result as one JSON object")
    .option("--dir <dir>", "sandbox folder (data, logs, postmortem; kept); default: a new temporary folder")
    .addHelpText("after", `\nScenarios:\n${listText()}`)
    .action(runDrill);
}
