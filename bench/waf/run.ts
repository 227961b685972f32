/**
 * WAF benchmark: side by side in one run, the same requests (wrk, keep-alive) against
 *   - the gateway with CRS at paranoia 1 and 2 (blocking, access and error logs off),
 *   - the gateway with the WAF off (what the WAF costs),
 *   - nginx + ModSecurity v3 with the same CRS at paranoia 1 and 2 (the reference engine).
 * Request kinds: a plain GET, a GET with 10 query arguments, a 2 KB urlencoded POST
 * (post-form.lua), a ~1 KB JSON POST (post-json.lua) and an SQL-injection GET. A blocked request
 * stops after phase 2 and skips the upstream, so the attack kind is cheaper than the others: its
 * figure says how fast attacks are turned away, not what inspection costs.
 * Rounds are interleaved (every target and kind, then again) and medians reported, as in
 * bench/proxy/run.ts, since the machine is noisy. Prints requests/s and p99 per (target, kind),
 * and the ratios gateway-CRS / nginx-ModSecurity (target >= 10x) and gateway-CRS-PL1 /
 * gateway-WAF-off (target >= 50 % for the two GET kinds).
 *
 *   npx tsx bench/waf/run.ts [--rounds 3] [--duration 5] [--connections 50] [--crs DIR] [--dist]
 * The gateway runs from src/ through tsx (so the figures follow the working tree), or with --dist
 * from bin/rampart.js (run `npm run build` first). Installs nginx, its ModSecurity module and wrk
 * with apt-get when missing.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  argValue,
  freePort,
  has,
  median,
  numberArg,
  runWrk,
  type WrkFigures,
  waitForPort,
} from "../support.js";
import { ensureNginxModsecurity, startNginxModsecurity } from "./nginx-modsecurity.js";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const rounds = numberArg("rounds", 3);
const duration = numberArg("duration", 5);
const connections = numberArg("connections", 50);
const crsDir = resolve(argValue("crs") ?? resolve(root, "../shared/crs/v4.28.0"));
const fromDist = process.argv.includes("--dist");

/** What a browser sends with every request, so that CRS's missing-header rules stay quiet. */
const BROWSER_HEADERS = [
  "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "Accept-Language: en-GB,en;q=0.5",
  "Accept-Encoding: gzip, deflate",
];

interface Kind {
  readonly name: string;
  readonly path: string;
  readonly script?: string;
  /** True when every request should be blocked (403). */
  readonly attack?: boolean;
}

const KINDS: readonly Kind[] = [
  { name: "GET", path: "/product/1" },
  {
    name: "GET 10 args",
    path: "/search?q=blue+mug&category=kitchen&colour=blue&size=m&sort=price&order=asc&page=2&per_page=20&brand=rampart&in_stock=1",
  },
  { name: "POST form 2KB", path: "/checkout", script: join(here, "post-form.lua") },
  { name: "POST JSON 1KB", path: "/api/cart", script: join(here, "post-json.lua") },
  {
    name: "SQLi GET (blocked)",
    path: "/product?id=1%27%20UNION%20SELECT%20username%2C%20password%20FROM%20users--%20-",
    attack: true,
  },
];

type WrkResult = WrkFigures;

function wrk(port: number, kind: Kind, seconds: number): WrkResult {
  const argv = ["-t1", `-c${connections}`, `-d${seconds}s`, "--latency"];
  for (const h of BROWSER_HEADERS) argv.push("-H", h);
  if (kind.script !== undefined) argv.push("-s", kind.script);
  argv.push(`http://127.0.0.1:${port}${kind.path}`);
  return runWrk(argv);
}

async function main(): Promise<void> {
  const modsec = ensureNginxModsecurity();
  if (!has("wrk")) {
    console.error("wrk is not installed and apt-get could not install it: apt-get install wrk");
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), "rampart-wafbench-"));
  const children: ChildProcess[] = [];
  const stops: Array<() => void> = [];
  const cleanup = (): void => {
    for (const c of children) c.kill("SIGKILL");
    for (const s of stops) s();
  };
  process.on("exit", cleanup);

  const upPort = await freePort();
  children.push(fork(join(here, "../proxy/upstream.mjs"), [String(upPort)], { stdio: "ignore" }));
  await waitForPort(upPort);
  const upstream = `http://127.0.0.1:${upPort}`;

  const gateway = async (name: string, waf: string): Promise<number> => {
    const port = await freePort();
    const adminPort = await freePort();
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `gateway:
  listen: { host: 127.0.0.1, port: ${port} }
  admin: { host: 127.0.0.1, port: ${adminPort} }
upstreams:
  shop:
    targets: [${upstream}]
routes:
  - name: all
    match: { pathPrefix: / }
    upstream: shop
waf:
${waf}`,
    );
    const cli = ["gateway", "--config", file, "--access-log", "off"];
    const argv = fromDist
      ? [join(root, "bin/rampart.js"), ...cli]
      : [
          "--import",
          "tsx",
          "--input-type=module",
          "-e",
          `import { main } from ${JSON.stringify(join(root, "src/cli/main.ts"))};
           main(["node", "rampart", ...${JSON.stringify(cli)}]).then((c) => { process.exitCode = c; });`,
        ];
    children.push(spawn(process.execPath, argv, { stdio: ["ignore", "ignore", "inherit"], cwd: root }));
    return port;
  };
  const crsWaf = (pl: number): string =>
    `  mode: blocking\n  paranoia: ${pl}\n  crs: ${crsDir}\n  errorLog: "off"\n  auditLog: "off"\n`;

  const targets: Array<[string, number]> = [
    ["gateway CRS PL1", await gateway("crs-pl1", crsWaf(1))],
    ["gateway CRS PL2", await gateway("crs-pl2", crsWaf(2))],
    ["gateway WAF off", await gateway("waf-off", `  mode: "off"\n`)],
  ];
  if (modsec) {
    for (const pl of [1, 2]) {
      const port = await freePort();
      stops.push(startNginxModsecurity({ crsDir, paranoia: pl, port, upstreamPort: upPort }).stop);
      targets.push([`nginx+ModSecurity PL${pl}`, port]);
    }
  } else {
    console.error("nginx + ModSecurity could not be installed: the reference columns are missing");
  }
  for (const [, port] of targets) await waitForPort(port);
  // Warm-up: JIT, upstream pools, CRS's first-request work.
  for (const [, port] of targets) for (const k of KINDS) wrk(port, k, 1);

  const samples = new Map<string, WrkResult[]>();
  const key = (target: string, kind: string): string => `${target}\u0000${kind}`;
  for (let r = 0; r < rounds; r++) {
    for (const k of KINDS)
      for (const [name, port] of targets) {
        const list = samples.get(key(name, k.name)) ?? [];
        list.push(wrk(port, k, duration));
        samples.set(key(name, k.name), list);
      }
    process.stderr.write(`round ${r + 1}/${rounds} done\n`);
  }

  const summary = (target: string, kind: string) => {
    const rs = samples.get(key(target, kind)) ?? [];
    const total = rs.reduce((a, x) => a + x.requests, 0);
    const non2xx = rs.reduce((a, x) => a + x.non2xx, 0);
    return {
      rps: median(rs.map((x) => x.rps)),
      p99: median(rs.map((x) => x.p99)),
      blockedShare: total === 0 ? Number.NaN : non2xx / total,
    };
  };

  console.log(
    `wrk -t1 -c${connections} -d${duration}s, ${rounds} interleaved rounds, medians; node ${process.version}; CRS ${crsDir}; gateway from ${fromDist ? "dist" : "src (tsx)"}`,
  );
  console.log(
    `${"kind".padEnd(20)}${"target".padEnd(26)}${"req/s".padStart(10)}${"p99 ms".padStart(10)}${"non-2xx".padStart(9)}`,
  );
  for (const k of KINDS) {
    for (const [name] of targets) {
      const s = summary(name, k.name);
      console.log(
        `${k.name.padEnd(20)}${name.padEnd(26)}${s.rps.toFixed(0).padStart(10)}${s.p99.toFixed(2).padStart(10)}${`${(s.blockedShare * 100).toFixed(0)}%`.padStart(9)}`,
      );
    }
  }
  console.log("non-2xx: share of responses that were not 2xx (100 % expected for the SQLi kind only)");
  console.log("");
  console.log(
    `${"ratio".padEnd(20)}${"CRS PL1/ModSec PL1".padStart(20)}${"CRS PL2/ModSec PL2".padStart(20)}${"CRS PL1/WAF off".padStart(18)}`,
  );
  for (const k of KINDS) {
    const rps = (t: string): number => summary(t, k.name).rps;
    const vsModsec = (pl: number): string =>
      `${(rps(`gateway CRS PL${pl}`) / rps(`nginx+ModSecurity PL${pl}`)).toFixed(1)}x`;
    const vsOff = (rps("gateway CRS PL1") / rps("gateway WAF off")) * 100;
    console.log(
      `${k.name.padEnd(20)}${vsModsec(1).padStart(20)}${vsModsec(2).padStart(20)}${`${vsOff.toFixed(0)} %`.padStart(18)}`,
    );
  }
  console.log(
    "targets: gateway CRS / nginx+ModSecurity >= 10x for every kind; gateway CRS PL1 / WAF off >= 50 % for GET and GET 10 args",
  );
  console.log(
    "the SQLi kind is answered 403 after phase 2 without the upstream: cheaper than a passed request",
  );
  cleanup();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
