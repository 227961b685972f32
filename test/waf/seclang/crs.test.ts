/**
 * The CRS as the parser's corpus: every rule file and crs-setup.conf.example parse, and the AST
 * yields the counts that SECLANG-USAGE.txt (made by an independent reading of the same files)
 * states. The usage file is read at test time from ../shared, never copied here.
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseSecLangFile } from "../../../src/waf/seclang/index.js";
import type { RuleNode, Statement } from "../../../src/waf/types.js";
import { crsDir, hasCrs } from "../../support/shared.js";

type Counts = Record<string, number>;

function bump(c: Counts, key: string, by = 1): void {
  c[key] = (c[key] ?? 0) + by;
}

/** The dict-valued lines of SECLANG-USAGE.txt: `name {'key': n, ...}`. */
function readUsage(): { dicts: Map<string, Counts>; text: string } {
  const text = readFileSync(join(crsDir, "SECLANG-USAGE.txt"), "utf8");
  const dicts = new Map<string, Counts>();
  for (const line of text.split("\n")) {
    const m = /^([a-z][^{]*?)\s+(\{.*\})\s*$/.exec(line);
    if (!m) continue;
    const counts: Counts = {};
    for (const e of (m[2] ?? "").matchAll(/(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"): (\d+)/g)) {
      counts[e[1] ?? e[2] ?? ""] = Number(e[3]);
    }
    dicts.set(m[1] ?? "", counts);
  }
  return { dicts, text };
}

function crsFiles(): string[] {
  const rules = readdirSync(join(crsDir, "rules"))
    .filter((f) => f.endsWith(".conf"))
    .sort()
    .map((f) => join(crsDir, "rules", f));
  return [...rules, join(crsDir, "crs-setup.conf.example")];
}

function lower(c: Counts): Counts {
  const out: Counts = {};
  for (const [k, v] of Object.entries(c)) bump(out, k.toLowerCase(), v);
  return out;
}

interface Stats {
  directives: Counts;
  operators: Counts;
  negated: Counts;
  actionUses: Counts;
  actionStatements: Counts;
  tUses: Counts;
  phases: Counts;
  ctl: Counts;
  setvarForms: Counts;
  plainVars: Counts;
  countVars: Counts;
  excluded: Counts;
  regexSelectors: Counts;
  keySelectors: Counts;
  forms: Counts;
  idsPerFile: Counts;
  ruleStatements: number;
  withId: number;
  uniqueIds: number;
  chainStarters: number;
  chained: number;
}

function collect(perFile: ReadonlyArray<readonly [string, Statement[]]>): Stats {
  const s: Stats = {
    directives: {},
    operators: {},
    negated: {},
    actionUses: {},
    actionStatements: {},
    tUses: {},
    phases: {},
    ctl: {},
    setvarForms: {},
    plainVars: {},
    countVars: {},
    excluded: {},
    regexSelectors: {},
    keySelectors: {},
    forms: {},
    idsPerFile: {},
    ruleStatements: 0,
    withId: 0,
    uniqueIds: 0,
    chainStarters: 0,
    chained: 0,
  };
  const ids = new Set<string>();
  for (const [file, statements] of perFile) {
    let previousChains = false;
    for (const st of statements) {
      if (st.type === "directive") {
        bump(s.directives, st.directive.name);
        continue;
      }
      const rule: RuleNode = st.rule;
      bump(s.directives, rule.directive);
      s.ruleStatements++;
      if (previousChains) s.chained++;
      const chains = rule.actions.some((a) => a.name === "chain");
      if (chains && !previousChains) s.chainStarters++;
      previousChains = chains;
      if (rule.directive === "SecRule") {
        bump(s.operators, `@${rule.operator.name}`);
        if (rule.operator.negated) bump(s.negated, `@${rule.operator.name}`);
      }
      const seen = new Set<string>();
      for (const a of rule.actions) {
        bump(s.actionUses, a.name);
        if (!seen.has(a.name)) bump(s.actionStatements, a.name);
        seen.add(a.name);
        const p = a.param ?? "";
        if (a.name === "id") {
          s.withId++;
          ids.add(p);
          bump(s.idsPerFile, basename(file));
        } else if (a.name === "phase") bump(s.phases, p);
        else if (a.name === "t") bump(s.tUses, p);
        else if (a.name === "ctl") bump(s.ctl, p.slice(0, p.indexOf("=")));
        else if (a.name === "setvar" && p.includes("=")) {
          bump(s.setvarForms, /=[+-]/.test(p) ? p.slice(p.indexOf("="), p.indexOf("=") + 2) : "=");
        }
      }
      for (const v of rule.variables) {
        // The usage file counts & and ! as flags, and the selector form of every variable apart.
        if (v.count) {
          bump(s.forms, "count &");
          bump(s.countVars, v.key !== undefined ? `${v.collection}:${v.key}` : v.collection);
        } else if (v.exclude) {
          bump(s.forms, "exclusion !");
          bump(s.excluded, v.collection);
        } else bump(s.plainVars, v.collection);
        if (v.keyRegex !== undefined) {
          bump(s.forms, "regex selector");
          bump(s.regexSelectors, v.collection);
        } else if (v.collection === "XML" && v.key !== undefined) bump(s.forms, "xpath");
        else if (v.key !== undefined) {
          bump(s.forms, "key selector");
          bump(s.keySelectors, `${v.collection}:${v.key}`);
        } else bump(s.forms, "plain");
      }
    }
  }
  s.uniqueIds = ids.size;
  return s;
}

describe.skipIf(!hasCrs)("CRS v4.28.0 corpus", () => {
  const files = hasCrs ? crsFiles() : [];
  const perFile = files.map((f) => [f, parseSecLangFile(f)] as const);
  const stats = collect(perFile);
  const { dicts, text } = hasCrs ? readUsage() : { dicts: new Map<string, Counts>(), text: "" };
  const usage = (name: string): Counts => {
    const d = dicts.get(name);
    if (d === undefined) throw new Error(`SECLANG-USAGE.txt has no line "${name}"`);
    return d;
  };

  it("parses every rule file and crs-setup.conf.example", () => {
    expect(files.length).toBe(Number(/^files (\d+)/m.exec(text)?.[1]));
    for (const [, statements] of perFile) expect(statements.length).toBeGreaterThan(0);
  });

  it("parses the .conf.example exclusion templates too", () => {
    const examples = readdirSync(join(crsDir, "rules")).filter((f) => f.endsWith(".conf.example"));
    expect(examples.length).toBeGreaterThan(0);
    for (const f of examples) expect(Array.isArray(parseSecLangFile(join(crsDir, "rules", f)))).toBe(true);
  });

  it.each([
    ["directives", (s: Stats) => s.directives],
    ["operators (statements)", (s: Stats) => s.operators],
    ["negated operators", (s: Stats) => s.negated],
    ["transformations (t: uses)", (s: Stats) => s.tUses],
    ["phases", (s: Stats) => s.phases],
    ["ctl: sub-actions", (s: Stats) => s.ctl],
    ["setvar forms", (s: Stats) => s.setvarForms],
    ["variables (non-excluded, non-count, uses)", (s: Stats) => s.plainVars],
    ["count (&) variables", (s: Stats) => s.countVars],
    ["excluded (!) variables by collection", (s: Stats) => s.excluded],
    ["regex selectors by collection", (s: Stats) => s.regexSelectors],
    ["key selectors", (s: Stats) => s.keySelectors],
    ["variable forms", (s: Stats) => s.forms],
    ["ids per file", (s: Stats) => s.idsPerFile],
  ])("yields the usage file's %s", (name, pick) => {
    expect(pick(stats)).toEqual(usage(name));
  });

  it.each([
    ["actions (uses)", (s: Stats) => s.actionUses],
    ["actions (statements using)", (s: Stats) => s.actionStatements],
  ])("yields the usage file's %s (names lower-cased)", (name, pick) => {
    expect(pick(stats)).toEqual(lower(usage(name)));
  });

  it("yields the usage file's rule, id and chain totals", () => {
    const m =
      /rule statements \(SecRule\+SecAction\) (\d+) ; statements with id (\d+) ; unique ids (\d+) ; chain starters (\d+) ; chained sub-statements (\d+)/.exec(
        text,
      );
    expect(m).not.toBeNull();
    expect([stats.ruleStatements, stats.withId, stats.uniqueIds, stats.chainStarters, stats.chained]).toEqual(
      m?.slice(1, 6).map(Number),
    );
  });

  it("keeps regex text of operators and selectors byte for byte", () => {
    const rules = perFile.flatMap(([, st]) => st).flatMap((st) => (st.type === "rule" ? [st.rule] : []));
    const r920120 = rules.find((r) => r.actions.some((a) => a.name === "id" && a.param === "920120"));
    // Written as [^\"';=\x5c] inside the double-quoted operator: \" becomes ", \x5c stays.
    expect(r920120?.operator.param).toContain(`|[^"';=\\x5c])*$`);
    const updates = perFile
      .flatMap(([, st]) => st)
      .flatMap((st) =>
        st.type === "directive" && st.directive.name === "SecRuleUpdateTargetById" ? [st] : [],
      );
    expect(updates[0]?.directive.args).toEqual(["932240", "!REQUEST_COOKIES:/^_ga(?:_\\w+)?$/"]);
  });

  it("yields @rx patterns that compile in JS exactly where REGEX-JS-CHECK.txt says they do", () => {
    // An independent check of the operator text: a wrongly kept or dropped backslash or quote
    // changes which patterns compile. The check strips a leading (?i)/(?s) into flags.
    const check = readFileSync(join(crsDir, "REGEX-JS-CHECK.txt"), "utf8");
    const head = /^patterns (\d+) compile ok .* (\d+) fail (\d+)$/m.exec(check);
    const expectedFails = [...check.matchAll(/^\s+FAIL (\S+) /gm)].map((m) => m[1]);
    let compiled = 0;
    const failed: string[] = [];
    for (const [, statements] of perFile) {
      let lastId = "";
      for (const st of statements) {
        if (st.type !== "rule") continue;
        const id = st.rule.actions.find((a) => a.name === "id")?.param;
        if (id !== undefined) lastId = id;
        if (st.rule.operator.name !== "rx") continue;
        let pattern = st.rule.operator.param;
        let flags = "s";
        const inline = /^\(\?([is]+)\)/.exec(pattern);
        if (inline) {
          pattern = pattern.slice(inline[0].length);
          if (inline[1]?.includes("i")) flags += "i";
        }
        try {
          new RegExp(pattern, flags);
          compiled++;
        } catch {
          failed.push(id ?? `chain-of-${lastId}`);
        }
      }
    }
    expect([compiled + failed.length, compiled, failed.length]).toEqual(head?.slice(1, 4).map(Number));
    expect(failed.sort()).toEqual(expectedFails.sort());
  });
});
