/**
 * A small client of the control plane's API for the CLI (and scripts): where the control plane is
 * (`--control`, RAMPART_CONTROL, http://127.0.0.1:9700), which token to send (`--token`,
 * RAMPART_TOKEN, else DATA/admin.token when readable), and one `call` that returns the status and
 * the JSON body, error bodies included, so commands decide their exit codes from the error code.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { defaultDataDir } from "../cli/defaults.js";
import { ExitCode, RampartError } from "../errors.js";
import { ADMIN_TOKEN_FILE } from "./bootstrap.js";

/** Same as app.ts's; repeated so the CLI does not load fastify to call the API. */
const API_PREFIX = "/api/v1";

export const DEFAULT_CONTROL_URL = "http://127.0.0.1:9700";

export interface ClientOptions {
  readonly control?: string;
  readonly token?: string;
  /** Data folder whose admin.token is the last resort. */
  readonly dataDir?: string;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
}

export interface ApiAnswer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** The body of an error answer, as errors.ts shapes it. */
export interface ApiErrorAnswer {
  readonly error: string;
  readonly message: string;
  readonly hint?: string;
  readonly [detail: string]: unknown;
}

export class ControlUnreachableError extends RampartError {
  constructor(url: string, cause: unknown) {
    super("CONTROL_UNREACHABLE", `cannot reach the control plane at ${url}: ${describe(cause)}`, {
      hint: "start it with `rampart control`, or point at it with --control URL / RAMPART_CONTROL",
      cause,
    });
  }
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** The token to send: explicit, then RAMPART_TOKEN, then DATA/admin.token; undefined if none. */
export function resolveToken(opts: ClientOptions): string | undefined {
  if (opts.token !== undefined && opts.token !== "") return opts.token;
  const env = process.env.RAMPART_TOKEN;
  if (env !== undefined && env !== "") return env;
  if (opts.dataDir === undefined) return undefined;
  try {
    return readFileSync(join(opts.dataDir, ADMIN_TOKEN_FILE), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export class ControlClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(opts: ClientOptions = {}) {
    this.url = (opts.control ?? process.env.RAMPART_CONTROL ?? DEFAULT_CONTROL_URL).replace(/\/+$/, "");
    this.#token = resolveToken(opts);
    this.#timeoutMs = opts.timeoutMs ?? 30_000;
  }

  get hasToken(): boolean {
    return this.#token !== undefined;
  }

  /** One API call; `path` is below /api/v1. Throws ControlUnreachableError when nothing answers. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<ApiAnswer<T>> {
    const url = `${this.url}${API_PREFIX}${path}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (err) {
      throw new ControlUnreachableError(this.url, err);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? {} : JSON.parse(text);
    } catch {
      parsed = {
        error: "BAD_ANSWER",
        message: `the control plane answered ${res.status} with non-JSON: ${text.slice(0, 200)}`,
      };
    }
    return { status: res.status, body: parsed as T };
  }
}

export function isErrorAnswer(body: unknown): body is ApiErrorAnswer {
  return typeof body === "object" && body !== null && typeof (body as { error?: unknown }).error === "string";
}

// ---- shared by the CLI commands that call the API ----

export interface CommonOptions {
  control?: string;
  token?: string;
  data?: string;
  json?: boolean;
}

/** Adds --control, --token, --data and --json to a command. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option("--control <url>", `control plane URL (default $RAMPART_CONTROL or ${DEFAULT_CONTROL_URL})`)
    .option("--token <token>", "API token (default $RAMPART_TOKEN, else DATA/admin.token)")
    .option("--data <dir>", "data folder whose admin.token is used when no token is given")
    .option("--json", "print JSON for machines");
}

export function clientFrom(opts: CommonOptions): ControlClient {
  return new ControlClient({
    ...(opts.control === undefined ? {} : { control: opts.control }),
    ...(opts.token === undefined ? {} : { token: opts.token }),
    dataDir: opts.data ?? defaultDataDir(),
  });
}

/** Exit code for an API error: 2 for what the user sent, 3 for a policy refusal, 1 otherwise. */
export function exitCodeOf(status: number, body: unknown): number {
  const code = isErrorAnswer(body) ? body.error : "";
  if (code === "CONFIG_POLICY_REFUSED") return ExitCode.refusedByPolicy;
  if (code === "CONFIG_INVALID" || status === 400 || status === 413 || status === 422)
    return ExitCode.invalidInput;
  return ExitCode.failure;
}

/** Prints an error answer for people (stderr) or as JSON (stdout); returns the exit code. */
export function reportError(answer: ApiAnswer<unknown>, json: boolean | undefined): number {
  const b = answer.body;
  if (json === true) console.log(JSON.stringify(b));
  else if (isErrorAnswer(b)) {
    console.error(`error ${b.error}: ${b.message}`);
    if (b.hint !== undefined) console.error(`  ${b.hint}`);
  } else console.error(`error: the control plane answered ${answer.status}`);
  return exitCodeOf(answer.status, b);
}

/** Rows as aligned columns (the last one unpadded), for listings. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  return all
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
