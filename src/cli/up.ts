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
import { ControlClient } from "../api/client.js";
import { formatIssues } from "../config/errors.js";
import { defaultConfig, parseConfig } from "../config/index.js";
import type { RampartConfig } from "../config/schema.js";
import { DEFAULT_CONTROL_PORT, startControlPlane } from "../control/server.js";
import { startShop } from "../drill/shop/shop.js";
import { ExitCode, RampartError } from "../errors.js";
import { startControlledGateway } from "../gateway/control-client.js";
import { wafGuardFactory } from "../gateway/waf.js";
import type { Store } from "../store/index.js";
import { currentCrs } from "../waf/crs/install.js";
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

const HEADER = `# Rampart config, written by \`rampart up\` on first run and stored as version 1 in the control
# plane. Edit it, then \`rampart config apply THIS_FILE -m "why"\` (policies are checked, every version
# is kept, \`rampart config rollback\` undoes). Every key is documented in the README.
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

/** The gateway's id in the fleet under `rampart up`. */
const UP_GATEWAY_ID = "up";

/** The gateway's own token (role gateway, named after its id), kept in the data folder across runs. */
function gatewayToken(store: Store, dataDir: string): string {
  const path = join(dataDir, "gateway.token");
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    const verified = store.tokens.verify(token);
    const name = store.tokens.list().find((t) => t.id === verified?.id)?.name;
    if (verified !== undefined && name === UP_GATEWAY_ID) return token;
  }
  const { token } = store.tokens.create(UP_GATEWAY_ID, "gateway");
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
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

  // The control plane keeps every version; the file seeds version 1 on first run. From then on
  // `rampart config apply` changes what the gateway runs, and a bad change is refused.
  const controlPort = Number(opts.controlPort);
  const control = await startControlPlane({ dataDir, port: controlPort }).catch(
    portError("control plane", "--control-port"),
  );
  const api = new ControlClient({ control: control.url, dataDir });
  const live = await api.call("GET", "/config");
  if (live.status === 404) {
    const document = readFileSync(file, "utf8");
    const applied = await api.call<{
      version?: number;
      issues?: { path: string; line: number; message: string }[];
    }>("POST", "/config/apply", { document, message: `initial config from ${file}` });
    if (applied.status !== 201) {
      await control.close();
      if (applied.body.issues)
        for (const line of formatIssues(file, applied.body.issues)) console.error(line);
      else console.error(JSON.stringify(applied.body));
      process.exitCode = applied.status === 409 ? ExitCode.refusedByPolicy : ExitCode.invalidInput;
      return;
    }
  }

  // What the control plane serves now (the file may have been edited since without an apply).
  const liveNow = await api.call<{ document?: string }>("GET", "/config");
  const initial = parseConfig(liveNow.body.document ?? "", "live config");
  const usesDemoShop = Object.values(initial.upstreams).some((u) => u.targets.includes(demoUpstream));
  const shop = usesDemoShop
    ? await startShop({ port: shopPort, capacity: 50, latencyMs: 20 }).catch(async (err: unknown) => {
        await control.close();
        return portError("demo shop", "--shop-port")(err);
      })
    : undefined;
  const port = opts.port ? Number(opts.port) : initial.gateway.listen.port;
  const adminPort = opts.adminPort ? Number(opts.adminPort) : initial.gateway.admin.port;
  let started: Awaited<ReturnType<typeof startControlledGateway>>;
  try {
    started = await startControlledGateway({
      controlUrl: control.url,
      token: gatewayToken(control.store, dataDir),
      id: UP_GATEWAY_ID,
      stateFile: join(dataDir, "gateway-state.json"),
      logger,
      guard: wafGuardFactory(),
      listen: `${opts.host}:${port}`,
      admin: `127.0.0.1:${adminPort}`,
    });
  } catch (err) {
    await shop?.close();
    await control.close();
    return portError("gateway", "--port / --admin-port")(err);
  }
  const { gateway: gw, client } = started;
  const config = gw.config;

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
  console.log(
    `  control plane           ${control.url}  (admin token: ${control.adminToken?.file ?? "none"})`,
  );
  console.log(`  config                  ${file}  (change it with: rampart config apply ${file} -m "why")`);
  console.log(
    `  WAF                     ${status.mode}, ${status.ruleSet ?? "no rules"} (${status.rules ?? 0} rules)`,
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
      client
        .close()
        .then(() => Promise.allSettled([gw.close(), shop?.close()]))
        .then(() => control.close())
        .then(
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

/** For tests: the config file `rampart up` keeps in a data folder. */
export function upConfigFile(dataDir: string): string {
  return join(dataDir, "rampart.yaml");
}

export function readUpConfig(dataDir: string): string {
  return readFileSync(upConfigFile(dataDir), "utf8");
}
