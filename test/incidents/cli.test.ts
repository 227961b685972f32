/**
 * The incident commands end to end: a real `rampart control` process, alerts appended to its store
 * as the alerts part writes them, and `rampart incident|runbook|limits|action|postmortem` as a user
 * types them. The control plane is restarted in the middle of the incident: no timeline entry lost.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/store.js";
import { type ControlProcess, ensureBuilt, runCli, startControlProcess } from "../api/process.js";
import { alertView, doc, fire } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "rampart-cli-incident-"));
const data = join(dir, "data");
let cp: ControlProcess | undefined;

/** Runs `rampart ARGS` against the test's control plane; the token comes from DATA/admin.token. */
const rampart = (args: string[]) => runCli(args, { control: cp?.url, data });

/** Appends an alert event to the control plane's store from outside, as another writer would. */
function fireAlert(rule: string): void {
  const store = openStore(data);
  try {
    fire(
      store,
      alertView({ rule, labels: { route: "checkout" }, at: Date.now(), summary: `${rule} on checkout` }),
    );
  } finally {
    store.close();
  }
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stop(): Promise<void> {
  if (cp === undefined) return;
  cp.child.kill("SIGTERM");
  await cp.exited;
  cp = undefined;
}

beforeAll(async () => {
  ensureBuilt();
  cp = await startControlProcess(data);
}, 150_000);
afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("rampart incident (real process)", { timeout: 90_000 }, () => {
  it("from alert to postmortem, through a control plane restart", async () => {
    const file = (name: string, text: string) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    };
    expect((await rampart(["config", "apply", file("v1.yaml", doc()), "-m", "v1"])).code).toBe(0);
    const v2 = file("v2.yaml", doc({ sqli: "off", port: 8081 }));
    const applied = await rampart([
      "config",
      "apply",
      v2,
      "-m",
      "routine update",
      "--override",
      "critical-modules-on",
      "--reason",
      "maintenance",
    ]);
    expect(applied.code).toBe(0);

    fireAlert("surge");
    const list = await until("the incident to open", async () => {
      const r = await rampart(["incident", "list", "--json"]);
      const incidents = JSON.parse(r.stdout) as { id: number; state: string }[];
      return incidents.length > 0 ? incidents : undefined;
    });
    expect(list).toMatchObject([{ id: 1, state: "triggered" }]);

    const show = await rampart(["incident", "show", "1"]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain(
      "What changed before the onset (most likely cause first):\n  1. [security] v2 applied",
    );
    expect(show.stdout).toMatch(/alert surge firing: surge on checkout/);
    expect(show.stdout).toContain("Alerts:\n  firing   surge (critical) surge on checkout");

    const ack = await rampart(["incident", "ack", "1", "--as", "ann", "-m", "on it"]);
    expect([ack.code, ack.stdout.trim()]).toEqual([0, "incident #1 acknowledged"]);
    const again = await rampart(["incident", "ack", "1"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(
      "error INCIDENT_ILLEGAL_TRANSITION: incident 1 is acknowledged: it cannot be acknowledged again",
    );
    const missing = await rampart(["incident", "show", "999"]);
    expect([missing.code, missing.stderr.split("\n")[0]]).toEqual([
      2,
      "error INCIDENT_NOT_FOUND: no incident 999",
    ]);
    expect((await rampart(["incident", "resolve", "abc"])).code).toBe(2);
    expect((await rampart(["incident", "note", "1", "sqli has been off since v2", "--as", "ann"])).code).toBe(
      0,
    );

    // Restart in the middle of the incident; an alert arrives while the control plane is down.
    const before = JSON.parse((await rampart(["incident", "show", "1", "--json"])).stdout) as {
      timeline: unknown[];
    };
    await stop();
    fireAlert("error-spike");
    cp = await startControlProcess(data);
    const after = await until("the alert written while down", async () => {
      const r = JSON.parse((await rampart(["incident", "show", "1", "--json"])).stdout) as {
        alerts: { rule: string }[];
        timeline: { source: string; kind: string }[];
      };
      return r.alerts.length === 2 ? r : undefined;
    });
    expect(after.timeline.slice(0, before.timeline.length)).toEqual(before.timeline);
    expect(after.timeline.filter((e) => e.kind === "alert.firing")).toHaveLength(2);

    const rb = await rampart(["runbook", "config-related", "--incident", "1"]);
    expect(rb.code).toBe(0);
    expect(rb.stdout).toContain('rampart config rollback 1 -m "incident #1: back to v1"');
    // Tightening on top of the bad version carries its module off: the guardrail refuses it again.
    const refused = await rampart(["limits", "tighten", "checkout", "-m", "incident 1: protect checkout"]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain("error CONFIG_POLICY_REFUSED");
    // The runbook's command, as printed (without the quotes a shell would remove).
    expect((await rampart(["config", "rollback", "1", "-m", "incident #1: back to v1"])).code).toBe(0);
    const tighten = await rampart(["limits", "tighten", "checkout", "-m", "incident 1: protect checkout"]);
    expect(tighten.stdout).toBe(
      "applied version 4 (was 3):\n  checkout per-ip: rate 10/s -> 5/s, burst 20 -> 10\n",
    );
    expect((await rampart(["limits", "tighten", "cart", "-m", "x"])).code).toBe(2);
    expect((await rampart(["incident", "mitigate", "1", "-m", "rolled back to v1"])).code).toBe(0);
    expect((await rampart(["incident", "resolve", "1"])).code).toBe(0);

    const add = await rampart([
      "action",
      "add",
      "1",
      "Second admin for overrides",
      "--owner",
      "bob",
      "--due",
      "2026-12-01",
      "--kind",
      "preventive",
    ]);
    expect(add.stdout.trim()).toBe(
      "action #1 on incident #1: Second admin for overrides (owner bob, due 2026-12-01)",
    );
    expect((await rampart(["action", "done", "1", "--as", "bob"])).stdout.trim()).toBe(
      "action #1 done by bob",
    );
    expect((await rampart(["action", "done", "1"])).code).toBe(2);

    const out = join(dir, "pm.md");
    const pm = await rampart(["postmortem", "1", "--tz", "UTC", "-o", out]);
    expect([pm.code, pm.stdout.trim()]).toEqual([0, `wrote ${out}`]);
    const md = readFileSync(out, "utf8");
    expect(md).toContain("#### Issue Summary:");
    expect(md).toContain("All times are UTC (UTC+00:00).");
    expect(md).toMatch(
      /Resolving action: config v3 rolls back to v1 by bootstrap-admin: "incident #1: back to v1"/,
    );
    expect(md).toContain("- [x] #1 Second admin for overrides (owner bob, due 2026-12-01");
    const json = JSON.parse((await rampart(["postmortem", "1", "--json"])).stdout) as {
      rootCause: { draft: boolean };
    };
    expect(json.rootCause.draft).toBe(true);
    expect((await rampart(["postmortem", "1", "--tz", "Nowhere/Else"])).code).toBe(2);

    const byHand = await rampart([
      "incident",
      "open",
      "checkout slow",
      "--severity",
      "sev2",
      "--onset",
      "5m",
      "--json",
    ]);
    const opened = JSON.parse(byHand.stdout) as {
      id: number;
      severity: string;
      onsetAt: string;
      openedAt: string;
    };
    expect(opened).toMatchObject({ id: 2, severity: "SEV2" });
    expect(Date.parse(opened.openedAt) - Date.parse(opened.onsetAt)).toBeGreaterThanOrEqual(
      5 * 60_000 - 5_000,
    );
    expect(Date.parse(opened.openedAt) - Date.parse(opened.onsetAt)).toBeLessThanOrEqual(5 * 60_000 + 5_000);
    expect((await rampart(["incident", "open", "x", "--onset", "tomorrow"])).code).toBe(2);
  });
});
