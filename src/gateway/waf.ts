/**
 * The WAF in the gateway: builds the engine from the config's `waf:` section (CRS or the built-in
 * baseline, modules, paranoia, mode), opens one session per request that runs the five phases
 * around proxying, and writes what matched to the error log (ModSecurity's line format, which
 * go-ftw and existing log tooling read) and the audit log (JSON lines). It also attests what is
 * really live: mode, modules with their rule counts, and a hash of the loaded rule set.
 */
import { createHash } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { resolve } from "node:path";
import type { RampartConfig } from "../config/schema.js";
import { assembleWaf, type WafAssembly } from "../waf/crs/assemble.js";
import { auditRecord, errorLogLine } from "../waf/engine/log-format.js";
import type { RuleSet } from "../waf/engine/ruleset.js";
import type { Intervention, Transaction } from "../waf/engine/transaction.js";
import { loadWaf, warmUp } from "../waf/index.js";
import type { GuardRequest, GuardSession, GuardVerdict, RequestGuard, RequestGuardFactory } from "./guard.js";

/**
 * Where matched-rule lines and audit records go. A log left out is off: its lines are not even
 * built (formatting them cost 8 to 14 us of CPU, garbage included, per request that matched a
 * rule, such as any request whose Host is an IP address under CRS).
 */
export interface WafLogSink {
  errorLine?(line: string): void;
  auditRecord?(json: string): void;
}

export interface WafStatus {
  readonly mode: RampartConfig["waf"]["mode"];
  readonly engine: string;
  readonly paranoia: number;
  readonly ruleSet: string;
  readonly ruleSetHash: string;
  readonly rules: number;
  readonly modules: ReadonlyArray<{ name: string; state: "on" | "off"; rules: number }>;
  readonly loadedAt: string;
}

export interface WafGuardOptions {
  /** Log sink; default: from config.waf.errorLog / auditLog. */
  readonly sink?: WafLogSink;
  /** SecLang loaded after Rampart's settings (the conformance runner's test settings). */
  readonly extraSettings?: string;
}

/** Streams the logs to stderr/files as the config says. */
export function configLogSink(waf: RampartConfig["waf"]): WafLogSink {
  const open = (dest: string): WriteStream | NodeJS.WriteStream | undefined =>
    dest === "off"
      ? undefined
      : dest === "stderr"
        ? process.stderr
        : createWriteStream(resolve(dest), { flags: "a" });
  const error = open(waf.errorLog);
  const audit = open(waf.auditLog);
  return {
    ...(error === undefined ? {} : { errorLine: (line: string) => error.write(`${line}\n`) }),
    ...(audit === undefined ? {} : { auditRecord: (json: string) => audit.write(`${json}\n`) }),
  };
}

class WafGuard implements RequestGuard {
  constructor(
    readonly ruleSet: RuleSet,
    readonly statusInfo: WafStatus,
    private readonly sink: WafLogSink,
    private readonly serverAddr: string,
    private readonly moduleOfSource: ReadonlyMap<string, string>,
  ) {}

  open(req: GuardRequest): GuardSession {
    const tx = this.ruleSet.newTransaction({
      id: req.requestId,
      remoteAddr: req.clientIp,
      remotePort: req.remotePort,
      serverAddr: this.serverAddr,
      serverPort: req.serverPort,
      method: req.method,
      uri: req.url,
      protocol: req.protocol ?? `HTTP/${req.httpVersion}`,
      headers: pairs(req.rawHeaders),
    });
    return new WafSession(tx, this.ruleSet, this.sink, this.moduleOfSource);
  }

  status(): WafStatus {
    return this.statusInfo;
  }
}

class WafSession implements GuardSession {
  private finished = false;
  readonly requestBodyLimit: number;

  constructor(
    private readonly tx: Transaction,
    private readonly ruleSet: RuleSet,
    private readonly sink: WafLogSink,
    private readonly moduleOfSource: ReadonlyMap<string, string>,
  ) {
    const s = ruleSet.settings;
    this.requestBodyLimit = s.requestBodyAccess && s.ruleEngine !== "Off" ? s.requestBodyLimit : 0;
  }

  requestHead(): GuardVerdict | undefined {
    return this.verdict(this.tx.processRequestHeaders());
  }

  requestBody(body: Buffer | undefined): GuardVerdict | undefined {
    if (body !== undefined && body.length > 0) {
      const it = this.tx.appendRequestBody(body.toString("latin1"));
      if (it) return this.verdict(it);
    }
    return this.verdict(this.tx.processRequestBody());
  }

  responseHead(
    status: number,
    headers: Record<string, string | string[] | undefined>,
  ): GuardVerdict | undefined {
    const list: Array<[string, string]> = [];
    for (const name in headers) {
      const value = headers[name];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const v of value) list.push([name, latin1(v)]);
      else list.push([name, latin1(value)]);
    }
    return this.verdict(this.tx.processResponseHeaders(status, "HTTP/1.1", list));
  }

  responseBodyLimit(contentType: string | undefined): number {
    const s = this.ruleSet.settings;
    if (!s.responseBodyAccess || s.ruleEngine === "Off" || contentType === undefined) return 0;
    const mime = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    return s.responseBodyMimeTypes.includes(mime) ? s.responseBodyLimit : 0;
  }

  responseBody(body: Buffer | undefined): GuardVerdict | undefined {
    if (body !== undefined && body.length > 0) {
      const it = this.tx.appendResponseBody(body.toString("latin1"));
      if (it) return this.verdict(it);
    }
    return this.verdict(this.tx.processResponseBody());
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const tx = this.tx;
    tx.processLogging();
    const sink = this.sink;
    const matched = tx.matchedRules;
    if (sink.errorLine !== undefined) for (const m of matched) sink.errorLine(errorLogLine(tx, m));
    // Engine errors (a value a pattern saw only part of) are audited even when nothing matched.
    if (sink.auditRecord !== undefined && (matched.length > 0 || tx.errors.length > 0))
      sink.auditRecord(JSON.stringify(auditRecord(tx)));
  }

  private verdict(it: Intervention | undefined): GuardVerdict | undefined {
    if (it === undefined) return undefined;
    const module = this.blockingModule(it);
    return {
      status: it.status,
      reason: `waf:${it.ruleId}`,
      drop: it.action === "drop",
      ...(it.action === "redirect" && it.url ? { location: it.url } : {}),
      ...(module === undefined ? {} : { module }),
    };
  }

  /**
   * The module to charge a block to: the intervening rule's own; under CRS anomaly scoring, where
   * a rule of the anomaly-blocking module (949110, 959100) intervenes once the others' scores add
   * up, the module of the most severe rule that scored (CRS severities: 2 critical .. 5 notice;
   * the first of equals). Runs on blocks only, not on every request.
   */
  private blockingModule(it: Intervention): string | undefined {
    let own: string | undefined;
    for (const m of this.tx.matchedRules) if (m.id === it.ruleId) own = this.moduleOfSource.get(m.file);
    if (own !== undefined && !SCORE_MODULES.has(own)) return own;
    let best: string | undefined;
    let bestSeverity = Number.POSITIVE_INFINITY;
    for (const m of this.tx.matchedRules) {
      const module = this.moduleOfSource.get(m.file);
      if (module === undefined || SCORE_MODULES.has(module)) continue;
      const severity = m.severity ?? 8;
      if (severity < bestSeverity) {
        best = module;
        bestSeverity = severity;
      }
    }
    return best ?? own;
  }
}

/** Modules whose rules act on other modules' scores: a block is charged to the scoring module. */
const SCORE_MODULES: ReadonlySet<string> = new Set(["anomaly-blocking", "correlation"]);

/** node's rawHeaders are decoded as latin1 already: one char per byte, as the engine wants. */
function pairs(raw: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

function latin1(s: string): string {
  // Header values from undici are UTF-8 decoded; the engine wants bytes.
  return /[^\u0000-\u00ff]/.test(s) ? Buffer.from(s, "utf8").toString("latin1") : s;
}

/** Compiles the WAF for a config's waf section. Throws WafError (file:line) on a bad rule set. */
export function compileWaf(
  waf: RampartConfig["waf"],
  extraSettings?: string,
): { ruleSet: RuleSet; status: WafStatus; moduleOfSource: ReadonlyMap<string, string> } {
  const assembly: WafAssembly = assembleWaf({
    crsDir: waf.crs === "builtin" ? undefined : resolve(waf.crs),
    mode: waf.mode,
    paranoia: waf.paranoia,
    modules: waf.modules,
    anomalyThreshold: waf.anomalyThreshold,
    ...(extraSettings !== undefined ? { extraSettings } : {}),
  });
  // Each request gets an engine time budget (src/waf/engine/transaction.ts); warming the rule set
  // up first keeps V8's first-use compilation out of real requests' budgets.
  const ruleSet = loadWaf({
    sources: assembly.sources,
    timeBudget: waf.timeBudget,
  });
  warmUp(ruleSet);
  const hash = createHash("sha256");
  for (const s of assembly.sources) hash.update(s.name).update("\0").update(s.text).update("\0");
  const perFile = new Map<string, number>();
  for (const rule of ruleSet.rules()) perFile.set(rule.loc.file, (perFile.get(rule.loc.file) ?? 0) + 1);
  const modules = assembly.modules.map((m) => ({
    name: m.name,
    state: m.state,
    rules: m.files.reduce((n, f) => n + (perFile.get(f) ?? 0), 0),
  }));
  const moduleOfSource = new Map<string, string>();
  for (const s of assembly.sources) if (s.module !== undefined) moduleOfSource.set(s.name, s.module);
  return {
    ruleSet,
    moduleOfSource,
    status: {
      mode: waf.mode,
      engine: ruleSet.settings.ruleEngine,
      paranoia: waf.paranoia,
      ruleSet: assembly.ruleSet,
      ruleSetHash: hash.digest("hex"),
      rules: ruleSet.ruleCount,
      modules,
      loadedAt: new Date().toISOString(),
    },
  };
}

/**
 * The guard factory for startGateway. The compiled WAF is reused across reloads while the waf
 * section is unchanged (compiling CRS takes about a second, and reloads should not stall requests).
 */
export function wafGuardFactory(opts: WafGuardOptions = {}): RequestGuardFactory {
  let cached: { key: string; guard: WafGuard | undefined } | undefined;
  return (config) => {
    const key = JSON.stringify(config.waf);
    if (cached?.key === key) return cached.guard;
    let guard: WafGuard | undefined;
    if (config.waf.mode !== "off") {
      const { ruleSet, status, moduleOfSource } = compileWaf(config.waf, opts.extraSettings);
      guard = new WafGuard(
        ruleSet,
        status,
        opts.sink ?? configLogSink(config.waf),
        config.gateway.listen.host,
        moduleOfSource,
      );
    }
    cached = { key, guard };
    return guard;
  };
}
