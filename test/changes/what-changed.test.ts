import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatChange, rankChanges, whatChanged } from "../../src/changes/what-changed.js";
import { applyConfig, rollbackTo } from "../../src/config/versions.js";
import { openStore, type Store } from "../../src/store/store.js";

const V1 = `
upstreams: { shop: { targets: [http://127.0.0.1:3000] } }
routes:
  - name: checkout
    match: { pathPrefix: /checkout }
    upstream: shop
    rateLimits: [{ name: per-ip, rate: 10/s, burst: 20 }]
waf: { mode: blocking, modules: { sqli: on, protocol-enforcement: on } }
`;
const V2_PORT = `gateway: { listen: { port: 8081 } }\n${V1}`;
/** The postmortem's update: critical modules off, past the guardrail with an admin override. */
const V3_BAD = V2_PORT.replace(
  "modules: { sqli: on, protocol-enforcement: on }",
  "modules: { sqli: off, protocol-enforcement: off }",
);

const admin = { name: "deploy-bot", role: "admin" as const };

let dir: string;
let store: Store;
let clock: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rampart-changes-"));
  clock = Date.parse("2026-03-10T01:30:00Z");
  store = openStore(dir, { now: () => new Date(clock) });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

function at(iso: string): void {
  clock = Date.parse(iso);
}

describe("whatChanged", () => {
  it("names the version that switched critical modules off first, even before a later harmless one", () => {
    at("2026-03-10T01:40:00Z");
    applyConfig(store, { document: V1, message: "initial", actor: admin });
    at("2026-03-10T01:58:00Z");
    applyConfig(store, {
      document: V3_BAD,
      message: "server update",
      actor: admin,
      overrides: [{ policy: "critical-modules-on", reason: "update" }],
    });
    at("2026-03-10T02:01:00Z");
    // Still past the guardrail (the modules stay off), but this version only tightens a limit.
    applyConfig(store, {
      document: V3_BAD.replace("burst: 20", "burst: 10"),
      message: "tighten",
      actor: admin,
      overrides: [{ policy: "critical-modules-on", reason: "update" }],
    });

    const list = whatChanged(store, { before: new Date("2026-03-10T02:05:00Z") });
    expect(list.map((c) => c.version)).toEqual([2, 3, 1]);
    const [top] = list;
    expect(top?.security).toBe(true);
    expect(top?.kind).toBe("override");
    expect(top?.title).toMatch(/^v2 applied 01:58 by deploy-bot: /);
    expect(top?.title).toContain("waf.modules.sqli off");
    expect(top?.title).toContain("waf.modules.protocol-enforcement off");
    expect(top?.title).toContain('override critical-modules-on by deploy-bot: "update"');
    expect(top?.diff).toEqual(
      expect.arrayContaining(["waf.modules.sqli off", "waf.modules.protocol-enforcement off"]),
    );
    expect(formatChange(top!)).toMatch(/^\[security\] v2 applied/);
    // The tightening is a config change, not a security-relevant one, though it carries the override.
    expect(list[1]).toMatchObject({ security: false, kind: "config" });
    expect(list[1]?.diff).toEqual(["routes[name=checkout].rateLimits[name=per-ip].burst 20 -> 10"]);
  });

  it("keeps to the window: nothing after the onset, nothing older than the window", () => {
    at("2026-03-10T01:00:00Z");
    applyConfig(store, { document: V1, message: "old", actor: admin });
    at("2026-03-10T01:50:00Z");
    applyConfig(store, { document: V2_PORT, message: "in window", actor: admin });
    at("2026-03-10T02:10:00Z");
    applyConfig(store, { document: V1, message: "after onset", actor: admin });
    const list = whatChanged(store, { before: new Date("2026-03-10T02:00:00Z"), windowMs: 30 * 60_000 });
    expect(list.map((c) => c.version)).toEqual([2]);
    // The onset of a series alert is the start of its second: a change within that second counts.
    at("2026-03-10T02:20:00.400Z");
    applyConfig(store, { document: V2_PORT, message: "within the onset's second", actor: admin });
    const within = whatChanged(store, { before: new Date("2026-03-10T02:20:00Z"), windowMs: 15 * 60_000 });
    expect(within.map((c) => c.version)).toEqual([4, 3]);
    expect(
      whatChanged(store, {
        before: new Date("2026-03-10T02:20:00Z"),
        windowMs: 15 * 60_000,
        resolutionMs: 0,
      }).map((c) => c.version),
    ).toEqual([3]);
    expect(list[0]?.title).toBe("v2 applied 01:50 by deploy-bot: gateway.listen.port 8080 -> 8081");
  });

  it("shows a rollback with its target, and ranks it as a config change", () => {
    at("2026-03-10T01:40:00Z");
    applyConfig(store, { document: V1, message: "initial", actor: admin });
    at("2026-03-10T01:45:00Z");
    applyConfig(store, { document: V2_PORT, message: "port", actor: admin });
    at("2026-03-10T01:50:00Z");
    rollbackTo(store, 1, { message: "back", actor: admin });
    const [top] = whatChanged(store, { before: new Date("2026-03-10T01:55:00Z") });
    expect(top?.kind).toBe("rollback");
    expect(top?.title).toBe("v3 rollback to v1 01:50 by deploy-bot: gateway.listen.port 8081 -> 8080");
  });
});

describe("rankChanges", () => {
  const before = new Date("2026-03-10T02:00:00Z");
  const event = (id: number, time: string, kind: string, data: Record<string, string | number>) => ({
    id,
    time,
    kind,
    severity: "info" as const,
    source: "control-plane",
    subject: null,
    data,
  });

  it("orders classes: security drift, then rollouts, then the rest; recency only within a class", () => {
    const list = rankChanges({
      before,
      windowMs: 30 * 60_000,
      versions: [],
      events: [
        event(1, "2026-03-10T01:59:00Z", "settings.changed", { key: "x" }),
        event(2, "2026-03-10T01:31:00Z", "drift", {
          gateway: "edge-2",
          code: "module_off",
          reason: "sqli is off",
        }),
        event(3, "2026-03-10T01:50:00Z", "rollout.started", { version: 7, strategy: "canary" }),
        event(4, "2026-03-10T01:55:00Z", "rollout.completed", { version: 7 }),
        event(5, "2026-03-10T01:58:00Z", "drift", {
          gateway: "edge-3",
          code: "silent",
          reason: "silent for 30 s",
        }),
      ],
    });
    expect(list.map((c) => c.eventId)).toEqual([2, 4, 3, 1, 5]);
    expect(list[0]).toMatchObject({
      kind: "drift",
      security: true,
      title: "drift on edge-2 01:31: sqli is off",
    });
    expect(list[1]?.title).toBe("rollout of v7 completed 01:55");
    for (const c of list) expect(c.score).toBeGreaterThanOrEqual(0), expect(c.score).toBeLessThanOrEqual(1);
  });
});
