/**
 * `rampart up`, as a newcomer runs it: the real process (dist/ built by `npm test`), on free
 * loopback ports, with a fresh data folder: it writes its config on first run, serves the demo
 * shop through the gateway with the WAF on, reads the config back on the next run, and stops
 * cleanly on SIGTERM.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { repoRoot } from "../support/shared.js";

const run = promisify(execFile);

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
});

async function up(data: string, ports: { port: number; admin: number; shop: number; control: number }) {
  const child = spawn(
    process.execPath,
    [
      resolve(repoRoot, "bin/rampart.js"),
      "up",
      "--data",
      data,
      "--port",
      String(ports.port),
      "--admin-port",
      String(ports.admin),
      "--shop-port",
      String(ports.shop),
      "--control-port",
      String(ports.control),
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!out.includes("Ctrl-C stops")) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`rampart up did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code)),
  );
}

describe("rampart up", () => {
  it("serves the demo shop through the gateway with the WAF on, and keeps its config", async () => {
    const data = mkdtempSync(join(tmpdir(), "rampart-up-"));
    const ports = {
      port: await freePort(),
      admin: await freePort(),
      shop: await freePort(),
      control: await freePort(),
    };
    const first = await up(data, ports);
    const base = `http://127.0.0.1:${ports.port}`;

    expect(first.output()).toContain(`${base}/`);
    expect(first.output()).toContain("rampart crs install");
    const catalog = await fetch(`${base}/catalog`);
    expect(catalog.status).toBe(200);
    expect(catalog.headers.get("x-request-id")).toBeTruthy();
    expect(((await catalog.json()) as { products: unknown[] }).products.length).toBeGreaterThan(0);

    const attack = await fetch(`${base}/search?q=${encodeURIComponent("1' OR '1'='1")}`);
    expect(attack.status).toBe(403);
    await attack.text();

    const checkout = await fetch(`${base}/checkout`, { method: "POST" });
    expect(checkout.status).toBe(200);
    await checkout.text();

    const status = (await (await fetch(`http://127.0.0.1:${ports.admin}/waf/status`)).json()) as {
      mode: string;
    };
    expect(status.mode).toBe("blocking");
    const metrics = await (await fetch(`http://127.0.0.1:${ports.admin}/metrics`)).text();
    expect(metrics).toMatch(/^rampart_requests_total\{/m);

    const configFile = join(data, "rampart.yaml");
    expect(existsSync(configFile)).toBe(true);
    expect(readFileSync(configFile, "utf8")).toContain(`http://127.0.0.1:${ports.shop}`);

    // The postmortem's update, in small: switching the SQL-injection module off is refused (exit 3)
    // and changes nothing; an admin override with a reason goes through and the gateway follows.
    const control = ["--control", `http://127.0.0.1:${ports.control}`, "--data", data];
    const bad = join(data, "bad.yaml");
    writeFileSync(bad, readFileSync(configFile, "utf8").replace("sqli: on", "sqli: off"));
    const cliRun = (args: string[]) =>
      run(process.execPath, [resolve(repoRoot, "bin/rampart.js"), ...args]).then(
        (r) => ({ code: 0, out: r.stdout }),
        (e: { code?: number; stdout?: string; stderr?: string }) => ({
          code: e.code ?? -1,
          out: `${e.stdout}${e.stderr}`,
        }),
      );
    const refused = await cliRun(["config", "apply", bad, "-m", "server update", ...control]);
    expect(refused.code, refused.out).toBe(3);
    expect(refused.out).toContain("critical-modules-on");
    const stillBlocked = await fetch(`${base}/search?q=${encodeURIComponent("1' OR '1'='1")}`);
    expect(stillBlocked.status).toBe(403);
    await stillBlocked.text();
    const forced = await cliRun([
      "config",
      "apply",
      bad,
      "-m",
      "server update",
      "--override",
      "critical-modules-on",
      "--reason",
      "drill",
      ...control,
    ]);
    expect(forced.code).toBe(0);
    const deadline = Date.now() + 10_000;
    let sqliOff = false;
    while (!sqliOff && Date.now() < deadline) {
      const s = (await (await fetch(`http://127.0.0.1:${ports.admin}/waf/status`)).json()) as {
        modules: { name: string; state: string }[];
      };
      sqliOff = s.modules.some((m) => m.name === "sqli" && m.state === "off");
      if (!sqliOff) await new Promise((r) => setTimeout(r, 200));
    }
    expect(sqliOff).toBe(true);
    const rolledBack = await cliRun(["config", "rollback", "-m", "undo the drill", ...control]);
    expect(rolledBack.code).toBe(0);

    first.child.kill("SIGTERM");
    expect(await exited(first.child)).toBe(0);

    // Second run: no "wrote", the same file serves.
    const second = await up(data, ports);
    expect(second.output()).not.toContain("first run");
    const again = await fetch(`${base}/product/1`);
    expect(again.status).toBe(200);
    await again.text();
    second.child.kill("SIGTERM");
    expect(await exited(second.child)).toBe(0);
  }, 60_000);

  it("says which flag to change when a port is taken, and exits non-zero", async () => {
    const data = mkdtempSync(join(tmpdir(), "rampart-up-"));
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => blocker.once("listening", r));
    const taken = (blocker.address() as { port: number }).port;
    const child = spawn(
      process.execPath,
      [
        resolve(repoRoot, "bin/rampart.js"),
        "up",
        "--data",
        data,
        "--port",
        String(await freePort()),
        "--admin-port",
        String(await freePort()),
        "--shop-port",
        String(taken),
        "--control-port",
        String(await freePort()),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    let err = "";
    child.stderr?.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const code = await exited(child);
    blocker.close();
    expect(code).not.toBe(0);
    expect(err).toContain("PORT_IN_USE");
    expect(err).toContain("--shop-port");
  }, 30_000);
});
