/** Shared by the series tests: a temp store, and attestations built by the gateway's own counters. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Attestation, AttestedSecond } from "../../../src/control/drift.js";
import {
  NO_CLIENT,
  SecondCounters,
  type SecondOutcome,
  wafModuleIndex,
} from "../../../src/gateway/seconds.js";
import { hashClient } from "../../../src/monitor/series/hll.js";
import { openStore, type Store } from "../../../src/store/store.js";

export function tempStore(
  now: () => number,
  dir = mkdtempSync(join(tmpdir(), "rampart-series-")),
): {
  store: Store;
  dir: string;
} {
  return { store: openStore(dir, { now: () => new Date(now()) }), dir };
}

export interface Req {
  readonly t: number;
  readonly route?: string;
  readonly status?: number;
  readonly ms?: number;
  readonly client?: string;
  readonly outcome?: SecondOutcome;
  readonly module?: string;
}

/** Records requests into a gateway's counters (as the gateway does) and returns their report. */
export function secondsOf(reqs: readonly Req[]): AttestedSecond[] {
  const c = new SecondCounters();
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const r of reqs) {
    const client = r.client === undefined ? NO_CLIENT : hashClient(r.client);
    const module = wafModuleIndex(r.module);
    const args = [r.t * 1000 + 500, r.status ?? 200, r.ms ?? 10, r.outcome ?? "ok", client, module] as const;
    (r.route === undefined ? c.unrouted : c.seriesFor(r.route)).record(...args);
    min = Math.min(min, r.t);
    max = Math.max(max, r.t);
  }
  return reqs.length === 0 ? [] : c.reports(min, max);
}

export function attestation(
  id: string,
  seconds: AttestedSecond[],
  through: number,
  routes = ["shop"],
): Attestation {
  return {
    id,
    tags: [],
    pid: 1,
    host: "h",
    configVersion: null,
    configHash: null,
    controlConnected: true,
    waf: { mode: "blocking", rules: 0, modules: [] },
    routes: routes.map((name) => ({ name, upstream: "shop", rateLimits: [] })),
    seconds,
    through,
  };
}

/** n requests in second t, from distinct clients `${prefix}-${i}`. */
export function burst(t: number, n: number, over: Partial<Req> & { prefix?: string } = {}): Req[] {
  const { prefix = "c", ...rest } = over;
  return Array.from({ length: n }, (_, i) => ({ t, route: "shop", client: `${prefix}-${i}`, ...rest }));
}
