/**
 * Turns the WAF section of the config into the ordered list of SecLang sources the engine loads:
 * recommended base config, engine mode, CRS setup, Rampart's settings (paranoia, thresholds),
 * optional extra settings (e.g. the conformance-test settings), custom rules, then the CRS rule
 * files whose module is on (or, without a CRS, the built-in baseline). It also says which module
 * each source belongs to, so that attestation can report per-module rule counts.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BASELINE_FILES, BASELINE_VERSION } from "../base/baseline.js";
import { RECOMMENDED_CONF } from "../base/recommended.js";
import { detectCrsVersion } from "./install.js";
import { crsFileNumber, INFRASTRUCTURE_FILES, moduleOfFile, WAF_MODULES } from "./modules.js";

export type WafMode = "blocking" | "detection-only" | "off";

export interface WafAssemblyOptions {
  /** A CRS v4 folder (rules/ and crs-setup.conf.example); undefined = the built-in baseline. */
  readonly crsDir: string | undefined;
  readonly mode: WafMode;
  readonly paranoia: number;
  /** Module name -> on/off; a module not named is on. */
  readonly modules: Readonly<Record<string, "on" | "off">>;
  readonly anomalyThreshold: { readonly inbound: number; readonly outbound: number };
  /** SecLang loaded after Rampart's settings and before the rules (e.g. test settings). */
  readonly extraSettings?: string;
  /** Paths of the user's own rule files, loaded before the rule set. */
  readonly customRuleFiles?: readonly string[];
}

export interface WafSource {
  /** File path for files on disk (data files resolve relative to it), a label otherwise. */
  readonly name: string;
  readonly text: string;
  /** The module this source belongs to; undefined for base, settings and infrastructure. */
  readonly module: string | undefined;
}

export interface ModuleState {
  readonly name: string;
  readonly state: "on" | "off";
  /** Sources of this module that are loaded (empty when off or absent from the rule set). */
  readonly files: readonly string[];
}

export interface WafAssembly {
  readonly sources: readonly WafSource[];
  readonly modules: readonly ModuleState[];
  /** "OWASP_CRS/4.28.0" or the baseline's version. */
  readonly ruleSet: string;
}

const ENGINE_MODE: Record<WafMode, string> = {
  blocking: "On",
  "detection-only": "DetectionOnly",
  off: "Off",
};

export function assembleWaf(opts: WafAssemblyOptions): WafAssembly {
  const sources: WafSource[] = [
    { name: "rampart:recommended.conf", text: RECOMMENDED_CONF, module: undefined },
    { name: "rampart:engine.conf", text: `SecRuleEngine ${ENGINE_MODE[opts.mode]}\n`, module: undefined },
  ];
  const isOn = (name: string) => opts.modules[name] !== "off";
  const loaded = new Map<string, string[]>();
  const push = (source: WafSource) => {
    sources.push(source);
    if (source.module) loaded.set(source.module, [...(loaded.get(source.module) ?? []), source.name]);
  };

  let ruleSet: string;
  if (opts.crsDir !== undefined) {
    ruleSet = `OWASP_CRS/${detectCrsVersion(opts.crsDir)}`;
    const setup = join(
      opts.crsDir,
      existsSync(join(opts.crsDir, "crs-setup.conf")) ? "crs-setup.conf" : "crs-setup.conf.example",
    );
    push({ name: setup, text: readFileSync(setup, "utf8"), module: undefined });
    push({ name: "rampart:settings.conf", text: crsSettings(opts), module: undefined });
    pushExtras(opts, push);
    const rulesDir = join(opts.crsDir, "rules");
    const files = readdirSync(rulesDir)
      .filter((f) => f.endsWith(".conf"))
      .sort(byCrsOrder);
    for (const file of files) {
      const num = crsFileNumber(file);
      const module = num === undefined ? undefined : moduleOfFile(num);
      if (num !== undefined && !module && !INFRASTRUCTURE_FILES.includes(num)) continue; // unknown family: skip loudly below
      if (module && !isOn(module.name)) continue;
      const path = join(rulesDir, file);
      push({ name: path, text: readFileSync(path, "utf8"), module: module?.name });
    }
  } else {
    ruleSet = BASELINE_VERSION;
    push({ name: "rampart:baseline-setup.conf", text: BASELINE_SETUP, module: undefined });
    pushExtras(opts, push);
    for (const file of BASELINE_FILES)
      if (isOn(file.module)) push({ name: file.name, text: file.text, module: file.module });
  }

  const modules = WAF_MODULES.map((m) => ({
    name: m.name,
    state: isOn(m.name) ? ("on" as const) : ("off" as const),
    files: loaded.get(m.name) ?? [],
  }));
  return { sources, modules, ruleSet };
}

function pushExtras(opts: WafAssemblyOptions, push: (s: WafSource) => void): void {
  if (opts.extraSettings)
    push({ name: "rampart:extra-settings.conf", text: opts.extraSettings, module: undefined });
  for (const path of opts.customRuleFiles ?? [])
    push({ name: path, text: readFileSync(path, "utf8"), module: undefined });
}

/** REQUEST-* before RESPONSE-*, by number, as CRS's Include rules/*.conf order gives. */
function byCrsOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Rampart's CRS settings: CRS reads these TX variables in REQUEST-901 if they are set. */
function crsSettings(opts: WafAssemblyOptions): string {
  const pl = Math.min(4, Math.max(1, Math.trunc(opts.paranoia)));
  return `# Rampart settings (from the config's waf section)
SecAction "id:9000100,phase:1,pass,nolog,t:none,\\
    setvar:tx.blocking_paranoia_level=${pl},\\
    setvar:tx.inbound_anomaly_score_threshold=${opts.anomalyThreshold.inbound},\\
    setvar:tx.outbound_anomaly_score_threshold=${opts.anomalyThreshold.outbound}"
`;
}

const BASELINE_SETUP = `# Rampart baseline setup: the baseline blocks on the first match.
SecDefaultAction "phase:1,log,auditlog,deny,status:403"
SecDefaultAction "phase:2,log,auditlog,deny,status:403"
`;

/**
 * The settings CRS's regression tests assume (CRS's tests README and its docker-compose):
 * detection-only, blocking paranoia 4, argument limits, response body access for the listed
 * types, and the test-marker rule that logs the X-CRS-Test header so that a test runner can find
 * where each test's log lines begin and end (the marker request's other rules are removed).
 */
export const FTW_TEST_SETTINGS = `# Settings assumed by the CRS regression tests
SecResponseBodyMimeType text/plain text/html text/xml application/json
SecAction "id:900005,phase:1,nolog,pass,t:none,\\
    ctl:ruleEngine=DetectionOnly,\\
    ctl:ruleRemoveById=910000,\\
    setvar:tx.blocking_paranoia_level=4,\\
    setvar:tx.crs_validate_utf8_encoding=1,\\
    setvar:tx.arg_name_length=100,\\
    setvar:tx.arg_length=400,\\
    setvar:tx.total_arg_length=6400,\\
    setvar:tx.max_num_args=255,\\
    setvar:tx.max_file_size=64100,\\
    setvar:tx.combined_file_sizes=65535"
SecRule REQUEST_HEADERS:X-CRS-Test "@rx ^.*$" \\
    "id:999999,phase:1,pass,t:none,log,msg:'X-CRS-Test %{MATCHED_VAR}',ctl:ruleRemoveById=1-999998"
`;
