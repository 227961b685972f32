/**
 * The I/O shell around the pure timeline, postmortem and runbook writers: reads the store (events,
 * incident tables, config versions, settings), the fleet's attestations and the traffic series,
 * and hands plain data to the cores. The API routes and the CLI go through here.
 */
import { whatChanged } from "../changes/what-changed.js";
import { parseConfig } from "../config/load.js";
import { effectiveModules } from "../config/policies/facts.js";
import type { RampartConfig } from "../config/schema.js";
import { policySettings } from "../config/versions.js";
import { fleetFor } from "../control/fleet.js";
import type { DistinctClients, DistinctClientsQuery, SeriesQuery } from "../monitor/series/monitor.js";
import type { SeriesResult } from "../monitor/series/names.js";
import type { Store } from "../store/store.js";
import { type ActivitySeries, seriesActivity } from "./activity.js";
import { IncidentError } from "./errors.js";
import { type ImpactInput, type Postmortem, type WindowSeries, writePostmortem } from "./postmortem.js";
import { RUNBOOKS, type RunbookFacts, renderRunbook, runbookFor } from "./runbooks/index.js";
import type { IncidentService } from "./service.js";
import { buildTimeline, type TimelineEntry, type TimelineWindow, timelineWindow } from "./timeline.js";
import type { Incident } from "./types.js";

/** What the writers read from the monitor (src/monitor/series): `monitorFor(store)` is one. */
export interface SeriesSource {
  query(q: SeriesQuery): SeriesResult;
  distinctClients(q: DistinctClientsQuery): DistinctClients;
}

function liveConfig(store: Store): { version: number; config: RampartConfig } | undefined {
  const v = store.versions.latest();
  if (v === undefined) return undefined;
  try {
    return { version: v.id, config: parseConfig(v.document, `version ${v.id}`) };
  } catch {
    return undefined;
  }
}

/** A series over [from, to) (Unix seconds), or undefined when the monitor cannot answer it. */
function windowSeries(series: SeriesSource, q: SeriesQuery): WindowSeries | undefined {
  try {
    const r = series.query(q);
    return { points: r.points, stepSeconds: r.stepSeconds, source: r.source };
  } catch {
    return undefined;
  }
}

function secondsOf(window: { from: string; to: string }): { from: number; to: number } {
  const from = Math.floor(Date.parse(window.from) / 1000);
  return { from, to: Math.max(from + 1, Math.ceil(Date.parse(window.to) / 1000)) };
}

function activity(series: SeriesSource | undefined, window: TimelineWindow): TimelineEntry[] {
  if (series === undefined) return [];
  const { from, to } = secondsOf(window);
  const get = (name: string) => windowSeries(series, { name, from, to });
  const requests = get("requests");
  if (requests === undefined) return [];
  const blocked = get("blocked");
  const rateLimited = get("rate_limited");
  const shed = get("shed");
  const s: ActivitySeries = {
    stepSeconds: requests.stepSeconds,
    requests: requests.points,
    ...(blocked === undefined ? {} : { blocked: blocked.points }),
    ...(rateLimited === undefined ? {} : { rateLimited: rateLimited.points }),
    ...(shed === undefined ? {} : { shed: shed.points }),
  };
  return seriesActivity(s);
}

export interface ReportOptions {
  readonly nowMs: number;
  readonly series?: SeriesSource;
}

export function incidentTimeline(
  svc: IncidentService,
  store: Store,
  id: number,
  opts: ReportOptions,
): { incident: Incident; window: TimelineWindow; entries: TimelineEntry[] } {
  const incident = svc.repo.require(id);
  const window = timelineWindow(incident, opts.nowMs);
  const to = Date.parse(window.to);
  const events = store.events
    .list({ since: new Date(window.from), limit: 10_000 })
    .filter((e) => Date.parse(e.time) <= to);
  const entries = buildTimeline({
    incident,
    window,
    events,
    entries: svc.repo.entries(id),
    activity: activity(opts.series, window),
  });
  return { incident, window, entries };
}

/** The route that carries checkouts: one named "checkout", else the first with priority critical. */
export function checkoutRoute(config: RampartConfig | undefined): string | undefined {
  if (config === undefined) return undefined;
  return (
    config.routes.find((r) => r.name === "checkout") ?? config.routes.find((r) => r.priority === "critical")
  )?.name;
}

export function impactOf(
  incident: Incident,
  series: SeriesSource,
  nowMs: number,
  checkout: string | undefined,
): ImpactInput | undefined {
  const { from, to } = secondsOf({
    from: incident.onsetAt,
    to: incident.resolvedAt ?? new Date(nowMs).toISOString(),
  });
  const get = (name: string, labels = {}) => windowSeries(series, { name, labels, from, to });
  const requests = get("requests");
  const s5xx = get("s5xx");
  const errorRatio = get("error_ratio");
  if (requests === undefined || s5xx === undefined || errorRatio === undefined) return undefined;
  let clients: ImpactInput["clients"];
  try {
    const unique = series.distinctClients({ from, to });
    const failed = series.distinctClients({ from, to, failed: true });
    clients = {
      unique: Math.round(unique.estimate),
      failed: Math.round(failed.estimate),
      standardError: unique.standardError,
    };
  } catch {
    clients = undefined;
  }
  const cReq = checkout === undefined ? undefined : get("requests", { route: checkout });
  const c5xx = checkout === undefined ? undefined : get("s5xx", { route: checkout });
  return {
    from,
    to,
    requests,
    s5xx,
    errorRatio,
    ...(checkout !== undefined && cReq !== undefined && c5xx !== undefined
      ? { checkout: { route: checkout, requests: cReq, s5xx: c5xx } }
      : {}),
    ...(clients === undefined ? {} : { clients }),
  };
}

export function incidentPostmortem(
  svc: IncidentService,
  store: Store,
  id: number,
  opts: ReportOptions & { timeZone?: string },
): Postmortem {
  const { incident, entries } = incidentTimeline(svc, store, id, opts);
  const impact =
    opts.series === undefined
      ? undefined
      : impactOf(incident, opts.series, opts.nowMs, checkoutRoute(liveConfig(store)?.config));
  return writePostmortem({
    incident,
    alerts: svc.repo.alerts(id),
    timeline: entries,
    impact,
    changes: incident.whatChanged,
    actions: svc.repo.actions({ incidentId: id }),
    timeZone: opts.timeZone ?? "UTC",
    generatedAt: new Date(opts.nowMs).toISOString(),
  });
}

function limitText(l: { name: string; rate: string; burst: number }): string {
  return `${l.name} ${l.rate} burst ${l.burst}`;
}

/** The live facts a runbook is written from. */
export function runbookFacts(
  store: Store,
  opts: { nowMs: number; route?: string; incidentId?: number; changesWindowMs?: number },
): RunbookFacts {
  const latest = store.versions.latest();
  const live = liveConfig(store);
  const cfg = live?.config;
  const modules = cfg === undefined ? undefined : effectiveModules(cfg);
  const changes = whatChanged(store, {
    before: new Date(opts.nowMs),
    windowMs: opts.changesWindowMs ?? 6 * 3_600_000,
    limit: 10,
  });
  // Roll back to the version before the most recent security-relevant one, else before the live one.
  const suspect = changes.find((c) => c.security && c.version !== undefined);
  const rollbackTo =
    (suspect?.version === undefined ? undefined : store.versions.get(suspect.version)?.parentId) ??
    latest?.parentId ??
    undefined;
  let critical: readonly string[] = [];
  try {
    critical = policySettings(store).criticalModules;
  } catch {
    // A broken setting is reported by `rampart config`; the runbook still prints.
  }
  return {
    generatedAt: new Date(opts.nowMs).toISOString(),
    live:
      latest === undefined
        ? undefined
        : {
            version: latest.id,
            author: latest.author,
            createdAt: latest.createdAt,
            message: latest.message,
            kind: latest.kind,
            parentId: latest.parentId,
            wafMode: cfg?.waf.mode ?? "unknown",
            modulesOff:
              modules === undefined
                ? []
                : Object.entries(modules)
                    .filter(([, state]) => state === "off")
                    .map(([m]) => m),
          },
    changes,
    gateways: fleetFor(store)
      .list()
      .map((g) => ({
        id: g.id,
        state: g.state,
        runningVersion: g.runningVersion,
        wafMode: g.wafMode,
        modulesOff: g.modulesOff,
        listen: g.listen,
      })),
    criticalModules: critical,
    routes: (cfg?.routes ?? []).map((r) => ({
      name: r.name,
      priority: r.priority,
      limits: r.rateLimits.map(limitText),
    })),
    ...(rollbackTo === undefined ? {} : { rollbackTo }),
    ...(opts.route === undefined ? {} : { route: opts.route }),
    ...(opts.incidentId === undefined ? {} : { incidentId: opts.incidentId }),
  };
}

export function runbookText(
  store: Store,
  name: string,
  opts: { nowMs: number; route?: string; incidentId?: number },
): { name: string; title: string; markdown: string; facts: RunbookFacts } {
  const rb = runbookFor(name);
  if (rb === undefined) {
    throw new IncidentError("RUNBOOK_NOT_FOUND", `no runbook ${JSON.stringify(name)}`, {
      hint: `built-in runbooks: ${RUNBOOKS.map((r) => r.name).join(", ")}`,
    });
  }
  const facts = runbookFacts(store, opts);
  return { name: rb.name, title: rb.title, markdown: renderRunbook(rb, facts), facts };
}
