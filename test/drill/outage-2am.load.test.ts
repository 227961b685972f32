/**
 * The outage in small, end to end (issue: incident response): gateway + control plane + demo shop in
 * a sandbox; an update that switches critical WAF modules off goes through only with an admin
 * override; a surge of legitimate shoppers overloads the shop; alerts fire and an incident opens; the
 * first notification names the override version first; the responder rolls back (the runbook's
 * command) and resolves; the postmortem's figures match what the drill itself measured.
 *
 * Tolerances, stated: times within 3 s (seconds are the series' resolution, plus attestation lag);
 * shares within 5 points (the gateway counts 5xx, the shoppers also count timeouts; distinct
 * clients are HyperLogLog estimates, about ±3 %).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type OutageResult, runOutage2am } from "../../src/drill/scenarios/outage-2am.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-outage-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const steps: string[] = [];

describe("outage-2am", () => {
  it("refuses, alerts with the change first, mitigates, and writes a postmortem that matches", {
    timeout: 240_000,
  }, async () => {
    const r: OutageResult = await runOutage2am({
      dir,
      signal: new AbortController().signal,
      progress: { step: (t) => steps.push(t) },
    });
    console.log(`[outage-2am] ${JSON.stringify({ ...r, load: undefined })}`);

    expect(r.refused).toBe(true);
    expect(r.detect_s).not.toBeNull();
    expect(r.detect_s!).toBeLessThanOrEqual(15);
    expect(r.first_alert_names_change).toBe(true);
    expect(r.mitigate_s).not.toBeNull();

    // The shop was really overloaded, and checkout kept its priority.
    expect(r.during.failed).toBeGreaterThan(0);
    expect(r.checkouts_failed_pct).toBeLessThan((r.during.failed / r.during.sent) * 100);

    const pm = r.postmortem_summary;
    expect(pm).not.toBeNull();
    expect(pm!.cause_version).toBe(r.bad_version);
    const onset = Date.parse(r.surge_onset);
    const resolved = Date.parse(r.resolved_at);
    expect(Math.abs(Date.parse(pm!.onset) - onset)).toBeLessThanOrEqual(3000);
    expect(Math.abs(pm!.duration_s! - (resolved - onset) / 1000)).toBeLessThanOrEqual(3);
    expect(Math.abs(pm!.time_to_mitigate_s! - r.mitigate_s!)).toBeLessThanOrEqual(3);
    const points = (share: number | null, measured: number) =>
      Math.abs((share ?? Number.NaN) * 100 - measured);
    expect(points(pm!.requests_failed, (r.during.failed / r.during.sent) * 100)).toBeLessThanOrEqual(5);
    expect(points(pm!.clients_failed, r.clients_failed_pct)).toBeLessThanOrEqual(5);
    expect(points(pm!.checkouts_failed, r.checkouts_failed_pct)).toBeLessThanOrEqual(5);

    expect(r.postmortem).not.toBeNull();
    expect(existsSync(r.postmortem!)).toBe(true);
    const md = readFileSync(r.postmortem!, "utf8");
    expect(md).toContain("Issue Summary");
    expect(md).toContain("Root Cause and Resolution");
    expect(md).toContain(`v${r.bad_version} applied`);
    expect(md).toContain("DRAFT");
    expect(steps.some((s) => s.startsWith("guardrail: refused"))).toBe(true);
  });
});
