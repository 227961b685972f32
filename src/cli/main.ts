/**
 * The `rampart` command. Each sub-command lives in its own file under src/cli/ and registers itself
 * on the program; this file only assembles them and maps errors to exit codes.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { ExitCode, isRampartError } from "../errors.js";
import { commands } from "./commands.js";

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command("rampart")
    .description("Edge guard for web shops: gateway, WAF, rate limits, config guardrails, monitoring.")
    .version(packageVersion(), "-v, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. Long-running commands resolve when they stop. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1 -> 2 (invalid input).
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.invalidInput;
    }
    if (isRampartError(err)) {
      console.error(`error ${err.code}: ${err.message}`);
      if (err.hint) console.error(`  ${err.hint}`);
      return err.code.endsWith("_INVALID") ? ExitCode.invalidInput : ExitCode.failure;
    }
    throw err;
  }
}
