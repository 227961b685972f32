/**
 * `rampart up`: the one command a newcomer runs. In one process: the control plane, the gateway
 * following it, and the demo shop behind the gateway (src/local/stack.ts); `--upstream URL` puts the
 * gateway in front of a real shop instead of the demo one.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { DEFAULT_CONTROL_PORT } from "../control/server.js";
import { ExitCode } from "../errors.js";
import { InitialConfigError, type LocalStack, startLocalStack } from "../local/stack.js";
import { DEFAULT_ADMIN_PORT, DEFAULT_PORT, defaultDataDir } from "./defaults.js";
import { makeLogger } from "./gateway.js";

export const DEFAULT_SHOP_PORT = 8081;

interface UpOptions {
  port?: string;
  adminPort?: string;
  shopPort: string;
  data: string;
  upstream?: string;
  host: string;
  jsonLog?: boolean;
  controlPort: string;
}

async function runUp(opts: UpOptions): Promise<void> {
  const dataDir = resolve(opts.data);
  const logger = makeLogger(opts.jsonLog === true);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      dataDir,
      host: opts.host,
      ...(opts.port === undefined ? {} : { port: Number(opts.port) }),
      ...(opts.adminPort === undefined ? {} : { adminPort: Number(opts.adminPort) }),
      shopPort: Number(opts.shopPort),
      controlPort: Number(opts.controlPort),
      ...(opts.upstream === undefined ? {} : { upstream: opts.upstream }),
      logger,
    });
  } catch (err) {
    if (err instanceof InitialConfigError) {
      for (const line of err.lines) console.error(line);
      process.exitCode = err.exitCode;
      return;
    }
    throw err;
  }
  const { gateway: gw, client, control, shop } = stack;
  if (stack.wroteConfig) console.log(`wrote ${stack.configFile} (first run)`);
  const config = gw.config;
  const status = gw.wafStatus() as { mode: string; ruleSet?: string; rules?: number };
  console.log("");
  console.log(`  shop (through Rampart)  ${stack.url}/`);
  if (shop) console.log(`  demo shop (direct)      ${shop.url}/`);
  else
    console.log(
      `  upstream                ${Object.values(config.upstreams)
        .flatMap((u) => u.targets)
        .join(", ")}`,
    );
  console.log(`  metrics                 ${stack.adminUrl}/metrics`);
  console.log(`  WAF status              ${stack.adminUrl}/waf/status`);
  console.log(
    `  control plane           ${control.url}  (admin token: ${control.adminToken?.file ?? "none"})`,
  );
  console.log(
    `  config                  ${stack.configFile}  (change it with: rampart config apply ${stack.configFile} -m "why")`,
  );
  console.log(
    `  WAF                     ${status.mode}, ${status.ruleSet ?? "no rules"} (${status.rules ?? 0} rules)`,
  );
  console.log(
    "  watch                   rampart top · rampart alerts · rampart incident list · rampart events",
  );
  console.log(
    "  train                   rampart drill outage-2am (its own sandbox; this stack is not touched)",
  );
  if (config.waf.crs === "builtin") {
    console.log("");
    console.log("  The WAF runs Rampart's small built-in rule set. For the full OWASP Core Rule Set:");
    console.log(
      `    rampart crs install --data ${dataDir}   then set waf.crs to the folder it prints and apply`,
    );
  }
  console.log("");
  console.log("  Ctrl-C stops.");

  await new Promise<void>((done) => {
    const onHup = () => {
      logger.info("SIGHUP: the config comes from the control plane (rampart config apply); attesting now");
      void client.attestNow();
    };
    const onStop = (signal: string) => {
      logger.info({ signal }, "stopping");
      process.off("SIGHUP", onHup);
      stack.close().then(
        () => done(),
        () => done(),
      );
    };
    process.on("SIGHUP", onHup);
    process.once("SIGTERM", () => onStop("SIGTERM"));
    process.once("SIGINT", () => onStop("SIGINT"));
  });
  process.exitCode = ExitCode.ok;
  setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
}

export function registerUp(program: Command): void {
  program
    .command("up")
    .description(
      "Run Rampart in one process: the gateway with its WAF and limits in front of the demo shop (or --upstream).",
    )
    .option("--port <port>", `gateway port (default ${DEFAULT_PORT}, or the config's)`)
    .option(
      "--admin-port <port>",
      `admin listener port: /metrics, /healthz, /waf/status (default ${DEFAULT_ADMIN_PORT})`,
    )
    .option("--shop-port <port>", "demo shop port", String(DEFAULT_SHOP_PORT))
    .option("--host <address>", "address the gateway listens on", "127.0.0.1")
    .option("--data <dir>", "data folder: config, logs, installed CRS", defaultDataDir())
    .option("--upstream <url>", "first run: put the gateway in front of this shop instead of the demo shop")
    .option("--control-port <port>", "control plane API port (loopback)", String(DEFAULT_CONTROL_PORT))
    .option("--json-log", "operational log as JSON lines on stderr")
    .addHelpText(
      "after",
      "\nFirst run writes DATA/rampart.yaml and stores it as version 1 in the control plane; after that,\n" +
        "change the config with `rampart config apply DATA/rampart.yaml -m MSG` (policies checked, versions kept).\n" +
        "Logs: DATA/access.log, DATA/waf-error.log (ModSecurity format), DATA/waf-audit.log (JSON).",
    )
    .action(runUp);
}
