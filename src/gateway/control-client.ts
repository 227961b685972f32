/**
 * The gateway's side of the fleet: fetch the config the control plane assigns to this gateway,
 * follow it by long poll (`GET /api/v1/fleet/gateways/:id/config?known=V&wait=25`), apply it with
 * `gateway.reload()` (atomic: a version that does not load is reported in the next attestation and
 * the last good one keeps serving), and attest what really runs every 2 s.
 *
 * When the control plane is unreachable the gateway keeps serving the last good version, retries
 * with capped exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff And
 * Jitter"), and says so: `status().connected` and the metric `rampart_control_connected 0`. It
 * never falls back to "no WAF". The last good version is written to a local file (atomically:
 * write + rename) so a restart without the control plane still serves it.
 *
 * Test hook (tests only): with RAMPART_TEST_HOOKS=1 in the environment, a file `<stateFile>.tamper`
 * holding `{"modules": {"sqli": "off"}}` is applied on top of the assigned config at the next
 * attestation tick, as a local edit by hand would be; removing it restores the assigned config.
 * Without that variable the file is never read.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { Agent, fetch } from "undici";
import { parseConfig } from "../config/load.js";
import type { RampartConfig } from "../config/schema.js";
import { configHash } from "../config/versions.js";
import { RampartError } from "../errors.js";
import { type Gateway, type GatewayOptions, startGateway } from "./gateway.js";
import type { WafStatus } from "./waf.js";

export interface ControlClientOptions {
  /** Base URL of the control plane, e.g. http://127.0.0.1:9700. */
  readonly controlUrl: string;
  readonly token: string;
  readonly id: string;
  readonly tags?: readonly string[];
  /** Where the last good config is kept (JSON: version, hash, document). */
  readonly stateFile: string;
  readonly logger: Logger;
  /** Local settings applied to every assigned config (listen/admin addresses, access log). */
  readonly localize?: (config: RampartConfig) => RampartConfig;
  readonly attestIntervalMs?: number;
  /** Long-poll wait asked of the control plane (s). */
  readonly waitSeconds?: number;
  /** Backoff bounds after a failed poll (ms). */
  readonly backoffMinMs?: number;
  readonly backoffMaxMs?: number;
}

/** A config version as fetched or cached. */
export interface AssignedConfig {
  readonly version: number;
  readonly hash: string;
  readonly document: string;
}

export interface ControlStatus {
  readonly connected: boolean;
  readonly version: number | null;
  readonly hash: string | null;
  /** Why the last fetch or apply failed, if it did. */
  readonly lastError: string | null;
  readonly lastContactAt: string | null;
}

export type ControlClientErrorCode = "CONTROL_REFUSED" | "CONTROL_NO_CONFIG" | "CONTROL_INVALID";

/** Failures of following the control plane (the gateway's own errors.ts covers serving). */
export class ControlClientError extends RampartError {
  declare readonly code: ControlClientErrorCode;

  constructor(code: ControlClientErrorCode, message: string, options?: { hint?: string; cause?: unknown }) {
    super(code, message, options);
  }
}

interface Loaded {
  readonly assigned: AssignedConfig;
  readonly config: RampartConfig;
}

const TEST_HOOKS = process.env.RAMPART_TEST_HOOKS === "1";

function loadAssigned(a: AssignedConfig): Loaded {
  return { assigned: a, config: parseConfig(a.document, `version ${a.version}`) };
}

/** Reads the last good config kept by a previous run; undefined when there is none or it is unreadable. */
export function readLastGood(stateFile: string): AssignedConfig | undefined {
  try {
    const v = JSON.parse(readFileSync(stateFile, "utf8")) as Partial<AssignedConfig>;
    if (typeof v.version === "number" && typeof v.hash === "string" && typeof v.document === "string") {
      return { version: v.version, hash: v.hash, document: v.document };
    }
  } catch {
    // absent or damaged: the caller decides (a damaged file must not stop a gateway that can fetch)
  }
  return undefined;
}

export class ControlClient {
  readonly #opts: ControlClientOptions;
  readonly #base: URL;
  #gateway: Gateway | undefined;
  #current: Loaded | undefined;
  /** What runs: the assigned config, or a tampered one (test hook). */
  #liveHash: string | null = null;
  #tamper = "";
  #connected = false;
  #lastError: string | null = null;
  #lastContact: Date | undefined;
  #stopped = false;
  #poll: AbortController | undefined;
  #attestTimer: NodeJS.Timeout | undefined;
  #lastSecond = 0;
  #drift = "";
  /** The last assigned version that failed to load, until another one is assigned. */
  #rejected: number | undefined;
  #loop: Promise<void> | undefined;
  /** Own connection pool, so close() leaves no socket open on the control plane. */
  readonly #agent = new Agent({ keepAliveTimeout: 30_000, connections: 4 });

  constructor(opts: ControlClientOptions) {
    this.#opts = opts;
    this.#base = new URL(opts.controlUrl.endsWith("/") ? opts.controlUrl : `${opts.controlUrl}/`);
    if (TEST_HOOKS) opts.logger.warn("RAMPART_TEST_HOOKS=1: the tamper file of the test hook is honoured");
  }

  status(): ControlStatus {
    return {
      connected: this.#connected,
      version: this.#current?.assigned.version ?? null,
      hash: this.#current?.assigned.hash ?? null,
      lastError: this.#lastError,
      lastContactAt: this.#lastContact?.toISOString() ?? null,
    };
  }

  #localize(config: RampartConfig): RampartConfig {
    return this.#opts.localize === undefined ? config : this.#opts.localize(config);
  }

  #url(path: string): URL {
    return new URL(`api/v1/fleet/gateways/${encodeURIComponent(this.#opts.id)}/${path}`, this.#base);
  }

  async #fetchConfig(
    known: number | undefined,
    waitS: number,
    signal?: AbortSignal,
  ): Promise<AssignedConfig | undefined> {
    const url = this.#url("config");
    if (known !== undefined) url.searchParams.set("known", String(known));
    url.searchParams.set("wait", String(waitS));
    if ((this.#opts.tags ?? []).length > 0) url.searchParams.set("tags", (this.#opts.tags ?? []).join(","));
    const res = await fetch(url, {
      dispatcher: this.#agent,
      headers: { authorization: `Bearer ${this.#opts.token}` },
      signal:
        signal === undefined
          ? AbortSignal.timeout((waitS + 10) * 1000)
          : AbortSignal.any([signal, AbortSignal.timeout((waitS + 10) * 1000)]),
    });
    const body = (await res.json().catch(() => ({}))) as Partial<AssignedConfig> & {
      error?: string;
      message?: string;
    };
    if (res.status === 404 && body.error === "NO_CONFIG") return undefined;
    if (!res.ok) {
      throw new ControlClientError(
        "CONTROL_REFUSED",
        `control plane answered ${res.status}: ${body.message ?? body.error ?? ""}`,
      );
    }
    this.#markConnected(true);
    if (typeof body.version !== "number" || typeof body.hash !== "string") {
      throw new ControlClientError("CONTROL_REFUSED", "control plane answered without a version");
    }
    if (typeof body.document !== "string") return this.#current?.assigned;
    return { version: body.version, hash: body.hash, document: body.document };
  }

  #markConnected(up: boolean): void {
    this.#connected = up;
    if (up) this.#lastContact = new Date();
  }

  /**
   * The config to start with: the assigned one if the control plane answers within `timeoutMs`,
   * else the last good one from the state file. Throws when there is neither.
   */
  async bootstrap(timeoutMs = 5000): Promise<{ config: RampartConfig; source: "control" | "cache" }> {
    let problem: string;
    try {
      const a = await this.#fetchConfig(undefined, 0, AbortSignal.timeout(timeoutMs));
      if (a !== undefined) {
        const loaded = loadAssigned(a);
        this.#adopt(loaded);
        return { config: this.#localize(loaded.config), source: "control" };
      }
      problem = "the control plane has no config version yet";
    } catch (err) {
      problem = (err as Error).message;
      this.#lastError = problem;
    }
    const cached = readLastGood(this.#opts.stateFile);
    if (cached === undefined) {
      throw new ControlClientError(
        "CONTROL_NO_CONFIG",
        `no config to serve: ${problem}, and no last good config in ${this.#opts.stateFile}`,
        {
          hint: "apply a config on the control plane (rampart config apply), or check --control and --token",
        },
      );
    }
    const loaded = loadAssigned(cached);
    this.#current = loaded;
    this.#liveHash = configHash(loaded.config);
    this.#opts.logger.warn(
      { version: cached.version, problem },
      "control plane unreachable: serving the last good config",
    );
    return { config: this.#localize(loaded.config), source: "cache" };
  }

  #adopt(loaded: Loaded): void {
    this.#current = loaded;
    this.#liveHash = configHash(loaded.config);
    this.#lastError = null;
    const tmp = `${this.#opts.stateFile}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(loaded.assigned), { mode: 0o600 });
      renameSync(tmp, this.#opts.stateFile);
    } catch (err) {
      this.#opts.logger.error(
        { err: (err as Error).message, file: this.#opts.stateFile },
        "cannot keep the last good config",
      );
    }
  }

  /** Follows the control plane and attests; call once the gateway serves the bootstrap config. */
  attach(gateway: Gateway): void {
    this.#gateway = gateway;
    // The gauge joins the gateway's own metrics without touching their writer (metrics.ts).
    const metrics = gateway.metrics;
    const render = metrics.render.bind(metrics);
    metrics.render = () =>
      `${render()}# HELP rampart_control_connected Whether the control plane answered the last poll or attestation.\n# TYPE rampart_control_connected gauge\nrampart_control_connected ${this.#connected ? 1 : 0}\n`;
    const interval = this.#opts.attestIntervalMs ?? 2000;
    this.#attestTimer = setInterval(() => void this.attestNow(), interval);
    this.#attestTimer.unref();
    void this.attestNow();
    this.#loop = this.#follow();
  }

  async #follow(): Promise<void> {
    const min = this.#opts.backoffMinMs ?? 250;
    const max = this.#opts.backoffMaxMs ?? 10_000;
    let failures = 0;
    while (!this.#stopped) {
      this.#poll = new AbortController();
      try {
        // A version that failed to load counts as known: wait for the next one instead of
        // fetching and compiling the same broken one in a loop.
        const known = this.#rejected ?? this.#current?.assigned.version;
        const a = await this.#fetchConfig(known, this.#opts.waitSeconds ?? 25, this.#poll.signal);
        failures = 0;
        if (a === undefined) {
          // No version on the control plane yet (a fresh one): keep what runs, ask again shortly.
          await new Promise((r) => setTimeout(r, 1000));
        } else if (a.version !== known) this.#apply(a);
      } catch (err) {
        if (this.#stopped) return;
        failures++;
        const message =
          (err as Error).cause instanceof Error
            ? ((err as Error).cause as Error).message
            : (err as Error).message;
        if (this.#connected || failures === 1) {
          this.#opts.logger.warn(
            { err: message },
            "control plane unreachable: the last good config keeps serving",
          );
        }
        this.#markConnected(false);
        this.#lastError = `control plane unreachable: ${message}`;
        const delay = Math.random() * Math.min(max, min * 2 ** Math.min(failures, 16));
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  #apply(a: AssignedConfig): void {
    let loaded: Loaded;
    try {
      loaded = loadAssigned(a);
      this.#gateway?.reload(this.#localize(this.#withTamper(loaded.config)));
    } catch (err) {
      this.#rejected = a.version;
      this.#lastError = `version ${a.version} not applied: ${(err as Error).message}`;
      this.#opts.logger.error(
        { version: a.version, err: (err as Error).message },
        "assigned config refused: the last good one keeps serving",
      );
      return;
    }
    this.#rejected = undefined;
    this.#adopt(loaded);
    if (this.#tamper !== "") this.#liveHash = configHash(this.#withTamper(loaded.config));
    this.#opts.logger.info({ version: a.version, hash: a.hash }, "config version applied");
    void this.attestNow();
  }

  #withTamper(config: RampartConfig): RampartConfig {
    if (this.#tamper === "") return config;
    const t = JSON.parse(this.#tamper) as { modules?: Record<string, "on" | "off"> };
    return { ...config, waf: { ...config.waf, modules: { ...config.waf.modules, ...t.modules } } };
  }

  /** Test hook: re-reads the tamper file and reloads when it changed. */
  #checkTamper(): void {
    if (!TEST_HOOKS || this.#current === undefined || this.#gateway === undefined) return;
    let text = "";
    try {
      text = JSON.stringify(JSON.parse(readFileSync(`${this.#opts.stateFile}.tamper`, "utf8")));
    } catch {
      text = "";
    }
    if (text === this.#tamper) return;
    this.#tamper = text;
    const cfg = this.#withTamper(this.#current.config);
    this.#gateway.reload(this.#localize(cfg));
    this.#liveHash = configHash(cfg);
    this.#opts.logger.warn({ tamper: text }, "test hook: local change applied");
  }

  /** Sends one attestation now; failures only mark the control plane unreachable. */
  async attestNow(): Promise<void> {
    const gw = this.#gateway;
    if (gw === undefined || this.#stopped) return;
    try {
      this.#checkTamper();
    } catch (err) {
      this.#opts.logger.error({ err: (err as Error).message }, "test hook failed");
    }
    const waf = gw.wafStatus() as Partial<WafStatus>;
    const nowS = Math.floor(Date.now() / 1000);
    // Completed seconds since the last accepted attestation (and a few before it, in case an answer
    // was lost), overall and per route; the control plane keeps the first copy of each.
    const seconds = gw.secondReports(Math.max(this.#lastSecond, nowS - 30) - 4, nowS - 1);
    const addr = gw.addresses();
    const body = {
      tags: [...(this.#opts.tags ?? [])],
      pid: process.pid,
      host: hostname(),
      listen: `${addr.listen.address}:${addr.listen.port}`,
      admin: `${addr.admin.address}:${addr.admin.port}`,
      configVersion: this.#current?.assigned.version ?? null,
      configHash: this.#liveHash,
      controlConnected: this.#connected,
      ...(this.#lastError === null ? {} : { lastError: this.#lastError.slice(0, 2000) }),
      waf: {
        mode: waf.mode ?? "off",
        ...(waf.ruleSetHash === undefined ? {} : { ruleSetHash: waf.ruleSetHash }),
        rules: waf.rules ?? 0,
        modules: (waf.modules ?? []).map((m) => ({ name: m.name, state: m.state, rules: m.rules })),
      },
      routes: gw.config.routes.map((r) => ({
        name: r.name,
        upstream: r.upstream,
        rateLimits: r.rateLimits.map((l) => ({ name: l.name, rate: l.rate, burst: l.burst })),
      })),
      seconds,
      through: nowS - 1,
    };
    try {
      const res = await fetch(this.#url("attest"), {
        dispatcher: this.#agent,
        method: "POST",
        headers: { authorization: `Bearer ${this.#opts.token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(5000),
      });
      const answer = (await res.json().catch(() => ({}))) as { drift?: { message?: string }[] };
      if (res.ok) {
        this.#lastSecond = nowS - 1;
        this.#markConnected(true);
        // The control plane's view of this gateway's drift, logged here too when it changes.
        const drift = (answer.drift ?? []).map((d) => String(d.message)).join("; ");
        if (drift !== this.#drift) {
          if (drift !== "")
            this.#opts.logger.warn({ drift }, "the control plane reports drift on this gateway");
          else if (this.#drift !== "") this.#opts.logger.info("drift resolved");
          this.#drift = drift;
        }
      } else this.#opts.logger.warn({ status: res.status }, "attestation refused");
    } catch {
      this.#markConnected(false);
    }
  }

  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#attestTimer !== undefined) clearInterval(this.#attestTimer);
    this.#poll?.abort();
    await this.#loop;
    await this.#agent.destroy();
  }
}

export interface ControlledGatewayOptions extends Omit<ControlClientOptions, "localize"> {
  /** `host:port` to serve on and for the admin listener; default: what the assigned config says. */
  readonly listen?: string;
  readonly admin?: string;
  readonly accessLog?: string;
  readonly guard?: GatewayOptions["guard"];
}

function hostPort(text: string): { host: string; port: number } {
  const i = text.lastIndexOf(":");
  const port = Number(text.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ControlClientError("CONTROL_INVALID", `${JSON.stringify(text)} is not HOST:PORT`, {
      hint: "e.g. 127.0.0.1:8080",
    });
  }
  return { host: text.slice(0, i).replace(/^\[(.*)\]$/, "$1"), port };
}

/**
 * Starts a gateway that follows a control plane: bootstrap (assigned config, else the last good
 * one), serve, then follow and attest. The local addresses override the assigned config's, so one
 * version can serve a whole fleet of gateways with their own ports.
 */
export async function startControlledGateway(
  opts: ControlledGatewayOptions,
): Promise<{ gateway: Gateway; client: ControlClient }> {
  const listen = opts.listen === undefined ? undefined : hostPort(opts.listen);
  const admin = opts.admin === undefined ? undefined : hostPort(opts.admin);
  const localize = (cfg: RampartConfig): RampartConfig => ({
    ...cfg,
    gateway: {
      ...cfg.gateway,
      ...(listen === undefined ? {} : { listen }),
      ...(admin === undefined ? {} : { admin }),
      ...(opts.accessLog === undefined ? {} : { accessLog: opts.accessLog }),
    },
  });
  const client = new ControlClient({ ...opts, localize });
  try {
    const { config } = await client.bootstrap();
    const gateway = await startGateway(config, {
      logger: opts.logger,
      ...(opts.guard === undefined ? {} : { guard: opts.guard }),
    });
    client.attach(gateway);
    return { gateway, client };
  } catch (err) {
    await client.close();
    throw err;
  }
}
