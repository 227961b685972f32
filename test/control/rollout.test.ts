/** Rollout (src/control/rollout.ts): the health gate, selectors, and the controller's assignments. */
import { afterEach, describe, expect, it } from "vitest";
import type { AttestedSecond } from "../../src/control/drift.js";
import {
  DEFAULT_GATE,
  evaluateGate,
  type FleetView,
  matchesSelector,
  parseStrategy,
  RolloutController,
  summarize,
} from "../../src/control/rollout.js";
import type { Store } from "../../src/store/store.js";
import { apply, doc, tempStore } from "./helpers.js";

function secs(n: number, per: Partial<AttestedSecond> = {}): AttestedSecond[] {
  return Array.from({ length: n }, (_, i) => ({
    t: 1000 + i,
    requests: 10,
    s5xx: 0,
    blocked: 0,
    p99Ms: 5,
    ...per,
  }));
}

describe("summarize", () => {
  it.each([
    { name: "empty", in: [], out: { requests: 0, errorRatio: 0, blockRatio: 0, p99Ms: 0 } },
    {
      name: "idle seconds are skipped",
      in: secs(3, { requests: 0, p99Ms: 900 }),
      out: { requests: 0, p99Ms: 0 },
    },
    {
      name: "ratios",
      in: secs(4, { s5xx: 5, blocked: 1 }),
      out: { requests: 40, errorRatio: 0.5, blockRatio: 0.1 },
    },
    {
      name: "median of per-second p99",
      in: [...secs(2, { p99Ms: 1 }), ...secs(1, { p99Ms: 3 }), ...secs(2, { p99Ms: 1000 })],
      out: { p99Ms: 3 },
    },
  ])("$name", (c) => {
    expect(summarize(c.in)).toMatchObject(c.out);
  });
});

describe("evaluateGate", () => {
  it.each([
    { name: "same health passes", canary: secs(5), base: secs(5), pass: true, reason: undefined },
    {
      name: "5xx on the canary fails",
      canary: secs(5, { s5xx: 10 }),
      base: secs(5),
      pass: false,
      reason: /error ratio 100.0 %/,
    },
    {
      name: "5xx on both passes",
      canary: secs(5, { s5xx: 5 }),
      base: secs(5, { s5xx: 5 }),
      pass: true,
      reason: undefined,
    },
    {
      name: "block ratio up fails",
      canary: secs(5, { blocked: 3 }),
      base: secs(5),
      pass: false,
      reason: /block ratio 30.0 %/,
    },
    {
      name: "latency x10 fails",
      canary: secs(5, { p99Ms: 500 }),
      base: secs(5, { p99Ms: 50 }),
      pass: false,
      reason: /latency p99 500 ms/,
    },
    {
      name: "latency within slack passes",
      canary: secs(5, { p99Ms: 60 }),
      base: secs(5, { p99Ms: 5 }),
      pass: true,
      reason: undefined,
    },
    {
      name: "no baseline traffic: latency not judged",
      canary: secs(5, { p99Ms: 5000 }),
      base: [],
      pass: true,
      reason: undefined,
    },
    {
      name: "no baseline traffic: errors still judged",
      canary: secs(5, { s5xx: 10 }),
      base: [],
      pass: false,
      reason: /error ratio/,
    },
    {
      name: "too little canary traffic is inconclusive",
      canary: secs(1, { s5xx: 10 }),
      base: secs(5),
      pass: true,
      reason: /inconclusive/,
    },
    {
      name: "no traffic at all",
      canary: [],
      base: [],
      pass: true,
      reason: /inconclusive: 0 canary requests/,
    },
  ])("$name", (c) => {
    const v = evaluateGate(c.canary, c.base, DEFAULT_GATE);
    expect(v.pass).toBe(c.pass);
    if (c.reason) expect(v.reasons.join("\n")).toMatch(c.reason);
    else expect(v.reasons).toEqual([]);
  });
});

describe("matchesSelector and parseStrategy", () => {
  it.each([
    { id: "edge-1", tags: [], sel: ["edge-1"], out: true },
    { id: "edge-1", tags: ["eu"], sel: ["eu"], out: true },
    { id: "edge-2", tags: ["us"], sel: ["eu", "edge-1"], out: false },
    { id: "", tags: [], sel: [], out: false },
  ])("$id $tags in $sel -> $out", (c) => {
    expect(matchesSelector(c.id, c.tags, c.sel)).toBe(c.out);
  });

  it.each([
    { in: { kind: "all" }, ok: true },
    { in: { kind: "canary", canaries: ["a"] }, ok: true },
    { in: { kind: "canary", canaries: ["a"], gate: { windowMs: 100 } }, ok: true },
    { in: { kind: "canary", canaries: [] }, ok: false },
    { in: { kind: "canary", canaries: [""] }, ok: false },
    { in: { kind: "canary", canaries: ["a"], gate: { nonsense: 1 } }, ok: false },
    { in: { kind: "canary", canaries: ["a"], gate: { windowMs: -1 } }, ok: false },
    { in: { kind: "blue-green" }, ok: false },
    { in: null, ok: false },
    { in: "all", ok: false },
  ])("parseStrategy($in)", (c) => {
    expect(parseStrategy(c.in) !== undefined).toBe(c.ok);
  });
});

/** A fleet of fake gateways whose running version and seconds the test sets. */
class FakeFleet implements FleetView {
  readonly gws = new Map<
    string,
    { tags: string[]; running: number | null; seconds: (AttestedSecond & { version: number | null })[] }
  >();
  add(id: string, tags: string[], running: number | null): void {
    this.gws.set(id, { tags, running, seconds: [] });
  }
  gateways() {
    return [...this.gws].map(([id, g]) => ({ id, tags: g.tags, runningVersion: g.running }));
  }
  seconds(id: string, fromMs: number, toMs: number) {
    return (this.gws.get(id)?.seconds ?? []).filter((s) => s.t >= fromMs / 1000 && s.t < toMs / 1000);
  }
  traffic(id: string, fromS: number, toS: number, per: Partial<AttestedSecond>): void {
    const g = this.gws.get(id)!;
    for (let t = fromS; t < toS; t++)
      g.seconds.push({ t, requests: 10, s5xx: 0, blocked: 0, p99Ms: 5, version: g.running, ...per });
  }
}

describe("RolloutController", () => {
  let store: Store;
  let now = 1_000_000;
  afterEach(() => store.close());

  function setup(): { c: RolloutController; fleet: FakeFleet; v1: number } {
    ({ store } = tempStore());
    now = 1_000_000;
    const c = new RolloutController(store, () => now);
    const v1 = apply(store, doc());
    c.start(v1);
    const fleet = new FakeFleet();
    for (const id of ["a", "b", "c"]) fleet.add(id, id === "a" ? ["canary"] : [], v1);
    c.tick(fleet);
    return { c, fleet, v1 };
  }

  it("all: assigns everyone at once, then live, previous superseded", () => {
    const { c, fleet, v1 } = setup();
    expect(store.versions.get(v1)?.rolloutState).toBe("live");
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2);
    expect(["a", "b", "c"].map((id) => c.assignedFor(id, []))).toEqual([v2, v2, v2]);
    expect(store.versions.get(v2)?.rolloutState).toBe("rolling-out");
    for (const g of fleet.gws.values()) g.running = v2;
    c.tick(fleet);
    expect(store.versions.get(v2)?.rolloutState).toBe("live");
    expect(store.versions.get(v1)?.rolloutState).toBe("superseded");
    expect(store.events.list({ kinds: ["rollout.completed"] }).map((e) => e.data.version)).toEqual([v1, v2]);
  });

  it("a version stored without a startRollout call is picked up by the tick", () => {
    const { c, fleet } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    expect(c.assignedFor("b", [])).not.toBe(v2);
    c.tick(fleet);
    expect(c.assignedFor("b", [])).toBe(v2);
  });

  it("canary: failing gate rolls the canaries back and the others never get it", () => {
    const { c, fleet, v1 } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    const seen = new Set<number | undefined>();
    c.start(v2, { kind: "canary", canaries: ["canary"] });
    const watch = () => {
      for (const id of ["b", "c"]) seen.add(c.assignedFor(id, []));
    };
    watch();
    expect(c.assignedFor("a", ["canary"])).toBe(v2);
    fleet.gws.get("a")!.running = v2;
    now += 1000;
    c.tick(fleet);
    watch();
    const from = now / 1000;
    fleet.traffic("a", from, from + 10, { s5xx: 8 });
    fleet.traffic("b", from, from + 10, {});
    now += 9000;
    c.tick(fleet);
    expect(c.assignedFor("a", ["canary"])).toBe(v2); // window not over
    now += 1500;
    c.tick(fleet);
    watch();
    expect(c.assignedFor("a", ["canary"])).toBe(v1);
    expect([...seen]).toEqual([v1]);
    expect(store.versions.get(v2)?.rolloutState).toBe("rolled-back");
    const ev = store.events.list({ kinds: ["rollout.rolled-back"] });
    expect(ev).toHaveLength(1);
    expect(String(ev[0]?.data.reasons)).toMatch(/error ratio 80.0 % on the canaries vs 0.0 %/);
  });

  it("canary: passing gate extends to the rest, then live", () => {
    const { c, fleet, v1 } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["a"] });
    expect(c.assignedFor("b", [])).toBe(v1);
    fleet.gws.get("a")!.running = v2;
    c.tick(fleet);
    const from = now / 1000;
    fleet.traffic("a", from, from + 11, {});
    fleet.traffic("b", from, from + 11, {});
    now += 11_000;
    c.tick(fleet);
    expect(c.assignedFor("b", [])).toBe(v2);
    expect(store.events.list({ kinds: ["rollout.gate-passed"] })).toHaveLength(1);
    for (const g of fleet.gws.values()) g.running = v2;
    c.tick(fleet);
    expect(store.versions.get(v2)?.rolloutState).toBe("live");
  });

  it("canary: too little traffic extends the watch up to three windows, then passes saying so", () => {
    const { c, fleet, v1 } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["a"], gate: { minRequests: 100 } });
    fleet.gws.get("a")!.running = v2;
    c.tick(fleet);
    fleet.traffic("a", now / 1000, now / 1000 + 3, {});
    now += 11_000;
    c.tick(fleet);
    expect(c.assignedFor("b", [])).toBe(v1);
    now += 20_000;
    c.tick(fleet);
    expect(c.assignedFor("b", [])).toBe(v2);
    expect(String(store.events.list({ kinds: ["rollout.gate-passed"] })[0]?.data.notes)).toMatch(
      /inconclusive: 30 canary requests, fewer than 100/,
    );
  });

  it("canary: canaries that never run the version fail the rollout after the timeout", () => {
    const { c, fleet, v1 } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["a"], gate: { convergeTimeoutMs: 5000 } });
    now += 6000;
    c.tick(fleet);
    expect(c.assignedFor("a", [])).toBe(v1);
    expect(String(store.events.list({ kinds: ["rollout.rolled-back"] })[0]?.data.reasons)).toMatch(
      /canaries a did not run version/,
    );
  });

  it("canary selector matching no gateway fails and says so", () => {
    const { c, fleet } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["nobody"], gate: { convergeTimeoutMs: 0 } });
    now += 1;
    c.tick(fleet);
    expect(String(store.events.list({ kinds: ["rollout.rolled-back"] })[0]?.data.reasons)).toMatch(
      /no gateway matches/,
    );
  });

  it("a newer apply supersedes a canary in progress", () => {
    const { c } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["a"] });
    const v3 = apply(store, doc({ rate: "800/s" }));
    c.start(v3);
    expect(store.versions.get(v2)?.rolloutState).toBe("superseded");
    expect(c.assignedFor("b", [])).toBe(v3);
  });

  it("the first version has no previous one: a canary request rolls out to all", () => {
    ({ store } = tempStore());
    const c = new RolloutController(store, () => now);
    const v1 = apply(store, doc());
    c.start(v1, { kind: "canary", canaries: ["a"] });
    expect(c.assignedFor("z", [])).toBe(v1);
  });

  it("a canary cut short by a restart resumes as a canary with its gate", () => {
    const { c, v1 } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["a"], gate: { windowMs: 1234 } });
    const again = new RolloutController(store, () => now);
    expect(again.assignedFor("a", [])).toBe(v2);
    expect(again.assignedFor("b", [])).toBe(v1);
    expect(again.status()).toEqual({
      stable: v1,
      active: { version: v2, phase: "canary", strategy: "canary" },
    });
    // Once its gate passed, a restart does not gate it again.
    store.events.append({
      kind: "rollout.gate-passed",
      severity: "info",
      source: "control-plane",
      data: { version: v2 },
    });
    expect(new RolloutController(store, () => now).assignedFor("b", [])).toBe(v2);
  });

  it("a restarted controller serves the newest version that went out, not a rolled-back one", () => {
    const { c, fleet, v1 } = setup();
    const v2 = apply(store, doc({ rate: "900/s" }));
    c.start(v2, { kind: "canary", canaries: ["a"], gate: { convergeTimeoutMs: 0 } });
    now += 1;
    c.tick(fleet);
    const again = new RolloutController(store, () => now);
    expect(again.assignedFor("a", [])).toBe(v1);
  });
});
