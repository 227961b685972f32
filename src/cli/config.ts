/**
 * `rampart config validate|plan|apply|history|show|diff|rollback`: the config-as-code workflow
 * against a running control plane. Exit codes are fixed (scripts rely on them): 0 done, 2 invalid
 * config (every problem printed as `file:line path: message`), 3 refused by a policy (with the
 * exact override invocation), 1 anything else (unreachable, bad token, ...).
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  type ApiAnswer,
  type ApiErrorAnswer,
  type CommonOptions,
  ControlUnreachableError,
  clientFrom,
  formatTable,
  isErrorAnswer,
  reportError,
  withClientOptions,
} from "../api/client.js";
import { ConfigError, type ConfigIssue, formatIssues } from "../config/errors.js";
import { parseConfig } from "../config/load.js";
import { formatPlan, type Plan } from "../config/plan.js";
import type { PolicyVerdict } from "../config/policies/types.js";
import { ExitCode } from "../errors.js";

const color = (): boolean => process.stdout.isTTY === true && process.env.NO_COLOR === undefined;

function readDocument(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    console.error(
      `error: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
    return undefined;
  }
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** Prints an invalid config's issues (`file:line path: message`) and returns exit code 2. */
function reportInvalid(file: string, body: ApiErrorAnswer, json: boolean | undefined): number {
  if (json === true) console.log(JSON.stringify(body));
  else {
    const issues = (body.issues ?? []) as ConfigIssue[];
    console.error(
      `${file}: invalid, ${issues.length} problem${issues.length === 1 ? "" : "s"} (nothing was stored):`,
    );
    for (const line of formatIssues(file, issues)) console.error(line);
  }
  return ExitCode.invalidInput;
}

/** Prints a policy refusal: each policy and path, and the exact override invocation. Returns 3. */
function reportRefusal(body: ApiErrorAnswer, invocation: string[], json: boolean | undefined): number {
  if (json === true) {
    console.log(JSON.stringify(body));
    return ExitCode.refusedByPolicy;
  }
  const verdicts = (body.verdicts ?? []) as PolicyVerdict[];
  const refused = (body.refusedOverrides ?? []) as string[];
  console.error("refused by policy (nothing was stored):");
  const w = Math.max(0, ...verdicts.map((v) => v.policy.length));
  const p = Math.max(0, ...verdicts.map((v) => v.path.length));
  for (const v of verdicts) {
    console.error(
      `  ${v.policy.padEnd(w)}  ${v.path.padEnd(p)}  ${v.message}${v.overridable ? "" : " (not overridable)"}`,
    );
  }
  for (const r of refused) console.error(`  override refused: ${r}`);
  const policies = [...new Set(verdicts.map((v) => v.policy))];
  if (verdicts.length > 0 && verdicts.every((v) => v.overridable)) {
    const flags = policies.map((pol) => `--override ${pol}`).join(" ");
    console.error(
      `\nto apply it anyway, an admin runs:\n  ${invocation.map(shellQuote).join(" ")} ${flags} --reason "..."`,
    );
  } else {
    console.error("\nfix the config: at least one of these policies cannot be overridden");
  }
  return ExitCode.refusedByPolicy;
}

/** Runs a command body; maps an unreachable control plane to exit 1 with a clear message. */
async function guarded(json: boolean | undefined, fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err) {
    if (!(err instanceof ControlUnreachableError)) throw err;
    if (json === true) console.log(JSON.stringify({ error: err.code, message: err.message, hint: err.hint }));
    else console.error(`error ${err.code}: ${err.message}\n  ${err.hint ?? ""}`);
    process.exitCode = ExitCode.failure;
  }
}

/** Pairs --override and --reason: one reason for all, or one per override. */
function overridesFrom(
  policies: readonly string[],
  reasons: readonly string[],
): { policy: string; reason: string }[] | string {
  if (policies.length === 0) return reasons.length === 0 ? [] : "--reason given without --override";
  if (reasons.length === 0) return '--override needs --reason "why" (stored with the version)';
  if (reasons.length !== 1 && reasons.length !== policies.length) {
    return `give one --reason for all overrides, or one per --override (${policies.length})`;
  }
  return policies.map((policy, i) => ({
    policy,
    reason: (reasons.length === 1 ? reasons[0] : reasons[i]) ?? "",
  }));
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

// ---- validate ----

async function validate(file: string, opts: CommonOptions): Promise<number> {
  const document = readDocument(file);
  if (document === undefined) return ExitCode.failure;
  try {
    parseConfig(document, file);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (opts.json === true)
      console.log(JSON.stringify({ ok: false, valid: false, issues: err.issues, verdicts: [] }));
    else {
      console.error(`${file}: invalid, ${err.issues.length} problem${err.issues.length === 1 ? "" : "s"}:`);
      for (const line of formatIssues(file, err.issues)) console.error(line);
    }
    return ExitCode.invalidInput;
  }
  // Schema passed here; the policies need the live version, which only the control plane has.
  const client = clientFrom(opts);
  let answer: ApiAnswer | undefined;
  let why = "";
  try {
    answer = await client.call("POST", "/config/validate", { document, file });
    if (answer.status !== 200) {
      why = isErrorAnswer(answer.body)
        ? `${answer.body.error}: ${answer.body.message}`
        : `status ${answer.status}`;
      answer = undefined;
    }
  } catch (err) {
    if (!(err instanceof ControlUnreachableError)) throw err;
    why = `no control plane at ${client.url}`;
  }
  if (answer === undefined) {
    if (opts.json === true)
      console.log(
        JSON.stringify({ ok: true, valid: true, issues: [], verdicts: [], checked: "schema", why }),
      );
    else console.log(`${file}: valid (schema only; policies not checked: ${why})`);
    return ExitCode.ok;
  }
  const body = answer.body as { ok: boolean; verdicts: PolicyVerdict[]; against: number | null };
  if (opts.json === true) console.log(JSON.stringify({ ...body, checked: "schema+policies" }));
  else {
    const against = body.against === null ? "no live version yet" : `live version ${body.against}`;
    const failing = body.verdicts.filter((v) => !v.ok);
    console.log(
      `${file}: valid; policies against ${against} at ${client.url}: ${body.ok ? "pass" : "refused"}`,
    );
    for (const v of failing) {
      console.log(`  ${v.severity === "error" ? "✗" : "!"} ${v.policy}  ${v.path}  ${v.message}`);
    }
  }
  return body.ok ? ExitCode.ok : ExitCode.refusedByPolicy;
}

// ---- plan / apply / rollback ----

async function plan(file: string, opts: CommonOptions): Promise<number> {
  const document = readDocument(file);
  if (document === undefined) return ExitCode.failure;
  const answer = await clientFrom(opts).call("POST", "/config/plan", { document, file });
  if (answer.status !== 200) {
    if (isErrorAnswer(answer.body) && answer.body.error === "CONFIG_INVALID")
      return reportInvalid(file, answer.body, opts.json);
    return reportError(answer, opts.json);
  }
  const body = answer.body as { plan: Plan };
  if (opts.json === true) console.log(JSON.stringify(body));
  else process.stdout.write(formatPlan(body.plan, { color: color() }));
  return body.plan.blocking.length > 0 ? ExitCode.refusedByPolicy : ExitCode.ok;
}

interface ApplyOptions extends CommonOptions {
  message: string;
  override: string[];
  reason: string[];
  expectParent?: string;
}

async function apply(file: string, opts: ApplyOptions): Promise<number> {
  const document = readDocument(file);
  if (document === undefined) return ExitCode.failure;
  const overrides = overridesFrom(opts.override, opts.reason);
  if (typeof overrides === "string") {
    console.error(`error: ${overrides}`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call("POST", "/config/apply", {
    document,
    file,
    message: opts.message,
    ...(overrides.length === 0 ? {} : { overrides }),
  });
  if (answer.status === 200 || answer.status === 201) {
    const b = answer.body as {
      version: number;
      hash: string;
      unchanged: boolean;
      overrides: { policy: string; reason: string }[];
      warnings: PolicyVerdict[];
      summary: Plan["summary"];
    };
    if (opts.json === true) console.log(JSON.stringify(b));
    else if (b.unchanged)
      console.log(`no change: version ${b.version} (${b.hash.slice(0, 12)}) is already live`);
    else {
      const s = b.summary;
      console.log(
        `applied version ${b.version} (${b.hash.slice(0, 12)}): ${s.added} added, ${s.changed} changed, ${s.removed} removed` +
          (s.security > 0 ? `; ${s.security} security-relevant` : ""),
      );
      for (const o of b.overrides) console.log(`  override ${o.policy}: ${o.reason}`);
      for (const w of b.warnings) console.log(`  ! ${w.policy}  ${w.path}  ${w.message}`);
    }
    return ExitCode.ok;
  }
  if (isErrorAnswer(answer.body)) {
    if (answer.body.error === "CONFIG_INVALID") return reportInvalid(file, answer.body, opts.json);
    if (answer.body.error === "CONFIG_POLICY_REFUSED") {
      return reportRefusal(answer.body, ["rampart", "config", "apply", file, "-m", opts.message], opts.json);
    }
  }
  return reportError(answer, opts.json);
}

interface RollbackOptions extends CommonOptions {
  message?: string;
  override: string[];
  reason: string[];
}

async function rollback(version: string | undefined, opts: RollbackOptions): Promise<number> {
  const id = version === undefined ? undefined : Number(version);
  if (id !== undefined && (!Number.isInteger(id) || id < 1)) {
    console.error(`error: ${version} is not a version number`);
    return ExitCode.invalidInput;
  }
  const overrides = overridesFrom(opts.override, opts.reason);
  if (typeof overrides === "string") {
    console.error(`error: ${overrides}`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call("POST", "/config/rollback", {
    ...(id === undefined ? {} : { version: id }),
    ...(opts.message === undefined ? {} : { message: opts.message }),
    ...(overrides.length === 0 ? {} : { overrides }),
  });
  if (answer.status === 200 || answer.status === 201) {
    const b = answer.body as { version: number; hash: string; unchanged: boolean; rollbackOf: number | null };
    if (opts.json === true) console.log(JSON.stringify(b));
    else if (b.unchanged) console.log(`no change: the live version ${b.version} already equals it`);
    else
      console.log(
        `rolled back: version ${b.version} (${b.hash.slice(0, 12)}) equals version ${b.rollbackOf}`,
      );
    return ExitCode.ok;
  }
  if (isErrorAnswer(answer.body) && answer.body.error === "CONFIG_POLICY_REFUSED") {
    const inv = ["rampart", "config", "rollback", ...(version === undefined ? [] : [version])];
    if (opts.message !== undefined) inv.push("-m", opts.message);
    return reportRefusal(answer.body, inv, opts.json);
  }
  return reportError(answer, opts.json);
}

// ---- history / show / diff ----

interface VersionSummary {
  version: number;
  hash: string;
  author: string;
  createdAt: string;
  message: string;
  kind: string;
  overrides: { policy: string; reason: string; by: string }[];
  rollbackOf: number | null;
}

async function history(opts: CommonOptions & { limit: string; before?: string }): Promise<number> {
  const q = new URLSearchParams({ limit: opts.limit });
  if (opts.before !== undefined) q.set("before", opts.before);
  const answer = await clientFrom(opts).call("GET", `/config/versions?${q}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  const body = answer.body as { versions: VersionSummary[]; next: number | null };
  if (opts.json === true) {
    console.log(JSON.stringify(body));
    return ExitCode.ok;
  }
  if (body.versions.length === 0) {
    console.log("no config versions yet");
    return ExitCode.ok;
  }
  const rows = body.versions.map((v, i) => [
    `${v.version}${i === 0 && opts.before === undefined ? "*" : ""}`,
    v.createdAt.replace("T", " ").slice(0, 19),
    v.author,
    v.kind === "rollback" ? `rollback->${v.rollbackOf}` : v.kind,
    v.hash.slice(0, 12),
    v.message + (v.overrides.length > 0 ? ` [override: ${v.overrides.map((o) => o.policy).join(", ")}]` : ""),
  ]);
  console.log(formatTable(["VERSION", "CREATED (UTC)", "AUTHOR", "KIND", "HASH", "MESSAGE"], rows));
  if (body.next !== null) console.log(`(older: rampart config history --before ${body.next})`);
  return ExitCode.ok;
}

async function show(version: string | undefined, opts: CommonOptions): Promise<number> {
  if (version !== undefined && !/^[1-9][0-9]*$/.test(version)) {
    console.error(`error: ${version} is not a version number`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call(
    "GET",
    version === undefined ? "/config" : `/config/versions/${version}`,
  );
  if (answer.status !== 200) return reportError(answer, opts.json);
  const v = answer.body as unknown as VersionSummary & { document: string };
  if (opts.json === true) {
    console.log(JSON.stringify(v));
    return ExitCode.ok;
  }
  // The header is YAML comments, so `rampart config show > rampart.yaml` stays a valid config.
  console.log(`# version ${v.version} (${v.kind}) by ${v.author} at ${v.createdAt}, hash ${v.hash}`);
  if (v.message !== "") console.log(`# ${v.message.replace(/\n/g, "\n# ")}`);
  for (const o of v.overrides) console.log(`# override ${o.policy} by ${o.by}: ${o.reason}`);
  process.stdout.write(v.document.endsWith("\n") ? v.document : `${v.document}\n`);
  return ExitCode.ok;
}

async function diff(a: string, b: string, opts: CommonOptions): Promise<number> {
  for (const x of [a, b]) {
    if (!/^[1-9][0-9]*$/.test(x)) {
      console.error(`error: ${x} is not a version number`);
      return ExitCode.invalidInput;
    }
  }
  const answer = await clientFrom(opts).call("GET", `/config/diff?a=${a}&b=${b}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  const body = answer.body as { plan: Plan };
  if (opts.json === true) console.log(JSON.stringify(body));
  else {
    console.log(`version ${a} -> version ${b}`);
    process.stdout.write(formatPlan(body.plan, { color: color() }));
  }
  return ExitCode.ok;
}

export function register(program: Command): void {
  const config = program
    .command("config")
    .description(
      "Config as code: validate, plan, apply, history, show, diff, rollback (via the control plane).",
    )
    .addHelpText(
      "after",
      "\nExit codes: 0 done, 2 invalid config (every problem as file:line path: message), 3 refused by a policy,\n" +
        "1 other errors (control plane unreachable, bad token, ...).",
    );

  withClientOptions(
    config
      .command("validate <file>")
      .description(
        "Check a config: the schema locally, and the policies against the live version when a control plane answers.",
      ),
  ).action((file: string, opts: CommonOptions) => guarded(opts.json, () => validate(file, opts)));

  withClientOptions(
    config
      .command("plan <file>")
      .description("Show what applying the file would change and what the policies say (exit 3 if refused)."),
  ).action((file: string, opts: CommonOptions) => guarded(opts.json, () => plan(file, opts)));

  withClientOptions(
    config
      .command("apply <file>")
      .description("Store the file as the new config version, if every policy passes or is overridden.")
      .requiredOption("-m, --message <text>", "why (stored with the version)")
      .option("--override <policy>", "admin: apply despite this overridable policy (repeatable)", collect, [])
      .option(
        "--reason <text>",
        "why the override is acceptable (one for all, or one per --override)",
        collect,
        [],
      ),
  ).action((file: string, opts: ApplyOptions) => guarded(opts.json, () => apply(file, opts)));

  withClientOptions(
    config
      .command("history")
      .description("List config versions, newest first (* marks the live one).")
      .option("--limit <n>", "how many", "20")
      .option("--before <version>", "page back: versions older than this one"),
  ).action((opts: CommonOptions & { limit: string; before?: string }) =>
    guarded(opts.json, () => history(opts)),
  );

  withClientOptions(
    config
      .command("show [version]")
      .description("Print a version's YAML (default: the live one) under a comment header."),
  ).action((version: string | undefined, opts: CommonOptions) =>
    guarded(opts.json, () => show(version, opts)),
  );

  withClientOptions(
    config
      .command("diff <a> <b>")
      .description("The plan from version A to version B, with B's policy verdicts."),
  ).action((a: string, b: string, opts: CommonOptions) => guarded(opts.json, () => diff(a, b, opts)));

  withClientOptions(
    config
      .command("rollback [version]")
      .description("Append a new version equal to VERSION (default: the one before the live version).")
      .option("-m, --message <text>", "why (default: roll back to version N)")
      .option(
        "--override <policy>",
        "admin: roll back despite this overridable policy (repeatable)",
        collect,
        [],
      )
      .option("--reason <text>", "why the override is acceptable", collect, []),
  ).action((version: string | undefined, opts: RollbackOptions) =>
    guarded(opts.json, () => rollback(version, opts)),
  );
}
