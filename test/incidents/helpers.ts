/** Shared by the incident tests: a store with a controllable clock, config documents, alert events. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertEventData, AlertView } from "../../src/alerts/types.js";
import { applyConfig } from "../../src/config/versions.js";
import { type OpenStoreOptions, openStore, type Store } from "../../src/store/store.js";

export const T0 = Date.parse("2026-03-01T02:00:00.000Z");

export interface Clock {
  ms: number;
  now: () => number;
  date: () => Date;
  advance(ms: number): void;
}

export function clock(start = T0): Clock {
  const c: Clock = {
    ms: start,
    now: () => c.ms,
    date: () => new Date(c.ms),
    advance(ms: number) {
      c.ms += ms;
    },
  };
  return c;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "rampart-incidents-"));
}

export function tempStore(
  c: Clock,
  dir = tempDir(),
  opts: OpenStoreOptions = {},
): { store: Store; dir: string } {
  return { store: openStore(dir, { now: c.date, ...opts }), dir };
}

export const INCIDENTS = `incidents:
  open: warning
  groupWindowMinutes: 10
  groupBy: [route]
  escalationPolicies:
    default:
      - { receivers: [oncall], delayMinutes: 5 }
      - { receivers: [seniors, security], delayMinutes: 15 }
      - { receivers: [cto], delayMinutes: 30 }
`;

/** The harness config of the API tests, with an incidents section; `sqli` off is the postmortem's update. */
export function doc(
  opts: { sqli?: "on" | "off"; port?: number; rate?: string; incidents?: string } = {},
): string {
  return `gateway: { listen: { host: 127.0.0.1, port: ${opts.port ?? 8080} } }
upstreams: { shop: { targets: [http://127.0.0.1:3000], concurrency: { limit: 100 } } }
routes:
  - name: checkout
    match: { pathPrefix: /checkout }
    upstream: shop
    priority: critical
    rateLimits: [{ name: per-ip, rate: ${opts.rate ?? "10/s"}, burst: 20 }]
  - name: browse
    upstream: shop
    rateLimits: [{ name: per-ip, rate: 50/s, burst: 100 }]
waf: { mode: blocking, modules: { sqli: ${opts.sqli ?? "on"}, xss: on } }
${opts.incidents ?? INCIDENTS}`;
}

export function apply(store: Store, document: string, message = "change", overrides: string[] = []): number {
  return applyConfig(store, {
    document,
    message,
    actor: { name: "deploy-bot", role: "admin" },
    overrides: overrides.map((policy) => ({ policy, reason: "test" })),
  }).version.id;
}

export function alertView(over: Partial<AlertView> & { rule: string; at: number }): AlertView {
  const { at, ...rest } = over;
  const labels = rest.labels ?? { alertname: rest.rule };
  return {
    fingerprint: `${rest.rule}:${JSON.stringify(labels)}`,
    state: "firing",
    severity: "critical",
    labels,
    summary: `${rest.rule} fired`,
    activeAt: new Date(at).toISOString(),
    firedAt: new Date(at).toISOString(),
    ...rest,
  };
}

/**
 * Appends what the alerting writes (src/alerts/alerting.ts): an `alert.firing` / `alert.resolved`
 * event with AlertEventData.
 */
export function fire(store: Store, alert: AlertView): number {
  const data: AlertEventData = { alert, whatChanged: [] };
  const time = new Date(Date.parse(alert.firedAt ?? alert.activeAt));
  return store.events.append({
    kind: alert.state === "resolved" ? "alert.resolved" : "alert.firing",
    severity: alert.severity === "critical" ? "critical" : "warning",
    source: "monitor",
    subject: `alert:${alert.fingerprint}`,
    data: JSON.parse(JSON.stringify(data)),
    time: alert.state === "resolved" && alert.resolvedAt !== undefined ? new Date(alert.resolvedAt) : time,
  }).id;
}

/** A sink that records what it was given, as the dispatcher would store it. */
export function recordingSink(known: readonly string[] = ["oncall", "seniors", "security", "cto"]) {
  const sent: { receiver: string; title: string; text: string; first: string | undefined }[] = [];
  return {
    sent,
    enqueue(receiver: string, n: { title: string; text: string; whatChanged: readonly { title: string }[] }) {
      if (!known.includes(receiver)) throw new Error(`unknown receiver ${receiver}`);
      sent.push({ receiver, title: n.title, text: n.text, first: n.whatChanged[0]?.title });
    },
  };
}
