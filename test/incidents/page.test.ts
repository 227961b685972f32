/**
 * An incident's first page through the real dispatcher to a real webhook peer on loopback: the body
 * Alertmanager tools read, whose "what changed" names the override version first.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentsFor } from "../../src/incidents/service.js";
import { startTestControlPlane, type TestControlPlane } from "../api/harness.js";
import { alertView, doc, fire } from "./helpers.js";

let t: TestControlPlane;
let peer: Server;
const bodies: Record<string, unknown>[] = [];

beforeAll(async () => {
  peer = createServer((req, res) => {
    let text = "";
    req.on("data", (d: Buffer) => (text += d.toString()));
    req.on("end", () => {
      bodies.push(JSON.parse(text) as Record<string, unknown>);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => peer.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(peer.address() as AddressInfo).port}/hook`;
  const incidents = `alerts:
  receivers: { pager: { type: webhook, url: "${url}" } }
incidents:
  escalationPolicies:
    default:
      - { receivers: [pager], delayMinutes: 5 }
`;
  t = await startTestControlPlane();
  expect(
    (await t.call("POST", "/config/apply", { body: { document: doc({ incidents }), message: "v1" } })).status,
  ).toBe(201);
  const off = await t.call("POST", "/config/apply", {
    body: {
      document: doc({ incidents, sqli: "off", port: 8081 }),
      message: "routine update",
      overrides: [{ policy: "critical-modules-on", reason: "maintenance" }],
    },
  });
  expect(off.status).toBe(201);
});
afterAll(async () => {
  await t.close();
  await new Promise((r) => peer.close(r));
});

describe("an incident's page", () => {
  it("reaches the webhook with the override version first in what changed", async () => {
    fire(
      t.cp.store,
      alertView({
        rule: "surge",
        labels: { route: "checkout" },
        at: Date.now(),
        summary: "surge on checkout",
      }),
    );
    incidentsFor(t.cp.store).tick();
    const end = Date.now() + 10_000;
    while (bodies.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(bodies).toHaveLength(1);
    const body = bodies[0] as {
      version: string;
      groupKey: string;
      title: string;
      incident: { id: number; state: string; severity: string };
      whatChanged: { version: number; security: boolean; title: string }[];
    };
    expect(body.version).toBe("4");
    expect(body.groupKey).toBe("rampart-incident-1");
    expect(body.title).toBe("[TRIGGERED] SEV2 incident #1: surge on checkout");
    expect(body.incident).toEqual({ id: 1, state: "triggered", severity: "SEV2" });
    expect(body.whatChanged[0]).toMatchObject({ version: 2, security: true });
    expect(body.whatChanged[0]!.title).toMatch(
      /^v2 applied \d\d:\d\d by bootstrap-admin: waf\.modules\.sqli off/,
    );
    const page = (await t.call("GET", "/incidents/1")).body.entries.find(
      (e: { kind: string }) => e.kind === "escalation",
    );
    expect(page.text).toBe("level 1 paged (pager): opened");
  });
});
