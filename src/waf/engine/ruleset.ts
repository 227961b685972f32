/**
 * A compiled rule set: settings and, per phase, the steps to run (rules and SecMarkers) in load
 * order. Immutable after compilation and shared by every transaction.
 */
import { Collection } from "../variables/index.js";
import type { CompileDeps } from "./compile.js";
import type { RuleProfile } from "./profile.js";
import type { Phase, Rule } from "./rule.js";
import type { EngineSettings, TimeBudget } from "./settings.js";
import { type NewTransaction, Transaction } from "./transaction.js";

/** A rule (chain starter) or the name of a SecMarker. */
export type Step = Rule | string;

export class RuleSet {
  readonly settings: Readonly<EngineSettings>;
  readonly phases: Readonly<Record<Phase, readonly Step[]>>;
  /** @internal registries and clock, for transactions. */
  readonly deps: CompileDeps;
  /** ENV, built once: transactions copy on write only through setenv. */
  readonly envEntries: ReadonlyArray<readonly [string, string]>;
  readonly now: () => number;
  /** Monotonic milliseconds, for the per-transaction time budget. */
  readonly clock: () => number;
  /** CPU milliseconds of the process, read when the wall clock says a budget may be spent. */
  readonly cpuClock: () => number;
  /** Per-transaction engine time budget (CompileDeps.timeBudget); undefined: unbounded. */
  readonly timeBudget: TimeBudget | undefined;
  /** Chain starters by tag and by id, for ctl:ruleRemove* at request time. */
  readonly rulesByTag = new Map<string, Rule[]>();
  readonly rulesById = new Map<number, Rule>();
  /** The constant @rx patterns, compiled (profile.ts, warmUp, has V8 generate their code early). */
  readonly patterns: RegExp[] = [];
  /** Number of target cache slots (Target.cacheSlot). */
  targetCacheSlots = 0;
  /** Set by enableProfile (profile.ts): transactions then time every rule. */
  profile: RuleProfile | undefined = undefined;

  constructor(settings: EngineSettings, phases: Record<Phase, Step[]>, deps: CompileDeps) {
    this.settings = settings;
    this.phases = phases;
    this.deps = deps;
    this.envEntries = Object.entries(deps.env ?? {});
    this.now = deps.now ?? Date.now;
    this.clock = deps.clock ?? (() => performance.now());
    this.timeBudget = deps.timeBudget;
    this.cpuClock = deps.cpuClock ?? processCpuMs;
    for (const r of this.rules()) {
      this.rulesById.set(r.id, r);
      for (const t of r.tagSet) {
        const list = this.rulesByTag.get(t);
        if (list === undefined) this.rulesByTag.set(t, [r]);
        else list.push(r);
      }
    }
  }

  /** Number of rules (chain starters) per phase. */
  get ruleCount(): number {
    let n = 0;
    for (const p of [1, 2, 3, 4, 5] as const) for (const s of this.phases[p]) if (typeof s !== "string") n++;
    return n;
  }

  /** Every rule (chain starter), in phase then load order. */
  *rules(): Iterable<Rule> {
    for (const p of [1, 2, 3, 4, 5] as const)
      for (const s of this.phases[p]) if (typeof s !== "string") yield s;
  }

  newTransaction(req: NewTransaction): Transaction {
    const env = new Collection("ENV");
    for (const [k, v] of this.envEntries) env.add(k, v);
    return new Transaction(this, req, env);
  }
}

function processCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
