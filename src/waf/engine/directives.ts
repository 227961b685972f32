/**
 * The configuration directives: a table from name to handler, as Coraza's seclang/directives.go.
 * Each handler validates its arguments and throws a WafError naming the directive and file:line.
 * Semantics from the ModSecurity v3 reference manual.
 */
import { getAction } from "../actions/index.js";
import type { EngineMode } from "../actions/types.js";
import { WafError } from "../errors.js";
import type { DirectiveNode } from "../types.js";
import type { Compiler } from "./compile.js";
import { Rule } from "./rule.js";
import type { LimitAction } from "./settings.js";

type Handler = (c: Compiler, d: DirectiveNode) => void;

function arg(d: DirectiveNode, i = 0): string {
  const v = d.args[i];
  if (v === undefined) throw new WafError("WAF_PARSE", `${d.name} needs ${i + 1} argument(s)`, d.loc);
  return v;
}

function onOff(d: DirectiveNode): boolean {
  const v = arg(d).toLowerCase();
  if (v === "on") return true;
  if (v === "off") return false;
  throw new WafError("WAF_PARSE", `${d.name} expects On or Off, got "${arg(d)}"`, d.loc);
}

function size(d: DirectiveNode): number {
  const v = arg(d).trim();
  if (!/^\d+$/.test(v))
    throw new WafError("WAF_PARSE", `${d.name} expects a number of bytes, got "${v}"`, d.loc);
  return Number(v);
}

function limitAction(d: DirectiveNode): LimitAction {
  const v = arg(d).toLowerCase();
  if (v === "reject") return "Reject";
  if (v === "processpartial") return "ProcessPartial";
  throw new WafError("WAF_PARSE", `${d.name} expects Reject or ProcessPartial, got "${arg(d)}"`, d.loc);
}

const MODES: Record<string, EngineMode> = { on: "On", off: "Off", detectiononly: "DetectionOnly" };

/** Recorded as given: the gateway's audit sink reads them from settings.audit. */
const audit: Handler = (c, d) => {
  c.settings.audit[d.name] = d.args.join(" ");
};
/** Accepted and recorded, no effect on evaluation (paths, PCRE limits, unicode map). */
const recorded: Handler = (c, d) => {
  c.settings.recorded[d.name] = d.args.join(" ");
};
/** Rampart has no debug log: evaluation is observable through matchedRules and the audit record. */
const ignored: Handler = () => {};

function updateTargets(c: Compiler, d: DirectiveNode, rules: Rule[]): void {
  const refs = c.deps.parseVariables(arg(d, 1), d.loc);
  const replaced = d.args[2];
  for (const r of rules) {
    if (replaced !== undefined) {
      // `SecRuleUpdateTargetById 1 NEW OLD`: NEW takes OLD's place.
      const old = c.deps.parseVariables(replaced, d.loc);
      r.targets = r.targets.filter(
        (t) =>
          !old.some(
            (o) =>
              o.collection.toUpperCase() === t.name && (o.key ?? "").toLowerCase() === (t.selector.key ?? ""),
          ),
      );
    }
    c.compileTargets(r, refs, d.loc);
  }
}

function updateActions(c: Compiler, d: DirectiveNode, rules: Rule[]): void {
  const actions = c.deps.parseActions(arg(d, 1), d.loc);
  for (const a of actions) {
    if (a.name === "id" || a.name === "phase" || a.name === "chain") {
      throw new WafError("WAF_PARSE", `${d.name} cannot change "${a.name}"`, d.loc);
    }
  }
  for (const r of rules) {
    c.applyActions(r, actions, false);
    c.mergeDefaults(r);
  }
}

function defaultAction(c: Compiler, d: DirectiveNode): void {
  const actions = c.deps.parseActions(arg(d), d.loc);
  const probe = new Rule(d.loc);
  for (const a of actions) {
    const def = getAction(a.name);
    if (def === undefined) throw new WafError("WAF_UNKNOWN_ACTION", `unknown action "${a.name}"`, d.loc);
    if (a.name === "id" || a.name === "chain" || a.name === "skip" || a.name === "skipafter") {
      throw new WafError("WAF_PARSE", `SecDefaultAction cannot contain "${a.name}"`, d.loc);
    }
  }
  c.applyActions(probe, actions, false);
  if (!actions.some((a) => a.name === "phase")) probe.phase = 2;
  if (probe.disruptive === undefined && !probe.block) {
    throw new WafError(
      "WAF_PARSE",
      "SecDefaultAction must name a disruptive action (pass, deny, ...)",
      d.loc,
    );
  }
  c.setDefaultActions(probe.phase, {
    disruptive: probe.disruptive ?? { kind: "pass" },
    status: probe.status,
    transformNames: probe.transformNames,
    transforms: probe.transforms,
    log: probe.log ?? true,
    auditlog: probe.auditlog ?? true,
  });
}

const directives: Record<string, Handler> = {
  secruleengine: (c, d) => {
    const m = MODES[arg(d).toLowerCase()];
    if (m === undefined)
      throw new WafError(
        "WAF_PARSE",
        `SecRuleEngine expects On, Off or DetectionOnly, got "${arg(d)}"`,
        d.loc,
      );
    c.settings.ruleEngine = m;
  },
  secrequestbodyaccess: (c, d) => {
    c.settings.requestBodyAccess = onOff(d);
  },
  secresponsebodyaccess: (c, d) => {
    c.settings.responseBodyAccess = onOff(d);
  },
  secrequestbodylimit: (c, d) => {
    c.settings.requestBodyLimit = size(d);
  },
  secrequestbodynofileslimit: (c, d) => {
    c.settings.requestBodyNoFilesLimit = size(d);
  },
  secrequestbodyinmemorylimit: (c, d) => {
    c.settings.requestBodyInMemoryLimit = size(d);
  },
  secrequestbodylimitaction: (c, d) => {
    c.settings.requestBodyLimitAction = limitAction(d);
  },
  secargumentslimit: (c, d) => {
    c.settings.argumentsLimit = size(d);
  },
  secrequestbodyjsondepthlimit: (c, d) => {
    c.settings.jsonDepthLimit = size(d);
  },
  secresponsebodymimetype: (c, d) => {
    c.settings.responseBodyMimeTypes = d.args
      .flatMap((a) => a.split(/\s+/))
      .filter((a) => a !== "")
      .map((a) => a.toLowerCase());
  },
  secresponsebodymimetypesclear: (c) => {
    c.settings.responseBodyMimeTypes = [];
  },
  secresponsebodylimit: (c, d) => {
    c.settings.responseBodyLimit = size(d);
  },
  secresponsebodylimitaction: (c, d) => {
    c.settings.responseBodyLimitAction = limitAction(d);
  },
  secargumentseparator: (c, d) => {
    const s = arg(d);
    if (s.length !== 1)
      throw new WafError("WAF_PARSE", `SecArgumentSeparator expects one character, got "${s}"`, d.loc);
    c.settings.argumentSeparator = s;
  },
  secdefaultaction: defaultAction,
  secmarker: (c, d) => {
    c.addMarker(arg(d), d.loc);
  },
  secruleremovebyid: (c, d) => {
    const doomed = new Set(d.args.flatMap((a) => c.rulesByIdRanges(a, d.loc)));
    c.removeRules((r) => doomed.has(r));
  },
  secruleremovebytag: (c, d) => {
    const tag = arg(d);
    c.removeRules((r) => r.tags.includes(tag));
  },
  secruleremovebymsg: (c, d) => {
    const msg = arg(d);
    c.removeRules((r) => r.msg?.source === msg);
  },
  secruleupdatetargetbyid: (c, d) => updateTargets(c, d, c.rulesByIdRanges(arg(d), d.loc)),
  secruleupdatetargetbytag: (c, d) =>
    updateTargets(
      c,
      d,
      c.rules().filter((r) => r.tags.includes(arg(d))),
    ),
  secruleupdatetargetbymsg: (c, d) =>
    updateTargets(
      c,
      d,
      c.rules().filter((r) => r.msg?.source === arg(d)),
    ),
  secruleupdateactionbyid: (c, d) => updateActions(c, d, c.rulesByIdRanges(arg(d), d.loc)),
  seccomponentsignature: (c, d) => {
    c.settings.componentSignatures.push(arg(d));
  },
  seccollectiontimeout: (c, d) => {
    c.settings.collectionTimeout = size(d);
  },
  secauditengine: audit,
  secauditlog: audit,
  secauditlog2: audit,
  secauditlogparts: audit,
  secauditlogtype: audit,
  secauditlogformat: audit,
  secauditlogrelevantstatus: audit,
  secauditlogstoragedir: audit,
  secauditlogdirmode: audit,
  secauditlogfilemode: audit,
  secdebuglog: ignored,
  secdebugloglevel: ignored,
  sectmpdir: recorded,
  secdatadir: recorded,
  secuploaddir: recorded,
  secunicodemapfile: recorded,
  secpcrematchlimit: recorded,
  secpcrematchlimitrecursion: recorded,
  seccookieformat: recorded,
  secstatusengine: recorded,
  sectmpsaveuploadedfiles: recorded,
  secuploadkeepfiles: recorded,
};

export function applyDirective(c: Compiler, d: DirectiveNode): void {
  const h = directives[d.name.toLowerCase()];
  if (h === undefined) throw new WafError("WAF_UNKNOWN_DIRECTIVE", `unknown directive "${d.name}"`, d.loc);
  h(c, d);
}
