/**
 * The postmortem's impact read from the real monitor (src/monitor/series) fed with the gateway's own
 * counters: a minute of traffic in which three of ten clients get 500s for 20 seconds. The numbers
 * are checked exactly against what the test sent.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { incidentPostmortem } from "../../src/incidents/report.js";
import { IncidentService } from "../../src/incidents/service.js";
import { Monitor } from "../../src/monitor/series/monitor.js";
import type { Store } from "../../src/store/store.js";
import { attestation, type Req, secondsOf } from "../monitor/series/helpers.js";
import { apply, type Clock, clock, doc, T0, tempStore } from "./helpers.js";

let c: Clock;
let store: Store;

beforeEach(() => {
  c = clock(T0 - 60_000);
  ({ store } = tempStore(c));
  apply(store, doc(), "v1");
  c.advance(60_000);
});
afterEach(() => store.close());

describe("postmortem impact from the monitor", () => {
  it("computes failed requests, checkouts, clients and the peak error ratio exactly", () => {
    const monitor = new Monitor(store, { now: c.now });
    const svc = new IncidentService(store, { now: c.now });
    svc.open({ title: "checkout errors", by: "ann", severity: "SEV2" });
    const t0 = T0 / 1000;
    const reqs: Req[] = [];
    for (let t = t0; t < t0 + 60; t++) {
      for (let i = 0; i < 10; i++) {
        const failing = i < 3 && t >= t0 + 20 && t < t0 + 40;
        reqs.push({
          t,
          route: i < 2 ? "checkout" : "browse",
          client: `client-${i}`,
          status: failing ? 500 : 200,
        });
      }
    }
    c.advance(60_000);
    monitor.ingest(attestation("edge-1", secondsOf(reqs), t0 + 59, ["checkout", "browse"]));
    c.advance(5_000);
    monitor.tick();
    svc.act(1, { kind: "resolve" }, "ann");

    const pm = incidentPostmortem(svc, store, 1, { nowMs: c.now(), series: monitor });
    expect(pm.summary.duration).toMatchObject({ value: 65, text: "1 min 5 s" });
    // 60 s of 10 requests; 3 clients x 20 s failed.
    expect(pm.summary.requestsFailed).toMatchObject({
      value: 60 / 600,
      text: "10.0 % of requests failed (60 of 600)",
    });
    expect(pm.summary.requestsFailed.source).toMatch(
      /^series s5xx\{\} summed over \[2026-03-01 02:00:00, 2026-03-01 02:01:05\) \(1 s steps, ring\)/,
    );
    // checkout: clients 0 and 1, 2 requests a second; both failed for 20 s.
    expect(pm.summary.checkoutsFailed).toMatchObject({
      value: 40 / 120,
      text: "33.3 % of checkout requests failed (40 of 120)",
    });
    expect(pm.summary.clientsFailed.value).toBe(0.3);
    expect(pm.summary.clientsFailed.text).toMatch(
      /^30\.0 % of clients saw an error or a block \(about 3 of 10/,
    );
    expect(pm.summary.peakErrorRatio).toMatchObject({ value: 0.3, at: "2026-03-01T02:00:20.000Z" });
  });
});
