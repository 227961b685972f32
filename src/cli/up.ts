/**
 * `rampart up`: the one command a newcomer runs. In one process: the demo shop, and the gateway in
 * front of it with the config kept in the data folder (written on first run, then the user's to
 * edit: SIGHUP or `rampart reload` re-reads it). `--upstream URL` puts the gateway in front of a
 * real shop instead of the demo one.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { stringify } from "yaml";
import { ConfigError, formatIssues } from "../config/errors.js";
import { defaultConfig, loadConfig } from "../config/index.js";
import type { RampartConfig } from "../config/schema.js";
import { startShop } from "../drill/shop/shop.js";
import { ExitCode, RampartError } from "../errors.js";
import { startGateway } from "../gateway/gateway.js";
import { wafGuardFactory } from "../gateway/waf.js";
import { currentCrs } from "../waf/crs/install.js";
import { DEFAULT_ADMIN_PORT, DEFAULT_PORT, defaultDataDir } from "./defaults.js";
import { makeLogger, printConfigError } from "./gateway.js";

export const DEFAULT_SHOP_PORT = 8081;

interface UpOptions {
  port?: string;
  adminPort?: string;
  shopPort: string;
  data: string;
  upstream?: string;
  host: string;
  jsonLog?: boolean;
}

const HEADER = `# Rampart config, written by \`rampart up\` on first run. Edit it, then \`rampart reload\` (or
# send SIGHUP). Every key is documented in the README ("Configuration").
`;

/** The first-run config: the demo shop (or --upstream) behind the gateway, logs in the data folder. */
export function firstRunConfig(opts: {
  dataDir: string;
  upstream: string;
  host: string;
  port: number;
  adminPort: number;
}): RampartConfig {
  const base = defaultConfig({
    upstream: opts.upstream,
    listenHost: opts.host,
    port: opts.port,
    adminPort: opts.adminPort,
  });
  const crs = currentCrs(opts.dataDir);
  return {
    ...base,
    gateway: { ...base.gateway, accessLog: join(opts.dataDir, "access.log") },
    waf: {
      ...base.waf,
      crs: crs ? crs.dir : "builtin",
      errorLog: join(opts.dataDir, "waf-error.log"),
      auditLog: join(opts.dataDir, "waf-audit.log"),
    },
  };
}

/** Turns "address in use" into an error that says which flag picks another port. */
function portError(what: string, flag: string): (err: unknown) => never {
  return (err: unknown) => {
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    if (e.code === "EADDRINUSE" || e.cause?.code === "EADDRINUSE") {
      throw new RampartError("PORT_IN_USE", `the ${what}'s port is already in use (${e.message ?? ""})`, {
        hint: `stop what uses it, or choose another port with ${flag}`,
      });
    }
    throw err;
  };
}

async function runUp(opts: UpOptions): Promise<void> {
  const dataDir = resolve(opts.data);
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, "rampart.yaml");
  const shopPort = Number(opts.shopPort);
  const demoUpstream = `http://127.0.0.1:${shopPort}`;
  const logger = makeLogger(opts.jsonLog === true);

  if (!existsSync(file)) {
    const cfg = firstRunConfig({
      dataDir,
      upstream: opts.upstream ?? demoUpstream,
      host: opts.host,
      port: Number(opts.port ?? DEFAULT_PORT),
      adminPort: Number(opts.adminPort ?? DEFAULT_ADMIN_PORT),
    });
    writeFileSync(file, HEADER + stringify(cfg));
    console.log(`wrote ${file} (first run)`);
  }

  // The file is the source of truth; flags given on this command line override it for this run.
  const read = async (): Promise<RampartConfig> => {
    const cfg = await loadConfig(file);
    const g = cfg.gateway;
    const upstreams = opts.upstream
      ? Object.fromEntries(
          Object.entries(cfg.upstreams).map(([k, u]) => [k, { ...u, targets: [opts.upstream as string] }]),
        )
      : cfg.upstreams;
    return {
      ...cfg,
      upstreams,
      gateway: {
        ...g,
        listen: { ...g.listen, port: opts.port ? Number(opts.port) : g.listen.port },
        admin: { ...g.admin, port: opts.adminPort ? Number(opts.adminPort) : g.admin.port },
      },
    };
  };
  let config: RampartConfig;
  try {
    config = await read();
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigError(err);
      process.exitCode = ExitCode.invalidInput;
      return;
    }
    throw err;
  }

  const usesDemoShop = Object.values(config.upstreams).some((u) => u.targets.includes(demoUpstream));
  const shop = usesDemoShop
    ? await startShop({ port: shopPort, capacity: 50, latencyMs: 20 }).catch(
        portError("demo shop", "--shop-port"),
      )
    : undefined;
  const gw = await startGateway(config, { logger, guard: wafGuardFactory(), reloadSource: read }).catch(
    async (err: unknown) => {
      await shop?.close();
      return portError("gateway", "--port / --admin-port")(err);
    },
  );

  const a = gw.addresses();
  const host = a.listen.address === "0.0.0.0" || a.listen.address === "::" ? "127.0.0.1" : a.listen.address;
  const status = gw.wafStatus() as { mode: string; ruleSet?: string; rules?: number };
  console.log("");
  console.log(`  shop (through Rampart)  http://${host}:${a.listen.port}/`);
  if (shop) console.log(`  demo shop (direct)      ${shop.url}/`);
  else
    console.log(
      `  upstream                ${Object.values(config.upstreams)
        .flatMap((u) => u.targets)
        .join(", ")}`,
    );
  console.log(`  metrics                 http://${a.admin.address}:${a.admin.port}/metrics`);
  console.log(`  WAF status              http://${a.admin.address}:${a.admin.port}/waf/status`);
  console.log(`  config                  ${file}`);
  console.log(
    `  WAF                     ${status.mode}, ${status.ruleSet ?? "no rules"} (${status.rules ?? 0} rules)`,
  );
  if (config.waf.crs === "builtin") {
    console.log("");
    console.log("  The WAF runs Rampart's small built-in rule set. For the full OWASP Core Rule Set:");
    console.log(`    rampart crs install --data ${dataDir}   then set waf.crs to the folder it prints`);
  }
  console.log("");
  console.log("  Ctrl-C stops.");

  await new Promise<void>((done) => {
    const onHup = () => {
      gw.reloadFromSource().catch((err: unknown) => {
        if (err instanceof ConfigError) {
          for (const line of formatIssues(err.file, err.issues))
            logger.error({ issue: line }, "config reload refused");
        } else logger.error({ err: (err as Error).message }, "config reload refused");
      });
    };
    const onStop = (signal: string) => {
      logger.info({ signal }, "stopping");
      process.off("SIGHUP", onHup);
      Promise.allSettled([gw.close(), shop?.close()]).then(() => done());
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
    .option("--upstream <url>", "put the gateway in front of this shop instead of the demo shop")
    .option("--json-log", "operational log as JSON lines on stderr")
    .addHelpText(
      "after",
      "\nFirst run writes DATA/rampart.yaml; later runs read it (flags override it for that run).\n" +
        "Logs: DATA/access.log, DATA/waf-error.log (ModSecurity format), DATA/waf-audit.log (JSON).",
    )
    .action(runUp);
}

/** For tests: the config file `rampart up` keeps in a data folder. */
export function upConfigFile(dataDir: string): string {
  return join(dataDir, "rampart.yaml");
}

export function readUpConfig(dataDir: string): string {
  return readFileSync(upConfigFile(dataDir), "utf8");
}
