/**
 * `rampart control` runs the control plane in the foreground: the store under --data, the HTTP API
 * on --host:--port (loopback by default). On first run it creates an admin token in
 * DATA/admin.token and says where. SIGTERM/SIGINT finish in-flight requests and close the store.
 */
import type { Command } from "commander";
import { destination, pino } from "pino";
import { isLoopbackHost } from "../config/policies/facts.js";
import {
  type ControlPlane,
  DEFAULT_CONTROL_HOST,
  DEFAULT_CONTROL_PORT,
  startControlPlane,
} from "../control/server.js";
import { ExitCode } from "../errors.js";
import { defaultDataDir } from "./defaults.js";

interface ControlOptions {
  data?: string;
  host: string;
  port: string;
  logLevel: string;
}

async function runControl(opts: ControlOptions): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`error: --port ${opts.port} is not a port number (0-65535)`);
    process.exitCode = ExitCode.invalidInput;
    return;
  }
  const dataDir = opts.data ?? defaultDataDir();
  const logger = pino({ base: null, level: opts.logLevel }, destination({ dest: 2, sync: true }));
  let cp: ControlPlane;
  try {
    cp = await startControlPlane({ dataDir, host: opts.host, port, logger });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EADDRINUSE" && code !== "EADDRNOTAVAIL" && code !== "EACCES") throw err;
    console.error(`error: cannot listen on ${opts.host}:${port}: ${code}`);
    console.error(
      code === "EADDRINUSE"
        ? "  another process (maybe another control plane) uses this port: stop it or pass --port"
        : "  check --host (an address of this machine) and --port (below 1024 needs privileges)",
    );
    process.exitCode = ExitCode.failure;
    return;
  }
  if (!isLoopbackHost(opts.host)) {
    // Tokens travel in clear over plain HTTP: off loopback, a TLS proxy must front the API.
    logger.warn(
      { host: opts.host },
      "the API listens beyond loopback over plain HTTP: put a TLS proxy in front of it",
    );
  }
  if (cp.adminToken?.created === true) {
    console.log(`created an admin token: ${cp.adminToken.file} (mode 0600; keep it secret)`);
  }
  // Tests and scripts read this line to find a port chosen with --port 0.
  console.log(`control plane listening on ${cp.url} (data ${cp.store.file})`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, "stopping the control plane");
      cp.close().then(resolve, (err: unknown) => {
        logger.error({ err: (err as Error).message }, "shutdown failed");
        resolve();
      });
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
  process.exitCode = ExitCode.ok;
}

export function register(program: Command): void {
  program
    .command("control")
    .description("Run the control plane (config store, policies, HTTP API) in the foreground.")
    .option("--data <dir>", "data folder (default $RAMPART_DATA or ./.rampart)")
    .option(
      "--host <host>",
      "listen address; keep it on loopback unless a proxy with TLS fronts it",
      DEFAULT_CONTROL_HOST,
    )
    .option("--port <port>", "listen port (0: any free port)", String(DEFAULT_CONTROL_PORT))
    .option("--log-level <level>", "request log level on stderr (JSON lines)", "warn")
    .addHelpText(
      "after",
      "\nFirst run: creates an admin token in DATA/admin.token (mode 0600); the CLI on this machine uses it.\n" +
        "The API is under /api/v1; GET /api/v1/openapi.json describes every route.",
    )
    .action(runControl);
}
