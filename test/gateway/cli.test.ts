/**
 * The real process: `node bin/rampart.js gateway --config FILE`, driven by signals as an operator
 * (or systemd) would: SIGHUP reloads (a bad file is refused, the old config keeps serving), SIGTERM
 * drains and exits 0; `rampart reload` goes through the admin listener; a bad file at start exits 2.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/shared.js";
import { startUpstream, type TestUpstream } from "./harness.js";

const BIN = join(repoRoot, "bin/rampart.js");

interface LogLine {
  msg: string;
  [k: string]: unknown;
}

class Proc {
  readonly lines: LogLine[] = [];
  stderr = "";
  readonly exited: Promise<number | null>;
  constructor(readonly child: ChildProcess) {
    child.stderr!.on("data", (c: Buffer) => {
      this.stderr += c.toString();
      let nl = this.stderr.indexOf("\n");
      while (nl >= 0) {
        const line = this.stderr.slice(0, nl);
        this.stderr = this.stderr.slice(nl + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ msg: line });
        }
        nl = this.stderr.indexOf("\n");
      }
    });
    child.stdout!.resume();
    this.exited = new Promise((r) => child.on("exit", (code) => r(code)));
  }
  async waitFor(msg: string, count = 1): Promise<LogLine> {
    const t0 = Date.now();
    for (;;) {
      const hits = this.lines.filter((l) => l.msg === msg);
      if (hits.length >= count) return hits[count - 1]!;
      if (Date.now() - t0 > 10_000) throw new Error(`no "${msg}" in ${JSON.stringify(this.lines)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

let up: TestUpstream;
const held: ServerResponse[] = [];
const dir = mkdtempSync(join(tmpdir(), "rampart-cli-"));
const file = join(dir, "rampart.yaml");

function writeConfig(routes: string): void {
  writeFileSync(
    file,
    `gateway:
  listen: { host: 127.0.0.1, port: 0 }
  admin: { host: 127.0.0.1, port: 0 }
  accessLog: "off"
upstreams: { shop: { targets: [${up.origin}] } }
routes:
${routes}`,
  );
}

/** Newest mtime of the .ts files under `dir` (recursive). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // The CLI runs from dist/ (`npm test` builds first). Rebuild only when dist/ is older than the
  // sources, since a full tsc run is heavy for the other tests running beside this one.
  const built = join(repoRoot, "dist/cli/gateway.js");
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(join(repoRoot, "src"))) return;
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], {
      cwd: repoRoot,
      stdio: "ignore",
      timeout: 120_000,
    });
  } catch {
    // type errors elsewhere: the emitted JavaScript is what we run
  }
}, 150_000);

beforeAll(async () => {
  up = await startUpstream((req, res) => {
    req.resume();
    if (req.url?.startsWith("/hold")) held.push(res);
    else res.end(`ok ${req.url}`);
  });
});

afterAll(async () => {
  for (const r of held) r.end();
  await up.close();
});

async function get(url: string): Promise<{ status: number; text: string; connection: unknown }> {
  const r = await request(url);
  return { status: r.statusCode, text: await r.body.text(), connection: r.headers.connection };
}

describe("rampart gateway (real process)", () => {
  let proc: Proc | undefined;
  afterAll(() => {
    if (proc !== undefined && proc.child.exitCode === null) proc.child.kill("SIGKILL");
  });

  it("serves, reloads on SIGHUP, refuses a bad file, reloads via `rampart reload`, drains on SIGTERM", async () => {
    writeConfig("  - { name: all, upstream: shop }\n");
    proc = new Proc(
      spawn(process.execPath, [BIN, "gateway", "--config", file, "--json-log"], {
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    const started = await proc.waitFor("gateway listening");
    const base = `http://127.0.0.1:${(started.listen as { port: number }).port}`;
    const admin = `http://127.0.0.1:${(started.admin as { port: number }).port}`;
    expect((await get(`${base}/a`)).text).toBe("ok /a");

    // A bad file: refused with its line, the old config keeps serving.
    writeConfig("  - { name: all, upstream: nowhere }\n");
    proc.child.kill("SIGHUP");
    const refused = await proc.waitFor("config reload refused");
    expect(String(refused.issue)).toMatch(
      /rampart\.yaml:\d+ routes\[0\]\.upstream: unknown upstream "nowhere"/,
    );
    expect((await get(`${base}/b`)).status).toBe(200);
    expect(await (await fetch(`${admin}/metrics`)).text()).toContain(
      "rampart_config_reload_failures_total 1",
    );

    // A good file: applied.
    writeConfig("  - { name: only, match: { pathPrefix: /only }, upstream: shop }\n");
    proc.child.kill("SIGHUP");
    await proc.waitFor("config reloaded");
    expect((await get(`${base}/b`)).status).toBe(404);
    expect((await get(`${base}/only`)).status).toBe(200);

    // `rampart reload` through the admin listener.
    writeConfig("  - { name: all, upstream: shop }\n");
    const out = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [BIN, "reload", "--admin", admin], (err, stdout) =>
        resolve({ code: err === null ? 0 : ((err as { code?: number }).code ?? 1), stdout }),
      );
    });
    expect(out).toEqual({ code: 0, stdout: "config reloaded\n" });
    expect((await get(`${base}/b`)).status).toBe(200);

    // SIGTERM with a request in flight: it completes, then the process exits 0.
    const inflight = get(`${base}/hold/1`);
    const t0 = Date.now();
    while (held.length === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 10));
    proc.child.kill("SIGTERM");
    await proc.waitFor("stopping: finishing in-flight requests");
    setTimeout(() => held[0]!.end("drained"), 100);
    const r = await inflight;
    expect(r).toEqual({ status: 200, text: "drained", connection: "close" });
    expect(await proc.exited).toBe(0);
  }, 30_000);

  it("exits 2 and prints every problem of a bad file, one per line", async () => {
    writeFileSync(
      file,
      "gateway:\n  listen: { prot: 1 }\nupstreams: {}\nroutes:\n  - { name: a, upstream: x, priority: urgent }\n",
    );
    const res = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, "gateway", "--config", file], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (c: Buffer) => {
        stderr += c.toString();
      });
      child.on("exit", (code) => resolve({ code, stderr }));
    });
    expect(res.code).toBe(2);
    const lines = res.stderr.trim().split("\n");
    expect(lines).toEqual([
      `${file}:2 gateway.listen.prot: unknown key`,
      `${file}:5 routes[0].upstream: unknown upstream "x" (defined: none)`,
      `${file}:5 routes[0].priority: must be one of critical, high, normal, low (got "urgent")`,
    ]);
  }, 20_000);
});
