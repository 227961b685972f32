/** `rampart token create|list|revoke`: API tokens of the control plane (admin token needed). */
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
import { TOKEN_ROLES } from "../store/tokens.js";

async function run(json: boolean | undefined, fn: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await fn();
  } catch (err) {
    if (!(err instanceof ControlUnreachableError)) throw err;
    console.error(`error ${err.code}: ${err.message}\n  ${err.hint ?? ""}`);
    if (json === true) console.log(JSON.stringify({ error: err.code, message: err.message }));
    process.exitCode = ExitCode.failure;
  }
}

async function create(name: string, opts: CommonOptions & { role: string }): Promise<number> {
  if (!(TOKEN_ROLES as readonly string[]).includes(opts.role)) {
    console.error(`error: --role must be one of ${TOKEN_ROLES.join(", ")}`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call("POST", "/tokens", { name, role: opts.role });
  if (answer.status !== 201) return reportError(answer, opts.json);
  const b = answer.body as { id: number; name: string; role: string; token: string };
  if (opts.json === true) console.log(JSON.stringify(b));
  else {
    // The token alone on stdout, so `TOKEN=$(rampart token create ...)` works; the note on stderr.
    console.log(b.token);
    console.error(`token ${b.id} "${b.name}" (${b.role}) created; it is shown only this once`);
  }
  return ExitCode.ok;
}

interface TokenRow {
  id: number;
  name: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

async function list(opts: CommonOptions): Promise<number> {
  const answer = await clientFrom(opts).call("GET", "/tokens");
  if (answer.status !== 200) return reportError(answer, opts.json);
  const tokens = (answer.body as { tokens: TokenRow[] }).tokens;
  if (opts.json === true) {
    console.log(JSON.stringify(tokens));
    return ExitCode.ok;
  }
  const t = (s: string | null) => (s === null ? "-" : s.replace("T", " ").slice(0, 19));
  console.log(
    formatTable(
      ["ID", "NAME", "ROLE", "CREATED (UTC)", "LAST USED", "STATE"],
      tokens.map((x) => [
        String(x.id),
        x.name,
        x.role,
        t(x.createdAt),
        t(x.lastUsedAt),
        x.revokedAt === null ? "active" : `revoked ${t(x.revokedAt)}`,
      ]),
    ),
  );
  return ExitCode.ok;
}

async function revoke(id: string, opts: CommonOptions): Promise<number> {
  if (!/^[1-9][0-9]*$/.test(id)) {
    console.error(`error: ${id} is not a token id (see rampart token list)`);
    return ExitCode.invalidInput;
  }
  const answer = await clientFrom(opts).call("DELETE", `/tokens/${id}`);
  if (answer.status !== 200) return reportError(answer, opts.json);
  if (opts.json === true) console.log(JSON.stringify(answer.body));
  else console.log(`token ${id} revoked`);
  return ExitCode.ok;
}

export function register(program: Command): void {
  const token = program
    .command("token")
    .description("API tokens of the control plane (needs an admin token).");
  withClientOptions(
    token
      .command("create <name>")
      .description("Create a token; prints it once (stdout), never stored in clear.")
      .requiredOption("--role <role>", `one of ${TOKEN_ROLES.join(", ")}`),
  ).action((name: string, opts: CommonOptions & { role: string }) =>
    run(opts.json, () => create(name, opts)),
  );
  withClientOptions(token.command("list").description("List tokens (never their secrets).")).action(
    (opts: CommonOptions) => run(opts.json, () => list(opts)),
  );
  withClientOptions(token.command("revoke <id>").description("Revoke a token (final).")).action(
    (id: string, opts: CommonOptions) => run(opts.json, () => revoke(id, opts)),
  );
}
