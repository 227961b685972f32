/**
 * Monitoring end to end (issue: traffic monitoring and alerting): a control plane, a gateway that
 * follows it and attests every second, a shop behind it, and real receivers (an HTTP webhook and an
 * SMTP server). The story, in order:
 *   - usual traffic while the detectors learn the level; a config version is applied;
 *   - the load steps up 5x: a surge alert fires within 10 s of the step and reaches the webhook and
 *     the mailbox, its "what changed" naming the version applied just before;
 *   - a silenced rule fires too: visible in GET /alerts with its silence, never notified;
 *   - the control plane restarts while the surge fires: the alert is still firing after the restart,
 *     with the same fingerprint and firing time, and no notification is sent twice;
 *   - the traffic stops (once the detectors, fresh after the restart, have learned the surge level):
 *     a drop alert fires; the traffic returns: it resolves; the restored surge alert resolves too.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { ControlClient } from "../../src/api/client.js";
import { defaultConfig } from "../../src/config/index.js";
import { type ControlPlane, startControlPlane } from "../../src/control/server.js";
import { LoadGenerator } from "../../src/drill/load.js";
import { type Shop, startShop } from "../../src/drill/shop/shop.js";
import { type ReceivedWebhook, startWebhookSink, type WebhookSink } from "../../src/drill/webhook-sink.js";
import { type ControlClient as Following, startControlledGateway } from "../../src/gateway/control-client.js";
import type { Gateway } from "../../src/gateway/index.js";
import { wafGuardFactory } from "../../src/gateway/waf.js";
import { type SmtpPeer, startSmtpPeer } from "./notifiers/peers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-monitoring-"));
let shop: Shop;
let sink: WebhookSink;
let smtp: SmtpPeer;
let control: ControlPlane;
let controlPort = 0;
let gateway: Gateway;
let following: Following;
let api: ControlClient;
let load: LoadGenerator | undefined;

const RPS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function configDocument(browseRate: string): string {
  const base = defaultConfig({ upstream: shop.url, listenHost: "127.0.0.1", port: 0, adminPort: 0 });
  return stringify({
    ...base,
    routes: base.routes.map((r) =>
      r.name === "browse" ? { ...r, rateLimits: r.rateLimits.map((l) => ({ ...l, rate: browseRate })) } : r,
    ),
    alerts: {
      rules: [
        // Fires with any real traffic; silenced below: seen, never sent.
        {
          name: "busy",
          expr: "requests > 100",
          for: "2s",
          severity: "warning",
          summary: "busy: {{value}}/s",
        },
      ],
      route: { groupWait: "1s", groupInterval: "5s", repeatInterval: "1h", receivers: ["hook", "mail"] },
      receivers: {
        hook: { type: "webhook", url: sink.url },
        mail: {
          type: "email",
          host: "127.0.0.1",
          port: smtp.port,
          from: "rampart@shop.test",
          to: ["ops@shop.test"],
        },
      },
    },
  });
}

async function startControl(): Promise<void> {
  control = await startControlPlane({ dataDir: dir, port: controlPort });
  controlPort = Number(new URL(control.url).port);
  api = new ControlClient({ control: control.url, dataDir: dir });
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const r = await api.call<T>(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

interface WebhookBody {
  status: string;
  groupKey: string;
  alerts: { fingerprint: string; labels: Record<string, string>; status: string }[];
  whatChanged?: { version?: number; title: string }[];
}

const body = (w: ReceivedWebhook) => w.body as WebhookBody;
const alertnames = (w: ReceivedWebhook) => body(w).alerts.map((a) => a.labels.alertname);

async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms: number,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

beforeAll(async () => {
  shop = await startShop({ capacity: 400, latencyMs: 2 });
  sink = await startWebhookSink();
  smtp = await startSmtpPeer();
  await startControl();
  await call("POST", "/config/apply", { document: configDocument("50/s"), message: "v1" });
  const token = control.store.tokens.create("*", "gateway").token;
  const started = await startControlledGateway({
    controlUrl: control.url,
    token,
    id: "edge-1",
    stateFile: join(dir, "gateway-state.json"),
    logger: pino({ level: "silent" }),
    listen: "127.0.0.1:0",
    admin: "127.0.0.1:0",
    attestIntervalMs: 1000,
    guard: wafGuardFactory(),
    accessLog: "off", // tens of thousands of lines otherwise, in the test's output
  });
  gateway = started.gateway;
  following = started.client;
  await call("POST", "/silences", {
    matchers: ['alertname="busy"'],
    duration: "1h",
    comment: "known busy shop",
  });
}, 60_000);

afterAll(async () => {
  await load?.stop();
  await following?.close();
  await gateway?.close();
  await control?.close();
  await Promise.all([shop?.close(), sink?.close(), smtp?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("monitoring end to end", () => {
  it("surge, silence, restart, drop, recovery", { timeout: 240_000 }, async () => {
    const a = gateway.addresses().listen;
    load = new LoadGenerator({ url: `http://127.0.0.1:${a.port}`, rps: RPS, clients: 100 });
    load.start();
    await sleep(36_000); // the detectors' warm-up is 30 points

    const v2 = await call<{ version: number }>("POST", "/config/apply", {
      document: configDocument("60/s"),
      message: "browse limit 50/s -> 60/s",
    });

    // The step: 5x.
    const step = Date.now();
    load.setRate(RPS * 5);
    const surge = await sink.waitFor(
      (w) => body(w).status === "firing" && alertnames(w).includes("surge"),
      20_000,
    );
    expect(surge, "a surge notification at the webhook").toBeDefined();
    const detectMs = surge!.at - step;
    console.log(`[monitoring] surge notified ${(detectMs / 1000).toFixed(1)} s after the step`);
    expect(detectMs).toBeLessThanOrEqual(10_000);
    expect(body(surge!).whatChanged?.[0]?.version).toBe(v2.version);
    const mail = await waitUntil(
      "the surge mail",
      () => smtp.mails.find((m) => /surge/i.test(m.headers.subject ?? "")),
      15_000,
    );
    expect(mail.to).toEqual(["ops@shop.test"]);
    expect(mail.text).toContain(`v${v2.version} applied`);

    // The silenced rule fires, stays visible with its silence, and is never sent.
    const busy = await waitUntil(
      "the silenced busy alert",
      async () =>
        (
          await call<{ alerts: { rule: string; state: string; silencedBy?: string[] }[] }>("GET", "/alerts")
        ).alerts.find((x) => x.rule === "busy" && x.state === "firing"),
      15_000,
    );
    expect(busy.silencedBy?.length).toBe(1);

    // Restart while the surge fires.
    await sleep(6_000); // let the groups' first notifications go out
    const before = (
      await call<{ alerts: { rule: string; fingerprint: string; state: string; firedAt?: string }[] }>(
        "GET",
        "/alerts",
      )
    ).alerts.filter((x) => x.rule === "surge" && x.state === "firing");
    expect(before.length).toBeGreaterThan(0);
    const sentBefore = sink.received.length;
    await control.close();
    await sleep(1_000);
    await startControl();
    const restartedAt = Date.now();
    await sleep(8_000); // more than groupInterval, while the surge goes on
    const after = (
      await call<{ alerts: { rule: string; fingerprint: string; state: string; firedAt?: string }[] }>(
        "GET",
        "/alerts",
      )
    ).alerts;
    for (const x of before) {
      const same = after.find((y) => y.fingerprint === x.fingerprint);
      expect(same?.state, `surge alert ${x.fingerprint} after the restart`).toBe("firing");
      expect(same?.firedAt).toBe(x.firedAt);
    }
    // Nothing notified twice: no two notifications with the same group, status and alerts.
    const seen = new Set<string>();
    for (const w of sink.received) {
      const b = body(w);
      const key = `${b.groupKey}|${b.status}|${b.alerts
        .map((x) => `${x.fingerprint}:${x.status}`)
        .sort()
        .join(",")}`;
      expect(seen.has(key), `sent twice: ${key}`).toBe(false);
      seen.add(key);
    }
    expect(sink.received.slice(sentBefore).every((w) => !alertnames(w).includes("busy"))).toBe(true);
    expect(sink.received.every((w) => !alertnames(w).includes("busy"))).toBe(true);

    // After a restart the detectors learn the level again (30 points) and restored alerts are held
    // for a grace period (60 s, src/alerts/alerting.ts), as Prometheus holds `for` state; the surge
    // level has been the usual one for long enough when the traffic stops.
    await sleep(Math.max(0, restartedAt + 36_000 - Date.now()));
    const surgeLevel = load.rps;
    load.setRate(0);
    const stopped = Date.now();
    const drop = await sink.waitFor(
      (w) => w.at > stopped && body(w).status === "firing" && alertnames(w).includes("traffic-drop"),
      30_000,
    );
    expect(drop, "a traffic-drop notification").toBeDefined();
    console.log(
      `[monitoring] drop notified ${((drop!.at - stopped) / 1000).toFixed(1)} s after the traffic stopped`,
    );
    load.setRate(surgeLevel);
    const resolved = await sink.waitFor(
      (w) => w.at > drop!.at && body(w).status === "resolved" && alertnames(w).includes("traffic-drop"),
      40_000,
    );
    expect(resolved, "the traffic-drop alert resolved").toBeDefined();
    const restored = await sink.waitFor(
      (w) => w.at > restartedAt && body(w).status === "resolved" && alertnames(w).includes("surge"),
      30_000,
    );
    expect(
      restored,
      "the surge alert restored after the restart resolves once its grace is over",
    ).toBeDefined();
  });
});
