/**
 * The fleet end to end: one control plane (in this process, through startControlPlane) and three
 * real gateway processes (`node bin/rampart.js gateway --control ...`) on random loopback ports.
 * The postmortem's story, step by step: versions converge; a version that turns a critical module
 * off is refused and nothing moves; with an admin override it goes out and the override is on
 * record; a canary that fails its health gate is rolled back and the others never see it; a gateway
 * edited by hand raises a drift event naming it and the module within 10 s; with the control plane
 * gone the gateways keep serving, and a restarted one serves its last good version.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewaySummary } from "../../src/control/fleet.js";
import { type ControlPlane, startControlPlane } from "../../src/control/server.js";
import { repoRoot } from "../support/shared.js";
import { doc } from "./helpers.js";

const BIN = join(repoRoot, "bin/rampart.js");
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "rampart-fleet-e2e-"));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function newestSource(d: string): number {
  let newest = 0;
  for (const e of readdirSync(d, { withFileTypes: true })) {
    const p = join(d, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

interface LogLine {
  msg: string;
  [k: string]: unknown;
}

class GatewayProc {
  readonly lines: LogLine[] = [];
  #buf = "";
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(
    readonly id: string,
    args: string[],
  ) {
    this.child = spawn(process.execPath, [BIN, "gateway", ...args], {
      env: { ...process.env, RAMPART_TEST_HOOKS: "1" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    this.child.stderr!.on("data", (c: Buffer) => {
      this.#buf += c.toString();
      let nl = this.#buf.indexOf("\n");
      while (nl >= 0) {
        const line = this.#buf.slice(0, nl);
        this.#buf = this.#buf.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line });
        }
        nl = this.#buf.indexOf("\n");
      }
    });
    this.exited = new Promise((r) => this.child.on("exit", (code) => r(code)));
  }
  async waitFor(msg: string, timeoutMs = 15_000): Promise<LogLine> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.lines.find((l) => l.msg === msg);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs)
        throw new Error(`${this.id}: no "${msg}" in ${JSON.stringify(this.lines)}`);
      await sleep(20);
    }
  }
  async addresses(): Promise<{ listen: string; admin: string }> {
    const l = (await this.waitFor("gateway listening")) as unknown as {
      listen: AddressInfo;
      admin: AddressInfo;
    };
    return {
      listen: `http://127.0.0.1:${l.listen.port}`,
      admin: `http://127.0.0.1:${l.admin.port}`,
    };
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.kill("SIGTERM");
    await Promise.race([this.exited, sleep(5000)]);
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

let cp: ControlPlane;
let adminToken: string;
let gatewayToken: string;
let shop: Server;
let shopOrigin: string;
const gws: GatewayProc[] = [];
const ids = ["gw-0", "gw-1", "gw-2"];

/** The few fields of API answers the test reads. */
interface ApiBody {
  version?: number;
  error?: string;
  gateways?: GatewaySummary[];
}

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${cp.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminToken}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

async function fleet(): Promise<GatewaySummary[]> {
  return (await api("GET", "/fleet")).body.gateways ?? [];
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function converged(version: number): Promise<GatewaySummary[]> {
  return until(`all gateways on version ${version}`, async () => {
    const list = await fleet();
    return list.length === 3 && list.every((g) => g.runningVersion === version && g.state === "ok")
      ? list
      : undefined;
  });
}

function startGw(id: string): GatewayProc {
  const g = new GatewayProc(id, [
    "--control",
    cp.url,
    "--token",
    gatewayToken,
    "--id",
    id,
    "--tags",
    id === "gw-0" ? "canary,eu" : "eu",
    "--listen",
    "127.0.0.1:0",
    "--admin",
    "127.0.0.1:0",
    "--state",
    join(dir, `${id}.json`),
    "--json-log",
    "--access-log",
    "off",
  ]);
  return g;
}

async function get(origin: string): Promise<number> {
  try {
    const res = await fetch(`${origin}/`, { signal: AbortSignal.timeout(3000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

beforeAll(async () => {
  const distMain = join(repoRoot, "dist/cli/main.js");
  let built = 0;
  try {
    built = statSync(distMain).mtimeMs;
  } catch {}
  if (built < newestSource(join(repoRoot, "src"))) {
    try {
      execFileSync(
        process.execPath,
        [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
        {
          cwd: repoRoot,
          stdio: "inherit",
        },
      );
    } catch {
      // Type errors in files others are editing still emit JavaScript; the gateways below say if it is unusable.
    }
  }
  shop = createServer((_req, res) => res.end("shop"));
  await new Promise<void>((r) => shop.listen(0, "127.0.0.1", r));
  shopOrigin = `http://127.0.0.1:${(shop.address() as AddressInfo).port}`;
  cp = await startControlPlane({ dataDir: join(dir, "control"), port: 0 });
  adminToken = cp.store.tokens.create("ops", "admin").token;
  gatewayToken = cp.store.tokens.create("*", "gateway" as "admin").token;
  const first = await api("POST", "/config/apply", {
    document: doc({ upstream: shopOrigin }),
    message: "first",
  });
  expect(first.status).toBe(201);
  for (const id of ids) gws.push(startGw(id));
  await converged(first.body.version!);
}, 60_000);

afterAll(async () => {
  await Promise.all(gws.map((g) => g.stop()));
  await cp?.close().catch(() => {});
  shop?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.sequential("fleet end to end", () => {
  let good: number;

  it("a gateway without a token or a reachable config refuses to start, with exit code 2 or 1", async () => {
    const noToken = await run(process.execPath, [BIN, "gateway", "--control", cp.url], {
      env: { ...process.env, RAMPART_TOKEN: "" },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(noToken).toMatchObject({ code: 2, stderr: expect.stringMatching(/--control needs --token/) });
    const nothing = await run(process.execPath, [
      BIN,
      "gateway",
      "--control",
      "http://127.0.0.1:9",
      "--token",
      gatewayToken,
      "--state",
      join(dir, "never.json"),
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(nothing).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/CONTROL_NO_CONFIG: no config to serve/),
    });
  });

  it("a new version reaches all three gateways, which serve it", async () => {
    const t0 = Date.now();
    const r = await api("POST", "/config/apply", {
      document: doc({ upstream: shopOrigin, rate: "900/s" }),
      message: "rate",
    });
    expect(r.status).toBe(201);
    good = r.body.version!;
    const list = await converged(good);
    expect(Date.now() - t0).toBeLessThan(5000);
    for (const g of gws) expect(await get((await g.addresses()).listen)).toBe(200);
    expect(list.map((g) => g.modulesOff)).toEqual([[], [], []]);
    // The same through `rampart fleet`, as people read it, and as JSON.
    // Asynchronously: the control plane answering it runs in this process.
    const cli = async (...a: string[]) =>
      (await run(process.execPath, [BIN, "fleet", "--control", cp.url, "--token", adminToken, ...a])).stdout;
    const text = await cli();
    expect(text).toMatch(new RegExp(`^gw-0 +canary,eu +${good}/${good} +blocking +- +\\d+s ago +ok$`, "m"));
    const json = JSON.parse(await cli("--json")) as { gateways: GatewaySummary[] };
    expect(json.gateways.map((g) => g.id)).toEqual(ids);
    await until(
      "version live",
      async () => cp.store.versions.get(good)?.rolloutState === "live" || undefined,
    );
  });

  it("a version turning a critical module off is refused and nothing changes in the fleet", async () => {
    const before = cp.store.versions.latest()?.id;
    const r = await api("POST", "/config/apply", {
      document: doc({ upstream: shopOrigin, modules: "{ sqli: off }" }),
      message: "turn sqli off",
    });
    expect(r.status).toBe(409);
    expect(r.body.error).toBe("CONFIG_POLICY_REFUSED");
    expect(cp.store.versions.latest()?.id).toBe(before);
    // A reload-by-signal habit does not stop a fleet gateway.
    gws[1]!.child.kill("SIGHUP");
    await gws[1]!.waitFor("SIGHUP: the config comes from the control plane; attesting now");
    await sleep(1500);
    expect(gws[1]!.child.exitCode).toBeNull();
    const list = await fleet();
    expect(list.map((g) => [g.assignedVersion, g.runningVersion, g.modulesOff.length])).toEqual([
      [good, good, 0],
      [good, good, 0],
      [good, good, 0],
    ]);
  });

  it("the same with an admin override and a reason goes out, the override on record", async () => {
    const r = await api("POST", "/config/apply", {
      document: doc({ upstream: shopOrigin, modules: "{ sqli: off }" }),
      message: "turn sqli off",
      overrides: [{ policy: "critical-modules-on", reason: "false positives on search, ticket 42" }],
    });
    expect(r.status).toBe(201);
    const v = r.body.version!;
    expect(cp.store.versions.get(v)?.overrides).toEqual([
      { policy: "critical-modules-on", reason: "false positives on search, ticket 42", by: "ops" },
    ]);
    const list = await converged(v);
    expect(list.every((g) => g.modulesOff.includes("sqli"))).toBe(true);
    // Back to a safe config for the rest of the story.
    const back = await api("POST", "/config/apply", {
      document: doc({ upstream: shopOrigin, rate: "900/s" }),
      message: "sqli on",
    });
    good = back.body.version!;
    await converged(good);
  });

  it("a canary failing its gate is rolled back automatically; the others never get the version", async () => {
    const s = await api("PUT", "/fleet/strategy", {
      kind: "canary",
      canaries: ["canary"],
      gate: { windowMs: 4000, minRequests: 10 },
    });
    expect(s.status).toBe(200);
    // An upstream that drops every connection: the canary answers 502/503. (A closed port could be
    // taken by another process meanwhile; this one stays dead until the test closes it.)
    const dead = createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
    const deadOrigin = `http://127.0.0.1:${(dead.address() as AddressInfo).port}`;
    const r = await api("POST", "/config/apply", {
      document: doc({ upstream: deadOrigin, rate: "900/s" }),
      message: "move the shop",
    });
    expect(r.status).toBe(201);
    const bad = r.body.version!;
    const addrs = await Promise.all(gws.map((g) => g.addresses()));
    const othersSaw = new Set<number | null>();
    let canaryRan = false;
    let stop = false;
    const traffic = (async () => {
      while (!stop) {
        await Promise.all(addrs.map((a) => get(a.listen)));
        await sleep(20);
      }
    })();
    try {
      await until(
        "the rollback",
        async () => {
          const list = await fleet();
          for (const g of list) {
            if (g.id === "gw-0") canaryRan ||= g.runningVersion === bad;
            else {
              othersSaw.add(g.assignedVersion);
              othersSaw.add(g.runningVersion);
            }
          }
          return cp.store.versions.get(bad)?.rolloutState === "rolled-back" ? true : undefined;
        },
        30_000,
      );
    } catch (err) {
      const events = cp.store.events.list({ limit: 10_000 }).filter((e) => e.kind.startsWith("rollout."));
      throw new Error(
        `${(err as Error).message}; rollout events: ${JSON.stringify(events.slice(-3))}; fleet: ${JSON.stringify(await fleet())}`,
      );
    } finally {
      stop = true;
      await traffic;
      dead.close();
    }
    expect(canaryRan).toBe(true);
    expect([...othersSaw]).toEqual([good]);
    const ev = cp.store.events.list({ kinds: ["rollout.rolled-back"] }).at(-1);
    expect(ev?.data.version).toBe(bad);
    expect(String(ev?.data.reasons)).toMatch(/error ratio/);
    await converged(good);
    for (const id of ["gw-1", "gw-2"]) {
      const g = gws.find((x) => x.id === id)!;
      expect(g.lines.filter((l) => l.msg === "config version applied" && l.version === bad)).toEqual([]);
    }
    expect((await api("PUT", "/fleet/strategy", { kind: "all" })).status).toBe(200);
  }, 60_000);

  it("a gateway edited by hand raises a drift event naming it and the module within 10 s", async () => {
    const after = cp.store.events.list({ limit: 10_000 }).at(-1)?.id ?? 0;
    const t0 = Date.now();
    writeFileSync(join(dir, "gw-1.json.tamper"), JSON.stringify({ modules: { sqli: "off" } }));
    const ev = await until(
      "a drift event",
      async () =>
        cp.store.events
          .list({ afterId: after, kinds: ["drift"] })
          .find((e) => e.data.gateway === "gw-1" && e.data.module === "sqli"),
      10_000,
    );
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(ev.severity).toBe("critical");
    expect(ev.data.reason).toMatch(/gateway gw-1: WAF module sqli is off/);
    expect((await fleet()).find((g) => g.id === "gw-1")?.state).toBe("drift");
    // The gateway says so in its own log as well.
    expect(String((await gws[1]!.waitFor("the control plane reports drift on this gateway")).drift)).toMatch(
      /WAF module sqli is off/,
    );
    // Once per episode: no second event for the same problem.
    await sleep(3000);
    expect(
      cp.store.events.list({ afterId: after, kinds: ["drift"] }).filter((e) => e.data.module === "sqli"),
    ).toHaveLength(1);
    rmSync(join(dir, "gw-1.json.tamper"));
    await until("drift.resolved", async () =>
      cp.store.events
        .list({ afterId: after, kinds: ["drift.resolved"] })
        .find((e) => e.data.module === "sqli"),
    );
  }, 30_000);

  it("with the control plane gone the gateways keep serving, say so, and a restart serves the last good version", async () => {
    const addrs = await Promise.all(gws.map((g) => g.addresses()));
    const t0 = Date.now();
    await cp.close();
    expect(Date.now() - t0).toBeLessThan(3000); // long polls do not hold the shutdown
    await sleep(500);
    for (const a of addrs) expect(await get(a.listen)).toBe(200);
    await until("rampart_control_connected 0", async () => {
      const text = await (await fetch(`${addrs[0]!.admin}/metrics`)).text();
      return /rampart_control_connected 0/.test(text) ? true : undefined;
    });
    const status = (await (await fetch(`${addrs[0]!.admin}/waf/status`)).json()) as {
      mode: string;
      modules: { name: string; state: string }[];
    };
    expect(status.mode).toBe("blocking");
    expect(status.modules.find((m) => m.name === "sqli")?.state).toBe("on");
    // Restart gw-2 without a control plane: it serves the kept version.
    const old = gws.pop()!;
    await old.stop();
    const again = startGw("gw-2");
    gws.push(again);
    await again.waitFor("control plane unreachable: serving the last good config");
    expect(await get((await again.addresses()).listen)).toBe(200);
  }, 30_000);
});
