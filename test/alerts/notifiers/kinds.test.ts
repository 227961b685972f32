/**
 * Each notifier against a real peer started by the test, through the dispatcher (enqueue, flush):
 * what arrives on the wire is read back and compared field by field.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { Dispatcher } from "../../../src/alerts/notifiers/dispatcher.js";
import { type ReceiversInput, receiversSchema } from "../../../src/alerts/notifiers/schema.js";
import { openStore, type Store } from "../../../src/store/store.js";
import {
  type HttpPeer,
  type SmtpPeer,
  startHttpPeer,
  startSmtpPeer,
  surgeAlert,
  surgeNotification,
} from "./peers.js";

const root = mkdtempSync(join(tmpdir(), "rampart-notify-kinds-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let store: Store;
let http: HttpPeer;
let n = 0;
beforeEach(async () => {
  store = openStore(join(root, `s${n++}`));
  http = await startHttpPeer();
});
afterEach(async () => {
  store.close();
  await http.close();
});

function dispatcher(receivers: ReceiversInput, env: Record<string, string> = {}): Dispatcher {
  const d = new Dispatcher(store, { env, random: () => 0.5 });
  d.setReceivers(receiversSchema.parse(receivers));
  return d;
}

describe("webhook", () => {
  it("posts Alertmanager's version-4 body with whatChanged beside it", async () => {
    const d = dispatcher({
      ops: { type: "webhook", url: `${http.url}/hook?team=shop`, headers: { "x-team": "shop" } },
    });
    const stored = d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(http.requests).toHaveLength(1);
    const req = http.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/hook?team=shop");
    expect(req.headers["content-type"]).toBe("application/json");
    expect(req.headers["x-team"]).toBe("shop");
    expect(req.body).toEqual({
      version: "4",
      groupKey: "surge/route=checkout",
      truncatedAlerts: 0,
      status: "firing",
      receiver: "ops",
      groupLabels: { alertname: "surge", route: "checkout", gateway: "edge-1" },
      commonLabels: { alertname: "surge", route: "checkout", gateway: "edge-1" },
      commonAnnotations: {
        summary: "requests 5.2x the usual on route checkout",
        description: "requests per second rose from 40 to 208 within 10 s",
        runbook_url: "https://runbooks.shop.example/surge",
        value: "0.97",
      },
      externalURL: "http://control.shop.example/alerts/surge",
      alerts: [
        {
          status: "firing",
          labels: { alertname: "surge", route: "checkout", gateway: "edge-1" },
          annotations: {
            summary: "requests 5.2x the usual on route checkout",
            description: "requests per second rose from 40 to 208 within 10 s",
            runbook_url: "https://runbooks.shop.example/surge",
            value: "0.97",
          },
          startsAt: "2026-03-14T02:00:00.000Z",
          endsAt: "0001-01-01T00:00:00Z",
          generatorURL: "http://control.shop.example/alerts/surge",
          fingerprint: "3f2a9c1d5e7b8a60",
        },
      ],
      title: "[FIRING] surge on route checkout",
      severity: "critical",
      whatChanged: surgeNotification().whatChanged,
    });
    expect(d.get(stored.id)).toMatchObject({ status: "sent", attempts: 1, lastError: null });
  });

  it("marks resolved alerts with their end and keeps only annotations common to all", async () => {
    const d = dispatcher({ ops: { type: "webhook", url: http.url } });
    const resolved = surgeAlert({ state: "resolved", resolvedAt: "2026-03-14T02:20:00.000Z" });
    const other = surgeAlert({
      fingerprint: "aa",
      labels: { alertname: "surge", route: "search" },
      summary: "x",
    });
    d.enqueue("ops", surgeNotification({ status: "resolved", alerts: [resolved, other] }));
    await d.flush();
    const body = http.requests[0]!.body;
    expect(body.status).toBe("resolved");
    expect(body.alerts.map((a: { status: string; endsAt: string }) => [a.status, a.endsAt])).toEqual([
      ["resolved", "2026-03-14T02:20:00.000Z"],
      ["firing", "0001-01-01T00:00:00Z"],
    ]);
    expect(body.commonAnnotations).toEqual({
      description: "requests per second rose from 40 to 208 within 10 s",
      runbook_url: "https://runbooks.shop.example/surge",
      value: "0.97",
    });
  });

  it("reads its URL from the environment variable it names", async () => {
    const d = dispatcher(
      { ops: { type: "webhook", urlEnv: "OPS_HOOK" } },
      { OPS_HOOK: `${http.url}/secret-path` },
    );
    d.enqueue("ops", surgeNotification());
    await d.flush();
    expect(http.requests.map((r) => r.path)).toEqual(["/secret-path"]);
  });
});

describe("incident notifications", () => {
  it("carry the incident in the webhook body, the Slack context and the mail", async () => {
    const smtp = await startSmtpPeer();
    try {
      const d = dispatcher({
        hook: { type: "webhook", url: http.url },
        chat: { type: "slack", url: http.url },
        mail: {
          type: "email",
          host: "127.0.0.1",
          port: smtp.port,
          from: "r@shop.example",
          to: ["ops@shop.example"],
        },
      });
      const incident = { id: 7, state: "investigating", severity: "sev2" };
      for (const r of ["hook", "chat", "mail"])
        d.enqueue(r, surgeNotification({ source: "incident", incident, url: undefined }));
      await d.flush();
      const [hook, chat] = [...http.requests].sort((a, b) =>
        a.body.version === "4" ? -1 : b.body.version === "4" ? 1 : 0,
      );
      expect(hook?.body.incident).toEqual(incident);
      expect(chat?.body.blocks.at(-1).elements[0].text).toBe(
        "severity *critical* · status *firing* · incident 7 (investigating)",
      );
      expect(smtp.mails[0]?.text).toContain("\nIncident 7: investigating, severity sev2\n");
    } finally {
      await smtp.close();
    }
  });
});

describe("slack", () => {
  it("sends text and blocks with the first what-changed line right under the title", async () => {
    const d = dispatcher({
      chat: { type: "slack", url: `${http.url}/services/T1/B2/XYZ`, channel: "#shop-alerts" },
    });
    d.enqueue("chat", surgeNotification({ text: "Requests <5x> & rising" }));
    await d.flush();
    const body = http.requests[0]!.body;
    expect(body.channel).toBe("#shop-alerts");
    expect(body.text).toBe(
      "[FIRING] surge on route checkout\nWhat changed: v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off",
    );
    expect(body.blocks[0]).toEqual({
      type: "header",
      text: { type: "plain_text", text: "[FIRING] surge on route checkout" },
    });
    expect(body.blocks[1]).toEqual({
      type: "section",
      text: {
        type: "mrkdwn",
        text: "*What changed:* v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off",
      },
    });
    // Slack's escaping of &, < and >.
    expect(body.blocks[2].text.text).toBe("Requests &lt;5x&gt; &amp; rising");
    expect(body.blocks[3].text.text).toBe(
      "• [firing] surge route=checkout gateway=edge-1: requests 5.2x the usual on route checkout (value 0.97), since 2026-03-14T02:00:00.000Z",
    );
    expect(body.blocks[4].text.text).toBe(
      "*Changes before it:*\n• v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off (security-relevant)\n• v41 rolled out 01:40 to 3 gateways",
    );
    expect(body.blocks[5]).toEqual({
      type: "context",
      elements: [
        {
          type: "mrkdwn",
          text: "severity *critical* · status *firing* · <http://control.shop.example/alerts/surge|open in Rampart>",
        },
      ],
    });
  });

  it("leaves the what-changed block out when nothing changed", async () => {
    const d = dispatcher({ chat: { type: "slack", url: http.url } });
    d.enqueue("chat", surgeNotification({ whatChanged: [] }));
    await d.flush();
    const body = http.requests[0]!.body;
    expect(body.text).toBe("[FIRING] surge on route checkout");
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual([
      "header",
      "section",
      "section",
      "context",
    ]);
    expect(body.channel).toBeUndefined();
  });
});

describe("pagerduty", () => {
  it("triggers, then resolves the same dedup_key, with the routing key from the environment", async () => {
    http.fallback = { status: 202, body: '{"status":"success","message":"Event processed"}' };
    const d = dispatcher(
      { pd: { type: "pagerduty", routingKeyEnv: "PD_KEY", url: `${http.url}/v2/enqueue` } },
      { PD_KEY: "R0UT1NGKEY" },
    );
    d.enqueue("pd", surgeNotification());
    d.enqueue("pd", surgeNotification({ status: "resolved", title: "[RESOLVED] surge on route checkout" }));
    await d.flush();
    expect(http.requests.map((r) => r.path)).toEqual(["/v2/enqueue", "/v2/enqueue"]);
    expect(http.requests[0]!.body).toEqual({
      routing_key: "R0UT1NGKEY",
      event_action: "trigger",
      dedup_key: "surge/route=checkout",
      client: "Rampart",
      client_url: "http://control.shop.example/alerts/surge",
      links: [{ href: "http://control.shop.example/alerts/surge", text: "Open in Rampart" }],
      payload: {
        summary: "[FIRING] surge on route checkout",
        source: "edge-1",
        severity: "critical",
        timestamp: "2026-03-14T02:00:00.000Z",
        component: "checkout",
        group: "edge-1",
        class: "surge",
        custom_details: {
          whatChanged: [
            "v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off (security-relevant)",
            "v41 rolled out 01:40 to 3 gateways",
          ],
          text: "Requests on route checkout are 5.2x the usual rate.",
          alerts: [
            "[firing] surge route=checkout gateway=edge-1: requests 5.2x the usual on route checkout (value 0.97), since 2026-03-14T02:00:00.000Z",
          ],
          labels: { alertname: "surge", route: "checkout", gateway: "edge-1" },
        },
      },
    });
    expect(http.requests[1]!.body).toEqual({
      routing_key: "R0UT1NGKEY",
      event_action: "resolve",
      dedup_key: "surge/route=checkout",
      client: "Rampart",
      client_url: "http://control.shop.example/alerts/surge",
      links: [{ href: "http://control.shop.example/alerts/surge", text: "Open in Rampart" }],
    });
  });

  it("maps severities and hashes a group key above PagerDuty's 255 characters", async () => {
    http.fallback = { status: 202 };
    const d = dispatcher({ pd: { type: "pagerduty", routingKey: "K", url: http.url } });
    const longKey = `surge/${"r".repeat(300)}`;
    d.enqueue("pd", surgeNotification({ severity: "warning", groupKey: longKey, commonLabels: {} }));
    d.enqueue("pd", surgeNotification({ severity: "info" }));
    await d.flush();
    const [first, second] = http.requests.map((r) => r.body);
    expect(first.dedup_key).toMatch(/^[0-9a-f]{64}$/);
    expect(first.payload.severity).toBe("warning");
    expect(first.payload.source).toBe("rampart");
    expect(first.payload.component).toBeUndefined();
    expect(second.payload.severity).toBe("info");
  });
});

describe("email", () => {
  let smtp: SmtpPeer;
  afterEach(async () => smtp?.close());

  it("delivers to a real SMTP server: subject is the title, the body leads with what changed", async () => {
    smtp = await startSmtpPeer({ user: "rampart", pass: "s3cret" });
    const d = dispatcher(
      {
        mail: {
          type: "email",
          host: "127.0.0.1",
          port: smtp.port,
          user: "rampart",
          passwordEnv: "SMTP_PASSWORD",
          from: "Rampart <rampart@shop.example>",
          to: ["ops@shop.example", "oncall@shop.example"],
        },
      },
      { SMTP_PASSWORD: "s3cret" },
    );
    const stored = d.enqueue("mail", surgeNotification());
    await d.flush();
    expect(d.get(stored.id)).toMatchObject({ status: "sent", attempts: 1 });
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0]!;
    expect(mail.user).toBe("rampart");
    expect(mail.from).toBe("rampart@shop.example");
    expect(mail.to).toEqual(["ops@shop.example", "oncall@shop.example"]);
    expect(mail.headers.subject).toBe("[FIRING] surge on route checkout");
    expect(mail.headers["x-rampart-group-key"]).toBe("surge/route=checkout");
    expect(mail.headers.references).toMatch(/^<[0-9a-f]{32}@rampart\.notifications>$/);
    expect(mail.text).toBe(
      [
        "What changed: v42 applied 01:58 by deploy-bot: waf.modules.sqli off, waf.modules.protocol off (security-relevant)",
        "              v41 rolled out 01:40 to 3 gateways",
        "    waf.modules.sqli: on -> off",
        "    waf.modules.protocol: on -> off",
        "",
        "Requests on route checkout are 5.2x the usual rate.",
        "",
        "Alerts:",
        "  [firing] surge route=checkout gateway=edge-1: requests 5.2x the usual on route checkout (value 0.97), since 2026-03-14T02:00:00.000Z",
        "    runbook: https://runbooks.shop.example/surge",
        "",
        "http://control.shop.example/alerts/surge",
        "",
      ].join("\n"),
    );
  });

  it("a wrong password is refused for good (535) and reported at once", async () => {
    smtp = await startSmtpPeer({ user: "rampart", pass: "s3cret" });
    const d = dispatcher({
      mail: {
        type: "email",
        host: "127.0.0.1",
        port: smtp.port,
        user: "rampart",
        password: "wrong",
        from: "r@shop.example",
        to: ["ops@shop.example"],
      },
    });
    const stored = d.enqueue("mail", surgeNotification());
    await d.flush();
    expect(smtp.mails).toHaveLength(0);
    expect(d.get(stored.id)).toMatchObject({
      status: "failed",
      attempts: 1,
      lastErrorCode: "NOTIFIER_REJECTED",
    });
    expect(store.events.list({ kinds: ["notifier.failing"] }).map((e) => e.data.code)).toEqual([
      "NOTIFIER_REJECTED",
    ]);
  });

  it("a 451 is transient: retried and then delivered once", async () => {
    smtp = await startSmtpPeer();
    let now = Date.parse("2026-03-14T02:00:00Z");
    const d = new Dispatcher(store, { now: () => now, random: () => 0 });
    d.setReceivers(
      receiversSchema.parse({
        mail: {
          type: "email",
          host: "127.0.0.1",
          port: smtp.port,
          from: "r@shop.example",
          to: ["ops@shop.example"],
        },
      }),
    );
    smtp.refuseNext(451);
    const stored = d.enqueue("mail", surgeNotification());
    await d.flush();
    expect(d.get(stored.id)).toMatchObject({
      status: "pending",
      attempts: 1,
      lastErrorCode: "NOTIFIER_PEER_FAILED",
    });
    now += 1000; // equal jitter with random 0: half of the initial 2 s
    await d.flush();
    expect(d.get(stored.id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(smtp.mails).toHaveLength(1);
  });
});
