/** `rampart waf ftw|status`: conformance runs and what the WAF really runs. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { pino } from "pino";
import { rampartConfigSchema } from "../config/schema.js";
import { RampartError } from "../errors.js";
import { startGateway } from "../gateway/gateway.js";
import { wafGuardFactory } from "../gateway/waf.js";
import { FTW_TEST_SETTINGS } from "../waf/crs/assemble.js";
import { startAlbedo } from "../waf/ftw/albedo.js";
import { FileLogLines } from "../waf/ftw/file-log.js";
import { loadOverrides } from "../waf/ftw/overrides.js";
import { type FtwSummary, type FtwTarget, runFtw } from "../waf/ftw/runner.js";
import { type FtwTest, findTestFiles, loadTestFile } from "../waf/ftw/tests.js";

interface FtwOptions {
  rules?: string;
  tests: string;
  overrides?: string;
  include?: string;
  exclude?: string;
  target?: string;
  errorLog?: string;
  json?: boolean;
  timeout: string;
}

export function registerWaf(program: Command): void {
  const waf = program.command("waf").description("the web application firewall: conformance and status");

  waf
    .command("status")
    .description(
      "what the WAF of a running gateway really runs: mode, paranoia, modules with rule counts, rule-set hash",
    )
    .option("--admin <url>", "the gateway's admin listener", "http://127.0.0.1:9901")
    .option("--json", "print the attestation as JSON")
    .action(runStatus);

  waf
    .command("ftw")
    .description("run go-ftw regression tests (e.g. CRS's) against Rampart's WAF or another WAF")
    .requiredOption("--tests <dir>", "folder of go-ftw YAML tests (any depth)")
    .option("--rules <dir>", "CRS folder (rules/ and crs-setup.conf.example) to run in a fresh gateway")
    .option("--overrides <file>", "go-ftw overrides file (each override with its reason)")
    .option("--include <regex>", "only tests whose id (RULE-TEST, e.g. 942100-3) matches")
    .option("--exclude <regex>", "skip tests whose id matches")
    .option("--target <url>", "test a WAF already running at this URL instead of starting one")
    .option("--error-log <file>", "with --target: the WAF's error log (ModSecurity format)")
    .option("--timeout <ms>", "per-request timeout", "10000")
    .option("--json", "print one JSON object instead of text")
    .action(async (opts: FtwOptions) => {
      const tests = loadTests(opts.tests);
      const overrides = opts.overrides ? loadOverrides(opts.overrides) : [];
      let target: FtwTarget;
      let stop = async () => {};
      if (opts.target) {
        if (!opts.errorLog)
          throw usage("--target needs --error-log: the runner judges tests by the WAF's log");
        const url = new URL(opts.target);
        const log = new FileLogLines(opts.errorLog);
        target = { host: url.hostname, port: Number(url.port || 80), logLines: () => log.read() };
      } else {
        if (!opts.rules) throw usage("give --rules DIR (a CRS folder) or --target URL with --error-log FILE");
        const started = await startFtwGateway(opts.rules);
        target = started.target;
        stop = started.close;
      }
      const tty = process.stderr.isTTY && !opts.json;
      try {
        const summary = await runFtw(tests, target, {
          overrides,
          timeoutMs: Number(opts.timeout),
          ...(opts.include ? { include: new RegExp(opts.include) } : {}),
          ...(opts.exclude ? { exclude: new RegExp(opts.exclude) } : {}),
          onResult: (r, done, total) => {
            if (!r.ok && !opts.json) console.log(`FAIL ${r.rule_id}-${r.test_id}: ${r.reason}`);
            if (tty && (done % 50 === 0 || done === total)) process.stderr.write(`\r${done}/${total} tests`);
          },
        });
        if (tty) process.stderr.write("\n");
        printSummary(summary, opts.json === true);
        process.exitCode = summary.failed > 0 ? 1 : 0;
      } finally {
        await stop();
      }
    });
}

interface WafStatusBody {
  mode: string;
  engine?: string;
  paranoia?: number;
  ruleSet?: string;
  ruleSetHash?: string;
  rules?: number;
  loadedAt?: string;
  modules: { name: string; state: string; rules: number }[];
}

async function runStatus(opts: { admin: string; json?: boolean }): Promise<void> {
  let res: Response;
  try {
    res = await fetch(new URL("/waf/status", opts.admin));
  } catch (err) {
    throw new RampartError(
      "GATEWAY_UNREACHABLE",
      `cannot reach the gateway admin listener at ${opts.admin}: ${(err as Error).message}`,
      {
        hint: "is rampart up / rampart gateway running? pass --admin URL",
      },
    );
  }
  const body = (await res.json()) as WafStatusBody;
  if (opts.json) {
    console.log(JSON.stringify(body));
    return;
  }
  console.log(`mode        ${body.mode}${body.engine ? ` (engine ${body.engine})` : ""}`);
  if (body.mode === "off") return;
  console.log(`paranoia    ${body.paranoia}`);
  console.log(`rule set    ${body.ruleSet}, ${body.rules} rules`);
  console.log(`hash        ${body.ruleSetHash}`);
  console.log(`loaded      ${body.loadedAt}`);
  console.log("");
  for (const m of body.modules) {
    const flag = m.state === "off" ? "OFF" : m.rules === 0 ? "on (no rules in this rule set)" : "on";
    console.log(`  ${m.name.padEnd(22)}${String(m.rules).padStart(5)} rules  ${flag}`);
  }
}

function usage(message: string): RampartError {
  return new RampartError("CLI_USAGE_INVALID", message, { hint: "see rampart waf ftw --help" });
}

function loadTests(dir: string): FtwTest[] {
  if (!existsSync(dir)) throw new RampartError("FTW_TESTS_NOT_FOUND", `${dir} does not exist`);
  return findTestFiles(dir).flatMap(loadTestFile);
}

function printSummary(summary: FtwSummary, json: boolean): void {
  if (json) {
    const tests = summary.tests.map(({ rule_id, test_id, ok, reason }) => ({ rule_id, test_id, ok, reason }));
    console.log(
      JSON.stringify({ passed: summary.passed, failed: summary.failed, skipped: summary.skipped, tests }),
    );
    return;
  }
  const families = new Map<string, { passed: number; failed: number }>();
  for (const t of summary.tests) {
    if (t.skipped) continue;
    const f = families.get(t.family) ?? { passed: 0, failed: 0 };
    if (t.ok) f.passed++;
    else f.failed++;
    families.set(t.family, f);
  }
  console.log("");
  for (const [family, f] of [...families].sort()) {
    const pct = ((100 * f.passed) / (f.passed + f.failed)).toFixed(1);
    console.log(
      `${family.padEnd(48)}${String(f.passed).padStart(6)}/${String(f.passed + f.failed).padEnd(6)}${pct.padStart(6)} %`,
    );
  }
  console.log(`${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped`);
}

/**
 * Starts a gateway in this process, listening on loopback, with the given CRS and the settings its
 * regression tests assume, in front of an albedo echo upstream; its error log is kept in memory.
 */
async function startFtwGateway(rulesDir: string): Promise<{ target: FtwTarget; close: () => Promise<void> }> {
  if (!existsSync(join(rulesDir, "rules"))) {
    throw new RampartError("FTW_RULES_NOT_FOUND", `${rulesDir} is not a CRS folder (no rules/ in it)`);
  }
  const albedo = await startAlbedo();
  const lines: string[] = [];
  const config = rampartConfigSchema.parse({
    gateway: {
      listen: { host: "127.0.0.1", port: 0 },
      admin: { host: "127.0.0.1", port: 0 },
      accessLog: "off",
      limits: { maxUriBytes: 65536, maxHeaderBytes: 65536 },
    },
    upstreams: { albedo: { targets: [albedo.url] } },
    routes: [{ name: "all", upstream: "albedo" }],
    waf: { mode: "detection-only", paranoia: 4, crs: rulesDir },
  });
  const gw = await startGateway(config, {
    logger: pino({ level: "silent" }),
    guard: wafGuardFactory({
      extraSettings: FTW_TEST_SETTINGS,
      sink: { errorLine: (line) => lines.push(line), auditRecord: () => {} },
    }),
  });
  return {
    target: { host: "127.0.0.1", port: gw.addresses().listen.port, logLines: () => lines },
    close: async () => {
      await gw.close(1000);
      await albedo.close();
    },
  };
}
