/**
 * Compiles SecLang statements into a RuleSet: rules resolved against the registries, chains
 * linked, default actions merged, removals and updates applied, rules grouped per phase with
 * skipAfter targets resolved to indexes. Statements are processed in order, as ModSecurity loads a
 * configuration: a directive acts on the rules before it (SecRuleRemoveById, SecRuleUpdate*) or on
 * the rules after it (SecDefaultAction).
 */
import { getAction, inRanges, parseIdRanges } from "../actions/index.js";
import type { ActionContext } from "../actions/types.js";
import { WafError } from "../errors.js";
import { compileMacro } from "../macro.js";
import type { RxOperator } from "../operators/rx.js";
import { RxFactorIndex } from "../operators/rx-index.js";
import { withPrefilter } from "../operators/rx-prefilter.js";
import type {
  ActionNode,
  BodyProcessor,
  Operator,
  OperatorFactory,
  RuleNode,
  SourceLocation,
  Statement,
  Transform,
  VariableRef,
} from "../types.js";
import {
  getVariable,
  isPhaseStable,
  type VariableDefinition,
  variableSlot,
  xmlAttributesVariable,
} from "../variables/index.js";
import { applyDirective } from "./directives.js";
import { type KeySelector, type Phase, Rule, type Target } from "./rule.js";
import { RuleSet, type Step } from "./ruleset.js";
import {
  BUILTIN_DEFAULT,
  type DefaultActions,
  defaultSettings,
  type EngineSettings,
  type TimeBudget,
} from "./settings.js";

/** The registries and I/O the compiler needs, passed in so the core stays pure and testable. */
export interface CompileDeps {
  operator(name: string): OperatorFactory | undefined;
  transform(name: string): Transform | undefined;
  bodyProcessor(name: string): BodyProcessor | undefined;
  /** Reads a data file (@pmFromFile) relative to the rule file `fromFile`. */
  readDataFile(path: string, fromFile: string): string;
  /** Parses a variable list (`ARGS|!ARGS:foo`) for SecRuleUpdateTarget* and ctl:ruleRemoveTarget*. */
  parseVariables(text: string, loc: SourceLocation): VariableRef[];
  /** Parses an action list (`phase:2,deny,status:403`) for SecDefaultAction and SecRuleUpdateActionById. */
  parseActions(text: string, loc: SourceLocation): ActionNode[];
  /** Clock in milliseconds since the epoch (DURATION, TIME*); defaults to Date.now. */
  now?: () => number;
  /** Monotonic clock in milliseconds for the engine time budget; defaults to performance.now. */
  clock?: () => number;
  /** CPU time of the process in milliseconds (the budget's confirmation); defaults to process.cpuUsage. */
  cpuClock?: () => number;
  /** Per-transaction engine time budget; none (unbounded) when absent. */
  timeBudget?: TimeBudget;
  /** What ENV shows; the engine reads no process state itself. */
  env?: Readonly<Record<string, string>>;
}

type Item = Rule | { readonly marker: string; readonly loc: SourceLocation };

const ALWAYS: Operator = { evaluate: () => true };
const NEVER: Operator = { evaluate: () => false };

/** Operators the engine answers itself when the registry lacks them: they need no code. */
const BUILTIN_OPERATORS: Record<string, Operator> = { unconditionalmatch: ALWAYS, nomatch: NEVER };

export class Compiler {
  readonly settings: EngineSettings = defaultSettings();
  readonly deps: CompileDeps;
  private readonly items: Item[] = [];
  private readonly byId = new Map<number, Rule>();
  /** Last link of an open chain, waiting for its next rule. */
  private openChain: Rule | undefined;
  private readonly transformIds = new Map<string, number>();
  /** Factor sets of the set's @rx patterns, scanned once per value (rx-index.ts). */
  private readonly rxIndex = new RxFactorIndex();
  /** The set's constant @rx patterns, for warmUp. */
  private readonly patterns: RegExp[] = [];
  private ruleSeq = 0;
  private readonly actionCtx: (loc: SourceLocation) => ActionContext;

  constructor(deps: CompileDeps) {
    this.deps = deps;
    this.actionCtx = (loc) => ({
      loc,
      transform: (name) => deps.transform(name),
      parseVariables: (text, l) => deps.parseVariables(text, l),
      selector: (ref) => this.selector(ref, loc),
    });
  }

  compile(statements: readonly Statement[]): RuleSet {
    let lastFile: string | undefined;
    for (const s of statements) {
      const loc = s.type === "rule" ? s.rule.loc : s.directive.loc;
      if (this.openChain !== undefined && (loc.file !== lastFile || s.type === "directive"))
        this.chainNotClosed();
      lastFile = loc.file;
      if (s.type === "rule") this.addRule(s.rule);
      else applyDirective(this, s.directive);
    }
    if (this.openChain !== undefined) this.chainNotClosed();
    return this.finish();
  }

  private chainNotClosed(): never {
    const r = this.openChain!;
    throw new WafError(
      "WAF_RULE",
      "rule has the chain action but no rule follows it in the same file",
      r.loc,
    );
  }

  // --- rules ---------------------------------------------------------------------------------

  private addRule(node: RuleNode): void {
    const rule = new Rule(node.loc, this.ruleSeq++);
    const parent = this.openChain;
    if (parent !== undefined) {
      rule.parent = parent.head;
      parent.chain = rule;
    }
    this.applyActions(rule, node.actions, parent !== undefined);
    if (parent === undefined && rule.id === 0) {
      throw new WafError(
        "WAF_RULE",
        `${node.directive} has no id action (every rule needs a unique id)`,
        node.loc,
      );
    }
    if (parent !== undefined) rule.phase = rule.head.phase;
    this.compileOperator(rule, node);
    this.compileTargets(rule, node.variables, node.loc);
    this.mergeDefaults(rule);
    this.openChain = rule.hasChainAction ? rule : undefined;
    if (parent === undefined) {
      if (this.byId.has(rule.id)) {
        const other = this.byId.get(rule.id)!;
        throw new WafError(
          "WAF_RULE",
          `duplicate rule id ${rule.id} (first at ${other.loc.file}:${other.loc.line})`,
          node.loc,
        );
      }
      this.byId.set(rule.id, rule);
      this.items.push(rule);
    }
  }

  /** Applies actions through the registry; a link (not the chain starter) takes only some. */
  applyActions(rule: Rule, actions: readonly ActionNode[], isLink: boolean): void {
    const ctx = this.actionCtx(rule.loc);
    for (const a of actions) {
      const def = getAction(a.name);
      if (def === undefined) throw new WafError("WAF_UNKNOWN_ACTION", `unknown action "${a.name}"`, rule.loc);
      if (isLink && !def.allowedInChain) {
        throw new WafError(
          "WAF_RULE",
          `action "${a.name}" is only allowed on the first rule of a chain`,
          rule.loc,
        );
      }
      def.apply(rule, a, ctx);
      rule.actionNames.push(def.name);
    }
  }

  private compileOperator(rule: Rule, node: RuleNode): void {
    const op = node.operator;
    rule.operatorName = op.name;
    rule.operatorParam = op.param;
    rule.negated = op.negated;
    if (node.directive === "SecAction") return;
    const factory = this.deps.operator(op.name);
    if (factory === undefined) {
      const builtin = BUILTIN_OPERATORS[op.name.toLowerCase()];
      if (builtin === undefined)
        throw new WafError("WAF_UNKNOWN_OPERATOR", `unknown operator "@${op.name}"`, node.loc);
      rule.operator = builtin;
      return;
    }
    const compiled = factory({
      param: compileMacro(op.param),
      readDataFile: (path) => this.deps.readDataFile(path, node.loc.file),
      loc: node.loc,
    });
    // What every match needs (a factor of the pattern, or a literal) is looked for before the
    // pattern runs, for all patterns of the set in one pass per value (rx-prefilter.ts).
    const rx = op.name.toLowerCase() === "rx" ? (compiled as RxOperator) : undefined;
    if (rx?.regex !== undefined) this.patterns.push(rx.regex.fast);
    rule.operator = rx === undefined ? compiled : withPrefilter(rx, op.param, this.rxIndex);
  }

  /** Resolves a key selector: plain keys lower-cased (lookups are case-insensitive), regexes compiled. */
  selector(ref: VariableRef, loc: SourceLocation): KeySelector {
    if (ref.keyRegex !== undefined) {
      try {
        return { key: undefined, regex: new RegExp(ref.keyRegex, "i") };
      } catch (err) {
        throw new WafError(
          "WAF_RULE",
          `invalid regular expression in ${ref.collection}:/${ref.keyRegex}/`,
          loc,
          { cause: err },
        );
      }
    }
    // XML takes an XPath: element texts or, with `@`, attribute values (see variables/body.ts).
    if (ref.key === undefined || ref.collection.toUpperCase() === "XML")
      return { key: undefined, regex: undefined };
    return { key: ref.key.toLowerCase(), regex: undefined };
  }

  compileTargets(rule: Rule, refs: readonly VariableRef[], loc: SourceLocation): void {
    for (const ref of refs) {
      if (ref.exclude) continue;
      let def = getVariable(ref.collection);
      if (def === undefined)
        throw new WafError("WAF_UNKNOWN_VARIABLE", `unknown variable "${ref.collection}"`, loc);
      if (def.name === "XML" && ref.key?.includes("@")) def = xmlAttributesVariable;
      const t: Target = {
        def,
        slot: variableSlot(def),
        name: def.name,
        selector: this.selector(ref, loc),
        count: ref.count,
        exclusions: [],
        cacheSlot: -1,
      };
      rule.targets.push(t);
    }
    for (const ref of refs) {
      if (!ref.exclude) continue;
      const def = getVariable(ref.collection);
      if (def === undefined)
        throw new WafError("WAF_UNKNOWN_VARIABLE", `unknown variable "${ref.collection}"`, loc);
      const sel = this.selector(ref, loc);
      // An exclusion of a variable the rule does not target has nothing to remove (Coraza: no-op).
      for (const t of rule.targets) if (t.name === def.name) t.exclusions.push(sel);
    }
  }

  /** SecDefaultAction of the rule's phase: transforms (unless t:none), disruptive action, status, log flags. */
  mergeDefaults(rule: Rule): void {
    const d = this.settings.defaultActions[rule.phase] ?? BUILTIN_DEFAULT;
    if (!rule.hasTNone && d.transforms.length > 0 && !rule.transformNamesMerged) {
      rule.transformNames = [...d.transformNames, ...rule.transformNames];
      rule.transforms = [...d.transforms, ...rule.transforms];
    }
    rule.transformNamesMerged = true;
    if (rule.parent === undefined) {
      if (rule.disruptive === undefined) rule.disruptive = d.disruptive;
      rule.status ??= d.status;
      rule.log ??= d.log;
      rule.auditlog ??= d.auditlog;
    }
    rule.transformPrefixIds = this.prefixIds(rule.transformNames);
  }

  private prefixIds(names: readonly string[]): number[] {
    const ids: number[] = [];
    let key = "";
    for (const n of names) {
      key += `+${n.toLowerCase()}`;
      let id = this.transformIds.get(key);
      if (id === undefined) {
        id = this.transformIds.size + 1;
        this.transformIds.set(key, id);
      }
      ids.push(id);
    }
    return ids;
  }

  // --- what directives use -------------------------------------------------------------------

  addMarker(name: string, loc: SourceLocation): void {
    this.items.push({ marker: name, loc });
  }

  setDefaultActions(phase: Phase, d: DefaultActions): void {
    this.settings.defaultActions[phase] = d;
  }

  /** Rules loaded so far (chain starters), in order. */
  rules(): Rule[] {
    return this.items.filter((i): i is Rule => i instanceof Rule);
  }

  rulesByIdRanges(text: string, loc: SourceLocation): Rule[] {
    const ranges = parseIdRanges(text, loc);
    return this.rules().filter((r) => inRanges(r.id, ranges));
  }

  removeRules(pred: (r: Rule) => boolean): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i]!;
      if (it instanceof Rule && pred(it)) {
        this.items.splice(i, 1);
        this.byId.delete(it.id);
      }
    }
  }

  // --- finish --------------------------------------------------------------------------------

  private finish(): RuleSet {
    const phases: Record<Phase, Step[]> = { 1: [], 2: [], 3: [], 4: [], 5: [] };
    for (const it of this.items) {
      if (it instanceof Rule) {
        it.tagSet = new Set(it.tags);
        phases[it.phase].push(it);
      }
      // Markers stand in every phase: skipAfter jumps to the marker of its own phase's list.
      else for (const p of [1, 2, 3, 4, 5] as const) phases[p].push(it.marker);
    }
    for (const p of [1, 2, 3, 4, 5] as const) {
      const steps = phases[p];
      steps.forEach((s, i) => {
        if (typeof s === "string" || s.skipAfter === undefined) return;
        s.skipAfterIndex = findSkipTarget(steps, i, s.skipAfter);
      });
    }
    const rs = new RuleSet(this.settings, phases, this.deps);
    rs.patterns.push(...this.patterns);
    rs.targetCacheSlots = assignTargetCacheSlots(this.rules());
    return rs;
  }
}

/**
 * Gives every target (links included) over a phase-stable variable (isPhaseStable) a cache slot, one per distinct
 * (variable, selector, exclusions): CRS names the same few targets in hundreds of rules (ARGS,
 * REQUEST_COOKIES, REQUEST_HEADERS:User-Agent), and a transaction then selects their values once
 * per phase instead of once per rule. Returns the number of slots.
 */
function assignTargetCacheSlots(rules: readonly Rule[]): number {
  const slots = new Map<string, number>();
  const defIds = new Map<VariableDefinition, number>();
  const sel = (k: KeySelector): string =>
    k.regex !== undefined ? `/${k.regex.source}/${k.regex.flags}` : k.key === undefined ? "*" : `=${k.key}`;
  for (const head of rules)
    for (let r: Rule | undefined = head; r !== undefined; r = r.chain)
      for (const t of r.targets) {
        if (!isPhaseStable(t.def)) continue;
        let def = defIds.get(t.def);
        if (def === undefined) defIds.set(t.def, (def = defIds.size));
        const key = `${def}:${sel(t.selector)}!${t.exclusions.map(sel).join("!")}`;
        let slot = slots.get(key);
        if (slot === undefined) slots.set(key, (slot = slots.size));
        t.cacheSlot = slot;
      }
  return slots.size;
}

/**
 * Index of the step after which evaluation resumes: the next SecMarker of that name, or a rule
 * whose id is the name. Missing: the end of the phase (v3 skips the rest of the phase).
 */
function findSkipTarget(steps: readonly Step[], from: number, name: string): number {
  for (let i = from + 1; i < steps.length; i++) {
    const s = steps[i]!;
    if (typeof s === "string" ? s === name : String(s.id) === name) return i;
  }
  return steps.length - 1;
}

/** Compiles statements (Includes resolved, in order) into a RuleSet. Throws WafError naming file:line. */
export function compileRuleSet(statements: readonly Statement[], deps: CompileDeps): RuleSet {
  return new Compiler(deps).compile(statements);
}
