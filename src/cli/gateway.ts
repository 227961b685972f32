/**
 * `rampart gateway --config FILE` runs the data plane in the foreground: SIGHUP re-reads the file
 * (an invalid file leaves the running config in place), SIGTERM/SIGINT stop it gracefully.
 * `rampart reload` asks a running gateway to re-read its file through the admin listener.
 */
import { hostname } from "node:os";
import { Writable } from "node:stream";
import type { Command } from "commander";
import { destination, type Logger, levels, pino } from "pino";
import { ConfigError, formatIssues } from "../config/errors.js";
import { loadConfig } from "../config/load.js";
import type { RampartConfig } from "../config/schema.js";
import { ExitCode } from "../errors.js";
import { startControlledGateway } from "../gateway/control-client.js";
import { startGateway } from "../gateway/gateway.js";
import { wafGuardFactory } from "../gateway/waf.js";

/** Operational log for people: `12:00:01 info  gateway listening listen=...`, one line per event. */
function humanStream(): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        const rec = JSON.parse(chunk.toString("utf8")) as Record<string, unknown>;
        const { time, level, msg, ...rest } = rec;
        const name = typeof level === "number" ? (levels.labels[level] ?? String(level)) : String(level);
        const extras = Object.entries(rest)
          .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
          .join(" ");
        const t = new Date(typeof time === "number" ? time : Date.now()).toISOString().slice(11, 19);
        process.stderr.write(`${t} ${name.padEnd(5)} ${String(msg ?? "")}${extras ? ` ${extras}` : ""}\n`);
      } catch {
        process.stderr.write(chunk);
      }
      cb();
    },
  });
}

export function makeLogger(json: boolean): Logger {
  return json
    ? pino({ base: null }, destination({ dest: 2, sync: true }))
    : pino({ base: null }, humanStream());
}

export function printConfigError(err: ConfigError): void {
  for (const line of formatIssues(err.file, err.issues)) console.error(line);
}

interface GatewayCliOptions {
  config?: string;
  jsonLog?: boolean;
  accessLog?: string;
  control?: string;
  token?: string;
  id?: string;
  tags?: string;
  listen?: string;
  admin?: string;
  state?: string;
  attestInterval?: string;
}

async function runGateway(opts: GatewayCliOptions): Promise<void> {
  const logger = makeLogger(opts.jsonLog === true);
  if (opts.control !== undefined) {
    await runFollower(opts.control, opts, logger);
    return;
  }
  if (opts.config === undefined) {
    console.error("rampart gateway needs --config FILE or --control URL");
    process.exitCode = ExitCode.invalidInput;
    return;
  }
  const file = opts.config;
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig(file);
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigError(err);
      process.exitCode = ExitCode.invalidInput;
      return;
    }
    throw err;
  }
  // --access-log overrides gateway.accessLog, for this run and for every reload.
  const withOverrides = async (cfg: RampartConfig): Promise<RampartConfig> =>
    opts.accessLog === undefined ? cfg : { ...cfg, gateway: { ...cfg.gateway, accessLog: opts.accessLog } };
  const gw = await startGateway(await withOverrides(config), {
    logger,
    guard: wafGuardFactory(),
    reloadSource: async () => withOverrides(await loadConfig(file)),
  });

  await new Promise<void>((resolve) => {
    const onHup = () => {
      gw.reloadFromSource().catch((err: unknown) => {
        if (err instanceof ConfigError) {
          for (const line of formatIssues(err.file, err.issues))
            logger.error({ issue: line }, "config reload refused");
        }
      });
    };
    const onStop = (signal: string) => {
      logger.info({ signal }, "stopping: finishing in-flight requests");
      process.off("SIGHUP", onHup);
      gw.close().then(resolve, (err: unknown) => {
        logger.error({ err: (err as Error).message }, "shutdown failed");
        resolve();
      });
    };
    process.on("SIGHUP", onHup);
    process.once("SIGTERM", () => onStop("SIGTERM"));
    process.once("SIGINT", () => onStop("SIGINT"));
  });
  process.exitCode = ExitCode.ok;
  // Nothing of ours is left open; this only guards against a stray handle keeping a stopped gateway alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

/** `--control`: serve what the control plane assigns, keep the last good version, stop on signals. */
async function runFollower(control: string, opts: GatewayCliOptions, logger: Logger): Promise<void> {
  const token = opts.token ?? process.env.RAMPART_TOKEN;
  if (token === undefined || token === "") {
    console.error("--control needs --token (or env RAMPART_TOKEN): a token with role gateway");
    process.exitCode = ExitCode.invalidInput;
    return;
  }
  const id = opts.id ?? hostname();
  const { gateway, client } = await startControlledGateway({
    controlUrl: control,
    token,
    id,
    tags: (opts.tags ?? "").split(",").filter((t) => t !== ""),
    stateFile: opts.state ?? `.rampart-gateway-${id}.json`,
    logger,
    guard: wafGuardFactory(),
    ...(opts.listen === undefined ? {} : { listen: opts.listen }),
    ...(opts.admin === undefined ? {} : { admin: opts.admin }),
    ...(opts.accessLog === undefined ? {} : { accessLog: opts.accessLog }),
    ...(opts.attestInterval === undefined
      ? {}
      : { attestIntervalMs: Math.max(100, Number(opts.attestInterval) || 2000) }),
  });
  // SIGHUP's default is to exit: a habit of reloading by signal must not stop a fleet gateway.
  const onHup = () => {
    logger.info("SIGHUP: the config comes from the control plane; attesting now");
    void client.attestNow();
  };
  process.on("SIGHUP", onHup);
  await new Promise<void>((resolve) => {
    const onStop = (signal: string) => {
      logger.info({ signal }, "stopping: finishing in-flight requests");
      process.off("SIGHUP", onHup);
      void client
        .close()
        .then(() => gateway.close())
        .then(resolve, () => resolve());
    };
    process.once("SIGTERM", () => onStop("SIGTERM"));
    process.once("SIGINT", () => onStop("SIGINT"));
  });
  process.exitCode = ExitCode.ok;
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

async function runReload(opts: { admin?: string; config?: string; json?: boolean }): Promise<void> {
  let admin = opts.admin;
  if (admin === undefined && opts.config !== undefined) {
    const cfg = await loadConfig(opts.config);
    const host = cfg.gateway.admin.host.includes(":")
      ? `[${cfg.gateway.admin.host}]`
      : cfg.gateway.admin.host;
    admin = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${cfg.gateway.admin.port}`;
  }
  admin ??= "http://127.0.0.1:9901";
  let res: Response;
  try {
    res = await fetch(new URL("/reload", admin), { method: "POST" });
  } catch (err) {
    console.error(
      `cannot reach the gateway admin listener at ${admin}: ${(err as Error).cause ?? (err as Error).message}`,
    );
    process.exitCode = ExitCode.failure;
    return;
  }
  const body = (await res.json().catch(() => ({}))) as {
    status?: string;
    error?: string;
    message?: string;
    file?: string;
    issues?: { path: string; line: number; message: string }[];
  };
  if (opts.json === true) console.log(JSON.stringify(body));
  if (res.ok) {
    if (opts.json !== true) console.log("config reloaded");
    process.exitCode = ExitCode.ok;
    return;
  }
  if (opts.json !== true) {
    if (body.issues !== undefined) {
      console.error("config reload refused; the previous config keeps serving:");
      for (const line of formatIssues(body.file ?? "config", body.issues)) console.error(line);
    } else console.error(`reload failed (${res.status}): ${body.message ?? body.error ?? ""}`);
  }
  process.exitCode = body.issues !== undefined ? ExitCode.invalidInput : ExitCode.failure;
}

export function register(program: Command): void {
  program
    .command("gateway")
    .description("Run the gateway (reverse proxy with limits and load shedding) in the foreground.")
    .option("-c, --config <file>", "rampart.yaml to serve (or --control)")
    .option(
      "--control <url>",
      "follow this control plane instead of a file (see src/gateway/control-client.ts)",
    )
    .option("--token <token>", "gateway token for --control (default: env RAMPART_TOKEN)")
    .option("--id <name>", "this gateway's id in the fleet (default: the host name)")
    .option("--tags <list>", "comma-separated tags (canary selection)")
    .option("--listen <host:port>", "with --control: where to serve, whatever the assigned config says")
    .option("--admin <host:port>", "with --control: the admin listener's address")
    .option(
      "--state <file>",
      "with --control: where the last good config is kept (default .rampart-gateway-ID.json)",
    )
    .option("--json-log", "operational log as JSON lines on stderr (default: short text)")
    .option("--access-log <dest>", "access log: stdout, off or a file path (overrides gateway.accessLog)")
    .addHelpText(
      "after",
      "\nSignals: SIGHUP re-reads the config (an invalid file is refused, the old config keeps serving);\n" +
        "SIGTERM/SIGINT stop accepting, finish in-flight requests up to gateway.timeouts.shutdownMs, exit 0.\n" +
        "Exit codes: 0 stopped cleanly, 1 failure (e.g. port in use), 2 invalid config (every problem printed).",
    )
    .action(runGateway);

  program
    .command("reload")
    .description("Ask a running gateway to re-read its config file (POST /reload on its admin listener).")
    .option("--admin <url>", "admin listener URL (default http://127.0.0.1:9901)")
    .option("-c, --config <file>", "take the admin address from this config file")
    .option("--json", "print the gateway's answer as JSON")
    .action(runReload);
}
