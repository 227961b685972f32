/** The fleet registry (src/control/fleet.ts) with a fake clock: drift events per episode, states, long poll. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.js";
import { configHash } from "../../src/config/versions.js";
import type { Attestation } from "../../src/control/drift.js";
import { Fleet } from "../../src/control/fleet.js";
import type { Store } from "../../src/store/store.js";
import { apply, doc, tempStore } from "./helpers.js";

let store: Store;
let now: number;
let fleet: Fleet;
let v1: number;

function attestation(id: string, over: Partial<Attestation> = {}, off: string[] = []): Attestation {
  const version = store.versions.get(over.configVersion ?? v1)!;
  return {
    id,
    tags: [],
    pid: 1,
    host: "h",
    configVersion: version.id,
    configHash: version.hash,
    controlConnected: true,
    waf: {
      mode: "blocking",
      rules: 100,
      modules: ["sqli", "xss", "rce"].map((name) => ({
        name,
        state: off.includes(name) ? "off" : "on",
        rules: 10,
      })),
    },
    routes: [],
    seconds: [],
    ...over,
  };
}

beforeEach(() => {
  now = 1_700_000_000_000;
  ({ store } = tempStore(() => new Date(now)));
  v1 = apply(store, doc());
  fleet = new Fleet(store, { now: () => now });
});
afterEach(() => {
  fleet.stop();
  store.close();
});

const driftEvents = () => store.events.list({ kinds: ["drift", "drift.resolved"] });

describe("Fleet", () => {
  it("assigns the live version and lists a gateway in line as ok", () => {
    expect(fleet.assignment("edge-1", ["eu"])?.version).toBe(v1);
    expect(fleet.attest(attestation("edge-1", { tags: ["eu"] }))).toEqual([]);
    expect(fleet.list()).toMatchObject([
      { id: "edge-1", tags: ["eu"], assignedVersion: v1, runningVersion: v1, state: "ok", modulesOff: [] },
    ]);
  });

  it("raises one drift event per episode naming gateway and module, and drift.resolved when it clears", () => {
    fleet.attest(attestation("edge-1"));
    for (let i = 0; i < 5; i++) {
      now += 2000;
      fleet.attest(attestation("edge-1", {}, ["sqli"]));
      fleet.tick();
    }
    let ev = driftEvents();
    expect(ev).toHaveLength(1);
    expect(ev[0]).toMatchObject({
      kind: "drift",
      severity: "critical",
      subject: "gateway:edge-1",
      data: { gateway: "edge-1", module: "sqli", code: "module_off" },
    });
    expect(String(ev[0]?.data.reason)).toBe(
      `gateway edge-1: WAF module sqli is off, version ${v1} has it on`,
    );
    expect(fleet.list()[0]).toMatchObject({ state: "drift", modulesOff: ["sqli"] });
    now += 2000;
    fleet.attest(attestation("edge-1"));
    ev = driftEvents();
    expect(ev.map((e) => e.kind)).toEqual(["drift", "drift.resolved"]);
    expect(fleet.list()[0]?.state).toBe("ok");
  });

  it("compares a gateway's hash with the one this build gives the version, not the one stored by an older build", () => {
    // A version stored by an older build: its canonical form lacks sections this build fills in.
    const older = store.versions.append({
      author: "old-build",
      message: "applied before an upgrade",
      document: doc({ rate: "12/s" }),
      canonical: '{"older":"canonical form"}',
      kind: "apply",
    });
    expect(fleet.assignment("edge-1", [])?.version).toBe(older.id);
    const loaded = configHash(parseConfig(older.document));
    expect(loaded).not.toBe(older.hash);
    const a = attestation("edge-1", { configVersion: older.id, configHash: loaded });
    fleet.attest(a);
    now += 2000;
    fleet.tick();
    expect(driftEvents().filter((e) => e.data.code === "hash")).toEqual([]);
    // A hash that matches neither is drift, as before.
    fleet.attest({ ...a, configHash: "0".repeat(64) });
    fleet.tick();
    expect(driftEvents().map((e) => e.data.code)).toContain("hash");
  });

  it("a gateway that goes silent is unreachable, with a drift event, and resolves when it is back", () => {
    fleet.attest(attestation("edge-1"));
    now += 9_500;
    fleet.tick();
    expect(driftEvents()).toHaveLength(0);
    now += 1000;
    fleet.tick();
    expect(driftEvents().map((e) => [e.kind, e.data.code])).toEqual([["drift", "silent"]]);
    expect(fleet.list()[0]?.state).toBe("unreachable");
    expect(fleet.gateways()).toEqual([]);
    fleet.attest(attestation("edge-1"));
    expect(driftEvents().map((e) => e.kind)).toEqual(["drift", "drift.resolved"]);
  });

  it("a gateway behind on its version is stale while converging, drift after", () => {
    fleet.attest(attestation("edge-1"));
    const v2 = apply(store, doc({ rate: "900/s" }));
    fleet.tick();
    now += 1000;
    fleet.attest(attestation("edge-1"));
    expect(fleet.list()[0]).toMatchObject({ assignedVersion: v2, runningVersion: v1, state: "stale" });
    expect(driftEvents()).toHaveLength(0);
    now += 6000;
    fleet.attest(attestation("edge-1", { lastError: "version 2 not applied: rule set failed" }));
    expect(driftEvents().map((e) => e.data.code)).toEqual(["version"]);
    expect(String(driftEvents()[0]?.data.reason)).toMatch(/rule set failed/);
  });

  it("keeps only recent seconds and tags them with the version that ran", () => {
    const t = Math.floor(now / 1000);
    fleet.attest(
      attestation("edge-1", {
        seconds: [
          { t: t - 400, requests: 1, s5xx: 0, blocked: 0, p99Ms: 1 },
          { t: t - 2, requests: 5, s5xx: 1, blocked: 0, p99Ms: 3 },
        ],
      }),
    );
    expect(fleet.seconds("edge-1", now - 1_000_000, now)).toEqual([
      { t: t - 2, requests: 5, s5xx: 1, blocked: 0, p99Ms: 3, version: v1 },
    ]);
    expect(fleet.seconds("nobody", 0, now)).toEqual([]);
  });

  it("long poll answers at once on a different version and when the assignment changes", async () => {
    fleet.start(1_000_000);
    expect((await fleet.waitForAssignment("edge-1", [], undefined, 5000))?.version).toBe(v1);
    const realNow = Date.now;
    now = realNow();
    const waiting = fleet.waitForAssignment("edge-1", [], v1, 5000);
    const v2 = apply(store, doc({ rate: "900/s" }));
    fleet.rollout.start(v2);
    expect((await waiting)?.version).toBe(v2);
  });

  it("long poll ends early when the caller goes away or the fleet stops", async () => {
    fleet.start(1_000_000);
    const abort = new AbortController();
    const waiting = fleet.waitForAssignment("edge-1", [], v1, 60_000, abort.signal);
    abort.abort();
    expect((await waiting)?.version).toBe(v1);
    const w2 = fleet.waitForAssignment("edge-1", [], v1, 60_000);
    fleet.stop();
    expect((await w2)?.version).toBe(v1);
  });

  it("before the first apply there is nothing to assign", () => {
    const other = tempStore();
    const f = new Fleet(other.store);
    expect(f.assignment("edge-1")).toBeUndefined();
    expect(f.list()).toMatchObject([{ id: "edge-1", assignedVersion: null, state: "stale" }]);
    other.store.close();
  });
});
