/**
 * `rampart waf profile --rules CRS_DIR`: runs a built-in mix of typical requests (the five kinds of
 * bench/waf/run.ts) through the engine in this process, first unprofiled (time per request and
 * kind), then with the per-rule profile on (src/waf/engine/profile.ts), and prints the rules that
 * take the most time and the split between operators, transformations and the rest.
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import type { Command } from "commander";
import { RampartError } from "../errors.js";
import { assembleWaf } from "../waf/crs/assemble.js";
import {
  enableProfile,
  type NamedTime,
  type ProfileRequest,
  type RuleSet,
  runRequest,
  typicalRequests,
} from "../waf/engine/index.js";
import { loadWaf } from "../waf/index.js";

interface ProfileOptions {
  rules: string;
  paranoia: string;
  requests: string;
  top: string;
  json?: boolean;
}

export interface WafProfileReport {
  readonly rules: number;
  readonly paranoia: number;
  readonly requests: number;
  /** Unprofiled engine time per request of each kind, microseconds. */
  readonly kinds: ReadonlyArray<{ kind: string; usPerRequest: number; blocked: boolean }>;
  readonly usPerRequest: number;
  readonly usPerRequestProfiled: number;
  readonly top: ReadonlyArray<{
    id: number;
    file: string;
    line: number;
    calls: number;
    matches: number;
    usTotal: number;
    usPerCall: number;
    share: number;
    operatorUs: number;
    transformUs: number;
  }>;
  readonly operators: ReadonlyArray<{ name: string; calls: number; us: number; share: number }>;
  readonly transforms: ReadonlyArray<{ name: string; calls: number; us: number; share: number }>;
  /** Share of rule time outside operators and transformations (collecting values, actions). */
  readonly otherShare: number;
}

export function registerWafProfile(program: Command): void {
  const waf = program.commands.find((c) => c.name() === "waf") ?? program.command("waf");
  waf
    .command("profile")
    .description("time every rule of a CRS rule set on a mix of typical requests, in process")
    .requiredOption("--rules <dir>", "CRS folder (rules/ and crs-setup.conf.example)")
    .option("--paranoia <n>", "blocking paranoia level, 1 to 4", "1")
    .option("--requests <n>", "requests in the profiled run (spread over the five kinds)", "5000")
    .option("--top <n>", "rules to list", "20")
    .option("--json", "print one JSON object instead of text")
    .action((opts: ProfileOptions) => {
      const report = profileCrs(opts);
      if (opts.json) console.log(JSON.stringify(report));
      else printReport(report);
    });
}

function intOption(value: string, name: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new RampartError("CLI_USAGE_INVALID", `--${name} must be an integer from ${min} to ${max}`, {
      hint: "see rampart waf profile --help",
    });
  return n;
}

function profileCrs(opts: ProfileOptions): WafProfileReport {
  const paranoia = intOption(opts.paranoia, "paranoia", 1, 4);
  const requests = intOption(opts.requests, "requests", 5, 10_000_000);
  const top = intOption(opts.top, "top", 1, 10_000);
  const crsDir = resolve(opts.rules);
  if (!existsSync(join(crsDir, "rules")))
    throw new RampartError("WAF_PROFILE_RULES_NOT_FOUND", `${crsDir} is not a CRS folder (no rules/ in it)`, {
      hint: "give --rules the folder that holds rules/ and crs-setup.conf.example",
    });
  const assembly = assembleWaf({
    crsDir,
    mode: "blocking",
    paranoia,
    modules: {},
    anomalyThreshold: { inbound: 5, outbound: 4 },
  });
  const ruleSet = loadWaf({ sources: assembly.sources });
  return profileRuleSet(ruleSet, typicalRequests(), requests, top, paranoia);
}

/** The measurement itself, on any rule set and request mix. */
export function profileRuleSet(
  ruleSet: RuleSet,
  mix: readonly ProfileRequest[],
  requests: number,
  top: number,
  paranoia: number,
): WafProfileReport {
  const perKind = Math.max(1, Math.floor(requests / mix.length));
  let seq = 0;
  const runMix = (n: number): void => {
    for (let i = 0; i < n; i++) for (const req of mix) runRequest(ruleSet, req, String(seq++));
  };
  runMix(Math.min(200, perKind)); // warm-up: JIT, regex compilation caches

  const kinds = mix.map((req) => {
    const blocked = runRequest(ruleSet, req, String(seq++));
    const t0 = performance.now();
    for (let i = 0; i < perKind; i++) runRequest(ruleSet, req, String(seq++));
    return { kind: req.kind, usPerRequest: ((performance.now() - t0) * 1000) / perKind, blocked };
  });
  const t0 = performance.now();
  runMix(perKind);
  const usPerRequest = ((performance.now() - t0) * 1000) / (perKind * mix.length);

  const profile = enableProfile(ruleSet);
  try {
    runMix(Math.min(50, perKind));
    profile.reset();
    const t1 = performance.now();
    runMix(perKind);
    const usPerRequestProfiled = ((performance.now() - t1) * 1000) / (perKind * mix.length);
    const total = profile.totalMs;
    const share = (ms: number): number => (total > 0 ? ms / total : 0);
    const list = (times: NamedTime[]) =>
      times.map((t) => ({ name: t.name, calls: t.calls, us: t.ms * 1000, share: share(t.ms) }));
    const operators = list(profile.operatorTimes());
    const transforms = list(profile.transformTimes());
    const inParts = [...operators, ...transforms].reduce((a, t) => a + t.share, 0);
    return {
      rules: ruleSet.ruleCount,
      paranoia,
      requests: perKind * mix.length,
      kinds,
      usPerRequest,
      usPerRequestProfiled,
      top: profile
        .rules()
        .slice(0, top)
        .map((e) => ({
          id: e.rule.id,
          file: e.rule.loc.file,
          line: e.rule.loc.line,
          calls: e.calls,
          matches: e.matches,
          usTotal: e.totalMs * 1000,
          usPerCall: (e.totalMs * 1000) / e.calls,
          share: share(e.totalMs),
          operatorUs: e.operatorMs * 1000,
          transformUs: e.transformMs * 1000,
        })),
      operators,
      transforms,
      otherShare: Math.max(0, 1 - inParts),
    };
  } finally {
    profile.stop(ruleSet);
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;

function printReport(r: WafProfileReport): void {
  console.log(`${r.rules} rules, paranoia ${r.paranoia}, ${r.requests} requests`);
  for (const k of r.kinds)
    console.log(
      `  ${k.kind.padEnd(16)}${k.usPerRequest.toFixed(1).padStart(9)} µs/request${k.blocked ? "  (blocked)" : ""}`,
    );
  console.log(
    `  ${"mix".padEnd(16)}${r.usPerRequest.toFixed(1).padStart(9)} µs/request; with the profile on ${r.usPerRequestProfiled.toFixed(1)}`,
  );
  console.log("");
  console.log(
    `${"rule".padEnd(9)}${"file:line".padEnd(46)}${"calls".padStart(8)}${"match".padStart(7)}${"µs total".padStart(11)}${"µs/call".padStart(9)}${"share".padStart(8)}${"op".padStart(7)}${"t:".padStart(7)}`,
  );
  for (const t of r.top) {
    const where = `${basename(t.file)}:${t.line}`;
    const of = (us: number): string => (t.usTotal > 0 ? `${((us / t.usTotal) * 100).toFixed(0)}%` : "-");
    console.log(
      `${String(t.id).padEnd(9)}${where.slice(-45).padEnd(46)}${String(t.calls).padStart(8)}${String(t.matches).padStart(7)}${t.usTotal.toFixed(0).padStart(11)}${t.usPerCall.toFixed(2).padStart(9)}${pct(t.share).padStart(8)}${of(t.operatorUs).padStart(7)}${of(t.transformUs).padStart(7)}`,
    );
  }
  const split = (title: string, xs: WafProfileReport["operators"]): void => {
    console.log("");
    console.log(`${title.padEnd(24)}${"calls".padStart(10)}${"µs total".padStart(12)}${"share".padStart(9)}`);
    for (const x of xs.slice(0, 12))
      console.log(
        `${x.name.padEnd(24)}${String(x.calls).padStart(10)}${x.us.toFixed(0).padStart(12)}${pct(x.share).padStart(9)}`,
      );
  };
  split("operator", r.operators);
  split("transformation", r.transforms);
  console.log("");
  console.log(`outside operators and transformations (values, actions, engine): ${pct(r.otherShare)}`);
}
