/**
 * outage-2am: the postmortem's night (seed/postmortem.md), replayed in small.
 *
 *   1. A shop at its usual traffic, Rampart in front (control plane, gateway, demo shop).
 *   2. A "server update" switches the WAF's critical modules off. The guardrail refuses it; the
 *      update goes through only with an admin override and a reason, as the postmortem's would have.
 *   3. A surge of legitimate shoppers (several times the usual rate) overloads the shop.
 *   4. Alerts fire; their first notification leads with what changed; an incident opens.
 *   5. The responder acknowledges, follows the config-related runbook: rolls back, checks that the
 *      gateway runs the rolled-back version with its modules on, marks the incident mitigated.
 *   6. The surge passes; alerts resolve; the incident is resolved; Rampart writes the postmortem.
 *
 * What it measures is what the postmortem lacked: whether the guardrail refused the bad config,
 * seconds from surge onset to the first alert, whether that alert named the bad version first,
 * seconds to mitigation, and the share of clients and checkouts that failed (the load generator's
 * own count, which the postmortem's computed impact is checked against in the tests).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { parseDocument } from "yaml";
import { ControlClient } from "../../api/client.js";
import { RampartError } from "../../errors.js";
import type { Postmortem } from "../../incidents/postmortem.js";
import { type LocalStack, startLocalStack } from "../../local/stack.js";
import { LoadGenerator, type LoadReport, type WindowTally } from "../load.js";
import { type ReceivedWebhook, startWebhookSink } from "../webhook-sink.js";
import type { DrillContext, Scenario } from "./types.js";

/** Timings of the story (seconds); a drill is a few minutes at most. */
export interface OutageTimings {
  /** Usual traffic before the update: the detectors learn the level (30 points of warm-up). */
  readonly baselineS: number;
  /** How long the surge lasts. */
  readonly surgeS: number;
  /** Usual traffic after the surge, while alerts resolve (at most). */
  readonly recoveryS: number;
  /** Usual rate and the surge's factor. */
  readonly rps: number;
  readonly surgeFactor: number;
}

export const DEFAULT_TIMINGS: OutageTimings = {
  baselineS: 40,
  surgeS: 25,
  recoveryS: 60,
  rps: 60,
  surgeFactor: 8,
};

export interface OutageResult {
  readonly refused: boolean;
  readonly detect_s: number | null;
  readonly first_alert_names_change: boolean;
  readonly mitigate_s: number | null;
  readonly clients_failed_pct: number;
  readonly checkouts_failed_pct: number;
  readonly postmortem: string | null;
  /** Details for people and tests. */
  readonly bad_version: number;
  readonly rollback_version: number | null;
  readonly incident: number | null;
  readonly first_alert: string | null;
  readonly surge_onset: string;
  readonly resolved_at: string;
  /** What the shoppers lived through from surge onset to resolution (the load generator's count). */
  readonly during: WindowTally;
  /** The postmortem's own figures, for comparison with `during` and the drill's timings. */
  readonly postmortem_summary: {
    readonly onset: string;
    readonly resolution: string | null;
    readonly duration_s: number | null;
    readonly requests_failed: number | null;
    readonly clients_failed: number | null;
    readonly checkouts_failed: number | null;
    readonly detection_delay_s: number | null;
    readonly time_to_mitigate_s: number | null;
    readonly cause_version: number | null;
  } | null;
  readonly load: Pick<LoadReport, "sent" | "failed" | "held" | "clients" | "checkouts" | "byStatus">;
}

type PostmortemSummary = Pick<Postmortem, "summary" | "timeline" | "rootCause">;

const MODULES_OFF = ["sqli", "xss", "protocol-enforcement"];
const RESPONDER = "drill-responder";

interface Api {
  call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T & { error?: string; message?: string } }>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal.aborted) throw new RampartError("DRILL_ABORTED", "the drill was interrupted");
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) {
      throw new RampartError(
        "DRILL_TIMEOUT",
        `gave up waiting ${Math.round(timeoutMs / 1000)} s for ${what}`,
        {
          hint: "the sandbox folder keeps the logs and the store for a look",
        },
      );
    }
    await sleep(250, signal);
  }
}

function must<T>(res: { status: number; body: T & { message?: string } }, what: string, ok = [200, 201]): T {
  if (!ok.includes(res.status)) {
    throw new RampartError(
      "DRILL_STEP_FAILED",
      `${what}: HTTP ${res.status} ${res.body.message ?? ""}`.trim(),
    );
  }
  return res.body;
}

/** The notification that reached the webhook first, firing. */
function isFiring(w: ReceivedWebhook): boolean {
  const b = w.body as { status?: string };
  return b.status === "firing";
}

async function gatewayRuns(api: Api, version: number): Promise<boolean> {
  const fleet = await api.call<{ gateways: { runningVersion: number | null; modulesOff: string[] }[] }>(
    "GET",
    "/fleet",
  );
  return fleet.body.gateways.some((g) => g.runningVersion === version);
}

export async function runOutage2am(
  ctx: DrillContext,
  timings: OutageTimings = DEFAULT_TIMINGS,
): Promise<OutageResult> {
  const { progress, signal } = ctx;
  const sink = await startWebhookSink();
  let stack: LocalStack | undefined;
  let load: LoadGenerator | undefined;
  try {
    progress.step("starting the sandbox: control plane, gateway, demo shop (8 workers, 25 ms a request)");
    stack = await startLocalStack({
      dataDir: ctx.dir,
      host: "127.0.0.1",
      port: 0,
      adminPort: 0,
      shopPort: 0,
      controlPort: 0,
      logger: pino({ level: "silent" }),
      shop: { capacity: 8, latencyMs: 25, maxQueue: 200 },
      attestIntervalMs: 1000,
      firstRun: (cfg) => ({
        // A shop this small sheds beyond 16 requests at once rather than queueing without end.
        upstreams: Object.fromEntries(
          Object.entries(cfg.upstreams).map(([name, u]) => [
            name,
            { ...u, concurrency: { ...u.concurrency, limit: 16 }, queue: { size: 64, timeoutMs: 500 } },
          ]),
        ),
        alerts: {
          route: { groupWait: "1s", groupInterval: "10s", repeatInterval: "1h", receivers: ["oncall"] },
          receivers: { oncall: { type: "webhook", url: sink.url } },
          whatChangedWindow: "30m",
        },
        incidents: {
          open: "warning",
          groupWindowMinutes: 10,
          escalationPolicies: { oncall: [{ receivers: ["oncall"], delayMinutes: 5 }] },
        },
      }),
    });
    const control = new ControlClient({ control: stack.control.url, dataDir: ctx.dir });
    const api: Api = { call: (method, path, body) => control.call(method, path, body) };
    const live = must(
      await api.call<{ version: number; document: string }>("GET", "/config"),
      "read the live config",
    );

    progress.step(
      `usual traffic: ${timings.rps} requests/s for ${timings.baselineS} s while the detectors learn the level`,
    );
    load = new LoadGenerator({ url: stack.url, rps: timings.rps, clients: 400 });
    load.start();
    await sleep(timings.baselineS * 1000, signal);

    // The update: a "server update" whose config switches critical WAF modules off, as in the postmortem.
    const deployBot = must(
      await api.call<{ token: string }>("POST", "/tokens", { name: "deploy-bot", role: "admin" }),
      "create the deploy-bot token",
    );
    const asBot = new ControlClient({ control: stack.control.url, token: deployBot.token });
    const bad = { document: withModulesOff(live.document), message: "server update 2.4.1" };
    progress.step("the update: WAF modules sqli, xss, protocol-enforcement off");
    const first = await asBot.call("POST", "/config/apply", bad);
    const refused = first.status === 409;
    progress.step(
      refused ? "guardrail: refused (critical-modules-on)" : `guardrail: NOT refused (HTTP ${first.status})`,
    );
    const applied = must(
      await asBot.call<{ version: number }>("POST", "/config/apply", {
        ...bad,
        overrides: [{ policy: "critical-modules-on", reason: "vendor says the modules break the new build" }],
      }),
      "apply the update with an admin override",
    );
    const badVersion = applied.version;
    progress.step(`the update went out as v${badVersion} with an admin override`);
    await until(
      `the gateway to run v${badVersion}`,
      async () => ((await gatewayRuns(api, badVersion)) ? true : undefined),
      15_000,
      signal,
    );

    const onset = Date.now();
    load.setRate(timings.rps * timings.surgeFactor);
    progress.step(`surge: ${timings.rps * timings.surgeFactor} requests/s of legitimate shoppers`);

    const firstAlert = await sink.waitFor(isFiring, 60_000);
    const detectS = firstAlert === undefined ? null : (firstAlert.at - onset) / 1000;
    const firstBody = firstAlert?.body as
      | { title?: string; whatChanged?: { version?: number; title?: string }[] }
      | undefined;
    const namesChange = firstBody?.whatChanged?.[0]?.version === badVersion;
    progress.step(
      firstAlert === undefined
        ? "no alert within 60 s"
        : `first alert after ${detectS?.toFixed(1)} s: ${firstBody?.title ?? "?"}; what changed: ${firstBody?.whatChanged?.[0]?.title ?? "nothing"}`,
    );

    // The first incident opened since the surge (a config that groups alerts by route opens several).
    const incident = await until(
      "an incident to open",
      async () => {
        const r = await api.call<{ incidents: { id: number }[] }>("GET", "/incidents?state=open");
        const ids = (r.body.incidents ?? []).map((i) => i.id);
        return ids.length === 0 ? undefined : { id: Math.min(...ids) };
      },
      30_000,
      signal,
    );
    must(
      await api.call("POST", `/incidents/${incident.id}/ack`, { as: RESPONDER }),
      "acknowledge the incident",
    );
    progress.step(`incident #${incident.id} acknowledged; runbook: config-related incident`);

    // The runbook's first steps: what changed names the update; roll it back; check the gateway.
    const rollback = must(
      await api.call<{ version: number }>("POST", "/config/rollback", {
        version: live.version,
        message: `incident #${incident.id}: roll back v${badVersion} (WAF modules off)`,
      }),
      "roll back",
    );
    await until(
      `the gateway to run v${rollback.version}`,
      async () => ((await gatewayRuns(api, rollback.version)) ? true : undefined),
      15_000,
      signal,
    );
    must(
      await api.call("POST", `/incidents/${incident.id}/mitigate`, {
        as: RESPONDER,
        note: `rolled back to v${live.version} as v${rollback.version}; the gateway attests its modules on`,
      }),
      "mark the incident mitigated",
    );
    const mitigateS = (Date.now() - onset) / 1000;
    progress.step(`mitigated after ${mitigateS.toFixed(1)} s (v${rollback.version} live, modules on)`);

    const surgeLeft = timings.surgeS * 1000 - (Date.now() - onset);
    if (surgeLeft > 0) await sleep(surgeLeft, signal);
    load.setRate(timings.rps);
    progress.step("the surge passes: usual traffic again; waiting for the alerts to resolve");
    await until(
      "the alerts to resolve",
      async () => {
        const r = await api.call<{ alerts: { state: string }[] }>("GET", "/alerts?state=firing");
        return (r.body.alerts ?? []).length === 0 ? true : undefined;
      },
      timings.recoveryS * 1000,
      signal,
    ).catch(() => progress.step("some alerts still fire; resolving the incident anyway"));
    must(
      await api.call("POST", `/incidents/${incident.id}/resolve`, {
        as: RESPONDER,
        note: "traffic back to normal",
      }),
      "resolve the incident",
    );
    const resolvedAt = Date.now();
    const report = await load.stop();
    const lived = load.window(onset, resolvedAt);
    load = undefined;
    // Other incidents the same surge opened (alerts grouped by route) close with it.
    const open = await api.call<{ incidents: { id: number }[] }>("GET", "/incidents?state=open");
    for (const other of open.body.incidents ?? []) {
      await api.call("POST", `/incidents/${other.id}/resolve`, {
        as: RESPONDER,
        note: `part of incident #${incident.id}`,
      });
    }

    const pmJson = await api.call<{ postmortem?: PostmortemSummary }>(
      "GET",
      `/incidents/${incident.id}/postmortem?format=json&tz=UTC`,
    );
    const md = await api.call<{ markdown?: string }>(
      "GET",
      `/incidents/${incident.id}/postmortem?format=md&tz=UTC`,
    );
    let postmortem: string | null = null;
    if (md.status === 200 && typeof md.body.markdown === "string") {
      postmortem = join(ctx.dir, `postmortem-incident-${incident.id}.md`);
      writeFileSync(postmortem, md.body.markdown);
    }
    progress.step(
      postmortem === null ? `postmortem: HTTP ${md.status}` : `postmortem written: ${postmortem}`,
    );

    const pct = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000) / 10);
    const pm = pmJson.body.postmortem;
    return {
      refused,
      detect_s: detectS === null ? null : Math.round(detectS * 10) / 10,
      first_alert_names_change: namesChange,
      mitigate_s: Math.round(mitigateS * 10) / 10,
      clients_failed_pct: pct(lived.clients.failed, lived.clients.total),
      checkouts_failed_pct: pct(lived.checkouts.failed, lived.checkouts.sent),
      postmortem,
      bad_version: badVersion,
      rollback_version: rollback.version,
      incident: incident.id,
      first_alert: firstBody?.title ?? null,
      surge_onset: new Date(onset).toISOString(),
      resolved_at: new Date(resolvedAt).toISOString(),
      during: lived,
      postmortem_summary:
        pm === undefined
          ? null
          : {
              onset: pm.summary.onset,
              resolution: pm.summary.resolution,
              duration_s: pm.summary.duration.value,
              requests_failed: pm.summary.requestsFailed.value,
              clients_failed: pm.summary.clientsFailed.value,
              checkouts_failed: pm.summary.checkoutsFailed.value,
              detection_delay_s: pm.timeline.detectionDelay.value,
              time_to_mitigate_s: pm.timeline.timeToMitigate.value,
              cause_version: pm.rootCause.cause?.version ?? null,
            },
      load: {
        sent: report.sent,
        failed: report.failed,
        held: report.held,
        clients: report.clients,
        checkouts: report.checkouts,
        byStatus: report.byStatus,
      },
    };
  } finally {
    await load?.stop().catch(() => undefined);
    await stack?.close();
    await sink.close();
  }
}

/** The update's document: the live one with the critical modules switched off (comments kept). */
function withModulesOff(document: string): string {
  const doc = parseDocument(document);
  for (const m of MODULES_OFF) doc.setIn(["waf", "modules", m], "off");
  return doc.toString();
}

export const outage2am: Scenario<OutageResult> = {
  name: "outage-2am",
  summary:
    "the postmortem's night: WAF modules switched off by an update, a surge, alerts, incident, rollback, postmortem",
  run: (ctx) => runOutage2am(ctx),
  format(r) {
    const yes = (b: boolean) => (b ? "yes" : "NO");
    return [
      "outage-2am drill",
      `  guardrail refused the bad config      ${yes(r.refused)}`,
      `  surge onset to first alert            ${r.detect_s === null ? "no alert" : `${r.detect_s} s`}`,
      `  first alert named the bad version     ${yes(r.first_alert_names_change)} (v${r.bad_version})`,
      `  surge onset to mitigation             ${r.mitigate_s === null ? "-" : `${r.mitigate_s} s`}`,
      `  clients that saw a failure            ${r.clients_failed_pct} % of ${r.during.clients.total} (surge onset to resolution)`,
      `  checkouts that failed                 ${r.checkouts_failed_pct} % of ${r.during.checkouts.sent}`,
      `  postmortem                            ${r.postmortem ?? "not written"}`,
    ].join("\n");
  },
};
