/** Helpers shared by the benchmarks: free ports, waiting for a server, running wrk, medians. */
import { execFileSync } from "node:child_process";
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** True when `cmd` is on the PATH. */
export function has(cmd: string): boolean {
  try {
    execFileSync("which", [cmd], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export async function waitForPort(port: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/`);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answers on port ${port}`);
}

/** A wrk latency figure ("1.23ms", "850.00us", "1.02s") in ms. */
export function wrkMs(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v;
}

export interface WrkFigures {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly requests: number;
}

/** Runs wrk with `argv` (the URL last) and reads its figures; needs `--latency` for p50/p99. */
export function runWrk(argv: readonly string[]): WrkFigures {
  const out = execFileSync("wrk", [...argv], { encoding: "utf8" });
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: wrkMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ""),
    p99: wrkMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ""),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
}

/** The value after `--name` on the command line, or undefined when the flag is absent. */
export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`, 2);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--name N` as a number; `def` when the flag is absent. */
export function numberArg(name: string, def: number): number {
  const v = argValue(name);
  return v === undefined ? def : Number(v);
}

/** CPU time this process has used so far (user + system), µs: differences of two reads time work. */
export function cpuNowUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

const PROSE =
  "please leave the parcel with the neighbour at number fourteen if nobody answers the door, " +
  "and ring twice because the bell is quiet; thank you so much for the quick delivery last time! ";

/** `n` bytes of benign English (a delivery note), the prose value the WAF benchmarks feed. */
export function prose(n: number): string {
  return PROSE.repeat(Math.ceil(n / PROSE.length)).slice(0, n);
}
