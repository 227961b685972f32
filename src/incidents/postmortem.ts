/**
 * The postmortem writer, pure: an incident, its timeline, the traffic series of its window, the
 * ranked changes before it and its action items in; a document with the structure of
 * seed/postmortem.md out (Issue Summary, Timeline, Root Cause and Resolution, Corrective and
 * Preventive Measures, Tasks). The seed guessed its numbers ("approximately 30 % of our users") and
 * mixed EAT with UTC; here every number is computed and cites the series or event it comes from,
 * and every time is in one stated zone. Root cause and resolution are a DRAFT for a person to confirm.
 */
import type { ChangeEntry } from "../changes/types.js";
import type { SeriesPoint } from "../monitor/series/names.js";
import { formatDuration, formatIn, zoneFormatter, zoneOffset } from "./timefmt.js";
import type { TimelineEntry } from "./timeline.js";
import type { ActionItem, Incident, IncidentAlert } from "./types.js";

/** A series as queried for the window: its points and how they were read (cited as such). */
export interface WindowSeries {
  /** Per-second rates, one per step (ratios for error_ratio). */
  readonly points: readonly SeriesPoint[];
  readonly stepSeconds: number;
  /** "ring" (1 s, in memory), "minute" or "hour" rollups. */
  readonly source: string;
}

export interface ImpactInput {
  /** Unix seconds, [from, to): onset to resolution. */
  readonly from: number;
  readonly to: number;
  readonly requests: WindowSeries;
  /** 5xx answers, shed requests (503) included. */
  readonly s5xx: WindowSeries;
  readonly errorRatio: WindowSeries;
  /** The checkout route's requests and 5xx, when the config has one. */
  readonly checkout?: {
    readonly route: string;
    readonly requests: WindowSeries;
    readonly s5xx: WindowSeries;
  };
  /** Distinct clients (HyperLogLog estimates) in the window, and those that got an error or a block. */
  readonly clients?: { readonly unique: number; readonly failed: number; readonly standardError: number };
}

export interface PostmortemInput {
  readonly incident: Incident;
  readonly alerts: readonly IncidentAlert[];
  readonly timeline: readonly TimelineEntry[];
  /** Undefined when no series covers the window (the numbers then say so). */
  readonly impact: ImpactInput | undefined;
  /** Ranked, most likely cause first (the incident's "what changed"). */
  readonly changes: readonly ChangeEntry[];
  readonly actions: readonly ActionItem[];
  /** IANA zone every time is shown in. */
  readonly timeZone: string;
  readonly generatedAt: string;
}

/** A number with where it comes from. `value` is null when nothing was recorded. */
export interface Figure {
  readonly value: number | null;
  readonly text: string;
  readonly source: string;
}

export interface Postmortem {
  readonly incident: {
    readonly id: number;
    readonly title: string;
    readonly severity: string;
    readonly state: string;
  };
  readonly timeZone: string;
  readonly generatedAt: string;
  readonly summary: {
    readonly onset: string;
    readonly resolution: string | null;
    readonly duration: Figure;
    readonly requestsFailed: Figure;
    readonly clientsFailed: Figure;
    readonly checkoutsFailed: Figure;
    readonly peakErrorRatio: Figure & { readonly at: string | null };
  };
  readonly timeline: {
    readonly detectionDelay: Figure;
    readonly timeToAcknowledge: Figure;
    readonly timeToMitigate: Figure;
    readonly timeToResolve: Figure;
    readonly entries: readonly (TimelineEntry & { readonly shown: string })[];
  };
  readonly rootCause: {
    readonly draft: true;
    readonly cause: ChangeEntry | null;
    readonly resolvingAction: (TimelineEntry & { readonly shown: string }) | null;
    readonly text: string;
  };
  readonly measures: {
    readonly corrective: readonly ActionItem[];
    readonly preventive: readonly ActionItem[];
    /** Suggestions derived from the cause, for a person to turn into action items. */
    readonly suggested: readonly string[];
  };
  readonly tasks: readonly ActionItem[];
}

/** Points are per-second rates over their step (the monitor's convention): a count is rate x step. */
const sum = (s: WindowSeries) => Math.round(s.points.reduce((a, p) => a + p.value * s.stepSeconds, 0));

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

function cite(name: string, labels: string, s: WindowSeries, range: string): string {
  return `series ${name}${labels} summed over ${range} (${s.stepSeconds} s steps, ${s.source})`;
}

function share(
  failed: WindowSeries,
  total: WindowSeries,
  names: [string, string],
  labels: string,
  range: string,
  noun: string,
): Figure {
  const f = sum(failed);
  const t = sum(total);
  const source = `${cite(names[0], labels, failed, range)} / ${cite(names[1], labels, total, range)}`;
  if (t === 0) return { value: null, text: `no ${noun} recorded`, source };
  return { value: f / t, text: `${pct(f / t)} of ${noun} failed (${f} of ${t})`, source };
}

function durationFigure(fromIso: string | null, toIso: string | null, source: string): Figure {
  if (fromIso === null || toIso === null) return { value: null, text: "not yet", source };
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return { value: ms / 1000, text: formatDuration(ms), source };
}

/** The change that ended the incident: the last rollback between onset and mitigation, else the last config change. */
function resolvingAction(incident: Incident, timeline: readonly TimelineEntry[]): TimelineEntry | null {
  const end = incident.mitigatedAt ?? incident.resolvedAt;
  if (end === null) return null;
  const from = Date.parse(incident.onsetAt);
  const to = Date.parse(end);
  const fixes = timeline.filter(
    (e) =>
      (e.kind === "config.rolled-back" || e.kind === "config.applied") &&
      Date.parse(e.time) >= from &&
      Date.parse(e.time) <= to,
  );
  // A rollback undoes the cause; other changes in the window (a tightened limit) only soften it.
  const rollback = fixes.filter((e) => e.kind === "config.rolled-back").at(-1);
  if (rollback !== undefined) return rollback;
  if (fixes.length > 0) return fixes.at(-1)!;
  // No config change: the note written with the mitigating (or resolving) step, if any.
  const step = timeline.find((e) => e.kind === "state" && Date.parse(e.time) === to && e.title.includes(":"));
  return step ?? null;
}

function suggestions(cause: ChangeEntry | null): string[] {
  const out: string[] = [];
  if (cause === null) {
    out.push("No change preceded the onset: review capacity and the upstream's dependencies.");
    return out;
  }
  if (cause.kind === "override") {
    out.push(
      `Review the override of v${cause.version ?? "?"}: who may override a guardrail, and whether a second person must approve it.`,
    );
  }
  if (cause.security) {
    out.push(
      "Keep the critical WAF modules on in every version: `rampart settings` critical_modules, and no override without a second reviewer.",
    );
    out.push("Alert on drift and on the WAF block rate falling to zero, not only on errors.");
  }
  if (cause.kind === "config" || cause.kind === "override" || cause.kind === "rollback") {
    out.push(
      "Roll out config changes progressively with the health gate, so a bad version stops at the first gateways.",
    );
  }
  if (cause.kind === "drift") out.push("Find out how a gateway came to run another config than assigned.");
  return out;
}

/**
 * A change's title with its time in the document's zone: what-changed titles carry the UTC "HH:MM"
 * of the change (changes/what-changed.ts), which a document in another zone must not show.
 */
function inZone(c: ChangeEntry, show: (iso: string) => string): string {
  const hhmm = ` ${c.time.slice(11, 16)}`;
  return c.title.includes(hhmm)
    ? c.title.replace(hhmm, ` at ${show(c.time)}`)
    : `${c.title} (at ${show(c.time)})`;
}

export function writePostmortem(input: PostmortemInput): Postmortem {
  const fmt = zoneFormatter(input.timeZone);
  const show = (iso: string) => formatIn(fmt, iso);
  const i = input.incident;
  const range =
    input.impact === undefined
      ? ""
      : `[${show(new Date(input.impact.from * 1000).toISOString())}, ${show(new Date(input.impact.to * 1000).toISOString())})`;
  const incidentSource = `incident #${i.id}`;
  const noSeries = "no traffic series cover the incident's window";

  const m = input.impact;
  const requestsFailed: Figure =
    m === undefined
      ? { value: null, text: "not recorded", source: noSeries }
      : share(m.s5xx, m.requests, ["s5xx", "requests"], "{}", range, "requests");
  const checkoutsFailed: Figure =
    m?.checkout === undefined
      ? {
          value: null,
          text: m === undefined ? "not recorded" : "no checkout route",
          source: m === undefined ? noSeries : "the config has no checkout route",
        }
      : share(
          m.checkout.s5xx,
          m.checkout.requests,
          ["s5xx", "requests"],
          `{route=${m.checkout.route}}`,
          range,
          "checkout requests",
        );
  const clientsFailed: Figure =
    m?.clients === undefined
      ? {
          value: null,
          text: "not recorded",
          source: m === undefined ? noSeries : "no distinct-client counts",
        }
      : m.clients.unique === 0
        ? { value: null, text: "no clients recorded", source: `distinct clients over ${range}` }
        : {
            value: m.clients.failed / m.clients.unique,
            text: `${pct(m.clients.failed / m.clients.unique)} of clients saw an error or a block (about ${m.clients.failed} of ${m.clients.unique}, ±${pct(m.clients.standardError)} each)`,
            source: `series failed_clients{} / unique_clients{} distinct over ${range} (HyperLogLog estimates)`,
          };
  let peak: Figure & { at: string | null } = {
    value: null,
    text: "not recorded",
    source: noSeries,
    at: null,
  };
  if (m !== undefined) {
    const top = m.errorRatio.points.reduce<SeriesPoint | undefined>(
      (a, p) => (a === undefined || p.value > a.value ? p : a),
      undefined,
    );
    peak =
      top === undefined
        ? {
            value: null,
            text: "no requests recorded",
            source: `series error_ratio{} over ${range}`,
            at: null,
          }
        : {
            value: top.value,
            text: `${pct(top.value)} at ${show(new Date(top.t * 1000).toISOString())}`,
            source: `series error_ratio{} maximum over ${range} (${m.errorRatio.stepSeconds} s steps, ${m.errorRatio.source})`,
            at: new Date(top.t * 1000).toISOString(),
          };
  }

  // Detection: the first alert of the incident fired (or it was opened by hand).
  const firstAlert = [...input.alerts].sort((a, b) => Date.parse(a.joinedAt) - Date.parse(b.joinedAt))[0];
  const detectedAt = firstAlert?.joinedAt ?? i.openedAt;
  const detectionSource =
    firstAlert === undefined
      ? `${incidentSource} opened by ${i.openedBy}`
      : `event:${firstAlert.eventId ?? "?"} (alert ${firstAlert.rule} fired) - ${incidentSource} onset`;

  const entries = input.timeline.map((e) => ({ ...e, shown: show(e.time) }));
  const cause = input.changes[0] ?? null;
  const fix = resolvingAction(i, input.timeline);
  const fixShown = fix === null ? null : { ...fix, shown: show(fix.time) };
  const rootText = [
    "DRAFT: to be confirmed by a person.",
    cause === null
      ? "No change was recorded in the window before the onset."
      : `Most likely cause: ${inZone(cause, show)}${cause.security ? " (security-relevant)" : ""}, ${formatDuration(Date.parse(i.onsetAt) - Date.parse(cause.time))} before the onset [${cause.eventId === undefined ? `config v${cause.version ?? "?"}` : `event:${cause.eventId}`}].`,
    ...(cause?.diff !== undefined && cause.diff.length > 0 ? [`Diff: ${cause.diff.join("; ")}.`] : []),
    fixShown === null
      ? "Resolving action: not recorded."
      : `Resolving action: ${fixShown.title} at ${fixShown.shown} [${fixShown.source}].`,
  ].join(" ");

  return {
    incident: { id: i.id, title: i.title, severity: i.severity, state: i.state },
    timeZone: input.timeZone,
    generatedAt: input.generatedAt,
    summary: {
      onset: i.onsetAt,
      resolution: i.resolvedAt,
      duration: durationFigure(i.onsetAt, i.resolvedAt, `${incidentSource}: onset to resolved`),
      requestsFailed,
      clientsFailed,
      checkoutsFailed,
      peakErrorRatio: peak,
    },
    timeline: {
      detectionDelay: durationFigure(i.onsetAt, detectedAt, detectionSource),
      timeToAcknowledge: durationFigure(
        i.openedAt,
        i.acknowledgedAt,
        `${incidentSource}: opened to acknowledged`,
      ),
      timeToMitigate: durationFigure(i.onsetAt, i.mitigatedAt, `${incidentSource}: onset to mitigated`),
      timeToResolve: durationFigure(i.onsetAt, i.resolvedAt, `${incidentSource}: onset to resolved`),
      entries,
    },
    rootCause: { draft: true, cause, resolvingAction: fixShown, text: rootText },
    measures: {
      corrective: input.actions.filter((a) => a.kind === "corrective"),
      preventive: input.actions.filter((a) => a.kind === "preventive"),
      suggested: suggestions(cause),
    },
    tasks: input.actions,
  };
}

function figureLine(label: string, f: Figure): string {
  return `- ${label}: ${f.text} _(${f.source})_`;
}

function actionLine(a: ActionItem): string {
  return `- [${a.doneAt === null ? " " : "x"}] #${a.id} ${a.title} (owner ${a.owner}, due ${a.due}${a.doneAt === null ? "" : `, done ${a.doneAt.slice(0, 10)} by ${a.doneBy}`})`;
}

/** The document in the seed's structure, as markdown. */
export function renderPostmortemMarkdown(pm: Postmortem): string {
  const fmt = zoneFormatter(pm.timeZone);
  const show = (iso: string) => formatIn(fmt, iso);
  const zone = `${pm.timeZone} (${zoneOffset(pm.timeZone, pm.summary.onset)})`;
  const s = pm.summary;
  const t = pm.timeline;
  const lines = [
    `# Postmortem Report: incident #${pm.incident.id}, ${pm.incident.title}`,
    "",
    `_${pm.incident.severity}, ${pm.incident.state}. All times are ${zone}. Written by Rampart at ${show(pm.generatedAt)} from what it recorded; every number names its source._`,
    "",
    "#### Issue Summary:",
    "",
    `Duration of Outage: ${s.duration.text}, from ${show(s.onset)} to ${s.resolution === null ? "(not resolved yet)" : show(s.resolution)} (${pm.timeZone}) _(${s.duration.source})_`,
    "",
    "Impact:",
    figureLine("Requests", s.requestsFailed),
    figureLine("Clients", s.clientsFailed),
    figureLine("Checkouts", s.checkoutsFailed),
    figureLine("Peak error ratio", s.peakErrorRatio),
    "",
    "#### Timeline",
    "",
    figureLine("Detection delay (onset to first alert)", t.detectionDelay),
    figureLine("Time to acknowledge", t.timeToAcknowledge),
    figureLine("Time to mitigate (onset to mitigated)", t.timeToMitigate),
    figureLine("Time to resolve (onset to resolved)", t.timeToResolve),
    "",
    ...t.entries.map((e) => `- ${e.shown} ${e.title} _(${e.source})_`),
    "",
    "#### Root Cause and Resolution:",
    "",
    `**${pm.rootCause.text}**`,
    "",
    "#### Corrective and Preventive Measures",
    "",
    ...(pm.measures.corrective.length === 0
      ? []
      : ["Corrective:", ...pm.measures.corrective.map(actionLine), ""]),
    ...(pm.measures.preventive.length === 0
      ? []
      : ["Preventive:", ...pm.measures.preventive.map(actionLine), ""]),
    "Suggested from the cause (turn into tasks with `rampart action add`):",
    ...pm.measures.suggested.map((x) => `- ${x}`),
    "",
    "Tasks to address the issue:",
    "",
    ...(pm.tasks.length === 0
      ? [`- none yet: \`rampart action add ${pm.incident.id} "..." --owner NAME --due YYYY-MM-DD\``]
      : pm.tasks.map(actionLine)),
    "",
  ];
  return lines.join("\n");
}
