/**
 * Real `rampart control` processes for end-to-end tests: builds dist/ when it is older than the
 * sources (as test/gateway/cli.test.ts does), starts `node bin/rampart.js control --port 0`, and
 * reads the URL it prints.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../support/shared.js";

export const BIN = join(repoRoot, "bin/rampart.js");

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ when a source is newer than the control plane's compiled files. */
export function ensureBuilt(): void {
  const built = [join(repoRoot, "dist/cli/config.js"), join(repoRoot, "dist/control/server.js")];
  const newest = newestSource(join(repoRoot, "src"));
  if (built.every((f) => existsSync(f) && statSync(f).mtimeMs >= newest)) return;
  try {
    execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], {
      cwd: repoRoot,
      stdio: "ignore",
      timeout: 120_000,
    });
  } catch {
    // type errors in someone else's files: the emitted JavaScript is what runs
  }
}

export interface ControlProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly adminToken: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function startControlProcess(dataDir: string): Promise<ControlProcess> {
  const child = spawn(process.execPath, [BIN, "control", "--data", dataDir, "--port", "0"], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RAMPART_TOKEN: "", RAMPART_CONTROL: "" },
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on("close", (code, signal) => r({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`control plane did not start: ${out}${err}`)), 20_000);
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve({
          child,
          url: m[1],
          adminToken: readFileSync(join(dataDir, "admin.token"), "utf8").trim(),
          exited,
          stderr: () => err,
        });
      }
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`control plane exited with ${code}: ${out}${err}`));
    });
  });
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `rampart ARGS` against a control plane, as a user's shell would; the token comes
 * from DATA/admin.token. `env` adds or overrides variables (RAMPART_TOKEN for another role, say).
 */
export function runCli(
  args: readonly string[],
  target: { readonly control: string | undefined; readonly data: string },
  env: Readonly<Record<string, string>> = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          RAMPART_CONTROL: target.control ?? "",
          RAMPART_DATA: target.data,
          RAMPART_TOKEN: "",
          NO_COLOR: "1",
          ...env,
        },
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
