/**
 * The one-process deployment: a control plane, a gateway that follows it, and the demo shop behind
 * the gateway when the config points at it. `rampart up` runs it on fixed ports in the user's data
 * folder; drills run it on free ports in a sandbox folder of their own.
 *
 * First run writes DATA/rampart.yaml and stores it as version 1; after that the control plane's
 * live version is what runs (`rampart config apply` changes it, policies checked).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Logger } from "pino";
import { stringify } from "yaml";
import { ControlClient } from "../api/client.js";
import { formatIssues } from "../config/errors.js";
import { defaultConfig, parseConfig } from "../config/index.js";
import type { RampartConfig } from "../config/schema.js";
import { type ControlPlane, startControlPlane } from "../control/server.js";
import { type Shop, type ShopOptions, startShop } from "../drill/shop/shop.js";
import { ExitCode, RampartError } from "../errors.js";
import { type ControlClient as FollowingClient, startControlledGateway } from "../gateway/control-client.js";
import type { Gateway } from "../gateway/index.js";
import { wafGuardFactory } from "../gateway/waf.js";
import type { Store } from "../store/index.js";
import { currentCrs } from "../waf/crs/install.js";

/** The gateway's id in the fleet under the local stack. */
export const LOCAL_GATEWAY_ID = "up";

const HEADER = `# Rampart config, written by \`rampart up\` on first run and stored as version 1 in the control
# plane. Edit it, then \`rampart config apply THIS_FILE -m "why"\` (policies are checked, every version
# is kept, \`rampart config rollback\` undoes). Every key is documented in the README.
`;

export interface LocalStackOptions {
  readonly dataDir: string;
  /** Address the gateway listens on. */
  readonly host: string;
  /** Gateway and admin ports; default: the live config's. 0 picks a free port. */
  readonly port?: number;
  readonly adminPort?: number;
  /** Demo shop port (0: a free one). */
  readonly shopPort: number;
  /** Control plane port on loopback (0: a free one). */
  readonly controlPort: number;
  /** First run: put the gateway in front of this shop instead of the demo shop. */
  readonly upstream?: string;
  readonly logger: Logger;
  /** Demo shop capacity and latency (default 50 at once, 20 ms). */
  readonly shop?: ShopOptions;
  /** Attestation (and per-second counters) period of the gateway, default 2000 ms. */
  readonly attestIntervalMs?: number;
  /** Extra top-level keys for the first-run config (a drill's alert receivers, say). */
  readonly firstRun?: (cfg: RampartConfig, shopUrl: string) => Record<string, unknown>;
}

export interface LocalStack {
  readonly control: ControlPlane;
  readonly gateway: Gateway;
  /** The gateway's side of the control plane: follows versions, attests. */
  readonly client: FollowingClient;
  readonly shop: Shop | undefined;
  /** DATA/rampart.yaml, and whether this run wrote it. */
  readonly configFile: string;
  readonly wroteConfig: boolean;
  /** The gateway's base URL, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly adminUrl: string;
  close(): Promise<void>;
}

/** The first-run config: the demo shop (or an upstream) behind the gateway, logs in the data folder. */
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

/** The gateway's own token (role gateway, named after its id), kept in the data folder across runs. */
function gatewayToken(store: Store, dataDir: string): string {
  const path = join(dataDir, "gateway.token");
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    const verified = store.tokens.verify(token);
    const name = store.tokens.list().find((t) => t.id === verified?.id)?.name;
    if (verified !== undefined && name === LOCAL_GATEWAY_ID) return token;
  }
  const { token } = store.tokens.create(LOCAL_GATEWAY_ID, "gateway");
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

/** The first-run config file was not accepted as version 1. */
export class InitialConfigError extends RampartError {
  readonly lines: readonly string[];
  readonly exitCode: number;
  constructor(lines: readonly string[], exitCode: number) {
    super("UP_INITIAL_CONFIG", lines[0] ?? "the initial config was not accepted", {
      hint: "fix the file (or move it away to get a fresh default) and run again",
    });
    this.lines = lines;
    this.exitCode = exitCode;
  }
}

export async function startLocalStack(opts: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const configFile = join(dataDir, "rampart.yaml");
  const closers: Array<() => Promise<unknown>> = [];
  const closeAll = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const control = await startControlPlane({ dataDir, port: opts.controlPort }).catch(
      portError("control plane", "--control-port"),
    );
    closers.push(() => control.close());
    const api = new ControlClient({ control: control.url, dataDir });
    const live = await api.call<{ document?: string }>("GET", "/config");

    // The demo shop runs when what will be live points at it: the live version, else the file.
    const fixedShopUrl = `http://127.0.0.1:${opts.shopPort}`;
    const needsShop =
      live.status === 200
        ? opts.shopPort !== 0 && (live.body.document ?? "").includes(fixedShopUrl)
        : opts.upstream === undefined &&
          (!existsSync(configFile) || readFileSync(configFile, "utf8").includes(fixedShopUrl));
    let shop: Shop | undefined;
    if (needsShop) {
      const started = await startShop({
        capacity: 50,
        latencyMs: 20,
        ...opts.shop,
        port: opts.shopPort,
      }).catch(portError("demo shop", "--shop-port"));
      closers.push(() => started.close());
      shop = started;
    }

    let wroteConfig = false;
    if (!existsSync(configFile)) {
      const cfg = firstRunConfig({
        dataDir,
        upstream: opts.upstream ?? shop?.url ?? fixedShopUrl,
        host: opts.host,
        port: opts.port ?? 8080,
        adminPort: opts.adminPort ?? 9901,
      });
      const extra = opts.firstRun?.(cfg, shop?.url ?? fixedShopUrl) ?? {};
      writeFileSync(configFile, HEADER + stringify({ ...cfg, ...extra }));
      wroteConfig = true;
    }
    if (live.status === 404) {
      const document = readFileSync(configFile, "utf8");
      const applied = await api.call<{
        version?: number;
        issues?: { path: string; line: number; message: string }[];
      }>("POST", "/config/apply", { document, message: `initial config from ${configFile}` });
      if (applied.status !== 201) {
        throw new InitialConfigError(
          applied.body.issues
            ? formatIssues(configFile, applied.body.issues)
            : [JSON.stringify(applied.body)],
          applied.status === 409 ? ExitCode.refusedByPolicy : ExitCode.invalidInput,
        );
      }
    }

    // What the control plane serves now (the file may have been edited since without an apply).
    const liveNow = await api.call<{ document?: string }>("GET", "/config");
    const initial = parseConfig(liveNow.body.document ?? "", "live config");
    const port = opts.port ?? initial.gateway.listen.port;
    const adminPort = opts.adminPort ?? initial.gateway.admin.port;
    const { gateway, client } = await startControlledGateway({
      controlUrl: control.url,
      token: gatewayToken(control.store, dataDir),
      id: LOCAL_GATEWAY_ID,
      stateFile: join(dataDir, "gateway-state.json"),
      logger: opts.logger,
      guard: wafGuardFactory(),
      listen: `${opts.host}:${port}`,
      admin: `127.0.0.1:${adminPort}`,
      ...(opts.attestIntervalMs === undefined ? {} : { attestIntervalMs: opts.attestIntervalMs }),
    }).catch(portError("gateway", "--port / --admin-port"));
    closers.push(
      () => client.close(),
      () => gateway.close(),
    );
    const a = gateway.addresses();
    const host = a.listen.address === "0.0.0.0" || a.listen.address === "::" ? "127.0.0.1" : a.listen.address;
    return {
      control,
      gateway,
      client,
      shop,
      configFile,
      wroteConfig,
      url: `http://${host.includes(":") ? `[${host}]` : host}:${a.listen.port}`,
      adminUrl: `http://${a.admin.address}:${a.admin.port}`,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
