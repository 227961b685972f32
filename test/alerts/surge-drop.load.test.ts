/**
 * Alerts end to end, the issue's acceptance: a control plane, a gateway (attesting every 300 ms
 * over real HTTP) in front of a test upstream, a real webhook receiver and a real SMTP server.
 * A bounded load runs at a steady rate, a config version is applied, the load steps up 5x: the
 * built-in surge alert fires within 10 s of the step and reaches both receivers, "what changed"
 * leading with the version just applied. A silence on the route's drop alert; the traffic stops:
 * traffic-drop fires, the silenced one stays listed but is not notified; the traffic returns: the
 * drop alerts resolve, and the resolution is notified.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertView } from "../../src/alerts/types.js";
import { type ControlPlane, startControlPlane } from "../../src/control/server.js";
import { type ControlClient, startControlledGateway } from "../../src/gateway/control-client.js";
import type { Gateway } from "../../src/gateway/gateway.js";
import { wafGuardFactory } from "../../src/gateway/waf.js";
import { doc } from "../control/helpers.js";
import { type HttpPeer, type SmtpPeer, startHttpPeer, startSmtpPeer } from "./notifiers/peers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-alerts-e2e-"));
const logger = pino({ level: "silent" });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let cp: ControlPlane;
let admin: string;
let upstream: Server;
let hook: HttpPeer;
let smtp: SmtpPeer;
let gateway: Gateway;
let client: ControlClient;
let origin: string;

async function api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${cp.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${admin}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** The fleet's requests per second over the last minute and the alerts: what a failure shows. */
async function situation(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const series = await api<{ points: { t: number; value: number }[] }>(
    "GET",
    `/series?name=requests&from=${now - 60}&to=${now}&step=1s`,
  );
  const all = (await api<{ alerts: AlertView[] }>("GET", "/alerts")).body.alerts;
  return `requests/s: ${series.body.points.map((p) => p.value).join(" ")}\nalerts: ${all
    .map((a) => `${a.rule}${JSON.stringify(a.labels)} ${a.state} score=${a.score}`)
    .join("; ")}`;
}

async function until<T>(what: string, f: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${await situation()}`);
    }
    await sleep(200);
  }
}

/** A bounded load: `rate` requests per second in 10 slices, each awaited (at most one slice late). */
class Load {
  rate = 0;
  sent = 0;
  #stopped = false;
  readonly done: Promise<void>;
  constructor() {
    this.done = this.#run();
  }
  async #run(): Promise<void> {
    let n = 0;
    while (!this.#stopped) {
      const started = Date.now();
      const batch = Math.floor(((n + 1) * this.rate) / 10) - Math.floor((n * this.rate) / 10);
      n++;
      await Promise.all(
        Array.from({ length: batch }, async (_, i) => {
          const res = await fetch(`${origin}/products/${i}`, {
            headers: { "x-forwarded-for": `198.51.100.${i % 200}` },
          });
          await res.arrayBuffer();
          this.sent++;
        }),
      );
      await sleep(Math.max(0, 100 - (Date.now() - started)));
    }
  }
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.done;
  }
}

const alertsNow = async (): Promise<AlertView[]> =>
  (await api<{ alerts: AlertView[] }>("GET", "/alerts?state=firing")).body.alerts;

beforeAll(async () => {
  upstream = createServer((_req, res) => res.end("shop"));
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  hook = await startHttpPeer();
  smtp = await startSmtpPeer();
  cp = await startControlPlane({ dataDir: join(dir, "control"), port: 0, bootstrap: false });
  admin = cp.store.tokens.create("ops", "admin").token;
  const gwToken = cp.store.tokens.create("edge-1", "gateway" as "admin").token;
  const shop = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const document = `${doc({ upstream: shop, rate: "10000/s" }).replace(
    '  accessLog: "off"',
    '  accessLog: "off"\n  trustedProxies: [127.0.0.1/32]',
  )}alerts:
  route: { groupWait: 1s, groupInterval: 3s, repeatInterval: 1h, receivers: [hook, mail] }
  receivers:
    hook: { type: webhook, url: "${hook.url}/alerts" }
    mail: { type: email, host: 127.0.0.1, port: ${smtp.port}, from: rampart@shop.example, to: [oncall@shop.example] }
`;
  const v1 = await api("POST", "/config/apply", { document, message: "alerts to the on-call" });
  expect(v1.status).toBe(201);
  ({ gateway, client } = await startControlledGateway({
    controlUrl: cp.url,
    token: gwToken,
    id: "edge-1",
    stateFile: join(dir, "edge-1.json"),
    logger,
    guard: wafGuardFactory({ sink: { errorLine: () => {}, auditRecord: () => {} } }),
    attestIntervalMs: 300,
  }));
  origin = `http://127.0.0.1:${gateway.addresses().listen.port}`;
  // v2 changes a limit (loosened: a security-relevant change) just before the surge.
  (globalThis as { v2?: string }).v2 = document.replace("rate: 10000/s", "rate: 12000/s");
}, 60_000);

afterAll(async () => {
  await client?.close();
  await gateway?.close();
  await cp?.close().catch(() => {});
  await hook?.close();
  await smtp?.close();
  await new Promise((r) => upstream?.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe("alerts end to end", () => {
  it("surge on a 5x step, drop when traffic stops (silence honoured), resolved when it returns", async () => {
    const load = new Load();
    try {
      // A steady 10 requests/s teaches the detectors the usual level (their warm-up is 30 points).
      load.rate = 10;
      await sleep(40_000);
      expect(await alertsNow()).toEqual([]);
      const v2 = await api<{ version: number }>("POST", "/config/apply", {
        document: (globalThis as { v2?: string }).v2,
        message: "more headroom for the sale",
      });
      expect(v2.status).toBe(201);
      await sleep(2000);

      load.rate = 50;
      const step = Date.now();
      const surge = await until(
        "a firing surge alert",
        async () => (await alertsNow()).find((a) => a.rule === "surge"),
        10_000,
      );
      const firedIn = Date.now() - step;
      expect(firedIn).toBeLessThan(10_000);
      expect(surge.runbook).toBe("surge");

      const posted = await until(
        "the surge notification at the webhook",
        async () => hook.requests.find((r) => r.body?.commonLabels?.alertname === "surge"),
        10_000,
      );
      expect(posted.path).toBe("/alerts");
      expect(posted.body.status).toBe("firing");
      expect(posted.body.whatChanged[0].version).toBe(v2.body.version);
      const mail = await until(
        "the surge mail",
        async () => smtp.mails.find((m) => m.headers.subject?.includes("surge")),
        10_000,
      );
      expect(mail.to).toEqual(["oncall@shop.example"]);
      expect(mail.text).toContain(`What changed: [security] v${v2.body.version} applied`);
      console.log(`surge fired ${firedIn} ms after the 5x step; mail: ${mail.headers.subject}`);

      // Silence the route's drop alert before the traffic stops.
      const silence = await api<{ silence: { id: string } }>("POST", "/silences", {
        matchers: ["alertname=traffic-drop", "route=shop"],
        duration: "1h",
        comment: "shop route maintenance",
      });
      expect(silence.status).toBe(201);

      await sleep(5000);
      load.rate = 0;
      const stopped = Date.now();
      const drops = await until(
        "drop alerts for the fleet and the route",
        async () => {
          const d = (await alertsNow()).filter((a) => a.rule === "traffic-drop");
          return d.some((a) => a.labels.route === "shop") && d.some((a) => a.labels.route === undefined)
            ? d
            : undefined;
        },
        20_000,
      );
      console.log(`traffic-drop fired ${Date.now() - stopped} ms after the traffic stopped`);
      const routeDrop = drops.find((a) => a.labels.route === "shop")!;
      expect(routeDrop.silencedBy).toEqual([silence.body.silence.id]);
      const dropPosts = await until(
        "the fleet's drop notification",
        async () => {
          const p = hook.requests.filter((r) => r.body?.commonLabels?.alertname === "traffic-drop");
          return p.length > 0 ? p : undefined;
        },
        10_000,
      );
      // The silenced route alert is in no notification.
      const notifiedRoutes = dropPosts.flatMap((p) => p.body.alerts.map((a: AlertView) => a.labels.route));
      expect(notifiedRoutes).not.toContain("shop");

      load.rate = 50;
      await until(
        "the drop alerts resolved",
        async () => ((await alertsNow()).some((a) => a.rule === "traffic-drop") ? undefined : true),
        15_000,
      );
      const resolved = await until(
        "a resolved drop notification",
        async () =>
          hook.requests.find(
            (r) => r.body?.commonLabels?.alertname === "traffic-drop" && r.body.status === "resolved",
          ),
        10_000,
      );
      expect(resolved.body.alerts.every((a: { status: string }) => a.status === "resolved")).toBe(true);
    } finally {
      await load.stop();
    }
  }, 150_000);
});
