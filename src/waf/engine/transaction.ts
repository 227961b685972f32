/**
 * Transaction: one request/response pair evaluated against a RuleSet, phase by phase, as Coraza's
 * internal/corazawaf/transaction.go and ModSecurity v3's Transaction do.
 *
 * Stable API (driven by the gateway and the go-ftw conformance runner):
 *
 *   const tx = ruleSet.newTransaction({ id, remoteAddr, remotePort, serverPort, method, uri, protocol, headers });
 *     uri: the raw request target as sent; protocol: "HTTP/1.1"; headers: [name, value][] as byte
 *     strings, order and duplicates kept.
 *   tx.processRequestHeaders(): Intervention | undefined        // phase 1
 *   tx.appendRequestBody(chunk: ByteString): Intervention | undefined
 *   tx.processRequestBody(): Intervention | undefined           // phase 2 (body processor, limits)
 *   tx.processResponseHeaders(status, protocol, headers): Intervention | undefined   // phase 3
 *   tx.appendResponseBody(chunk: ByteString): Intervention | undefined
 *   tx.processResponseBody(): Intervention | undefined          // phase 4
 *   tx.processLogging(): void                                   // phase 5, always runs
 *   tx.intervention       the intervention in force (SecRuleEngine On), undefined if none
 *   tx.detectedIntervention  what would have happened (DetectionOnly), undefined if nothing
 *   tx.matchedRules       rules (chains) that matched and log, in order
 *   tx.anomalyScores      { inbound, outbound } read from TX
 *   tx.errors             rules whose evaluation threw (counted as not matched)
 *
 * Optional in the request: serverAddr (SERVER_ADDR, the log line's hostname). ByteString: one char
 * per byte (Buffer#toString("latin1")). The rule set's clock and ENV come from its CompileDeps.
 *
 * Calling a later phase first runs the skipped earlier ones (never twice), except logging, which
 * runs alone. Once intervened, no further phase runs except logging. DetectionOnly never
 * intervenes; `allow` skips phases only when the engine is On (v3: disruptive actions are not
 * executed in DetectionOnly). Request and response bodies are kept only up to their limits.
 *
 * Time budget (when the rule set has one, CompileDeps.timeBudget; the gateway's is
 * DEFAULT_TIME_BUDGET): phases 1-4 (rules and request body parsing) may take `baseMs + perKbMs ×
 * KB inspected` (settings.ts: 100 ms + 2 ms per KB). It is checked every BUDGET_CHECK_EVERY rules,
 * or sooner after BUDGET_CHECK_BYTES of operator input, on the wall clock (~50 ns a read). Wall
 * time alone refused benign requests when the machine was so loaded that the process waited for
 * a core, and reading CPU time (a system call, 1-8 µs) at every phase cost 15 % of a GET; so once
 * wall time says the budget is spent, the check notes the process's CPU time and the request is
 * refused only after the engine has spent another BUDGET_CONFIRM_SHARE of the budget on the CPU
 * within the phase. A request thus gets at most ~1.5 budgets of CPU, plus the rules between two
 * checks. When refused, no further rule of phases 1-4 runs, the transaction is answered 503 (not
 * inspected in full, so not forwarded; not a claim of attack; rule id 0; recorded only in
 * DetectionOnly), a matched-rule entry with id 0 says so in the logs, and `budgetExceeded` and
 * `errors` hold the details. Phase 5 still runs. The rules between two checks are bounded per
 * pattern: the lazy DFA's linear scan answers whether a pattern matches (operators/dfa/); where V8
 * runs (captures, and the one CRS pattern the DFA declines), its linear fallback after 3000
 * backtracks (operators/regex.ts) and NONLINEAR_INPUT_CAP for the patterns it cannot take
 * (operators/rx.ts; a cut value sets TX:MSC_PCRE_LIMITS_EXCEEDED and an `errors` entry).
 */
import { inRanges } from "../actions/ctl.js";
import type { ActionTransaction, CtlOp, EngineMode, TargetRemoval } from "../actions/types.js";
import { WafError } from "../errors.js";
import { NONLINEAR_INPUT_CAP } from "../operators/rx.js";
import type { BodyLimits, BodyParseResult, ByteString, MacroResolver, OperatorContext } from "../types.js";
import {
  type Collection,
  entry,
  getVariable,
  type RequestInfo,
  TxData,
  type VarEntry,
} from "../variables/index.js";
import type { VariableDefinition } from "../variables/registry.js";
import { parseQuery } from "../variables/request-parsing.js";
import type { AllowScope, KeySelector, Phase, Rule, Target } from "./rule.js";
import type { RuleSet } from "./ruleset.js";

export type NewTransaction = RequestInfo;

export interface Intervention {
  /** HTTP status to answer with (deny: 403 unless `status:`; redirect: 302). */
  readonly status: number;
  readonly action: "deny" | "drop" | "redirect";
  /** Rule that intervened; 0 for a body limit. */
  readonly ruleId: number;
  readonly url?: string;
}

/** One value a rule (or a link of its chain) matched. */
export interface RuleMatchValue {
  /** `ARGS:foo`, `REQUEST_URI`, `TX:score`. */
  readonly variable: string;
  /** The value after transformations, as the operator saw it. */
  readonly value: ByteString;
  /** 0 for the chain starter, 1 for the first link, ... */
  readonly chainLevel: number;
  readonly operator: string;
  readonly operatorParam: string;
}

export interface MatchedRule {
  readonly id: number;
  readonly phase: Phase;
  readonly file: string;
  readonly line: number;
  /** Expanded after the whole chain matched. */
  readonly msg: string;
  readonly logdata: string;
  readonly severity: number | undefined;
  readonly tags: readonly string[];
  readonly ver: string;
  readonly rev: string;
  readonly maturity: number;
  readonly accuracy: number;
  /** Every value matched across the chain; the last one is what ModSecurity's log line shows. */
  readonly matches: readonly RuleMatchValue[];
  readonly disruptive: "pass" | "deny" | "drop" | "redirect" | "allow";
  /** True when the disruptive action took effect (engine On), false when only recorded. */
  readonly enforced: boolean;
  /** HTTP status of the intervention this rule caused or would have caused (deny, drop, redirect). */
  readonly status: number | undefined;
  readonly auditlog: boolean;
}

/** The operator context a transaction reuses, with the cap it sets per phase. */
type PhaseContext = OperatorContext & { nonlinearInputCap: number };

/** Why a transaction stopped evaluating: its engine time ran past the budget. */
export interface BudgetExceeded {
  readonly phase: Phase;
  /** The last rule that ran. */
  readonly afterRuleId: number;
  readonly spentMs: number;
  readonly budgetMs: number;
}

/** Rules run between two reads of the clock (a read costs ~50 ns; a CRS rule ~0.3 µs)... */
export const BUDGET_CHECK_EVERY = 16;
/**
 * ...or fewer, once operators have seen this many bytes since the last read: CRS groups its
 * costly rules by file (932xxx), and 16 of them over 2 KB values take ~100 ms.
 */
export const BUDGET_CHECK_BYTES = 8192;
/** Share of the budget the engine must spend on the CPU after wall time says it is spent. */
export const BUDGET_CONFIRM_SHARE = 0.5;

export interface AnomalyScores {
  readonly inbound: number;
  readonly outbound: number;
}

export class Transaction implements ActionTransaction, MacroResolver {
  readonly ruleSet: RuleSet;
  readonly data: TxData;
  readonly id: string;
  /** SecRuleEngine, changed by ctl:ruleEngine. */
  mode: EngineMode;
  requestBodyAccess: boolean;
  forceRequestBodyVariable = false;
  auditEngine: string | undefined;
  auditLogParts: string | undefined;

  private interruption: Intervention | undefined;
  private detected: Intervention | undefined;
  private allow: AllowScope | undefined;
  private lastPhase = 0;
  private readonly matched: MatchedRule[] = [];
  private failures: Array<{ ruleId: number; error: unknown }> | undefined;
  /** Engine time spent so far in phases 1-4, ms. */
  private spentMs = 0;
  private exhausted: BudgetExceeded | undefined;
  /** Bytes of URI and headers, counted into the budget. */
  private readonly headBytes: number;
  private partialNoted = false;
  private lastRuleId = 0;
  /** Bytes given to operators since the last budget check. */
  private workBytes = 0;

  // ctl removals for this transaction only.
  private removedRanges: Array<readonly [number, number]> | undefined;
  private removedTags: Set<string> | undefined;
  /** ctl:ruleRemoveTarget* removals by rule seq, filled when the ctl runs (rules found by index). */
  private removedTargets: Array<TargetRemoval[] | undefined> | undefined;

  // Request and response bodies, kept up to their limits (+1 byte to notice an overflow).
  private reqChunks: ByteString[] = [];
  private reqLength = 0;
  private reqStored = 0;
  private resChunks: ByteString[] = [];
  private resLength = 0;
  private resStored = 0;

  // Reused per evaluation so matching allocates little.
  private readonly captures: ByteString[] = [];
  private readonly ctxCapture: PhaseContext;
  private readonly ctxPlain: PhaseContext;
  private readonly scratch: VarEntry[] = [];
  /** Per Target.cacheSlot: the values the target selects, this phase (never written after). */
  private targetValues: Array<readonly VarEntry[] | undefined> = [];
  private currentRule: Rule | undefined;
  /** Values matched by the rule being evaluated; handed to its MatchedRule record when it logs. */
  private pendingMatches: RuleMatchValue[] = [];

  constructor(ruleSet: RuleSet, req: RequestInfo, env: Collection) {
    this.ruleSet = ruleSet;
    this.id = req.id;
    const s = ruleSet.settings;
    this.data = new TxData(req, s.argumentSeparator, ruleSet.now, env);
    this.mode = s.ruleEngine;
    this.requestBodyAccess = s.requestBodyAccess;
    const partialMatch = (detail: string): void => this.notePartialMatch(detail);
    this.ctxCapture = {
      macros: this,
      captures: this.captures,
      partialMatch,
      nonlinearInputCap: NONLINEAR_INPUT_CAP,
    };
    this.ctxPlain = {
      macros: this,
      captures: undefined,
      partialMatch,
      nonlinearInputCap: NONLINEAR_INPUT_CAP,
    };
    let head = req.uri.length + req.method.length + req.protocol.length;
    for (const [k, v] of req.headers) head += k.length + v.length + 4;
    this.headBytes = head;
  }

  /** Set when the engine time budget ran out (see the module comment); undefined normally. */
  get budgetExceeded(): BudgetExceeded | undefined {
    return this.exhausted;
  }

  /** The budget for what has been received so far, ms (Infinity without a budget). */
  private budgetMs(): number {
    const b = this.ruleSet.timeBudget;
    if (b === undefined) return Number.POSITIVE_INFINITY;
    const kb = (this.headBytes + this.reqStored + this.resStored) / 1024;
    return b.baseMs + b.perKbMs * kb;
  }

  get intervention(): Intervention | undefined {
    return this.interruption;
  }

  get detectedIntervention(): Intervention | undefined {
    return this.detected;
  }

  /** Rules whose evaluation threw (a bug in an operator or transformation); empty normally. */
  get errors(): ReadonlyArray<{ readonly ruleId: number; readonly error: unknown }> {
    return this.failures ?? [];
  }

  get matchedRules(): readonly MatchedRule[] {
    return this.matched;
  }

  /**
   * CRS 4 sums per-paranoia-level scores into TX:blocking_inbound_anomaly_score in phase 2 (949)
   * and the outbound one in phase 4 (959); before those rules ran, the per-level sums are read.
   */
  get anomalyScores(): AnomalyScores {
    const read = (dir: "inbound" | "outbound"): number => {
      const blocking = this.data.tx.first(`blocking_${dir}_anomaly_score`)?.value;
      if (blocking !== undefined) return Number.parseInt(blocking, 10) || 0;
      let n = 0;
      for (let pl = 1; pl <= 4; pl++)
        n += Number.parseInt(this.data.tx.first(`${dir}_anomaly_score_pl${pl}`)?.value ?? "0", 10) || 0;
      return n + (Number.parseInt(this.data.tx.first(`${dir}_anomaly_score`)?.value ?? "0", 10) || 0);
    };
    return { inbound: read("inbound"), outbound: read("outbound") };
  }

  // --- phases ----------------------------------------------------------------------------------

  processRequestHeaders(): Intervention | undefined {
    this.runUpTo(1);
    return this.interruption;
  }

  appendRequestBody(chunk: ByteString): Intervention | undefined {
    this.reqLength += chunk.length;
    const cap = this.ruleSet.settings.requestBodyLimit + 1;
    if (this.reqStored < cap) {
      const take = chunk.length <= cap - this.reqStored ? chunk : chunk.slice(0, cap - this.reqStored);
      this.reqChunks.push(take);
      this.reqStored += take.length;
    }
    return this.interruption;
  }

  processRequestBody(): Intervention | undefined {
    this.runUpTo(1);
    if (this.lastPhase >= 2) return this.interruption;
    if (this.interruption === undefined && this.mode !== "Off" && this.requestBodyAccess) {
      const clock = this.ruleSet.clock;
      const t0 = clock();
      this.readRequestBody();
      this.spentMs += clock() - t0;
    }
    this.runUpTo(2);
    this.data.dropRequestCaches();
    return this.interruption;
  }

  processResponseHeaders(
    status: number,
    protocol: ByteString,
    headers: ReadonlyArray<readonly [ByteString, ByteString]>,
  ): Intervention | undefined {
    this.runUpTo(2);
    if (this.lastPhase >= 3) return this.interruption;
    this.data.setResponse(status, protocol, headers);
    this.runUpTo(3);
    return this.interruption;
  }

  appendResponseBody(chunk: ByteString): Intervention | undefined {
    this.resLength += chunk.length;
    const cap = this.ruleSet.settings.responseBodyLimit + 1;
    if (this.resStored < cap) {
      const take = chunk.length <= cap - this.resStored ? chunk : chunk.slice(0, cap - this.resStored);
      this.resChunks.push(take);
      this.resStored += take.length;
    }
    return this.interruption;
  }

  processResponseBody(): Intervention | undefined {
    if (this.lastPhase < 3) this.processResponseHeaders(200, "HTTP/1.1", []);
    if (this.lastPhase >= 4) return this.interruption;
    if (this.interruption === undefined && this.mode !== "Off" && this.responseBodyInspected())
      this.readResponseBody();
    this.runUpTo(4);
    return this.interruption;
  }

  /** Phase 5. Phases never reached (no response: upstream failed) are not run, as in Coraza. */
  processLogging(): void {
    if (this.lastPhase >= 5) return;
    this.lastPhase = 4;
    this.runUpTo(5);
  }

  /** Runs every phase after the last one run, up to `phase`. */
  private runUpTo(phase: Phase): void {
    while (this.lastPhase < phase) {
      const p = (this.lastPhase + 1) as Phase;
      this.lastPhase = p;
      if (p === 3 && this.data.responseStatus === undefined) this.data.setResponse(200, "HTTP/1.1", []);
      this.runPhase(p);
    }
  }

  private responseBodyInspected(): boolean {
    const s = this.ruleSet.settings;
    if (!s.responseBodyAccess) return false;
    const ct = this.data.responseHeaders?.first("content-type")?.value ?? "";
    const mime = ct.split(";")[0]!.trim().toLowerCase();
    return s.responseBodyMimeTypes.includes(mime);
  }

  private readRequestBody(): void {
    const s = this.ruleSet.settings;
    let body = this.reqChunks.length === 1 ? this.reqChunks[0]! : this.reqChunks.join("");
    this.reqChunks = [body];
    const ct = this.data.requestHeaders.first("content-type")?.value ?? "";
    const processor = this.data.requestBodyProcessor || undefined;
    // SecRequestBodyNoFilesLimit applies to bodies that are not multipart (v3 manual).
    const limit =
      processor === "MULTIPART"
        ? s.requestBodyLimit
        : Math.min(s.requestBodyLimit, s.requestBodyNoFilesLimit);
    if (this.reqLength > limit) {
      if (s.requestBodyLimitAction === "Reject") {
        if (this.intervene({ status: 413, action: "deny", ruleId: 0 })) return;
      }
      body = body.slice(0, limit);
    }
    // REQUEST_BODY as ModSecurity v2 and Coraza fill it: for URLENCODED bodies, or when a rule
    // forced it (CRS 901340 does for bodies no processor takes). v3 fills it always, which makes
    // CRS's 944120/944210 tests fail on XML bodies whose element names are not attacks. JSON keeps
    // v3's behaviour, as its argument names do (bodies/json.ts): v3 names array elements
    // `key.array_0`, so a key holding an array shows in no ARGS_NAMES, and only REQUEST_BODY lets
    // CRS see it (934210: `{"roles__contained_by": [...]}`).
    if (processor === "URLENCODED" || processor === "JSON" || this.forceRequestBodyVariable) {
      this.data.requestBody = body;
    }
    this.data.requestBodyLength = body.length;
    if (processor === undefined) return;
    const limits: BodyLimits = { maxArgs: s.argumentsLimit, maxDepth: s.jsonDepthLimit };
    const bp = this.ruleSet.deps.bodyProcessor(processor);
    let result: BodyParseResult;
    if (bp !== undefined) result = bp(body, ct, limits);
    else if (processor === "URLENCODED") result = urlencodedFallback(body, s.argumentSeparator);
    else result = { args: [], files: [], error: `no body processor for ${processor}`, variables: new Map() };
    this.data.setBodyResult(processor, result);
  }

  private readResponseBody(): void {
    const s = this.ruleSet.settings;
    let body = this.resChunks.join("");
    this.resChunks = [];
    if (this.resLength > s.responseBodyLimit) {
      if (s.responseBodyLimitAction === "Reject") {
        if (this.intervene({ status: 500, action: "deny", ruleId: 0 })) return;
      }
      body = body.slice(0, s.responseBodyLimit);
    }
    this.data.responseBody = body;
    this.dropPhaseCaches();
  }

  /** Sets the intervention when the engine is On; records it in DetectionOnly. True if it took effect. */
  private intervene(it: Intervention): boolean {
    if (this.mode === "On") {
      this.interruption ??= it;
      return true;
    }
    this.detected ??= it;
    return false;
  }

  private runPhase(phase: Phase): void {
    if (this.mode === "Off") return;
    if (this.interruption !== undefined && phase !== 5) return;
    if (this.allow === "all" && phase !== 5) return;
    if (this.allow === "request" && phase <= 2) {
      if (phase === 2) this.allow = undefined;
      return;
    }
    if (this.exhausted !== undefined && phase !== 5) return;
    this.dropPhaseCaches();
    // Request data is capped for patterns without a linear fallback; response data is not (rx.ts).
    const cap = phase <= 2 ? NONLINEAR_INPUT_CAP : Number.POSITIVE_INFINITY;
    this.ctxCapture.nonlinearInputCap = cap;
    this.ctxPlain.nonlinearInputCap = cap;
    const steps = this.ruleSet.phases[phase];
    const clock = this.ruleSet.clock;
    const started = clock();
    try {
      this.runSteps(phase, steps, clock, started);
    } finally {
      this.spentMs += clock() - started;
    }
    if (this.allow === "phase" || (this.allow === "request" && phase === 2)) this.allow = undefined;
  }

  private runSteps(
    phase: Phase,
    steps: readonly (Rule | string)[],
    clock: () => number,
    started: number,
  ): void {
    let skip = 0;
    let sinceCheck = 0;
    const budgeted = this.ruleSet.timeBudget !== undefined;
    /** CPU time when wall time first said this phase's budget was spent (see the module comment). */
    let cpuMark: number | undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      if (typeof step === "string") continue;
      if (this.isRemoved(step)) continue;
      if (skip > 0) {
        skip--;
        continue;
      }
      if (
        budgeted &&
        phase !== 5 &&
        (++sinceCheck === BUDGET_CHECK_EVERY || this.workBytes >= BUDGET_CHECK_BYTES)
      ) {
        sinceCheck = 0;
        this.workBytes = 0;
        // Wall time first (cheap). Past the budget, CPU time decides: the engine must then spend
        // another BUDGET_CONFIRM_SHARE of the budget on the CPU, so that a process that was only
        // waiting for a core on a loaded machine does not refuse a benign request.
        const budget = this.budgetMs();
        const spent = this.spentMs + clock() - started;
        if (spent > budget) {
          if (cpuMark === undefined) cpuMark = this.ruleSet.cpuClock();
          else if (this.ruleSet.cpuClock() - cpuMark > budget * BUDGET_CONFIRM_SHARE) {
            this.exceedBudget(phase, step, spent);
            return;
          }
        }
      }
      let matched: boolean;
      const profile = this.ruleSet.profile;
      try {
        if (profile === undefined) matched = this.evaluate(step);
        else {
          const t0 = performance.now();
          try {
            matched = this.evaluate(step);
          } finally {
            profile.record(step, performance.now() - t0);
          }
          if (matched) profile.matched(step);
        }
      } catch (err) {
        // An operator or transformation bug must not take the gateway down with one request:
        // the rule counts as not matched and the error is kept for the audit log.
        (this.failures ??= []).push({ ruleId: step.id, error: err });
        continue;
      }
      if (!matched) continue;
      if ((this.mode as EngineMode) === "Off") return;
      if (step.skipAfter !== undefined) i = step.skipAfterIndex;
      else if (step.skip > 0) skip = step.skip;
      if (this.interruption !== undefined && phase !== 5) return;
      if (this.allow !== undefined) break;
    }
  }

  /** Stops phases 1-4 for good, blocks (or records, in DetectionOnly), and logs it as rule 0. */
  private exceedBudget(phase: Phase, next: Rule, spentMs: number): void {
    const budgetMs = this.budgetMs();
    const afterRuleId = this.lastRuleId;
    this.exhausted = { phase, afterRuleId, spentMs, budgetMs };
    const msg = `Engine time budget exceeded: ${spentMs.toFixed(1)} ms of ${budgetMs.toFixed(1)} ms in phase ${phase} after rule ${afterRuleId}; rules from ${next.id} on were not run`;
    (this.failures ??= []).push({ ruleId: afterRuleId, error: new WafError("WAF_TIME_BUDGET", msg) });
    const enforced = this.intervene({ status: 503, action: "deny", ruleId: 0 });
    this.matched.push({
      id: 0,
      phase,
      file: "",
      line: 0,
      msg,
      logdata: "",
      severity: 2,
      tags: ["rampart/time-budget"],
      ver: "",
      rev: "",
      maturity: 0,
      accuracy: 0,
      matches: [],
      disruptive: "deny",
      enforced,
      status: 503,
      auditlog: true,
    });
  }

  /** Drops what is cached about values that change when a phase starts (isPhaseStable). */
  private dropPhaseCaches(): void {
    this.data.scalarCache = [];
    if (this.targetValues.length !== 0) this.targetValues = [];
  }

  /** A pattern saw part of a value: flag it once per transaction, as ModSecurity v2 does. */
  private notePartialMatch(detail: string): void {
    const rule = this.currentRule;
    const ruleId = rule?.head.id ?? 0;
    (this.failures ??= []).push({
      ruleId,
      error: new WafError("WAF_MATCH_LIMIT", `rule ${ruleId}: ${detail}`),
    });
    if (this.partialNoted) return;
    this.partialNoted = true;
    this.data.tx.set("MSC_PCRE_LIMITS_EXCEEDED", "1");
  }

  private isRemoved(rule: Rule): boolean {
    if (this.removedRanges !== undefined && inRanges(rule.id, this.removedRanges)) return true;
    if (this.removedTags !== undefined) for (const t of this.removedTags) if (rule.tagSet.has(t)) return true;
    return false;
  }

  // --- rule evaluation -------------------------------------------------------------------------

  /** Evaluates a chain starter and its links; runs actions; true when the whole chain matched. */
  private evaluate(head: Rule): boolean {
    this.lastRuleId = head.id;
    this.data.matchedVars.clear();
    this.data.matchedVarsNames.clear();
    this.currentRule = head;
    if (this.pendingMatches.length !== 0) this.pendingMatches = [];
    if (!this.evaluateLink(head, head, 0)) return false;
    let level = 0;
    for (let link = head.chain; link !== undefined; link = link.chain) {
      if (!this.evaluateLink(link, head, ++level)) return false;
    }
    this.afterMatch(head);
    return true;
  }

  private evaluateLink(rule: Rule, head: Rule, level: number): boolean {
    const op = rule.operator;
    if (op === undefined) {
      // SecAction: matches once, with no variable.
      for (const a of rule.actions) a.run(this, rule);
      return true;
    }
    let matched = false;
    const ctx = rule.capture ? this.ctxCapture : this.ctxPlain;
    const out = this.scratch;
    const removals = this.removalsFor(head);
    for (const t of rule.targets) {
      // A phase-stable target's values are selected once per phase (Target.cacheSlot), unless
      // ctl removals apply to this rule.
      let values: readonly VarEntry[] = out;
      let n: number;
      if (t.cacheSlot >= 0 && removals === undefined) {
        values = this.targetValues[t.cacheSlot] ?? this.selectStable(t);
        n = values.length;
      } else n = this.collect(t, removals, out);
      if (t.count) {
        const e = entry(t.name, t.selector.key ?? "", String(n));
        if (this.test(rule, op, ctx, e, e.value, level)) matched = true;
        continue;
      }
      // `values` is a snapshot: actions that write TX or MATCHED_VARS while we iterate do not
      // disturb it, and nothing refills the scratch array before the next target.
      for (let k = 0; k < n; k++) {
        const e = values[k]!;
        if (rule.multiMatch) {
          for (const v of this.multiMatchValues(rule, e, t.def))
            if (this.test(rule, op, ctx, e, v, level)) matched = true;
        } else if (this.test(rule, op, ctx, e, this.transformed(rule, e, t.def), level)) {
          matched = true;
        }
      }
    }
    return matched;
  }

  private test(
    rule: Rule,
    op: NonNullable<Rule["operator"]>,
    ctx: OperatorContext,
    e: VarEntry,
    value: ByteString,
    level: number,
  ): boolean {
    if (ctx.captures !== undefined && ctx.captures.length !== 0) ctx.captures.length = 0;
    this.workBytes += value.length;
    const hit = op.evaluate(value, ctx) !== rule.negated;
    if (!hit) return false;
    if (ctx.captures !== undefined && ctx.captures.length > 0) {
      const n = Math.min(ctx.captures.length, 10);
      for (let i = 0; i < n; i++) this.data.tx.set(String(i), ctx.captures[i] ?? "");
    }
    this.data.recordMatch(e, value);
    this.pendingMatches.push({
      variable: e.name,
      value,
      chainLevel: level,
      operator: rule.operatorName,
      operatorParam: rule.operatorParam,
    });
    // v3 and Coraza run non-disruptive actions (setvar, ctl, ...) for every matched value.
    for (const a of rule.actions) a.run(this, rule);
    return true;
  }

  /** Selects a phase-stable target's values and keeps them for the phase (Target.cacheSlot). */
  private selectStable(t: Target): readonly VarEntry[] {
    const n = this.collect(t, undefined, this.scratch);
    const values = n === 0 ? NO_VALUES : this.scratch.slice(0, n);
    this.targetValues[t.cacheSlot] = values;
    return values;
  }

  /**
   * Values a target selects (key selector, rule exclusions, ctl target removals), written to
   * `out` from index 0; returns how many. The array is never shrunk: setting `length` on every
   * target showed in profiles.
   */
  private collect(t: Target, ruleRemovals: readonly TargetRemoval[] | undefined, out: VarEntry[]): number {
    const def = t.def;
    const removals = ruleRemovals === undefined ? undefined : selectorsFor(ruleRemovals, t.name);
    if (def.scalar !== undefined) {
      // A scalar has no key: only a whole-variable removal applies (CRS 941010 removes
      // REQUEST_FILENAME from the xss-perf-disable rules this way).
      if (removals !== undefined && excluded(removals, "")) return 0;
      if (t.exclusions.length > 0 && excluded(t.exclusions, "")) return 0;
      const e = this.scalarEntry(def, t.slot);
      if (e === undefined) return 0;
      out[0] = e;
      return 1;
    }
    if (def.collections === undefined) return 0;
    let n = 0;
    for (const col of def.collections(this.data)) {
      const sel = t.selector;
      const entries = sel.key !== undefined ? col.get(sel.key) : col.entries;
      for (const e of entries) {
        if (sel.regex !== undefined && !sel.regex.test(e.key)) continue;
        if (t.exclusions.length > 0 && excluded(t.exclusions, e.key)) continue;
        if (removals !== undefined && excluded(removals, e.key)) continue;
        out[n++] = e;
      }
    }
    return n;
  }

  private scalarEntry(def: VariableDefinition, slot: number): VarEntry | undefined {
    if (def.volatile || slot < 0) {
      const v = def.scalar!(this.data);
      return v === undefined ? undefined : entry(def.name, "", v);
    }
    const cache = this.data.scalarCache;
    let e = cache[slot];
    if (e === undefined) {
      const v = def.scalar!(this.data);
      if (v === undefined) return undefined;
      e = entry(def.name, "", v);
      cache[slot] = e;
    }
    return e;
  }

  private removalsFor(head: Rule): readonly TargetRemoval[] | undefined {
    return this.removedTargets?.[head.seq];
  }

  private addTargetRemovals(rules: Iterable<Rule>, targets: readonly TargetRemoval[]): void {
    const by = (this.removedTargets ??= []);
    for (const r of rules) {
      const list = by[r.seq];
      if (list === undefined) by[r.seq] = [...targets];
      else list.push(...targets);
    }
  }

  /**
   * The value after the rule's transformations, cached per entry by transformation-chain prefix
   * (Coraza's transformationPrefixIDs): rules sharing `t:urlDecodeUni` reuse its result and only
   * apply what follows.
   */
  private transformed(rule: Rule, e: VarEntry, def: VariableDefinition): ByteString {
    const fns = rule.transforms;
    const n = fns.length;
    if (n === 0) return e.value;
    if (def.volatile) {
      let v = e.value;
      for (const f of fns) v = f(v);
      return v;
    }
    const ids = rule.transformPrefixIds;
    let cache = e.cache;
    if (cache === undefined) cache = e.cache = [];
    else {
      const full = cache[ids[n - 1]!];
      if (full !== undefined) return full;
    }
    let start = 0;
    let v = e.value;
    for (let i = n - 2; i >= 0; i--) {
      const hit = cache[ids[i]!];
      if (hit !== undefined) {
        v = hit;
        start = i + 1;
        break;
      }
    }
    for (let i = start; i < n; i++) {
      v = fns[i]!(v);
      cache[ids[i]!] = v;
    }
    return v;
  }

  /**
   * multiMatch: the original value and every transformation result that differs from the
   * previous, each taken from the entry's prefix cache (see `transformed`) when the variable is
   * not volatile. A fresh array: actions run while the caller iterates it.
   */
  private multiMatchValues(rule: Rule, e: VarEntry, def: VariableDefinition): ByteString[] {
    const fns = rule.transforms;
    const out = [e.value];
    let v = e.value;
    if (def.volatile) {
      for (const f of fns) {
        const next = f(v);
        if (next !== v) out.push(next);
        v = next;
      }
      return out;
    }
    const ids = rule.transformPrefixIds;
    const cache = (e.cache ??= []);
    for (let i = 0; i < fns.length; i++) {
      let next = cache[ids[i]!];
      if (next === undefined) cache[ids[i]!] = next = fns[i]!(v);
      if (next !== v) out.push(next);
      v = next;
    }
    return out;
  }

  /** After the whole chain matched: severity, msg/logdata, flow and disruptive actions, the log record. */
  private afterMatch(head: Rule): void {
    if (head.severity !== undefined && head.severity < this.data.highestSeverity)
      this.data.highestSeverity = head.severity;
    const d = head.disruptive ?? { kind: "pass" as const };
    let enforced = false;
    let status: number | undefined;
    switch (d.kind) {
      case "deny":
      case "drop":
        status = head.status ?? 403;
        enforced = this.intervene({ status, action: d.kind, ruleId: head.id });
        break;
      case "redirect": {
        status =
          head.status !== undefined && [301, 302, 303, 307, 308].includes(head.status) ? head.status : 302;
        enforced = this.intervene({ status, action: "redirect", ruleId: head.id, url: d.url.expand(this) });
        break;
      }
      case "allow":
        if (this.mode === "On") {
          this.allow = d.scope;
          enforced = true;
        }
        break;
      case "pass":
        break;
    }
    if (head.log === false) return;
    this.matched.push({
      id: head.id,
      phase: head.phase,
      file: head.loc.file,
      line: head.loc.line,
      msg: head.msg?.expand(this) ?? "",
      logdata: head.logdata?.expand(this) ?? "",
      severity: head.severity,
      tags: head.tags,
      ver: head.ver,
      rev: head.rev,
      maturity: head.maturity,
      accuracy: head.accuracy,
      matches: this.pendingMatches,
      disruptive: d.kind,
      enforced,
      status,
      auditlog: head.auditlog !== false,
    });
    this.pendingMatches = []; // the record keeps the array
  }

  // --- ActionTransaction -----------------------------------------------------------------------

  applyCtl(op: CtlOp, _rule: Rule): void {
    switch (op.op) {
      case "ruleEngine":
        this.mode = op.mode;
        return;
      case "ruleRemoveById":
        (this.removedRanges ??= []).push(...op.ranges);
        return;
      case "ruleRemoveByTag":
        (this.removedTags ??= new Set()).add(op.tag);
        return;
      case "ruleRemoveTargetById": {
        const rules: Rule[] = [];
        for (const [from, to] of op.ranges) {
          if (from === to) {
            const r = this.ruleSet.rulesById.get(from);
            if (r !== undefined) rules.push(r);
          } else
            for (const r of this.ruleSet.rulesById.values()) if (r.id >= from && r.id <= to) rules.push(r);
        }
        this.addTargetRemovals(rules, op.targets);
        return;
      }
      case "ruleRemoveTargetByTag":
        this.addTargetRemovals(this.ruleSet.rulesByTag.get(op.tag) ?? [], op.targets);
        return;
      case "requestBodyProcessor":
        this.data.bodyProcessor = op.processor;
        this.dropPhaseCaches();
        return;
      case "requestBodyAccess":
        this.requestBodyAccess = op.on;
        return;
      case "forceRequestBodyVariable":
        this.forceRequestBodyVariable = op.on;
        return;
      case "auditEngine":
        this.auditEngine = op.value;
        return;
      case "auditLogParts":
        this.auditLogParts = op.value;
        return;
    }
  }

  /** Macro values: %{TX.x}, %{MATCHED_VAR}, %{REQUEST_HEADERS.Host}, %{RULE.id}. */
  resolve(collection: string, key: string | undefined): ByteString | undefined {
    if (collection === "TX")
      return key === undefined ? undefined : this.data.tx.first(key.toLowerCase())?.value;
    if (collection === "RULE") return this.ruleField(key?.toLowerCase());
    const def = getVariable(collection);
    if (def === undefined) return undefined;
    if (def.scalar !== undefined) return def.scalar(this.data);
    const cols = def.collections?.(this.data) ?? [];
    const k = key?.toLowerCase();
    for (const c of cols) {
      const e = k === undefined ? c.entries[0] : c.first(k);
      if (e !== undefined) return e.value;
    }
    return undefined;
  }

  private ruleField(key: string | undefined): ByteString | undefined {
    const r = this.currentRule;
    if (r === undefined) return undefined;
    switch (key) {
      case "id":
        return String(r.id);
      case "msg":
        return r.msg?.source;
      case "logdata":
        return r.logdata?.source;
      case "severity":
        return r.severity === undefined ? undefined : String(r.severity);
      case "rev":
        return r.rev;
      case "ver":
        return r.ver;
      case "phase":
        return String(r.phase);
      case "maturity":
        return String(r.maturity);
      case "accuracy":
        return String(r.accuracy);
      default:
        return undefined;
    }
  }
}

const NO_VALUES: readonly VarEntry[] = Object.freeze([]);

function selectorsFor(removals: readonly TargetRemoval[], variable: string): KeySelector[] | undefined {
  let out: KeySelector[] | undefined;
  for (const r of removals) if (r.variable === variable) (out ??= []).push(r.selector);
  return out;
}

function excluded(list: readonly KeySelector[], key: string): boolean {
  for (const x of list) {
    if (x.regex !== undefined) {
      if (x.regex.test(key)) return true;
    } else if (x.key === undefined || x.key === key.toLowerCase()) {
      return true;
    }
  }
  return false;
}

function urlencodedFallback(body: ByteString, sep: string): BodyParseResult {
  return { args: parseQuery(body, sep), files: [], error: undefined, variables: new Map() };
}
