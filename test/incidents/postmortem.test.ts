/**
 * The postmortem writer (pure) on synthetic series and events: every number exact, each with its
 * source, one time zone, the seed's sections, root cause as a draft.
 */
import { describe, expect, it } from "vitest";
import type { ChangeEntry } from "../../src/changes/types.js";
import {
  type ImpactInput,
  type PostmortemInput,
  renderPostmortemMarkdown,
  type WindowSeries,
  writePostmortem,
} from "../../src/incidents/postmortem.js";
import type { TimelineEntry } from "../../src/incidents/timeline.js";
import type { ActionItem, Incident } from "../../src/incidents/types.js";
import type { SeriesPoint } from "../../src/monitor/series/names.js";

const S = (iso: string) => Date.parse(iso) / 1000;
const ONSET = "2026-03-01T02:00:00.000Z";
const STEP = 10;

/** Per-second rates, one point per 10 s step, from `from` for `n` steps, value by step index. */
function series(n: number, value: (i: number) => number, step = STEP): WindowSeries {
  const points: SeriesPoint[] = [];
  for (let i = 0; i < n; i++) points.push({ t: S(ONSET) + i * step, value: value(i) });
  return { points, stepSeconds: step, source: "ring" };
}

const incident: Incident = {
  id: 3,
  title: "surge on route checkout",
  service: "route=checkout",
  severity: "SEV2",
  state: "resolved",
  onsetAt: ONSET,
  openedAt: "2026-03-01T02:00:40.000Z",
  openedBy: "alerts",
  acknowledgedAt: "2026-03-01T02:03:00.000Z",
  acknowledgedBy: "ann",
  mitigatedAt: "2026-03-01T02:12:00.000Z",
  mitigatedBy: "ann",
  resolvedAt: "2026-03-01T02:20:00.000Z",
  resolvedBy: "ann",
  commander: "ann",
  responders: [],
  lastAlertAt: "2026-03-01T02:00:30.000Z",
  runbook: "config-related",
  escalation: { policy: "default", level: 1, levelAt: "2026-03-01T02:00:40.000Z" },
  whatChanged: [],
};

const cause: ChangeEntry = {
  time: "2026-03-01T01:58:00.000Z",
  kind: "override",
  security: true,
  score: 0.98,
  title: "v2 applied 01:58 by deploy-bot: waf.modules.sqli off",
  version: 2,
  author: "deploy-bot",
  diff: ["waf.modules.sqli off"],
  eventId: 5,
};

const timeline: TimelineEntry[] = [
  {
    time: "2026-03-01T01:58:00.000Z",
    source: "event:5",
    kind: "config.applied",
    title: "config v2 applied by deploy-bot",
  },
  { time: "2026-03-01T02:00:30.000Z", source: "event:11", kind: "alert.firing", title: "alert surge firing" },
  {
    time: "2026-03-01T02:11:30.000Z",
    source: "event:20",
    kind: "config.rolled-back",
    title: "config v3 rolls back to v1 by ann",
  },
  { time: "2026-03-01T02:12:00.000Z", source: "incident-entry:9", kind: "state", title: "mitigated by ann" },
];

const actions: ActionItem[] = [
  {
    id: 1,
    incidentId: 3,
    title: "Require a second admin for overrides",
    kind: "preventive",
    owner: "bob",
    due: "2026-03-15",
    createdAt: "2026-03-01T03:00:00.000Z",
    createdBy: "ann",
    doneAt: null,
    doneBy: null,
  },
  {
    id: 2,
    incidentId: 3,
    title: "Re-enable sqli on the staging gateways",
    kind: "corrective",
    owner: "ann",
    due: "2026-03-02",
    createdAt: "2026-03-01T03:00:00.000Z",
    createdBy: "ann",
    doneAt: "2026-03-01T04:00:00.000Z",
    doneBy: "ann",
  },
];

// 1200 s window in 120 steps of 10 s: 100 req/s throughout; 30 5xx/s until 02:12 (72 steps).
const impact: ImpactInput = {
  from: S(ONSET),
  to: S("2026-03-01T02:20:00.000Z"),
  requests: series(120, () => 100),
  s5xx: series(120, (i) => (i < 72 ? 30 : 0)),
  errorRatio: series(120, (i) => (i === 30 ? 0.42 : i < 72 ? 0.3 : 0)),
  checkout: {
    route: "checkout",
    requests: series(120, () => 10),
    s5xx: series(120, (i) => (i < 72 ? 4 : 0)),
  },
  clients: { unique: 5000, failed: 1500, standardError: 0.0325 },
};

function input(over: Partial<PostmortemInput> = {}): PostmortemInput {
  return {
    incident,
    alerts: [
      {
        fingerprint: "f",
        rule: "surge",
        severity: "warning",
        labels: { route: "checkout" },
        summary: "surge",
        joinedAt: "2026-03-01T02:00:30.000Z",
        eventId: 11,
        state: "resolved",
      },
    ],
    timeline,
    impact,
    changes: [cause],
    actions,
    timeZone: "UTC",
    generatedAt: "2026-03-01T03:00:00.000Z",
    ...over,
  };
}

describe("postmortem numbers", () => {
  const pm = writePostmortem(input());

  it("computes duration and impact from the series, each with its source", () => {
    expect(pm.summary.duration).toEqual({
      value: 1200,
      text: "20 min 0 s",
      source: "incident #3: onset to resolved",
    });
    expect(pm.summary.requestsFailed.value).toBe(21_600 / 120_000);
    expect(pm.summary.requestsFailed.text).toBe("18.0 % of requests failed (21600 of 120000)");
    expect(pm.summary.requestsFailed.source).toBe(
      "series s5xx{} summed over [2026-03-01 02:00:00, 2026-03-01 02:20:00) (10 s steps, ring) / series requests{} summed over [2026-03-01 02:00:00, 2026-03-01 02:20:00) (10 s steps, ring)",
    );
    expect(pm.summary.checkoutsFailed.value).toBe(2880 / 12_000);
    expect(pm.summary.checkoutsFailed.text).toBe("24.0 % of checkout requests failed (2880 of 12000)");
    expect(pm.summary.checkoutsFailed.source).toContain("series s5xx{route=checkout}");
    expect(pm.summary.clientsFailed.value).toBe(0.3);
    expect(pm.summary.clientsFailed.text).toBe(
      "30.0 % of clients saw an error or a block (about 1500 of 5000, ±3.3 % each)",
    );
    expect(pm.summary.peakErrorRatio).toMatchObject({ value: 0.42, at: "2026-03-01T02:05:00.000Z" });
    expect(pm.summary.peakErrorRatio.text).toBe("42.0 % at 2026-03-01 02:05:00");
  });

  it("computes detection delay, time to acknowledge and to mitigate from the incident and its first alert", () => {
    expect(pm.timeline.detectionDelay).toEqual({
      value: 30,
      text: "30 s",
      source: "event:11 (alert surge fired) - incident #3 onset",
    });
    expect(pm.timeline.timeToAcknowledge).toMatchObject({ value: 140, text: "2 min 20 s" });
    expect(pm.timeline.timeToMitigate).toMatchObject({ value: 720, text: "12 min 0 s" });
    expect(pm.timeline.timeToResolve).toMatchObject({ value: 1200 });
  });

  it("names the top change and the rollback as a draft root cause and resolution", () => {
    expect(pm.rootCause.draft).toBe(true);
    expect(pm.rootCause.cause).toEqual(cause);
    expect(pm.rootCause.resolvingAction?.source).toBe("event:20");
    expect(pm.rootCause.text).toBe(
      "DRAFT: to be confirmed by a person. Most likely cause: v2 applied at 2026-03-01 01:58:00 by deploy-bot: waf.modules.sqli off (security-relevant), 2 min 0 s before the onset [event:5]. Diff: waf.modules.sqli off. Resolving action: config v3 rolls back to v1 by ann at 2026-03-01 02:11:30 [event:20].",
    );
    expect(pm.measures.preventive.map((a) => a.id)).toEqual([1]);
    expect(pm.measures.corrective.map((a) => a.id)).toEqual([2]);
    expect(pm.measures.suggested[0]).toContain("Review the override of v2");
  });

  it("says what was not recorded instead of inventing it", () => {
    const open = writePostmortem(
      input({
        impact: undefined,
        incident: { ...incident, state: "acknowledged", mitigatedAt: null, resolvedAt: null },
      }),
    );
    expect(open.summary.duration).toMatchObject({ value: null, text: "not yet" });
    expect(open.summary.requestsFailed).toEqual({
      value: null,
      text: "not recorded",
      source: "no traffic series cover the incident's window",
    });
    expect(open.rootCause.resolvingAction).toBeNull();
    const quiet = writePostmortem(input({ impact: { ...impact, requests: series(120, () => 0) } }));
    expect(quiet.summary.requestsFailed).toMatchObject({ value: null, text: "no requests recorded" });
  });
});

describe("postmortem document", () => {
  it("has the seed's sections, in one stated time zone", () => {
    const md = renderPostmortemMarkdown(writePostmortem(input({ timeZone: "Africa/Nairobi" })));
    const headings = md.split("\n").filter((l) => l.startsWith("#"));
    expect(headings).toEqual([
      "# Postmortem Report: incident #3, surge on route checkout",
      "#### Issue Summary:",
      "#### Timeline",
      "#### Root Cause and Resolution:",
      "#### Corrective and Preventive Measures",
    ]);
    expect(md).toContain("All times are Africa/Nairobi (UTC+03:00).");
    expect(md).toContain(
      "Duration of Outage: 20 min 0 s, from 2026-03-01 05:00:00 to 2026-03-01 05:20:00 (Africa/Nairobi) _(incident #3: onset to resolved)_",
    );
    expect(md).toContain("- 2026-03-01 05:11:30 config v3 rolls back to v1 by ann _(event:20)_");
    // The change's own "01:58" (UTC) is shown in the document's zone.
    expect(md).toContain("Most likely cause: v2 applied at 2026-03-01 04:58:00 by deploy-bot");
    expect(md).toContain("- Peak error ratio: 42.0 % at 2026-03-01 05:05:00");
    expect(md).toContain("- [ ] #1 Require a second admin for overrides (owner bob, due 2026-03-15)");
    expect(md).toContain(
      "- [x] #2 Re-enable sqli on the staging gateways (owner ann, due 2026-03-02, done 2026-03-01 by ann)",
    );
    expect(md).toContain("Tasks to address the issue:");
    // One zone, stated once with its offset; no time in another zone.
    expect(md.split("UTC").length - 1).toBe(1);
    expect(md).not.toContain("EAT");
  });

  it("refuses a time zone that does not exist", () => {
    expect(() => writePostmortem(input({ timeZone: "Mars/Olympus" }))).toThrow(
      expect.objectContaining({ code: "POSTMORTEM_BAD_TIMEZONE" }),
    );
  });
});
